package campaign

import (
	"slices"
	"strings"
	"time"
)

// Card makes a campaign a greeting card: the day's occasions (a birthday, Nowruz, Yalda...)
// instead of a sale. The occasion sweep writes one such campaign per day (package occasion
// builds it); the fan-out sends it like any other, on the topic contact.TopicGreetings.
type Card struct {
	// Date is the day greeted, YYYY-MM-DD: each recipient receives the card on that day in
	// their own time zone (the campaign is sent at recipient-local time).
	Date string `json:"date"`
	// Occasions are the day's occasions, birthdays first; each recipient is greeted for those
	// that apply to them (Greeting).
	Occasions []CardOccasion `json:"occasions"`
}

// Occasion kinds of a card.
const (
	KindBirthday = "birthday"
	KindOccasion = "occasion"
)

// Card designs, one per kind of occasion.
const (
	DesignBirthday    = "birthday"
	DesignNowruz      = "nowruz"
	DesignYalda       = "yalda"
	DesignNewYear     = "newyear"
	DesignMothersDay  = "mothersday"
	DesignBlackFriday = "blackfriday"
	DesignGeneric     = "generic"
)

// Designs are the card designs there are.
var Designs = []string{DesignBirthday, DesignNowruz, DesignYalda, DesignNewYear, DesignMothersDay, DesignBlackFriday, DesignGeneric}

// CardOccasion is one occasion as a card greets it.
type CardOccasion struct {
	ID     string            `json:"id"`
	Kind   string            `json:"kind"`   // KindBirthday or KindOccasion
	Design string            `json:"design"` // one of Designs
	Name   map[string]string `json:"name"`   // by language ("en", "fa"), e.g. "Nowruz", "نوروز"
	// Message is the marketer's line under the greeting, by language (optional).
	Message map[string]string `json:"message,omitempty"`
	Offer   *Offer            `json:"offer,omitempty"`
	// Who it is for: everyone with the greetings topic, or only contacts of these locales
	// ("fa" matches "fa-IR") or countries (either matches), and of this segment.
	Locales   []string    `json:"locales,omitempty"`
	Countries []string    `json:"countries,omitempty"`
	Segment   *SegmentRef `json:"segment,omitempty"`
}

// Offer is a card's gift for the day: a single-use coupon issued to each recipient, or a link.
// Text says what it gives, by language ("15% off your next order").
type Offer struct {
	Text   map[string]string `json:"text"`
	Coupon *CardCoupon       `json:"coupon,omitempty"`
	Link   *CTA              `json:"link,omitempty"`
}

// CardCoupon is how a card's single-use codes are issued: with Prefix, valid ValidDays days.
type CardCoupon struct {
	Prefix    string `json:"prefix"`
	ValidDays int    `json:"validDays"`
}

// Greeting is what one recipient's card says: the occasions of the day that apply to them (in
// the card's order) and the coupon issued to them, if the offer has one.
type Greeting struct {
	Occasions []CardOccasion
	Coupon    *IssuedCoupon
}

// IssuedCoupon is a single-use code issued to one recipient.
type IssuedCoupon struct {
	Code      string
	ExpiresAt time.Time
}

// check is what a card must be to be sent: a day, occasions with a design and a name each,
// offers whose links a reader may be sent to. (The occasions were validated when the marketer
// wrote them; this guards the stored card.)
func (c Card) check(fe *FieldError) {
	if _, err := time.Parse(time.DateOnly, c.Date); err != nil {
		fe.Add("card.date", "must be a date YYYY-MM-DD")
	}
	if len(c.Occasions) == 0 {
		fe.Add("card.occasions", "a card greets at least one occasion")
	}
	for i, o := range c.Occasions {
		p := index("card.occasions", i)
		if !slices.Contains(Designs, o.Design) {
			fe.Add(p+".design", "must be one of "+strings.Join(Designs, ", "))
		}
		checkTexts(fe, p+".name", o.Name)
		if strings.TrimSpace(o.Name[Fallback]) == "" {
			fe.Add(p+".name."+Fallback, "is required")
		}
		if of := o.Offer; of != nil && of.Link != nil {
			checkURL(fe, p+".offer.link.url", of.Link.URL, true)
		}
	}
}
