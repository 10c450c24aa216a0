package bus

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Event is an event a state change owes. It is written with the change, in the same
// transaction (an outbox item), published after it, and published again by the relay's flush
// until the bus has taken it: a change is never left without its event, nor an event without
// its change. Subscribers may see an event twice (at least once), never not at all.
type Event struct {
	ID         string
	DetailType string
	Detail     json.RawMessage
	At         time.Time
}

// NewEvent returns an event of detailType with detail encoded as JSON, owed from at.
func NewEvent(detailType string, detail any, at time.Time) (Event, error) {
	raw, err := json.Marshal(detail)
	if err != nil {
		return Event{}, fmt.Errorf("encode %s event: %w", detailType, err)
	}
	return Event{ID: rand.Text(), DetailType: detailType, Detail: raw, At: at.UTC()}, nil
}

// Pending is the outbox: the events that committed changes owe and the bus has not taken.
type Pending interface {
	// PendingBefore lists up to limit events owed since before t, oldest first.
	PendingBefore(ctx context.Context, t time.Time, limit int) ([]Event, error)
	// Delivered forgets an event the bus took.
	Delivered(ctx context.Context, ev Event) error
}

// Relay publishes what the outbox holds.
type Relay struct {
	Publisher Publisher
	Outbox    Pending
	Now       func() time.Time
}

// Deliver publishes events whose changes were just committed, forgets each the bus took, and
// reports how many it published. An event the bus refused stays in the outbox for Flush: the
// change is made, so its caller goes on; the error says what was left.
func (r *Relay) Deliver(ctx context.Context, evs ...Event) (int, error) {
	var errs []error
	published := 0
	for _, ev := range evs {
		if err := r.Publisher.Publish(ctx, ev.DetailType, ev.Detail); err != nil {
			errs = append(errs, fmt.Errorf("publish %s (left in the outbox): %w", ev.DetailType, err))
			continue
		}
		published++
		if err := r.Outbox.Delivered(ctx, ev); err != nil {
			errs = append(errs, err) // published again by a flush: at least once
		}
	}
	return published, errors.Join(errs...)
}

// FlushAfter is how old an event must be before Flush publishes it: older than any Deliver
// still under way (a function's timeout), so that an event is rarely published twice.
const FlushAfter = 2 * time.Minute

// flushBatch bounds one flush; the next takes the rest.
const flushBatch = 200

// Flush publishes the events left in the outbox (the bus refused them, or their function
// stopped before publishing) and reports how many it delivered.
func (r *Relay) Flush(ctx context.Context) (int, error) {
	evs, err := r.Outbox.PendingBefore(ctx, r.Now().Add(-FlushAfter), flushBatch)
	if err != nil {
		return 0, fmt.Errorf("list the outbox: %w", err)
	}
	return r.Deliver(ctx, evs...)
}
