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
	Token     string // the send's claim token when it was parked
	// At is when the try whose outcome is unknown began; the sweep takes the message a
	// SettleWindow later.
	At   time.Time
	Raw  []byte
	Tags []Tag
}

// Sweeps is what the sweep needs of the ledger besides Settle and Park.
type Sweeps interface {
	// ParkedBefore lists up to limit parked messages of tries begun before t, oldest first.
	ParkedBefore(ctx context.Context, t time.Time, limit int) ([]Parked, error)
	// Reopen takes parked message p for one more try, all at once or not at all: the send
	// moves from Unknown (or Sending) under p's token to Sending under next's, and p is parked
	// again as next (next.At is when the new try begins). Should the try itself stop midway,
	// next is found a SettleWindow later as any unknown send is. It reports false when the
	// send has moved on (settled by the service's event, or taken by another sweep).
	Reopen(ctx context.Context, p, next Parked) (bool, error)
	// Unpark deletes a parked message.
	Unpark(ctx context.Context, p Parked) error
}

// Sweeper resolves sends left unknown: each parked message whose send is still unsettled a
// SettleWindow after its try began is sent once more; one the service's event settled
// meanwhile is dropped.
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
	Settled int // settled meanwhile by the service's own event (or taken by another sweep): dropped
	Unknown int // sent again, and the outcome is unknown again, or not sent now: parked for a later sweep
}

// sweepBatch bounds the parked messages one sweep takes, so that it ends well inside the
// function's timeout; the next sweep takes the rest.
const sweepBatch = 100

// Sweep sends again, once, each send still unknown a SettleWindow after its try began. It
// stops taking messages when its deadline leaves too little time to record an outcome.
func (s *Sweeper) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	parked, err := s.Ledger.ParkedBefore(ctx, s.Now().UTC().Add(-SettleWindow), sweepBatch)
	if err != nil {
		return res, fmt.Errorf("list parked sends: %w", err)
	}
	var errs []error
	for _, p := range parked {
		callCtx, cancel, ok := mailContext(ctx)
		if !ok {
			break
		}
		err := s.resolve(ctx, callCtx, p, &res)
		cancel()
		if err != nil {
			errs = append(errs, fmt.Errorf("sweep send %s of %s: %w", p.Key, p.ContactID, err))
		}
	}
	return res, errors.Join(errs...)
}

// resolve tries parked message p once more; the mail service is called in callCtx, which ends
// before ctx does.
func (s *Sweeper) resolve(ctx, callCtx context.Context, p Parked, res *SweepResult) error {
	next := p
	next.Token, next.At = Attempt(ctx)+"-sweep", s.Now().UTC()
	ok, err := s.Ledger.Reopen(ctx, p, next)
	if err != nil {
		return err
	}
	if !ok {
		// Settled by the service's event, or reopened by another sweep, which parked it
		// again under its own token (Reopen): either way p is spent.
		res.Settled++
		return s.Ledger.Unpark(ctx, p)
	}
	rec := Record{Key: p.Key, ContactID: p.ContactID, Status: Sending, Token: next.Token}
	id, sendErr := s.Mailer.SendRaw(callCtx, p.Raw, p.Tags)
	ctx = context.WithoutCancel(ctx) // what follows records an outcome: it must not be lost
	switch {
	case sendErr == nil:
		rec.Status, rec.MessageID, rec.SentAt, rec.Reason = Sent, id, s.Now().UTC(), "sent again by the sweep: the first try's outcome was unknown and SES never reported it"
	case errors.Is(sendErr, ErrRejected):
		rec.Status, rec.Reason = Failed, sendErr.Error()
	case errors.Is(sendErr, ErrThrottled) || errors.Is(sendErr, ErrUnavailable):
		// Certainly not sent: due again at once, as it was, not a SettleWindow later.
		res.Unknown++
		rec.Status, rec.Reason = Unknown, sendErr.Error()
		if err := s.Ledger.Park(ctx, rec, Parked{At: p.At, Raw: p.Raw, Tags: p.Tags}); err != nil {
			return err
		}
		return s.Ledger.Unpark(ctx, next)
	default:
		// Unknown again: next, parked by Reopen, waits a SettleWindow for the service's event.
		res.Unknown++
		rec.Status, rec.Reason = Unknown, sendErr.Error()
		return s.Ledger.Settle(ctx, rec)
	}
	if err := s.Ledger.Settle(ctx, rec); err != nil {
		return err
	}
	if rec.Status == Sent {
		res.Resent++
	}
	return s.Ledger.Unpark(ctx, next)
}
