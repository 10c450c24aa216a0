// Package contacts is the marketer API's view of customers: creating and changing them
// (input.go), importing lists (import.go), their profile, history and everything stored about
// them (view.go), and erasing them. Segments (internal/segment) pick audiences among them
// (audience.go).
package contacts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"shopmail/internal/bus"
	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/fault"
	"shopmail/internal/loyalty"
	"shopmail/internal/preferences"
)

// Store is what the API keeps in the table.
type Store interface {
	Contact(ctx context.Context, id string) (*contact.Contact, error)
	// ChangeContact changes a contact with the consent statements its change owes, at once.
	ChangeContact(ctx context.Context, id string, fn func(c *contact.Contact) ([]preferences.Record, []bus.Event, bool)) (*contact.Contact, error)
	ContactsByEmail(ctx context.Context, address string) ([]string, error)
	// contact.Data reads everything stored about a contact; found is false when there is none.
	Data(ctx context.Context, id string) (contact.Data, bool, error)
	// ChangeContacts is ChangeContact for many contacts at once; it returns the errors by id.
	ChangeContacts(ctx context.Context, ids []string, fn func(c *contact.Contact) ([]preferences.Record, []bus.Event, bool)) map[string]error
	// SuppressionsOf returns why each suppressed address of addresses gets no email.
	SuppressionsOf(ctx context.Context, addresses []string) (map[string]string, error)
	// Erase deletes a contact but the suppression of its address (kept hashed); false when
	// there was none.
	Erase(ctx context.Context, id string) (bool, error)
	deliverability.Suppressions
}

// Service answers the marketer API about contacts.
type Service struct {
	Store    Store
	Segments Segments
	Profiles Profiles
	Pages    Pages
	Ledger   Ledger
	// Programme is the loyalty programme's tiers, for the tier a contact is heading for.
	Programme loyalty.Config
	// ShopURL is the shop's address, which referral links point to.
	ShopURL string
	Now     func() time.Time
}

// Put creates or changes a contact; created says which.
func (s *Service) Put(ctx context.Context, id string, in Input) (c *contact.Contact, created bool, err error) {
	c, created, _, err = s.put(ctx, id, in)
	return c, created, err
}

func (s *Service) put(ctx context.Context, id string, in Input) (c *contact.Contact, created, changed bool, err error) {
	if err := ValidID(id); err != nil {
		return nil, false, false, err
	}
	if in.ID != nil && *in.ID != id {
		return nil, false, false, fmt.Errorf("%w: the body's id %q is not the path's %q", fault.ErrConflict, *in.ID, id)
	}
	now := s.Now().UTC()
	// A new address brings its suppression along, for segments (which read profiles only).
	suppressed := ""
	if in.Email != nil && strings.TrimSpace(*in.Email) != "" {
		sup, found, err := s.Store.Suppression(ctx, strings.TrimSpace(*in.Email))
		if err != nil {
			return nil, false, false, err
		}
		if found {
			suppressed = sup.Reason
		}
	}
	var applyErr error
	c, err = s.Store.ChangeContact(ctx, id, func(c *contact.Contact) ([]preferences.Record, []bus.Event, bool) {
		var statements []Statement
		statements, created, changed, applyErr = apply(c, in, now, func(string) string { return suppressed })
		return records(statements), nil, changed
	})
	if applyErr != nil {
		return nil, false, false, applyErr
	}
	if err != nil {
		return nil, false, false, err
	}
	return c, created, changed, nil
}

// apply applies in to c, with the suppression of c's address when it changes, and says what
// it did.
func apply(c *contact.Contact, in Input, now time.Time, suppression func(address string) string) (statements []Statement, created, changed bool, err error) {
	created = c.Version == 0
	before, oldEmail := fingerprint(c), c.Email
	if statements, err = in.Apply(c, now); err != nil {
		return nil, created, false, err
	}
	if c.Email != oldEmail {
		c.Summary.Suppressed = suppression(c.Email)
	}
	return statements, created, created || fingerprint(c) != before, nil
}

func records(statements []Statement) []preferences.Record {
	out := make([]preferences.Record, len(statements))
	for i, st := range statements {
		out[i] = preferences.Record{Topic: st.Topic, On: st.Given, At: st.At, Source: "shop: " + st.Source}
	}
	return out
}

// fingerprint is what the API can change of a contact, to tell whether a put changed anything.
func fingerprint(c *contact.Contact) string {
	return fmt.Sprint(c.Email, "|", c.FirstName, "|", c.LastName, "|", c.Locale, "|", c.Timezone, "|", c.Birthday, "|",
		c.Country, "|", c.Tags, "|", c.Attributes, "|", c.TopicConsent)
}

// Get returns a stored contact, or fault.ErrNotFound.
func (s *Service) Get(ctx context.Context, id string) (*contact.Contact, error) {
	if err := ValidID(id); err != nil {
		return nil, err
	}
	c, err := s.Store.Contact(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Version == 0 {
		return nil, fmt.Errorf("%w: no contact %q", fault.ErrNotFound, id)
	}
	return c, nil
}

// ByEmail returns the contacts with an address.
func (s *Service) ByEmail(ctx context.Context, address string) ([]*contact.Contact, error) {
	ids, err := s.Store.ContactsByEmail(ctx, address)
	if err != nil {
		return nil, err
	}
	var out []*contact.Contact
	for _, id := range ids {
		c, err := s.Store.Contact(ctx, id)
		if err != nil {
			return nil, err
		}
		if c.Version > 0 {
			out = append(out, c)
		}
	}
	return out, nil
}

// Erase deletes a contact (the right to be forgotten).
func (s *Service) Erase(ctx context.Context, id string) error {
	if err := ValidID(id); err != nil {
		return err
	}
	found, err := s.Store.Erase(ctx, id)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%w: no contact %q", fault.ErrNotFound, id)
	}
	return nil
}

// ValidID checks a contact id: 1 to 128 bytes of printable text.
func ValidID(id string) error {
	if id == "" || len(id) > 128 {
		return fmt.Errorf("%w: a contact id is 1 to 128 bytes", fault.ErrInvalid)
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%w: a contact id has no control characters", fault.ErrInvalid)
		}
	}
	return nil
}

// Pages lists contacts a page at a time.
type Pages interface {
	ContactsPage(ctx context.Context, cursor string, limit int) ([]*contact.Contact, string, error)
}

// List returns a page of contacts after cursor ("" for the first page).
func (s *Service) List(ctx context.Context, cursor string, limit int) ([]View, string, error) {
	cs, next, err := s.Pages.ContactsPage(ctx, cursor, limit)
	if err != nil {
		return nil, "", err
	}
	out := make([]View, len(cs))
	for i, c := range cs {
		out[i] = ViewOf(c)
	}
	return out, next, nil
}
