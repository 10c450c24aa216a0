// Package contact is the customer as this system remembers them: what the shop told us, field by
// field with the time it was true, their consent, and whether email to them is suppressed.
package contact

import (
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
	Consent   Consent
	// Suppressed, when not empty, says why no email at all may go to this contact (a hard
	// bounce or a complaint). It is set by deliverability handling, never by order events.
	Suppressed string
	// FirstOrderID is the order that made this contact a customer: the first order seen.
	FirstOrderID string
	// Observed holds, per field, the time of the observation its value comes from.
	Observed  map[string]time.Time
	CreatedAt time.Time
	// Version is the optimistic-locking counter of the stored row; 0 for a new contact.
	Version int64
}

// Consent is the contact's marketing consent as last stated, with where and when it was given
// or withdrawn, so that it can be proven.
type Consent struct {
	Marketing bool
	At        time.Time // zero when the contact never stated a choice
	Source    string    // e.g. "order o-1001"
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

// MayMarket reports whether marketing content may go to the contact: they consented and their
// address is not suppressed.
func (c *Contact) MayMarket() bool { return c.Consent.Marketing && c.Suppressed == "" }

// MayEmail reports whether any email, transactional included, may go to the contact.
func (c *Contact) MayEmail() bool { return c.Suppressed == "" }
