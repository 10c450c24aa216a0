package pace_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/pace"
)

// BenchmarkRateAccuracy runs ten senders in batches of ten (the campaign queue's event source
// mapping: MaximumConcurrency 10, BatchSize 10), each taking its batch's sends from a budget
// shared in DynamoDB Local, for a campaign's share (80%) of SES account rates of 14, 200 and
// 1,000 a second. It reports the achieved rate as a share of the campaign's ("%share", target
// at least 95) and the most sends in any one second, sliding, as a share of the account's rate
// ("%rate_max_1s", target at most 100).
func BenchmarkRateAccuracy(b *testing.B) {
	for _, rate := range []int{14, 200, 1000} {
		b.Run(fmt.Sprintf("rate=%d", rate), func(b *testing.B) {
			client, table := dynamotest.NewTable(b)
			st := dynamo.New(client, table, time.Now)
			share := pace.Share(float64(rate), 0.2)
			run := max(3*time.Second, time.Duration(200/share)*time.Second) // at least 200 sends
			var achieved, peak float64
			for b.Loop() {
				budget := &pace.Budget{Windows: st, Name: fmt.Sprintf("bench-%d-%d", rate, time.Now().UnixNano()), Rate: share, Now: time.Now}
				sends := sendFor(b, budget, run)
				achieved = float64(len(sends)) / run.Seconds() / float64(share) * 100
				peak = float64(maxInOneSecond(sends)) / float64(rate) * 100
			}
			b.ReportMetric(achieved, "%share")
			b.ReportMetric(peak, "%rate_max_1s")
		})
	}
}

// sendFor has ten senders take batches of ten from budget until d has passed, and returns when
// each send was let go.
func sendFor(b *testing.B, budget *pace.Budget, d time.Duration) []time.Time {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var (
		mu    sync.Mutex
		sends []time.Time
		wg    sync.WaitGroup
	)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if err := budget.TakeAll(ctx, 10); err != nil {
					if ctx.Err() == nil {
						b.Error(err)
					}
					return
				}
				now := time.Now()
				mu.Lock()
				for range 10 {
					sends = append(sends, now)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return sends
}

// maxInOneSecond is the most sends in any one-second window, wherever it starts.
func maxInOneSecond(sends []time.Time) int {
	slices.SortFunc(sends, func(a, b time.Time) int { return a.Compare(b) })
	most, from := 0, 0
	for to := range sends {
		for sends[to].Sub(sends[from]) >= time.Second {
			from++
		}
		most = max(most, to-from+1)
	}
	return most
}
