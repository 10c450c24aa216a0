package pace_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/pace"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// timeline is an in-memory Timeline.
type timeline struct {
	mu     sync.Mutex
	booked map[string]time.Time
}

func (l *timeline) Book(_ context.Context, name string, d time.Duration, now time.Time) (time.Time, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.booked == nil {
		l.booked = map[string]time.Time{}
	}
	start := l.booked[name]
	if start.Before(now) {
		start = now
	}
	l.booked[name] = start.Add(d)
	return start, nil
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

// Eight senders in turn, each as fast as it may: the 4,000 sends are spread over the 16
// seconds they take at 250 a second, and no second, wherever it starts, holds more than the
// rate and one sender's take.
func TestSendsAreSpreadEvenly(t *testing.T) {
	c := &clock{now: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	b := &pace.Budget{Timeline: &timeline{}, Name: "shop@example.com", Rate: 250, Now: c.Now, Sleep: c.Sleep}
	var sends []time.Time
	left := [8]int{}
	for i := range left {
		left[i] = 500
	}
	for done := false; !done; {
		done = true
		for i := range left {
			if left[i] == 0 {
				continue
			}
			done = false
			n, err := b.Take(context.Background(), min(left[i], 7))
			if err != nil || n != min(left[i], 7) {
				t.Fatalf("Take(%d) = %d, %v", min(left[i], 7), n, err)
			}
			left[i] -= n
			for range n {
				sends = append(sends, c.Now())
			}
		}
	}
	if most := maxInOneSecond(sends); most > 250+7 {
		t.Errorf("%d sends in one second at 250 a second, taken 7 at a time", most)
	}
	if took := sends[len(sends)-1].Sub(sends[0]); took < 15900*time.Millisecond || took > 16100*time.Millisecond {
		t.Errorf("4,000 sends at 250 a second took %v", took)
	}
}

// At 14 a second a take is at most 3 sends (a quarter of a second's), and the next follows
// after 3/14 of a second; the first is booked 20ms ahead, for the write to come back in time.
func TestTakeBooksAQuarterOfASecondAtMost(t *testing.T) {
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	c := &clock{now: start}
	b := &pace.Budget{Timeline: &timeline{}, Name: "x", Rate: 14, Now: c.Now, Sleep: c.Sleep}
	for i, want := range []time.Duration{20e6, 234285715, 448571430} {
		n, err := b.Take(context.Background(), 10)
		if err != nil || n != 3 {
			t.Fatalf("Take(10) at 14 a second = %d, %v; want 3", n, err)
		}
		if got := c.Now().Sub(start); got != want {
			t.Errorf("take %d went at +%v, want +%v", i+1, got, want)
		}
	}
	if n, err := b.Take(context.Background(), 0); n != 0 || err != nil {
		t.Errorf("Take(0) = %d, %v", n, err)
	}
	if got := pace.Share(14, 0.2); got != 11 {
		t.Errorf("Share(14, 0.2) = %d, want 11", got)
	}
	if got := pace.Share(1, 0.2); got != 1 {
		t.Errorf("Share(1, 0.2) = %d, want 1", got)
	}
}

// The table books after what is booked, and from now once that is past.
func TestTheTableBooksAfterWhatIsBooked(t *testing.T) {
	client, table := dynamotest.NewTable(t)
	st := dynamo.New(client, table, time.Now)
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	var got []time.Duration
	for _, at := range []time.Time{now, now, now.Add(time.Second), now.Add(time.Second)} {
		start, err := st.Book(ctx, "left", 300*time.Millisecond, at)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, start.Sub(now))
	}
	want := []time.Duration{0, 300 * time.Millisecond, time.Second, 1300 * time.Millisecond}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("bookings of 300ms started at %v, want %v", got, want)
			break
		}
	}
}

// Against DynamoDB Local, in real time: six concurrent senders together keep to the rate, and
// use it (from their first send on: the first writes to a cold table are slow).
func TestTheTableHoldsTheRateAmongSenders(t *testing.T) {
	client, table := dynamotest.NewTable(t)
	b := &pace.Budget{Timeline: dynamo.New(client, table, time.Now), Name: "shop@example.com", Rate: 40, Now: time.Now}
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		sends []time.Time
	)
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n, err := b.Take(ctx, 3)
				if err != nil {
					return
				}
				mu.Lock()
				for range n {
					sends = append(sends, time.Now())
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if most := maxInOneSecond(sends); most > 40+3 {
		t.Errorf("%d sends in one second at 40 a second, taken 3 at a time", most)
	}
	slices.SortFunc(sends, func(a, b time.Time) int { return a.Compare(b) })
	if len(sends) < 40 {
		t.Fatalf("%d sends in 2.5 seconds at 40 a second", len(sends))
	}
	if rate := float64(len(sends)-3) / sends[len(sends)-1].Sub(sends[0]).Seconds(); rate < 36 {
		t.Errorf("%.1f sends a second from the first to the last, at 40 a second", rate)
	}
}
