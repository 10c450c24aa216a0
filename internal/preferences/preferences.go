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
}

// Service applies customers' choices.
type Service struct {
	Store     Store
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

// SubscriberID is the contact id of someone who subscribed without being a customer.
func SubscriberID(address string) string { return "email:" + deliverability.Normalize(address) }

// ConfirmKind is the send kind of subscription confirmations.
const ConfirmKind = "confirm"

// Subscribe asks the address to confirm a subscription to the topic: a confirmation email
// with a link, at most one per address, topic and day (so that a form cannot be used to flood
// someone's inbox), and nothing for suppressed addresses. What it did is not told to the
// caller, so that the form does not reveal who is a customer.
func (s *Service) Subscribe(ctx context.Context, address, topic, locale string) (send.Outcome, error) {
	now := s.Now().UTC()
	id := SubscriberID(address)
	if ids, err := s.Store.ContactsByEmail(ctx, address); err != nil {
		return send.Outcome{}, err
	} else if len(ids) > 0 {
		id = ids[0]
	}
	c, err := s.Store.UpdateContact(ctx, id, func(c *contact.Contact) bool {
		if c.Version > 0 {
			return false
		}
		c.Email, c.Locale = address, locale
		c.Observed[contact.FieldEmail], c.Observed[contact.FieldLocale] = now, now
		return true
	})
	if err != nil {
		return send.Outcome{}, fmt.Errorf("record subscriber: %w", err)
	}
	rec := send.Record{Key: ConfirmKind + "#" + topic + "#" + now.Format(time.DateOnly), ContactID: c.ID, Kind: ConfirmKind}
	if reason, err := s.Gate.Check(ctx, c, ""); err != nil || reason != "" {
		if err != nil {
			return send.Outcome{}, err
		}
		rec.To = c.Email
		return s.Sender.Skip(ctx, rec, reason)
	}
	loc := render.LocaleFor(c.Locale, c.Timezone)
	l := s.Links.For(c.ID, rec.Key, now)
	v := confirmation{Topic: topic, Link: l.Confirm(topic)}
	r := render.Render(v, s.Brand, loc, render.Tracking{})
	rec.ExpiresAt = now.Add(s.Links.Tracking)
	return s.Sender.Send(ctx, rec, email.Message{
		From: s.From, To: email.Address{Email: c.Email}, Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		Date: now, Language: loc.Tag,
	}, []send.Tag{{Name: "kind", Value: ConfirmKind}, {Name: "contact", Value: send.TagValue(c.ID)}})
}
