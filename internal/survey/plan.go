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
	"shopmail/internal/links"
	"shopmail/internal/order"
	"shopmail/internal/render"
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
	// MoveDelivery replaces a pending survey's delivery time old with at and returns the
	// survey; it reports false, changing nothing, when the survey is no longer pending or its
	// delivery time is no longer old.
	MoveDelivery(ctx context.Context, orderID string, old, at time.Time) (Survey, bool, error)
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
	AskNext       bool          // also ask "What should we sell next?" (suggest.go)
	AfterDelivery time.Duration // default 3 days
	AfterPlaced   time.Duration // when no delivery event comes; default 14 days
	Throttle      time.Duration // at most one survey per contact per this; default 30 days
	Brand         render.Brand
	From          email.Address
	Links         links.Config
}

// Planner schedules surveys from order events (the surveys function); Sending sends them
// when their schedule fires.
type Planner struct {
	Config    Config
	Store     Store
	Scheduler Scheduler
	Now       func() time.Time
}

// Due is the input of a survey's schedule.
type Due struct {
	OrderID string `json:"orderId"`
	After   string `json:"after"` // "delivery" or "placed" (the fallback)
	// DeliveredAt is the delivery time a "delivery" schedule was planned from: a schedule of
	// a delivery time since corrected sends nothing. Empty in schedules made before it was.
	DeliveredAt string `json:"deliveredAt,omitempty"`
}

// scheduleName is a schedule's name: Scheduler allows 64 characters of [0-9a-zA-Z-_.], so the
// order id is hashed. A delivery schedule's name carries a hash of the delivery time it was
// planned from, so that a corrected time makes a new schedule (Scheduler's client token is
// the name) and a replayed event the same one.
func scheduleName(orderID, after string, deliveredAt ...time.Time) string {
	h := sha256.Sum256([]byte(orderID))
	name := "survey-" + hex.EncodeToString(h[:12])
	for _, at := range deliveredAt {
		d := sha256.Sum256([]byte(at.UTC().Format(time.RFC3339Nano)))
		name += "-" + hex.EncodeToString(d[:4])
	}
	return name + "-" + after
}

func (p *Planner) schedule(ctx context.Context, s Survey, after string, at time.Time) error {
	d, name := Due{OrderID: s.OrderID, After: after}, scheduleName(s.OrderID, after)
	if after == "delivery" {
		d.DeliveredAt, name = at.UTC().Format(time.RFC3339Nano), scheduleName(s.OrderID, after, at)
	}
	in, _ := json.Marshal(d)
	return p.Scheduler.At(ctx, name, DueAt(at, p.delay(after), s.Timezone), in)
}

// notLater returns t, or now when t is in the future: a shop's clock or a typo must not push
// a survey out by years.
func (p *Planner) notLater(t time.Time) time.Time {
	if now := p.Now().UTC(); t.After(now) {
		return now
	}
	return t.UTC()
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
	return p.schedule(ctx, s, "placed", p.notLater(o.PlacedAt))
}

// Delivered schedules the survey N days after delivery (the fallback then finds it sent or
// deletes itself: it is deleted here too).
// A delivery time in the future counts as now. A later event with another delivery time, not
// in the future, corrects it and moves the schedule, unless the survey went out already.
func (p *Planner) Delivered(ctx context.Context, st order.Status) error {
	at := p.notLater(st.At)
	s, err := p.Store.RecordSurvey(ctx, Survey{OrderID: st.OrderID, DeliveredAt: at})
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
	if old := s.DeliveredAt; !old.Equal(at) {
		if !at.Equal(st.At) {
			return nil // a future time again (a replay, or another typo): it corrects nothing
		}
		return p.redeliver(ctx, s, old, at)
	}
	if err := p.schedule(ctx, s, "delivery", at); err != nil {
		return err
	}
	return p.Scheduler.Delete(ctx, scheduleName(st.OrderID, "placed"))
}

// redeliver moves a pending survey's delivery time from old to at: the new schedule first,
// then the old one's deletion (the old one, should it fire, finds the time changed and sends
// nothing).
func (p *Planner) redeliver(ctx context.Context, s Survey, old, at time.Time) error {
	s, moved, err := p.Store.MoveDelivery(ctx, s.OrderID, old, at)
	if err != nil || !moved {
		return err // sent, cancelled or moved meanwhile
	}
	if err := p.schedule(ctx, s, "delivery", at); err != nil {
		return err
	}
	for _, name := range []string{scheduleName(s.OrderID, "delivery", old), scheduleName(s.OrderID, "delivery"), scheduleName(s.OrderID, "placed")} {
		if err := p.Scheduler.Delete(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

// Cancelled cancels the order's survey and deletes its schedules.
func (p *Planner) Cancelled(ctx context.Context, st order.Status, why string) error {
	if err := p.Store.CancelSurvey(ctx, st.OrderID, why); err != nil {
		return err
	}
	s, found, err := p.Store.Survey(ctx, st.OrderID)
	if err != nil {
		return err
	}
	names := []string{scheduleName(st.OrderID, "delivery"), scheduleName(st.OrderID, "placed")}
	if found && !s.DeliveredAt.IsZero() {
		names = append(names, scheduleName(st.OrderID, "delivery", s.DeliveredAt))
	}
	for _, name := range names {
		if err := p.Scheduler.Delete(ctx, name); err != nil {
			return err
		}
	}
	return nil
}
