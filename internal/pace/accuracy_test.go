package pace_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/pace"
)

// BenchmarkRateAccuracy runs ten senders in batches of ten (the campaign queue's event source
// mapping: MaximumConcurrency 10, BatchSize 10), each taking its batch's sends from a budget
// shared in DynamoDB Local, for a campaign's share (80%) of SES account rates of 14, 200 and
// 1,000 a second. It reports the achieved rate as a share of the campaign's ("%share", target
// at least 95) and the most sends in any one second, sliding, as a share of the account's rate
// ("%rate_max_1s", target at most 100), and the
// table writes (taken or refused) per send.
func BenchmarkRateAccuracy(b *testing.B) {
	for _, rate := range []int{14, 200, 1000} {
		b.Run(fmt.Sprintf("rate=%d", rate), func(b *testing.B) {
			client, table := dynamotest.NewTable(b)
			var writes atomic.Int64
			st := dynamo.New(dynamodb.New(client.Options(), func(o *dynamodb.Options) {
				o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
					return s.Initialize.Add(middleware.InitializeMiddlewareFunc("count", func(ctx context.Context, in middleware.InitializeInput,
						next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
						writes.Add(1)
						return next.HandleInitialize(ctx, in)
					}), middleware.After)
				})
			}), table, time.Now)
			share := pace.Share(float64(rate), 0.2)
			run := max(6*time.Second, time.Duration(200/share)*time.Second) // at least 200 sends
			var achieved, peak, perSend float64
			for b.Loop() {
				budget := &pace.Budget{Timeline: st, Name: fmt.Sprintf("bench-%d-%d", rate, time.Now().UnixNano()), Rate: share, Now: time.Now}
				writes.Store(0)
				sends := sendFor(b, budget, run)
				perSend = float64(writes.Load()) / float64(len(sends))
				achieved = float64(len(sends)) / run.Seconds() / float64(share) * 100
				peak = float64(maxInOneSecond(sends)) / float64(rate) * 100
			}
			b.ReportMetric(achieved, "%share")
			b.ReportMetric(peak, "%rate_max_1s")
			b.ReportMetric(perSend, "writes/send")
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
				for left := 10; left > 0; {
					n, err := budget.Take(ctx, left)
					if err != nil {
						if ctx.Err() == nil {
							b.Error(err)
						}
						return
					}
					now := time.Now()
					mu.Lock()
					for range n {
						sends = append(sends, now)
					}
					mu.Unlock()
					left -= n
				}
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
