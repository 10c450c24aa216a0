package sandbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/sandbox"
	"shopmail/internal/send"
)

// A shop's burst of first orders, put on the bus as fast as the client can (open loop: 200
// PutEvents of 10, all at once), gets every thank-you exactly once: the sandbox runs each
// function at most Concurrency at a time and queues the rest as Lambda does, SES throttles
// over its rate, and every claim, retry and throttle is resolved without a dead letter or a
// send left behind.
func TestBurstOfOrdersSendsEveryThankYouOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 orders through the sandbox")
	}
	const orders = 2000
	r := startWith(t, sandbox.Config{Template: repoTemplate(t), SendRate: 50, Concurrency: 10})
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", "thankyou", "first-order.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sample struct {
		Detail json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal(raw, &sample); err != nil {
		t.Fatal(err)
	}
	detail := string(sample.Detail)
	eb := r.eventBridge()
	var wg sync.WaitGroup
	errs := make(chan error, orders/10)
	for b := range orders / 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			entries := make([]ebtypes.PutEventsRequestEntry, 10)
			for i := range entries {
				n := b*10 + i
				d := strings.NewReplacer(`"o-1001"`, fmt.Sprintf(`"burst-%d"`, n), `"c-42"`, fmt.Sprintf(`"bc-%d"`, n),
					"sara@example.com", fmt.Sprintf("buyer%d@example.com", n)).Replace(detail)
				entries[i] = ebtypes.PutEventsRequestEntry{Source: aws.String("shop.orders"), DetailType: aws.String("Order Placed"), Detail: &d}
			}
			out, err := eb.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: entries})
			if err == nil && out.FailedEntryCount != 0 {
				err = fmt.Errorf("%d entries failed", out.FailedEntryCount)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("PutEvents: %v", err)
	}
	r.sb.Idle()

	perRecipient := map[string]int{}
	for _, m := range r.sb.Messages() {
		if m.Tags["kind"] == "thankyou" {
			perRecipient[strings.Join(m.To, ",")]++
		}
	}
	twice := 0
	for _, n := range perRecipient {
		if n > 1 {
			twice++
		}
	}
	if len(perRecipient) != orders || twice != 0 {
		t.Errorf("%d customers got a thank-you, %d of them more than one; want %d, each one", len(perRecipient), twice, orders)
	}
	if dl := r.sb.DeadLetters(); len(dl) != 0 {
		t.Errorf("%d events dead-lettered, want none; the first: %s", len(dl), dl[0].Attributes["reason"])
	}
	st := dynamo.New(dynamotest.Client(t), r.table, time.Now)
	left := map[send.Status]int{}
	for n := range orders {
		rec, found, err := st.Send(context.Background(), fmt.Sprintf("bc-%d", n), fmt.Sprintf("thankyou#burst-%d", n))
		if err != nil {
			t.Fatal(err)
		}
		if !found || rec.Status != send.Sent {
			left[rec.Status]++
		}
	}
	if len(left) != 0 {
		t.Errorf("sends not sent, by status: %v", left)
	}
}
