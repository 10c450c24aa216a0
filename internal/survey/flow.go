package survey

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/email"
	"shopmail/internal/fault"
	"shopmail/internal/links"
	"shopmail/internal/message"
	"shopmail/internal/order"
	"shopmail/internal/send"
)

// Kind is the send kind and SES tag of survey emails.
const Kind = "survey"

// Statuses of an order's survey.
const (
	Pending   = "pending"   // scheduled
	Cancelled = "cancelled" // the order was cancelled or refunded
	Sent      = "sent"
	Skipped   = "skipped" // decided against (throttle, suppression, opt-out); Reason says why
)

// Survey is the survey of one order: who, what was bought, and where it stands.
type Survey struct {
	OrderID     string
	ContactID   string
	Email       string
	FirstName   string
	Locale      string
	Timezone    string
	Categories  []string
	PlacedAt    time.Time
	DeliveredAt time.Time
	Status      string
	Reason      string
	SentAt      time.Time
}

// SendKey is the send of an order's survey.
func SendKey(orderID string) string { return Kind + "#" + orderID }

// Store keeps surveys.
type Store interface {
	// RecordSurvey stores what s says about an order's survey, keeping what is known (a
	// cancellation stays), and returns the survey as stored.
	RecordSurvey(ctx context.Context, s Survey) (Survey, error)
	// CancelSurvey marks an order's survey cancelled: not sent if it was not, no answers taken
	// if it was.
	CancelSurvey(ctx context.Context, orderID, reason string) error
	// Survey returns an order's survey.
	Survey(ctx context.Context, orderID string) (Survey, bool, error)
	// FinishSurvey records that the survey was sent or skipped.
	FinishSurvey(ctx context.Context, s Survey) error
	Contact(ctx context.Context, id string) (*contact.Contact, error)
	UpdateContact(ctx context.Context, id string, fn func(c *contact.Contact) bool) (*contact.Contact, error)
	send.Ledger
	deliverability.Suppressions
	deliverability.States
}

// Scheduler creates and deletes one-time schedules.
type Scheduler interface {
	At(ctx context.Context, name string, at time.Time, input []byte) error
	Delete(ctx context.Context, name string) error
}

// Config says what to ask and when.
type Config struct {
	Questions     []Question
	AfterDelivery time.Duration // default 3 days
	AfterPlaced   time.Duration // when no delivery event comes; default 14 days
	Throttle      time.Duration // at most one survey per contact per this; default 30 days
	Brand         message.Brand
	From          email.Address
	Links         links.Config
}

// Planner schedules surveys from order events and sends them when they are due.
type Planner struct {
	Config    Config
	Store     Store
	Scheduler Scheduler
	Sender    *send.Sender
	Gate      *deliverability.Gate
	Now       func() time.Time
}

// Due is the input of a survey's schedule.
type Due struct {
	OrderID string `json:"orderId"`
	After   string `json:"after"` // "delivery" or "placed" (the fallback)
}

// scheduleName is a schedule's name: Scheduler allows 64 characters of [0-9a-zA-Z-_.], so the
// order id is hashed.
func scheduleName(orderID, after string) string {
	h := sha256.Sum256([]byte(orderID))
	return "survey-" + hex.EncodeToString(h[:12]) + "-" + after
}

func (p *Planner) schedule(ctx context.Context, s Survey, after string, at time.Time) error {
	in, _ := json.Marshal(Due{OrderID: s.OrderID, After: after})
	return p.Scheduler.At(ctx, scheduleName(s.OrderID, after), DueAt(at, p.delay(after), s.Timezone), in)
}

func (p *Planner) delay(after string) time.Duration {
	if after == "delivery" {
		return p.Config.AfterDelivery
	}
	return p.Config.AfterPlaced
}

// Placed records the order's survey and schedules the fallback, for shops that never say
// the order was delivered.
func (p *Planner) Placed(ctx context.Context, o order.Order) error {
	s, err := p.Store.RecordSurvey(ctx, Survey{
		OrderID: o.ID, ContactID: o.Customer.ID, Email: o.Customer.Email, FirstName: o.Customer.FirstName,
		Locale: o.Customer.Locale, Timezone: o.Customer.Timezone, Categories: o.Categories(), PlacedAt: o.PlacedAt,
	})
	if err != nil || s.Status != Pending {
		return err
	}
	return p.schedule(ctx, s, "placed", o.PlacedAt)
}

// Delivered schedules the survey N days after delivery (the fallback then finds it sent or
// deletes itself: it is deleted here too).
func (p *Planner) Delivered(ctx context.Context, st order.Status) error {
	s, err := p.Store.RecordSurvey(ctx, Survey{OrderID: st.OrderID, DeliveredAt: st.At})
	if err != nil {
		return err
	}
	if s.ContactID == "" {
		// Delivered before we saw the order placed: retried until it is (then DLQ).
		return fmt.Errorf("survey of order %s: the order is not known yet", st.OrderID)
	}
	if s.Status != Pending {
		return nil
	}
	if err := p.schedule(ctx, s, "delivery", st.At); err != nil {
		return err
	}
	return p.Scheduler.Delete(ctx, scheduleName(st.OrderID, "placed"))
}

// Cancelled cancels the order's survey and deletes its schedules.
func (p *Planner) Cancelled(ctx context.Context, st order.Status, why string) error {
	if err := p.Store.CancelSurvey(ctx, st.OrderID, why); err != nil {
		return err
	}
	for _, after := range []string{"delivery", "placed"} {
		if err := p.Scheduler.Delete(ctx, scheduleName(st.OrderID, after)); err != nil {
			return err
		}
	}
	return nil
}

// Send sends an order's survey when its schedule fires, unless it was cancelled, already sent,
// the customer had a survey within the throttle window, the address is suppressed, or the
// customer turned surveys off. What it decided is recorded on the survey.
func (p *Planner) Send(ctx context.Context, d Due) (send.Outcome, error) {
	s, found, err := p.Store.Survey(ctx, d.OrderID)
	switch {
	case err != nil:
		return send.Outcome{}, err
	case !found:
		return send.Outcome{}, fmt.Errorf("%w survey: order %s has no survey", fault.ErrInvalid, d.OrderID)
	case s.Status != Pending:
		return send.Outcome{Duplicate: true}, nil // cancelled, sent or skipped already
	case d.After == "placed" && !s.DeliveredAt.IsZero():
		return send.Outcome{Duplicate: true}, nil // the delivery schedule sends it
	}
	now := p.Now().UTC()
	rec := send.Record{Key: SendKey(s.OrderID), ContactID: s.ContactID, Kind: Kind, OrderID: s.OrderID, Topic: contact.TopicSurveys}
	// Suppression first (a marketing opt-out does not stop a survey about an order), so that a
	// survey not sent does not use up the customer's throttle window.
	c, err := p.Store.Contact(ctx, s.ContactID)
	if err != nil {
		return send.Outcome{}, err
	}
	if c.Email == "" {
		c.Email = s.Email
	}
	reason, err := p.Gate.Check(ctx, c, "")
	if err != nil {
		return send.Outcome{}, err
	}
	if pref, ok := c.Prefs[contact.TopicSurveys]; reason == "" && ok && !pref.On {
		reason = "no consent to surveys email"
	}
	if reason == "" {
		c, err = p.Store.UpdateContact(ctx, s.ContactID, func(c *contact.Contact) bool {
			reason = ""
			if c.Email == "" {
				c.Email = s.Email
			}
			if c.LastSurveyOrder == s.OrderID {
				return false // a retry of this survey
			}
			if !c.LastSurveyAt.IsZero() && now.Sub(c.LastSurveyAt) < p.Config.Throttle {
				reason = fmt.Sprintf("survey throttle: one per %d days; the last was on %s", int(p.Config.Throttle.Hours()/24), c.LastSurveyAt.Format(time.DateOnly))
				return false
			}
			c.LastSurveyAt, c.LastSurveyOrder = now, s.OrderID
			return true
		})
		if err != nil {
			return send.Outcome{}, fmt.Errorf("survey of order %s: %w", s.OrderID, err)
		}
	}
	var out send.Outcome
	if reason != "" {
		rec.To = c.Email
		out, err = p.Sender.Skip(ctx, rec, reason)
		s.Status, s.Reason = Skipped, reason
	} else {
		out, err = p.Sender.Send(ctx, rec, p.compose(c, s, &rec), []send.Tag{
			{Name: "kind", Value: Kind}, {Name: "contact", Value: send.TagValue(c.ID)}, {Name: "order", Value: send.TagValue(s.OrderID)},
		})
		s.Status, s.SentAt = Sent, now
	}
	if err != nil {
		return out, err
	}
	if out.Record.Status == send.Failed { // refused by SES: not a survey sent, for the response rate
		s.Status, s.Reason = Skipped, out.Record.Reason
	}
	return out, p.Store.FinishSurvey(ctx, s)
}

func (p *Planner) compose(c *contact.Contact, s Survey, rec *send.Record) email.Message {
	now := p.Now()
	locale, tz := c.Locale, c.Timezone
	if locale == "" {
		locale, tz = s.Locale, s.Timezone
	}
	loc := message.LocaleFor(locale, tz)
	l := p.Config.Links.For(c.ID, rec.Key, now)
	v := View{FirstName: c.FirstName, OrderID: s.OrderID, Questions: p.Config.Questions, Link: l.Answer}
	r := message.Render(v, p.Config.Brand, loc, l.Tracking(rec.Topic))
	rec.Links, rec.ExpiresAt = l.URLs(), now.Add(p.Config.Links.Tracking)
	return email.Message{
		From: p.Config.From, To: email.Address{Name: c.FirstName, Email: c.Email}, Subject: r.Subject,
		Text: r.Text, HTML: r.HTML, Date: now, Language: loc.Tag, Headers: l.Headers(rec.Topic),
	}
}
