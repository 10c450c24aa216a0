// Package occasion is the occasion calendar: the days a shop greets its customers on (their
// birthday, Nowruz, Yalda, New Year...) and the days it sends no promotion at all (days of
// mourning), each with its rule in a calendar (package calendar), its audience, its send hour,
// its card design and its offer. It is pure: the marketer API stores occasions, the sweep turns
// a day's occasions into that day's greeting campaign (Day), and the fan-out greets each
// contact for the occasions that apply to them (For) and defers promotions on the days that
// forbid them (Book.NoPromotion).
package occasion

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"shopmail/internal/calendar"
	"shopmail/internal/campaign"
	"shopmail/internal/contact"
	"shopmail/internal/money"
)

// Kinds of occasion.
const (
	KindBirthday    = campaign.KindBirthday // each contact's own day (contact.Birthday)
	KindOccasion    = campaign.KindOccasion // a day of the calendar, greeted with a card
	KindNoPromotion = "no-promotion"        // a day on which no greeting and no campaign is sent
)

// BirthdayID is the id of the birthday occasion (there is one).
const BirthdayID = "birthday"

// DefaultSendHour is when a card is sent, in the recipient's time zone.
const DefaultSendHour = 9

// Occasion is one occasion of the calendar. Its JSON is the marketer API's.
type Occasion struct {
	ID   string            `json:"id"`
	Kind string            `json:"kind"`
	Name map[string]string `json:"name"` // by language; "en" required
	// Rule is the day in its calendar (none for the birthday).
	Rule    *calendar.Rule `json:"rule,omitempty"`
	Enabled bool           `json:"enabled"`
	// Locales and Countries are who it applies to: contacts of either (none: everyone). A
	// locale "fa" matches "fa-IR"; countries are ISO 3166 codes ("IR").
	Locales   []string `json:"locales,omitempty"`
	Countries []string `json:"countries,omitempty"`
	// Segment narrows a greeting's audience further (its topic is always greetings).
	Segment  *campaign.SegmentRef `json:"segment,omitempty"`
	SendHour *int                 `json:"sendHour,omitempty"` // 0-23 local; DefaultSendHour when left out
	Design   string               `json:"design,omitempty"`   // one of campaign.Designs
	// Message replaces the design's line under the greeting, by language.
	Message map[string]string `json:"message,omitempty"`
	Offer   *campaign.Offer   `json:"offer,omitempty"`
	// Default is the server's: the occasion ships with the project (deleting it restores it).
	Default bool `json:"default"`
	// Next is the server's: the next day it falls on, from today.
	Next string `json:"next,omitzero"`
}

// Hour is the send hour.
func (o Occasion) Hour() int {
	if o.SendHour == nil {
		return DefaultSendHour
	}
	return *o.SendHour
}

// Greets says whether the occasion sends a card.
func (o Occasion) Greets() bool { return o.Kind == KindBirthday || o.Kind == KindOccasion }

// AppliesTo reports whether the occasion's locales and countries include a contact of locale
// and country (an occasion without either applies to everyone).
func (o Occasion) AppliesTo(locale, country string) bool {
	return appliesTo(o.Locales, o.Countries, locale, country)
}

func appliesTo(locales, countries []string, locale, country string) bool {
	if len(locales) == 0 && len(countries) == 0 {
		return true
	}
	lang := money.Language(locale)
	for _, l := range locales {
		if strings.EqualFold(l, locale) || strings.EqualFold(l, lang) {
			return true
		}
	}
	return country != "" && slices.ContainsFunc(countries, func(c string) bool { return strings.EqualFold(c, country) })
}

// Falls reports whether the occasion falls on d (the birthday falls on every day: each
// contact has their own). A lunar rule on a day the lunar table does not cover is an error.
func (o Occasion) Falls(d calendar.Date, lunar calendar.LunarTable) (bool, error) {
	if o.Kind == KindBirthday {
		return true, nil
	}
	if o.Rule == nil {
		return false, nil
	}
	ok, err := o.Rule.Matches(d, lunar)
	if err != nil {
		return false, fmt.Errorf("occasion %s on %s: %w", o.ID, d, err)
	}
	return ok, nil
}

// Book is the calendar as it stands: every occasion (the defaults with the marketer's changes)
// and the lunar table.
type Book struct {
	Occasions []Occasion
	Lunar     calendar.LunarTable
}

// On returns the enabled occasions that fall on d: those that greet (birthdays first) and the
// days without promotion, and the occasions it could not place (a lunar date outside the
// table: never guessed).
func (b Book) On(d calendar.Date) (greet, noPromotion []Occasion, problems []error) {
	for _, o := range b.Occasions {
		if !o.Enabled {
			continue
		}
		ok, err := o.Falls(d, b.Lunar)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		switch {
		case !ok:
		case o.Kind == KindNoPromotion:
			noPromotion = append(noPromotion, o)
		default:
			greet = append(greet, o)
		}
	}
	slices.SortStableFunc(greet, func(a, b Occasion) int {
		return boolInt(b.Kind == KindBirthday) - boolInt(a.Kind == KindBirthday)
	})
	return greet, noPromotion, problems
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// NoPromotion returns the day without promotion that d is for a contact of locale and
// country, if it is one (nil otherwise). A day the lunar table does not cover is no such
// day: the table's end is reported by the sweep and the API, not guessed here.
func (b Book) NoPromotion(d calendar.Date, locale, country string) *Occasion {
	for _, o := range b.Occasions {
		if !o.Enabled || o.Kind != KindNoPromotion || !o.AppliesTo(locale, country) {
			continue
		}
		if ok, err := o.Falls(d, b.Lunar); err == nil && ok {
			return &o
		}
	}
	return nil
}

// DayID is the id of the greeting campaign of day d (a campaign id, "cmp-…").
func DayID(d calendar.Date) string {
	return fmt.Sprintf("cmp-greet%04d%02d%02d", d.Year, int(d.Month), d.Day)
}

// Day is the greeting campaign of day d, for its occasions that greet (as On returns them):
// sent at recipient-local time at the earliest of their send hours, on topic greetings.
func Day(d calendar.Date, greet []Occasion) campaign.Campaign {
	hour := 23
	card := &campaign.Card{Date: d.String()}
	for _, o := range greet {
		hour = min(hour, o.Hour())
		design := o.Design
		if design == "" {
			design = campaign.DesignGeneric
			if o.Kind == KindBirthday {
				design = campaign.DesignBirthday
			}
		}
		card.Occasions = append(card.Occasions, campaign.CardOccasion{ID: o.ID, Kind: o.Kind, Design: design, Name: o.Name,
			Message: o.Message, Offer: o.Offer, Locales: o.Locales, Countries: o.Countries, Segment: o.Segment})
	}
	names := make([]string, len(greet))
	for i, o := range greet {
		names[i] = o.Name["en"]
	}
	return campaign.Campaign{
		ID: DayID(d), Name: "Greetings of " + d.String() + ": " + strings.Join(names, ", "), Topic: contact.TopicGreetings,
		Card: card, ScheduledAt: d.At(hour, time.UTC), RecipientLocalTime: true,
	}
}

// Birthday reports whether a contact's birthday is on d: the same month and day, and 29
// February on 28 February in a year that has no 29th.
func Birthday(c *contact.Contact, d calendar.Date) bool {
	m, day, ok := contact.BirthdayOn(c.Birthday)
	switch {
	case !ok:
		return false
	case m == d.Month && day == d.Day:
		return true
	}
	return m == time.February && day == 29 && d.Month == time.February && d.Day == 28 && !calendar.IsLeap(d.Year)
}

// BirthdayDays are the month-days whose birthdays are greeted on d: d's, and 29 February's
// on 28 February of a year without one.
func BirthdayDays(d calendar.Date) [][2]int {
	out := [][2]int{{int(d.Month), d.Day}}
	if d.Month == time.February && d.Day == 28 && !calendar.IsLeap(d.Year) {
		out = append(out, [2]int{2, 29})
	}
	return out
}

// Matcher says whether a contact is in a card occasion's segment (the caller parses the
// segments: this package does not link the segment engine).
type Matcher func(o campaign.CardOccasion, c *contact.Contact) bool

// For returns the occasions of a card that apply to a contact on the card's day: their
// birthday, and the occasions whose locales, countries and segment include them.
func For(card campaign.Card, c *contact.Contact, inSegment Matcher) []campaign.CardOccasion {
	d, err := calendar.ParseDate(card.Date)
	if err != nil {
		return nil
	}
	var out []campaign.CardOccasion
	for _, o := range card.Occasions {
		switch {
		case o.Kind == KindBirthday:
			if !Birthday(c, d) {
				continue
			}
		case !appliesTo(o.Locales, o.Countries, c.Locale, c.Country):
			continue
		}
		if o.Segment != nil && inSegment != nil && !inSegment(o, c) {
			continue
		}
		out = append(out, o)
	}
	return out
}

// OnlyBirthdays reports whether a card greets birthdays alone (its audience is then read
// from the birthday index, not from every contact).
func OnlyBirthdays(card campaign.Card) bool {
	for _, o := range card.Occasions {
		if o.Kind != KindBirthday {
			return false
		}
	}
	return true
}
