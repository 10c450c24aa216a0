package preferences

import (
	"context"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/email"
	"shopmail/internal/render"
	"shopmail/internal/send"
)

// ConfirmKind is the send kind of subscription confirmations.
const ConfirmKind = deliverability.KindConfirm

// EventRequested is the internal event a subscription request becomes: the form's answer does
// not wait for the confirmation email, which the function sends when the event comes back to
// it, so that the answer takes the same time and the same work whatever the address.
const EventRequested = "Subscription Requested"

// Limits bound what anonymous visitors can make the shop send.
type Limits struct {
	// PerClient is how many requests one client (source address) may make per hour.
	PerClient int64
	// ConfirmationsPerHour is how many confirmation emails go out per hour at most.
	ConfirmationsPerHour int64
}

// DefaultLimits: 10 requests per client and 100 confirmations per hour.
var DefaultLimits = Limits{PerClient: 10, ConfirmationsPerHour: 100}

// Request is a visitor's request to subscribe, as the form sent it (checked by the edge).
type Request struct {
	Email  string `json:"email"`
	Topic  string `json:"topic"`
	Locale string `json:"locale,omitempty"` // render.NormalizeTag'd, or ""
}

// Request takes a subscription request on the request path: one count of the client's
// hourly limit (under a keyed hash of its address, never the address) and, under the limit,
// the internal event that Subscribe handles later. It does the same whatever the address is
// (new, a customer, suppressed, asked already), and tells the caller only whether the client
// was over its limit.
func (s *Service) Request(ctx context.Context, r Request, client string) (bool, error) {
	now := s.Now().UTC()
	window := now.Truncate(time.Hour)
	name := "client#" + s.hash("client", client) + "#" + window.Format("2006-01-02T15")
	ok, err := s.Store.Take(ctx, name, s.Limits.PerClient, window.Add(2*time.Hour))
	if err != nil || !ok {
		return false, err
	}
	if err := s.Publisher.Publish(ctx, EventRequested, r); err != nil {
		return false, fmt.Errorf("publish subscription request: %w", err)
	}
	return true, nil
}

// hash is a short keyed hash of value for one use, in lower-case base32.
func (s *Service) hash(label, value string) string {
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(s.Links.Keys.Hash(label, value)[:20]))
}

// SubscriberID is the contact id of someone who subscribed without being a customer: opaque
// ("sub-" and a keyed hash of the address), so that no token or log line carries the address,
// and the same for the same address, so that a second request finds the same contact.
func (s *Service) SubscriberID(address string) string {
	return "sub-" + s.hash("subscriber", deliverability.Normalize(address))
}

// Mailbox is the mailbox an address reaches, for counting: lower case, without a "+tag", and
// without dots for Gmail, which ignores them.
func Mailbox(address string) string {
	a := deliverability.Normalize(address)
	at := strings.LastIndexByte(a, '@')
	if at < 0 {
		return a
	}
	local, domain := a[:at], a[at+1:]
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	if domain == "googlemail.com" {
		domain = "gmail.com"
	}
	if domain == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	return local + "@" + domain
}

// Subscribe asks the address to confirm a subscription to the topic (the request's event,
// off the request path): at most one confirmation per mailbox and day, none to suppressed
// addresses, none while confirmations' own bounces or complaints have paused them, and no more
// than the hourly budget.
func (s *Service) Subscribe(ctx context.Context, r Request) (send.Outcome, error) {
	now := s.Now().UTC()
	day := now.Truncate(24 * time.Hour)
	first, err := s.Store.Take(ctx, "mailbox#"+s.hash("mailbox", Mailbox(r.Email))+"#"+day.Format(time.DateOnly), 1, day.Add(48*time.Hour))
	if err != nil {
		return send.Outcome{}, err
	}
	if !first {
		return send.Outcome{Duplicate: true, Record: send.Record{Kind: ConfirmKind, Reason: "mailbox asked today"}}, nil
	}
	c, err := s.subscriber(ctx, r, now)
	if err != nil {
		return send.Outcome{}, err
	}
	rec := send.Record{Key: ConfirmKind + "#" + r.Topic + "#" + now.Format(time.DateOnly), ContactID: c.ID, Kind: ConfirmKind, To: c.Email}
	if reason, err := s.mayConfirm(ctx, c, now); err != nil || reason != "" {
		if err != nil {
			return send.Outcome{}, err
		}
		return s.Sender.Skip(ctx, rec, reason)
	}
	rec.To = ""
	return s.confirm(ctx, rec, c, r.Topic, now)
}

// subscriber finds the contact of the address (a customer's, or a subscriber's made now) and
// takes the request's locale when it is the subscriber's own or the stored one is unusable.
func (s *Service) subscriber(ctx context.Context, r Request, now time.Time) (*contact.Contact, error) {
	id := s.SubscriberID(r.Email)
	ids, err := s.Store.ContactsByEmail(ctx, r.Email)
	if err != nil {
		return nil, err
	}
	if len(ids) > 0 {
		id = ids[0]
	}
	c, err := s.Store.UpdateContact(ctx, id, func(c *contact.Contact) bool {
		if c.Observed == nil {
			c.Observed = map[string]time.Time{}
		}
		fresh := c.Version == 0
		if fresh {
			c.Email, c.Observed[contact.FieldEmail] = r.Email, now
		}
		mayRelabel := fresh || isSubscriber(c.ID) || render.NormalizeTag(c.Locale) == ""
		if r.Locale == "" || r.Locale == c.Locale || !mayRelabel {
			return fresh
		}
		c.Locale, c.Observed[contact.FieldLocale] = r.Locale, now
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("record subscriber %s: %w", id, err)
	}
	return c, nil
}

// mayConfirm returns why no confirmation may go to the contact now ("" when it may); the
// hourly budget is counted last, so that skipped requests do not spend it.
func (s *Service) mayConfirm(ctx context.Context, c *contact.Contact, now time.Time) (string, error) {
	if reason, err := s.Gate.Check(ctx, c, ""); err != nil || reason != "" {
		return reason, err
	}
	if reason, err := s.Gate.ConfirmationsPaused(ctx); err != nil || reason != "" {
		return reason, err
	}
	hour := now.Truncate(time.Hour)
	ok, err := s.Store.Take(ctx, "confirmations#"+hour.Format("2006-01-02T15"), s.Limits.ConfirmationsPerHour, hour.Add(2*time.Hour))
	if err != nil || ok {
		return "", err
	}
	return fmt.Sprintf("hourly budget of %d confirmations spent", s.Limits.ConfirmationsPerHour), nil
}

// confirm sends the confirmation email.
func (s *Service) confirm(ctx context.Context, rec send.Record, c *contact.Contact, topic string, now time.Time) (send.Outcome, error) {
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

// isSubscriber reports whether a contact id is a subscriber's (made by Subscribe, now or
// before ids were opaque) rather than a shop customer's.
func isSubscriber(id string) bool {
	return strings.HasPrefix(id, "sub-") || strings.HasPrefix(id, "email:")
}
