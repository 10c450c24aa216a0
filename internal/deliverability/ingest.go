package deliverability

import (
	"context"
	"fmt"
	"time"

	"shopmail/internal/bus"
	"shopmail/internal/contact"
	"shopmail/internal/deliverability/sesevent"
	"shopmail/internal/send"
)

// EventRecord is one SES event with everything it changes, written at once (Store.RecordEvent):
// the event on the send's timeline, the send's status, the counters of the send's campaign or
// kind, the sender's reputation counts and the address's soft bounces.
type EventRecord struct {
	Event     sesevent.Event
	ContactID string // "" when the message is not one of ours (no tags)
	SendKey   string
	Stats     string // the counters' key: the campaign id ("" for none)
	Counter   string // the counter the event adds one to ("" for none)
	// Reputation counts for the sender's rolling rates.
	Sends, Bounces, Complaints int64
	// SoftBounce records a soft bounce of each recipient.
	SoftBounce bool
	Expires    time.Time
}

// Store is what ingestion keeps in the table.
type Store interface {
	Suppressions
	States
	// RecordEvent writes r atomically, once per send and event type (once per r.Event.Key()
	// for an event whose send is not stored); it reports false for a duplicate. The first
	// "Email Sent" of a stored send settles it as sent with the event's message id.
	RecordEvent(ctx context.Context, r EventRecord) (bool, error)
	// Suppress stores s, with the events it owes, unless the address is suppressed already;
	// it reports whether it did.
	Suppress(ctx context.Context, s Suppression, owed ...bus.Event) (bool, error)
	// SoftBounces counts the soft bounces of an address since a time.
	SoftBounces(ctx context.Context, address string, since time.Time) (int, error)
	// ReputationRates sums a sender's counts since a time.
	ReputationRates(ctx context.Context, sender string, since time.Time) (Rates, error)
	// SetReputationState replaces the state, with the events it owes, if its Paused is still
	// was; it reports whether it did.
	SetReputationState(ctx context.Context, sender string, was bool, st State, owed ...bus.Event) (bool, error)
	// The events that changes owe are kept until the bus has taken them.
	bus.Pending
	// ContactsByEmail returns the ids of the contacts with an address.
	ContactsByEmail(ctx context.Context, address string) ([]string, error)
	// UpdateContact changes a contact (its summary of deliveries and suppression, here).
	UpdateContact(ctx context.Context, id string, fn func(c *contact.Contact) bool) (*contact.Contact, error)
}

// Events this package publishes.
const (
	EventSuppressed = "Contact Suppressed"
	EventPaused     = "Marketing Paused"
	EventResumed    = "Marketing Resumed"
)

// Ingest handles SES events.
type Ingest struct {
	Store     Store
	Publisher bus.Publisher
	Policy    Policy
	Retention time.Duration // how long event rows are kept
	// SoftBounceLimit soft bounces of an address within SoftBounceWindow suppress it.
	SoftBounceLimit  int
	SoftBounceWindow time.Duration
	Now              func() time.Time
}

// Outcome says what ingesting an event did, for the log.
type Outcome struct {
	Duplicate  bool
	Suppressed []string // addresses suppressed now
	Reputation string   // "paused: …" or "resumed: …" when the state changed
}

// Handle applies one SES event. Replays and duplicates change nothing twice: the event's effects
// are recorded once (RecordEvent), and the follow-ups (suppression, reputation) are idempotent and run again, so
// that a crash between the two loses nothing.
func (in *Ingest) Handle(ctx context.Context, ev sesevent.Event) (Outcome, error) {
	var out Outcome
	ev.Sender = ReputationOf(ev.Sender, ev.Tags["kind"])
	r := in.record(ev)
	isNew, err := in.Store.RecordEvent(ctx, r)
	if err != nil {
		return out, err
	}
	out.Duplicate = !isNew
	if r.ContactID != "" && ev.Type == sesevent.Delivery {
		// Counted for segments ("received in the last N days"), on duplicates too: a crash
		// after the event was recorded loses nothing, and a delivery counts once by its time.
		// A marketing email (tagged with its topic) starts the frequency cap.
		marketing := ev.Tags["topic"] != ""
		if _, err := in.Store.UpdateContact(ctx, r.ContactID, func(c *contact.Contact) bool {
			if c.Version == 0 {
				return false
			}
			counted := c.CountDelivery(ev.At, in.Now().UTC())
			return (marketing && c.CountMarketing(ev.At)) || counted
		}); err != nil {
			return out, fmt.Errorf("count delivery to %s: %w", r.ContactID, err)
		}
	}
	if out.Suppressed, err = in.suppress(ctx, ev); err != nil {
		return out, err
	}
	if r.Bounces > 0 || r.Complaints > 0 || (r.Sends > 0 && in.paused(ctx, ev.Sender)) {
		if out.Reputation, err = in.judge(ctx, ev.Sender); err != nil {
			return out, err
		}
	}
	return out, nil
}

func (in *Ingest) record(ev sesevent.Event) EventRecord {
	r := EventRecord{Event: ev, Expires: ev.At.Add(in.Retention)}
	cid, err1 := send.ParseTagValue(ev.Tags["contact"])
	key, err2 := send.ParseTagValue(ev.Tags["send_key"])
	if err1 == nil && err2 == nil && cid != "" && key != "" {
		r.ContactID, r.SendKey = cid, key
	}
	// A campaign's events are counted on its counters (its stats); a transactional or
	// automated email's only on its send and the sender's daily counts: nothing reads counters
	// of a kind, and they cost two transactional write units an event.
	r.Stats, _ = send.ParseTagValue(ev.Tags["campaign"])
	switch ev.Type {
	case sesevent.Send:
		// A campaign's sends are counted by its senders (the run's counts), not here.
		r.Sends = 1
	case sesevent.Delivery:
		r.Counter = "delivered"
	case sesevent.Bounce:
		r.Counter = "bounced"
		switch typ, sub := bounceType(ev); {
		case typ == "Permanent" && sub != sesListSubType:
			r.Bounces = 1 // suppression-list bounces do not count against the sender at SES
		case typ == "Transient":
			r.Counter, r.SoftBounce = "soft_bounced", true
		}
	case sesevent.Complaint:
		r.Counter, r.Complaints = "complained", 1
		if onSESList(ev) {
			// Nobody complained: SES did not send the message, the address being on the
			// account's suppression list. It counts as the bounce of that subtype does.
			r.Counter, r.Complaints = "bounced", 0
		}
	case sesevent.Reject, sesevent.RenderingFailure:
		r.Counter = "failed"
	case sesevent.DeliveryDelay:
		r.Counter = "delayed"
	}
	return r
}

// suppress suppresses the addresses a hard bounce, a complaint or too many soft bounces
// condemn, and publishes each new suppression.
// markSuppressed notes the suppression on the profiles of the address's contacts, for segments
// (which read profiles only); on duplicates too, so that a crash between loses nothing.
func (in *Ingest) markSuppressed(ctx context.Context, s Suppression) error {
	ids, err := in.Store.ContactsByEmail(ctx, s.Address)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := in.Store.UpdateContact(ctx, id, func(c *contact.Contact) bool {
			if c.Version == 0 || c.Summary.Suppressed != "" {
				return false
			}
			c.Summary.Suppressed = s.Reason
			return true
		}); err != nil {
			return fmt.Errorf("mark contact %s suppressed: %w", id, err)
		}
	}
	return nil
}

func (in *Ingest) suppress(ctx context.Context, ev sesevent.Event) ([]string, error) {
	var done []string
	typ, _ := bounceType(ev)
	for _, addr := range ev.Recipients {
		s := Suppression{Address: Normalize(addr), At: ev.At, Source: ev.MessageID, Detail: ev.Reason}
		switch {
		case onSESList(ev):
			s.Reason = ReasonSESList
		case ev.Type == sesevent.Complaint:
			s.Reason = ReasonComplaint
			if ev.Complaint != nil && ev.Complaint.FeedbackType != "" {
				s.Detail = ev.Complaint.FeedbackType
			}
		case typ == "Permanent":
			s.Reason = ReasonBounce
		case typ == "Transient":
			n, err := in.Store.SoftBounces(ctx, s.Address, in.Now().Add(-in.SoftBounceWindow))
			if err != nil {
				return done, err
			}
			if n < in.SoftBounceLimit {
				continue
			}
			s.Reason = ReasonSoftBounces
			s.Detail = fmt.Sprintf("%d soft bounces within %s; last: %s", n, days(in.SoftBounceWindow), ev.Reason)
		default:
			continue
		}
		ev, err := bus.NewEvent(EventSuppressed, map[string]any{
			"address": s.Address, "reason": s.Reason, "detail": s.Detail, "at": s.At, "messageId": s.Source,
		}, in.Now())
		if err != nil {
			return done, err
		}
		isNew, err := in.Store.Suppress(ctx, s, ev)
		if err != nil {
			return done, err
		}
		if err := in.markSuppressed(ctx, s); err != nil {
			return done, err
		}
		if !isNew {
			continue
		}
		done = append(done, s.Address)
		// Suppressed either way: an event the bus refused now is published by the outbox's flush.
		_, _ = in.relay().Deliver(ctx, ev)
	}
	return done, nil
}

func (in *Ingest) paused(ctx context.Context, sender string) bool {
	st, err := in.Store.ReputationState(ctx, sender)
	return err == nil && st.Paused
}

// judge sets the sender's state from its rates and publishes a change.
func (in *Ingest) judge(ctx context.Context, sender string) (string, error) {
	now := in.Now()
	rates, err := in.Store.ReputationRates(ctx, sender, now.Add(-in.Policy.Window))
	if err != nil {
		return "", err
	}
	st, err := in.Store.ReputationState(ctx, sender)
	if err != nil {
		return "", err
	}
	pause, why := in.Policy.Judge(rates, st.Paused)
	if pause == st.Paused {
		return "", nil
	}
	next := State{Paused: pause, Reason: why, Since: now}
	detailType, word := EventResumed, "resumed: "
	if pause {
		detailType, word = EventPaused, "paused: "
	}
	ev, err := bus.NewEvent(detailType, map[string]any{
		"sender": sender, "reason": why, "at": now, "sends": rates.Sends, "bounces": rates.Bounces, "complaints": rates.Complaints,
	}, now)
	if err != nil {
		return "", err
	}
	changed, err := in.Store.SetReputationState(ctx, sender, st.Paused, next, ev)
	if err != nil || !changed {
		return "", err // another instance changed it and publishes
	}
	_, _ = in.relay().Deliver(ctx, ev) // else the outbox's flush publishes it
	return word + why, nil
}

// relay publishes the events the ingest's changes owe, through its store's outbox.
func (in *Ingest) relay() *bus.Relay {
	return &bus.Relay{Publisher: in.Publisher, Outbox: in.Store, Now: in.Now}
}

// Flush publishes the events left in the outbox by any function (the bus refused them, or the
// function stopped first); the SES-events function's schedule runs it.
func (in *Ingest) Flush(ctx context.Context) (int, error) { return in.relay().Flush(ctx) }

// bounceType is the bounce's type ("Permanent", "Transient", "Undetermined") and subtype.
func bounceType(ev sesevent.Event) (string, string) {
	if ev.Type != sesevent.Bounce || ev.Bounce == nil {
		return "", ""
	}
	return ev.Bounce.Type, ev.Bounce.SubType
}

// sesListSubType is the bounce and complaint subtype SES gives a message it did not send
// because the address is on the account's suppression list.
const sesListSubType = "OnAccountSuppressionList"

// onSESList reports whether SES refused the event's message for its account suppression list:
// a bounce or a complaint of that subtype (a complaint of it is no complaint: nobody got it).
func onSESList(ev sesevent.Event) bool {
	switch {
	case ev.Type == sesevent.Bounce && ev.Bounce != nil:
		return ev.Bounce.Type == "Permanent" && ev.Bounce.SubType == sesListSubType
	case ev.Type == sesevent.Complaint && ev.Complaint != nil:
		return ev.Complaint.SubType == sesListSubType
	}
	return false
}
