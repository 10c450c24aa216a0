// Package preferences lets customers choose what marketing email they get: the one-click
// unsubscribe of RFC 8058 (the pages are internal/web's: only a POST changes anything, since
// scanners prefetch links), the preference centre (topics, or stop all marketing), and subscriptions
// with double opt-in ("tell me when the sale starts"). Every choice is recorded with its time
// and source, applies to every contact with the same address, and every withdrawal is
// published as "Contact Unsubscribed".
package preferences

import (
	"context"
	"fmt"
	"time"

	"shopmail/internal/bus"
	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/email"
	"shopmail/internal/links"
	"shopmail/internal/render"
	"shopmail/internal/send"
)

// EventUnsubscribed is published for every withdrawal of consent.
const EventUnsubscribed = "Contact Unsubscribed"

// Record is one consent statement, kept for proof (no TTL).
type Record struct {
	Topic  string
	On     bool
	At     time.Time
	Source string
	// Campaign is the campaign (its stats key) whose email the choice was made from, if any: a
	// withdrawal from it counts once in the campaign's "unsubscribed".
	Campaign string
}

// Store is what the preferences keep in the table.
type Store interface {
	Contact(ctx context.Context, id string) (*contact.Contact, error)
	UpdateContact(ctx context.Context, id string, fn func(c *contact.Contact) bool) (*contact.Contact, error)
	// ChangeContact changes a contact with the consent statements and events the change owes,
	// all in one write.
	ChangeContact(ctx context.Context, id string, fn func(c *contact.Contact) ([]Record, []bus.Event, bool)) (*contact.Contact, error)
	// The events owed are kept until the bus takes them.
	bus.Pending
	ContactsByEmail(ctx context.Context, address string) ([]string, error)
	// SendCampaign is the campaign (stats key) of a contact's send, "" for none.
	SendCampaign(ctx context.Context, contactID, sendKey string) (string, error)
	send.Ledger
	deliverability.Suppressions
	deliverability.States
	// Take counts one use of a fixed-window limit and reports whether it was under limit.
	Take(ctx context.Context, name string, limit int64, expires time.Time) (bool, error)
}

// Service applies customers' choices.
type Service struct {
	Store     Store
	Limits    Limits
	Publisher bus.Publisher
	Sender    *send.Sender
	Gate      *deliverability.Gate
	Links     links.Config
	Brand     render.Brand
	From      email.Address
	Now       func() time.Time
}

func withdraws(choices map[string]bool) bool {
	for _, on := range choices {
		if !on {
			return true
		}
	}
	return false
}

// Choose records choices (topic → on) for the contact and every other contact with its
// address. Withdrawals are published, and counted in the campaign of the email the choice was
// made from (sendKey, "" for none). It returns the contact as stored (nil if unknown).
func (s *Service) Choose(ctx context.Context, contactID string, choices map[string]bool, source, sendKey string) (*contact.Contact, error) {
	c, err := s.Store.Contact(ctx, contactID)
	if err != nil {
		return nil, err
	}
	if c.Version == 0 {
		return nil, nil // no such contact: nothing to record
	}
	var from string
	if sendKey != "" && withdraws(choices) {
		if from, err = s.Store.SendCampaign(ctx, contactID, sendKey); err != nil {
			return nil, err
		}
	}
	ids := []string{contactID}
	if c.Email != "" {
		others, err := s.Store.ContactsByEmail(ctx, c.Email)
		if err != nil {
			return nil, err
		}
		for _, id := range others {
			if id != contactID {
				ids = append(ids, id)
			}
		}
	}
	now := s.Now().UTC()
	var mine *contact.Contact
	var owed []bus.Event
	for _, id := range ids {
		var evs []bus.Event
		got, err := s.Store.ChangeContact(ctx, id, func(c *contact.Contact) ([]Record, []bus.Event, bool) {
			if c.Version == 0 {
				return nil, nil, false
			}
			var records []Record
			evs = nil
			for topic, on := range choices {
				before := c.MayMarket(topic)
				if !c.Choose(topic, contact.Preference{On: on, At: now, Source: source}) || (before == on && topic != contact.TopicAll) {
					continue
				}
				r := Record{Topic: topic, On: on, At: now, Source: source}
				if id == contactID && !on {
					r.Campaign = from
				}
				records = append(records, r)
				if on {
					continue
				}
				ev, err := bus.NewEvent(EventUnsubscribed, map[string]any{
					"contactId": id, "email": c.Email, "topic": topic, "source": source, "at": now,
				}, now)
				if err != nil {
					continue // a map of strings and a time always encodes
				}
				evs = append(evs, ev)
			}
			return records, evs, len(records) > 0
		})
		if err != nil {
			return nil, fmt.Errorf("record choices of contact %s: %w", id, err)
		}
		owed = append(owed, evs...)
		if id == contactID {
			mine = got
		}
	}
	// The choices are recorded, with their events in the outbox: an event the bus refuses now
	// is published by the outbox's flush, and the customer is not told of it.
	_, _ = (&bus.Relay{Publisher: s.Publisher, Outbox: s.Store, Now: s.Now}).Deliver(ctx, owed...)
	return mine, nil
}
