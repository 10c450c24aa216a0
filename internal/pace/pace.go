// Package pace shares a send rate among any number of concurrent senders: a campaign's
// senders, on as many Lambda instances as the queue runs, never together above the share of
// SES's sending rate the campaign may use (the rest is kept for transactional mail).
//
// The rate is a timeline in the table, booked ahead (the generic cell rate algorithm): a sender
// books the time its sends take at the rate, from the end of what is booked (or from now, when
// that is past), sleeps until its booking starts and sends. Bookings follow each other without
// overlap, so the sends are spread evenly whatever the number of senders, and each booking holds
// at most a quarter of a second's sends: any second, wherever it starts, holds at most Rate
// sends and one booking, which with the default 20% kept for transactional mail is never above
// the account's rate (whole-second windows allowed twice the rate across a boundary). A booking
// is one write while senders are busy, however many book at once (a counter that refuses the
// senders it cannot take costs a refused write each). The timeline is one item: at batches of
// ten, DynamoDB's 1,000 writes a second on an item allow 10,000 sends a second (an account rate
// of 12,500); split in shards, senders picked at random waited on one shard while another went
// idle, and the campaign got 75-85% of its share.
package pace

import (
	"context"
	"fmt"
	"time"
)

// Timeline books time: Book books d of the named timeline from the end of what is booked, or
// from now when that is past, and returns when the booking starts.
type Timeline interface {
	Book(ctx context.Context, name string, d time.Duration, now time.Time) (time.Time, error)
}

// Budget is a shared rate: Rate sends a second among everyone using the same Name.
type Budget struct {
	Timeline Timeline
	Name     string // e.g. the sender address: every campaign from it shares the budget
	Rate     int    // sends a second, all senders together
	Now      func() time.Time
	// Sleep waits (default: a timer, cut short by ctx).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Share is the part of an account's rate a campaign may use when keep is kept for
// transactional mail (a fraction, e.g. 0.2): at least 1 a second.
func Share(accountRate float64, keep float64) int {
	return max(1, int(accountRate*(1-keep)))
}

// Take books up to n sends (at most a quarter of a second's), waits until they may go (or ctx
// ends) and returns how many, to be sent now.
func (b *Budget) Take(ctx context.Context, n int) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	rate := int64(max(b.Rate, 1))
	n = min(n, int(max(1, rate/4)))
	d := time.Duration((int64(n)*int64(time.Second) + rate - 1) / rate) // rounded up: never faster
	// A booking from now starts a little ahead, for the write to come back in time; one that
	// comes back late anyway (a slow write) is let go unused and booked again further ahead:
	// sent late, it would crowd the bookings after it.
	for lead := 20 * time.Millisecond; ; lead *= 2 {
		start, err := b.Timeline.Book(ctx, b.Name, d, b.Now().Add(lead))
		if err != nil {
			return 0, fmt.Errorf("pace %s: %w", b.Name, err)
		}
		if wait := start.Sub(b.Now()); wait > -late || lead > time.Second {
			if err := b.sleep(ctx, wait); err != nil {
				return 0, err
			}
			return n, nil
		}
	}
}

// late is how late a booking may start.
const late = 5 * time.Millisecond

func (b *Budget) sleep(ctx context.Context, d time.Duration) error {
	if b.Sleep != nil {
		return b.Sleep(ctx, d)
	}
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
