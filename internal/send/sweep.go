package send

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// SettleWindow is how long after its claim a send whose outcome is unknown waits for the mail
// service's "Email Sent" event before the sweep sends it again. SES publishes that event as
// soon as it accepts a message; what can hold it back is its delivery to the SES-events
// function: the rule retries for up to 24 hours (RetryPolicy.MaximumEventAgeInSeconds) and
// Lambda keeps an asynchronous event for up to 6 more (EventInvokeConfig). A send still
// unsettled after both, and an hour's margin, was never accepted by SES: sending it again
// cannot send it twice. (An event that exhausted both went to the dead-letter queue; redriving
// it later than this window is the one way left to see two copies.) A test holds this window
// to template.yaml's settings.
const SettleWindow = 31 * time.Hour

// Parked is the message of a send whose outcome is unknown, kept for the sweep.
type Parked struct {
	ContactID string
	Key       string
	Token     string // the claim's token when it was parked
	ClaimedAt time.Time
	Raw       []byte
	Tags      []Tag
}

// Sweeps is what the sweep needs of the ledger besides Settle.
type Sweeps interface {
	// ParkedBefore lists up to limit parked messages of sends claimed before t, oldest first.
	ParkedBefore(ctx context.Context, t time.Time, limit int) ([]Parked, error)
	// Reopen takes a parked send for one more try: it moves the send from Unknown (or Sending)
	// with p's token to Sending with token, and reports false when the send has moved on
	// (settled by the service's event, or taken by another sweep).
	Reopen(ctx context.Context, p Parked, token string) (bool, error)
	// Unpark deletes a parked message.
	Unpark(ctx context.Context, p Parked) error
}

// Sweeper resolves sends left unknown: each parked message whose send is still unsettled a
// SettleWindow after its claim is sent once more; one the service's event settled meanwhile
// is dropped.
type Sweeper struct {
	Ledger interface {
		Ledger
		Sweeps
	}
	Mailer Mailer
	Now    func() time.Time
}

// SweepResult says what one sweep did.
type SweepResult struct {
	Resent  int // sent again: the mail service had never accepted them
	Settled int // settled meanwhile by the service's own event: dropped
	Unknown int // sent again, and the outcome is unknown again: parked for the next sweep
}

// sweepBatch bounds the parked messages one sweep takes, so that it ends well inside the
// function's timeout; the next sweep takes the rest.
const sweepBatch = 100

// Sweep sends again, once, each send still unknown a SettleWindow after its claim.
func (s *Sweeper) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	now := s.Now().UTC()
	parked, err := s.Ledger.ParkedBefore(ctx, now.Add(-SettleWindow), sweepBatch)
	if err != nil {
		return res, fmt.Errorf("list parked sends: %w", err)
	}
	var errs []error
	for _, p := range parked {
		if err := s.resolve(ctx, p, &res); err != nil {
			errs = append(errs, fmt.Errorf("sweep send %s of %s: %w", p.Key, p.ContactID, err))
		}
	}
	return res, errors.Join(errs...)
}

func (s *Sweeper) resolve(ctx context.Context, p Parked, res *SweepResult) error {
	token := Attempt(ctx) + "-sweep"
	ok, err := s.Ledger.Reopen(ctx, p, token)
	if err != nil {
		return err
	}
	if !ok {
		res.Settled++
		return s.Ledger.Unpark(ctx, p)
	}
	rec := Record{Key: p.Key, ContactID: p.ContactID, Status: Sending, Token: token, ClaimedAt: p.ClaimedAt}
	id, sendErr := s.Mailer.SendRaw(ctx, p.Raw, p.Tags)
	switch {
	case sendErr == nil:
		rec.Status, rec.MessageID, rec.SentAt, rec.Reason = Sent, id, s.Now().UTC(), "sent again by the sweep: the first try's outcome was unknown and SES never reported it"
	case errors.Is(sendErr, ErrRejected):
		rec.Status, rec.Reason = Failed, sendErr.Error()
	default:
		// Unknown again, throttled or unavailable: parked as it was, for the next sweep.
		res.Unknown++
		rec.Status, rec.Reason = Unknown, sendErr.Error()
		// The same parked item (same claim time), now under the sweep's token.
		return s.Ledger.Park(context.WithoutCancel(ctx), rec, Parked{Raw: p.Raw, Tags: p.Tags})
	}
	if err := s.Ledger.Settle(context.WithoutCancel(ctx), rec); err != nil {
		return err
	}
	if rec.Status == Sent {
		res.Resent++
	}
	return s.Ledger.Unpark(context.WithoutCancel(ctx), p)
}
