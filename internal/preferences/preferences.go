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
}

// Store is what the preferences keep in the table.
type Store interface {
	Contact(ctx context.Context, id string) (*contact.Contact, error)
	UpdateContact(ctx context.Context, id string, fn func(c *contact.Contact) bool) (*contact.Contact, error)
	ContactsByEmail(ctx context.Context, address string) ([]string, error)
	PutConsent(ctx context.Context, contactID string, r Record) error
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

// Choose records choices (topic → on) for the contact and every other contact with its
// address. Withdrawals are published. It returns the contact as stored (nil if unknown).
func (s *Service) Choose(ctx context.Context, contactID string, choices map[string]bool, source string) (*contact.Contact, error) {
	c, err := s.Store.Contact(ctx, contactID)
	if err != nil {
		return nil, err
	}
	if c.Version == 0 {
		return nil, nil // no such contact: nothing to record
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
	for _, id := range ids {
		var changed []string
		got, err := s.Store.UpdateContact(ctx, id, func(c *contact.Contact) bool {
			changed = changed[:0]
			if c.Version == 0 {
				return false
			}
			for topic, on := range choices {
				before := c.MayMarket(topic)
				if c.Choose(topic, contact.Preference{On: on, At: now, Source: source}) && (before != on || topic == contact.TopicAll) {
					changed = append(changed, topic)
				}
			}
			return len(changed) > 0
		})
		if err != nil {
			return nil, fmt.Errorf("record choices of contact %s: %w", id, err)
		}
		if id == contactID {
			mine = got
		}
		for _, topic := range changed {
			on := choices[topic]
			if err := s.Store.PutConsent(ctx, id, Record{Topic: topic, On: on, At: now, Source: source}); err != nil {
				return nil, err
			}
			if on {
				continue
			}
			if err := s.Publisher.Publish(ctx, EventUnsubscribed, map[string]any{
				"contactId": id, "email": got.Email, "topic": topic, "source": source, "at": now,
			}); err != nil {
				return nil, fmt.Errorf("publish unsubscribe of contact %s: %w", id, err)
			}
		}
	}
	return mine, nil
}
