// Package contact is the customer as this system remembers them: what the shop told us, field by
// field with the time it was true, and the customer's own choices of what marketing they want.
package contact

import (
	"strings"
	"time"

	"shopmail/internal/order"
)

// Fields whose observation time is tracked. The newest observation of each field wins.
const (
	FieldEmail     = "email"
	FieldFirstName = "firstName"
	FieldLastName  = "lastName"
	FieldLocale    = "locale"
	FieldTimezone  = "timezone"
	FieldBirthday  = "birthday"
	FieldConsent   = "marketingConsent"
)

// Contact is one customer.
type Contact struct {
	ID        string
	Email     string
	FirstName string
	LastName  string
	Locale    string
	Timezone  string
	Birthday  string
	// Consent is the marketing consent the shop reported with the customer's orders.
	Consent Consent
	// Prefs are the customer's own choices per topic, made through our links (unsubscribe,
	// preference centre, confirmed subscriptions). TopicAll is the choice for every topic
	// without a choice of its own. They outrank Consent: a shop that still reports consent
	// cannot undo an unsubscribe; only the customer can.
	Prefs map[string]Preference
	// EngagedAt is the last human-confirmed open or click (machine events never set it).
	EngagedAt time.Time
	// CampaignClick is the last human click on a campaign's email: an order placed within the
	// attribution window after it is credited to that campaign.
	CampaignClick CampaignClick
	// LastSurveyAt and LastSurveyOrder are the last survey sent, for the survey throttle.
	LastSurveyAt    time.Time
	LastSurveyOrder string
	// LastCartReminderAt and LastCart are the last cart a reminder was sent about, for the
	// cart reminder throttle.
	LastCartReminderAt time.Time
	LastCart           string
	// MarketingPausedUntil pauses marketing to the contact, e.g. after an unhappy answer.
	MarketingPausedUntil time.Time
	// FirstOrderID is the order that made this contact a customer: the first order seen.
	FirstOrderID string
	// Country (ISO 3166-1 alpha-2), Tags (lower case) and Attributes are what the marketer API
	// and imports tell us; orders do not carry them.
	Country    string
	Tags       []string
	Attributes map[string]string
	// TopicConsent is the shop's statement of consent per topic, with its proof, given through
	// the marketer API or an import. It outranks the order-reported Consent for its topic and
	// is outranked by the customer's own Prefs.
	TopicConsent map[string]Consent
	// ReferralCode is the contact's code for the referral programme ("" until their first
	// order), and AddressHash the hash of their last shipping address (loyalty.AddressHash),
	// which the referral rules compare.
	ReferralCode string
	AddressHash  string
	// Summary is what the contact did, kept on the profile so that a segment reads profiles
	// only, never the tracking rows.
	Summary Summary
	// Observed holds, per field, the time of the observation its value comes from.
	Observed  map[string]time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
	// Version is the optimistic-locking counter of the stored row; 0 for a new contact.
	Version int64
}

// CampaignClick is a human click on a campaign's email.
type CampaignClick struct {
	Campaign string
	At       time.Time
}

// CreditFor returns the campaign an order placed at `at` is credited to: the campaign of the
// last human click at most window before it ("" when none).
func (c *Contact) CreditFor(at time.Time, window time.Duration) string {
	click := c.CampaignClick
	if click.Campaign == "" || click.At.After(at) || at.Sub(click.At) > window {
		return ""
	}
	return click.Campaign
}

// Consent is the contact's marketing consent as last stated, with where and when it was given
// or withdrawn, so that it can be proven.
type Consent struct {
	Marketing bool
	At        time.Time // zero when the contact never stated a choice
	Source    string    // e.g. "order o-1001"
}

// Preference is a customer's choice about one topic, with when and how it was made, so that it
// can be proven.
type Preference struct {
	On     bool
	At     time.Time
	Source string // e.g. "one-click unsubscribe", "preference centre", "double opt-in"
}

// Marketing topics: the kinds of marketing email a customer can choose.
const (
	TopicSales     = "sales"     // sale announcements
	TopicGreetings = "greetings" // greeting cards with an occasion's offer
	TopicSurveys   = "surveys"   // post-purchase surveys
	TopicNews      = "news"      // news and product suggestions, e.g. in a thank-you email
	TopicCarts     = "carts"     // reminders of carts left behind
	// TopicAll is every topic: "stop all marketing".
	TopicAll = "all"
)

// Topics lists the topics a customer can choose, in the order the preference centre shows them.
var Topics = []string{TopicSales, TopicGreetings, TopicNews, TopicCarts, TopicSurveys}

// CampaignTopics are the topics a marketer's campaign may be sent under: all but carts, whose
// email only a cart sends.
var CampaignTopics = []string{TopicSales, TopicGreetings, TopicNews, TopicSurveys}

// IsTopic reports whether t is one of Topics.
func IsTopic(t string) bool {
	for _, x := range Topics {
		if x == t {
			return true
		}
	}
	return false
}

// Observation is what one source (an order event) says about a contact at one time.
type Observation struct {
	At       time.Time
	Source   string
	Customer order.Customer
}

// New starts a contact with the given id.
func New(id string, now time.Time) *Contact {
	return &Contact{ID: id, Observed: map[string]time.Time{}, CreatedAt: now}
}

// Apply merges an observation into the contact and reports whether anything changed. A field
// is taken when the observation carries a value and is not older than the value we have, so
// out-of-order events never overwrite newer data and absent fields never erase known ones.
// Consent follows the same rule: an explicit `false` newer than a grant withdraws it; a missing
// consent changes nothing.
func (c *Contact) Apply(o Observation) bool {
	if c.Observed == nil {
		c.Observed = map[string]time.Time{}
	}
	cu := o.Customer
	changed := false
	for _, f := range []struct {
		name string
		dst  *string
		val  string
	}{
		{FieldEmail, &c.Email, cu.Email},
		{FieldFirstName, &c.FirstName, cu.FirstName},
		{FieldLastName, &c.LastName, cu.LastName},
		{FieldLocale, &c.Locale, cu.Locale},
		{FieldTimezone, &c.Timezone, cu.Timezone},
		{FieldBirthday, &c.Birthday, cu.Birthday},
	} {
		if f.val != "" && c.newer(f.name, o.At) {
			changed = changed || *f.dst != f.val || !c.Observed[f.name].Equal(o.At)
			*f.dst = f.val
			c.Observed[f.name] = o.At
		}
	}
	if cu.MarketingConsent != nil && c.newer(FieldConsent, o.At) {
		next := Consent{Marketing: *cu.MarketingConsent, At: o.At, Source: o.Source}
		changed = changed || c.Consent != next
		c.Consent = next
		c.Observed[FieldConsent] = o.At
	}
	return changed
}

func (c *Contact) newer(field string, at time.Time) bool {
	seen, ok := c.Observed[field]
	return !ok || !at.Before(seen)
}

// TakeFirstOrder makes orderID the contact's first order unless another order already is, and
// reports whether orderID is the first order. Calling it again for the same order gives the
// same answer, so replayed events are judged the same way.
func (c *Contact) TakeFirstOrder(orderID string) (first, changed bool) {
	if c.FirstOrderID == "" {
		c.FirstOrderID = orderID
		return true, true
	}
	return c.FirstOrderID == orderID, false
}

// MayMarket reports whether marketing of the topic may go to the contact, as far as their
// consent goes (suppression of the address is checked apart): the customer's own choice for
// the topic, else their choice for all topics, else the consent the shop reported.
func (c *Contact) MayMarket(topic string) bool { return c.chose(topic, c.Consent.Marketing) }

// MayMarketUnlessOptedOut reports whether the contact has not turned the topic (or all
// marketing) off: where the shop's region does not require consent for it.
func (c *Contact) MayMarketUnlessOptedOut(topic string) bool { return c.chose(topic, true) }

// chose is the contact's choice for the topic, else for all topics, else the shop's statement
// for the topic, else otherwise.
func (c *Contact) chose(topic string, otherwise bool) bool {
	if p, ok := c.Prefs[topic]; ok {
		return p.On
	}
	if p, ok := c.Prefs[TopicAll]; ok {
		return p.On
	}
	if s, ok := c.TopicConsent[topic]; ok {
		return s.Marketing
	}
	return otherwise
}

// Choose records the customer's choice for a topic (or TopicAll) and reports whether it changed
// anything. Stopping all marketing also turns every topic off, so that no earlier choice of a
// topic keeps it on. An older choice than the one recorded is ignored.
func (c *Contact) Choose(topic string, p Preference) bool {
	if old, ok := c.Prefs[topic]; ok && p.At.Before(old.At) {
		return false
	}
	if c.Prefs == nil {
		c.Prefs = map[string]Preference{}
	}
	changed := c.Prefs[topic] != p
	c.Prefs[topic] = p
	if topic == TopicAll && !p.On {
		for _, t := range Topics {
			if old, ok := c.Prefs[t]; !ok || old.On {
				c.Prefs[t], changed = p, true
			}
		}
	}
	return changed
}

// BirthdayOn returns the month and day of a birthday as contacts keep it: "1990-03-21", or
// "--03-21" when the customer gave no year (ISO 8601's form without a year). ok is false for
// anything else, or a day no year has.
func BirthdayOn(birthday string) (month time.Month, day int, ok bool) {
	md, found := strings.CutPrefix(birthday, "--")
	if !found {
		t, err := time.Parse(time.DateOnly, birthday)
		if err != nil {
			return 0, 0, false
		}
		return t.Month(), t.Day(), true
	}
	t, err := time.Parse("2006-01-02", "2000-"+md) // 2000 is a leap year: 29 February is a birthday
	if err != nil || len(md) != 5 {
		return 0, 0, false
	}
	return t.Month(), t.Day(), true
}
