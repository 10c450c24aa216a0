// Package pace shares a send rate among any number of concurrent senders: a campaign's
// senders, on as many Lambda instances as the queue runs, never together above the share of
// SES's sending rate the campaign may use (the rest is kept for transactional mail).
//
// Each second is a window of Shards counters in the table (fixed-window limits, one atomic
// conditional update each); a sender takes tokens from a shard picked at random, another shard
// when that one is spent, and waits for the next second when all are. No aligned second ever
// holds more than Rate sends, and no counter item takes more than Rate/Shards writes a second,
// far below DynamoDB's per-item limit.
package pace

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// Windows counts uses of fixed-window limits: TakeN takes count uses of the named window
// unless that would pass limit (all or none), the window's item expiring at expires.
type Windows interface {
	TakeN(ctx context.Context, name string, count, limit int64, expires time.Time) (bool, error)
}

// Budget is a shared rate: Rate sends a second among everyone using the same Name.
type Budget struct {
	Windows Windows
	Name    string // e.g. the sender address: every campaign from it shares the budget
	Rate    int    // sends a second, all senders together
	// Shards splits each second's counter (default: one per 100 sends a second, at least 1).
	Shards int
	Now    func() time.Time
	// Sleep waits (default: a timer, cut short by ctx).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Share is the part of an account's rate a campaign may use when keep is kept for
// transactional mail (a fraction, e.g. 0.2): at least 1 a second.
func Share(accountRate float64, keep float64) int {
	return max(1, int(accountRate*(1-keep)))
}

// Take waits until n sends may go now (n at most one shard's share), or ctx ends.
func (b *Budget) Take(ctx context.Context, n int) error {
	shards := b.shards()
	per := int64(b.Rate / shards)
	if int64(n) > per {
		return fmt.Errorf("pace: %d sends at once is more than a shard's %d a second", n, per)
	}
	for {
		now := b.Now()
		second := now.Unix()
		start := rand.IntN(shards)
		for i := range shards {
			shard := (start + i) % shards
			name := fmt.Sprintf("PACE#%s#%d#%d", b.Name, second, shard)
			ok, err := b.Windows.TakeN(ctx, name, int64(n), per, time.Unix(second+60, 0))
			if err != nil {
				return fmt.Errorf("pace %s: %w", b.Name, err)
			}
			if ok {
				return nil
			}
		}
		// This second is spent: wait for the next, with a little jitter so that the senders
		// waiting do not all arrive at once.
		next := time.Unix(second+1, 0).Add(time.Duration(rand.Int64N(int64(20 * time.Millisecond))))
		if err := b.sleep(ctx, next.Sub(b.Now())); err != nil {
			return err
		}
	}
}

// TakeAll waits until n sends may go, taking them a shard's share at a time.
func (b *Budget) TakeAll(ctx context.Context, n int) error {
	per := max(1, b.Rate/b.shards())
	for n > 0 {
		take := min(n, per)
		if err := b.Take(ctx, take); err != nil {
			return err
		}
		n -= take
	}
	return nil
}

func (b *Budget) shards() int {
	if b.Shards > 0 {
		return min(b.Shards, max(b.Rate, 1))
	}
	return max(1, b.Rate/100)
}

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
