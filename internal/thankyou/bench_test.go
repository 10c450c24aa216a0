package thankyou_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/lambdaevent"
	"shopmail/internal/send"
	"shopmail/internal/thankyou"
)

// stubSES accepts every message and counts them.
type stubSES struct{ sent int }

func (s *stubSES) SendRaw(context.Context, []byte, []send.Tag) (string, error) {
	s.sent++
	return "stub-id", nil
}

// BenchmarkOrderPlaced measures one `Order Placed` event handled end to end in the function:
// Lambda payload decoding, validation, contact merge, order, catalogue and coupon writes
// (encoded for DynamoDB), rendering both parts in the layout, building the MIME message, the
// claim and the settle. Only the network calls are stubbed.
func BenchmarkOrderPlaced(b *testing.B) {
	for _, name := range []string{"first-order.json", "persian-customer.json", "huge-item-list.json"} {
		b.Run(name, func(b *testing.B) {
			now := func() time.Time { return time.Date(2026, 11, 22, 10, 16, 0, 0, time.UTC) }
			mailer := &stubSES{}
			svc, err := thankyou.New(settings(), thankyou.Deps{Store: dynamo.New(dynamotest.Stub{}, "bench", now), Mailer: mailer, Now: now})
			if err != nil {
				b.Fatal(err)
			}
			h := lambdaevent.ThankYou(svc, nil, &deadLetters{}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
			lh := lambda.NewHandler(h)
			payload := sample(b, name)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := lh.Invoke(ctx, payload); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if mailer.sent != b.N {
				b.Fatalf("%d emails for %d orders: the benchmark measured something else", mailer.sent, b.N)
			}
		})
	}
}
