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
