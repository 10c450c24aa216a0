package thankyou_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/email/emailtest"
	"shopmail/internal/lambdaevent"
	"shopmail/internal/send"
	"shopmail/internal/thankyou"
)

// stubSES accepts every message, counts them and keeps the last.
type stubSES struct {
	sent int
	last []byte
}

func (s *stubSES) SendRaw(_ context.Context, raw []byte, _ []send.Tag) (string, error) {
	s.sent++
	s.last = raw
	return "stub-id", nil
}

// catalogue answers the suggestions' query of every category with ten products the orders do
// not hold, in each of the samples' currencies, so that the email renders its suggestions as
// a real shop's would.
func catalogue(in *dynamodb.QueryInput) []map[string]types.AttributeValue {
	pk, ok := in.ExpressionAttributeValues[":pk"].(*types.AttributeValueMemberS)
	if !ok || !strings.HasPrefix(pk.Value, "CATEGORY#") {
		return nil
	}
	cat := strings.TrimPrefix(pk.Value, "CATEGORY#")
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	var items []map[string]types.AttributeValue
	for i := range 10 {
		for cur, price := range map[string][2]string{"USD": {"9.90", "12.00"}, "IRR": {"900000", "1200000"}} {
			sku := fmt.Sprintf("SUGGEST-%s-%s-%d", cat, cur, i)
			items = append(items, map[string]types.AttributeValue{
				"PK": s("PRODUCT#" + sku), "SK": s("#PRODUCT"), "type": s("product"), "sku": s(sku),
				"name": s("Suggested " + cat + " " + strconv.Itoa(i)), "category": s(cat),
				"url": s("https://shop.example/p/" + sku), "imageUrl": s("https://shop.example/i/" + sku + ".jpg"),
				"currency": s(cur), "price": s(price[0]), "regularPrice": s(price[1]),
				"lastPurchasedAt": s(fmt.Sprintf("2026-11-2%dT10:00:00.000000000Z", i)),
			})
		}
	}
	return items
}

// BenchmarkOrderPlaced measures one `Order Placed` event handled end to end in the function:
// Lambda payload decoding, validation, contact merge, order, catalogue and coupon writes
// (encoded for DynamoDB), suggestions read and rendered with the coupon in both parts of the
// layout, building the MIME message, the claim and the settle. Only the network calls are
// stubbed.
func BenchmarkOrderPlaced(b *testing.B) {
	for _, name := range []string{"first-order.json", "persian-customer.json", "huge-item-list.json"} {
		b.Run(name, func(b *testing.B) {
			now := func() time.Time { return time.Date(2026, 11, 22, 10, 16, 0, 0, time.UTC) }
			mailer := &stubSES{}
			svc, err := thankyou.New(settings(), thankyou.Deps{Store: dynamo.New(dynamotest.Stub{Items: catalogue}, "bench", now), Mailer: mailer, Now: now})
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
			if m := emailtest.MustParse(b, mailer.last); !strings.Contains(m.HTML, "SUGGEST-") || !strings.Contains(m.Text, "THANKS-") {
				b.Fatalf("the email measured has no suggestions or no coupon:\n%s", m.Text)
			}
		})
	}
}
