package pace_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/pace"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// windows is an in-memory Windows that also records what each window let through.
type windows struct {
	mu   sync.Mutex
	used map[string]int64
}

func (w *windows) TakeN(_ context.Context, name string, count, limit int64, _ time.Time) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.used == nil {
		w.used = map[string]int64{}
	}
	if w.used[name]+count > limit {
		return false, nil
	}
	w.used[name] += count
	return true, nil
}

// perSecond sums what the windows let through, by second.
func perSecond(used map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for name, n := range used {
		parts := strings.Split(name, "#") // PACE#<name>#<second>#<shard>
		out[parts[len(parts)-2]] += n
	}
	return out
}

// clock is a fake clock that sleeping moves forward.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := c.now.Add(d); t.After(c.now) {
		c.now = t
	}
	return nil
}

// Eight senders taking as fast as they can: no second holds more than the rate, and with the
// clock moving only when every shard of a second is spent, every second is used to the full.
func TestNoSecondHoldsMoreThanTheRate(t *testing.T) {
	w := &windows{}
	c := &clock{now: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	b := &pace.Budget{Windows: w, Name: "shop@example.com", Rate: 250, Shards: 2, Now: c.Now, Sleep: c.Sleep}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 250 {
				if err := b.Take(context.Background(), 2); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	total := int64(0)
	for second, n := range perSecond(w.used) {
		if n > 250 {
			t.Errorf("second %s: %d sends, over the rate of 250", second, n)
		}
		total += n
	}
	if total != 8*250*2 {
		t.Errorf("%d sends taken, want %d", total, 8*250*2)
	}
	if seconds := len(perSecond(w.used)); seconds > 8*250*2/250+1 {
		t.Errorf("%d seconds used for %d sends at 250 a second", seconds, total)
	}
}

func TestTakeRefusesMoreThanAShardAtOnce(t *testing.T) {
	b := &pace.Budget{Windows: &windows{}, Name: "x", Rate: 14, Now: time.Now}
	if err := b.Take(context.Background(), 15); err == nil {
		t.Error("15 at once within a rate of 14")
	}
	if got := pace.Share(14, 0.2); got != 11 {
		t.Errorf("Share(14, 0.2) = %d, want 11", got)
	}
	if got := pace.Share(1, 0.2); got != 1 {
		t.Errorf("Share(1, 0.2) = %d, want 1", got)
	}
}

// recording is the table's Windows, noting what each window let through.
type recording struct {
	*dynamo.Store
	windows
}

func (r *recording) TakeN(ctx context.Context, name string, count, limit int64, exp time.Time) (bool, error) {
	ok, err := r.Store.TakeN(ctx, name, count, limit, exp)
	if ok {
		r.windows.mu.Lock()
		if r.windows.used == nil {
			r.windows.used = map[string]int64{}
		}
		r.windows.used[name] += count
		r.windows.mu.Unlock()
	}
	return ok, err
}

// The same against DynamoDB Local, in real time: the table's conditional counters hold the
// rate among concurrent senders.
func TestTheTableHoldsTheRateAmongSenders(t *testing.T) {
	client, table := dynamotest.NewTable(t)
	w := &recording{Store: dynamo.New(client, table, time.Now)}
	b := &pace.Budget{Windows: w, Name: "shop@example.com", Rate: 40, Shards: 2, Now: time.Now}
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b.Take(ctx, 1) == nil {
			}
		}()
	}
	wg.Wait()
	counts := perSecond(w.windows.used)
	if len(counts) < 2 {
		t.Fatalf("sends in %d seconds: %v", len(counts), counts)
	}
	for second, n := range counts {
		if n > 40 {
			t.Errorf("second %s: %d sends, over the rate of 40", second, n)
		}
	}
}
