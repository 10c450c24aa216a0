package dynamo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/email"
	"shopmail/internal/send"
	"shopmail/internal/send/outbox"
)

// The once-per-trigger rule across retries, timeouts and the sweep, against DynamoDB Local.

var thanks = email.Message{
	From: email.Address{Email: "shop@example.com"}, To: email.Address{Email: "sara@example.com"},
	Subject: "Thank you", Text: "Thanks", HTML: "<p>Thanks</p>",
}

func thankYouSend() send.Record {
	return send.Record{Key: "thankyou#o-1", ContactID: "c-1", Kind: "thankyou", OrderID: "o-1"}
}

func sender(st *dynamo.Store, mail *outbox.Outbox, clock *time.Time) (*send.Sender, *send.Sweeper) {
	now := func() time.Time { return *clock }
	return &send.Sender{Ledger: st, Mailer: mail, Now: now}, &send.Sweeper{Ledger: st, Mailer: mail, Now: now}
}

// A claim whose write succeeded but whose answer timed out (the function then failed and
// Lambda retried it under the same request id) is the retry's own: the retry sends. Another
// invocation's claim is not.
func TestARetryOfTheSameAttemptSendsWhatItsTimedOutClaimLeft(t *testing.T) {
	st := store(t)
	mail := &outbox.Outbox{}
	clock := now()
	s, _ := sender(st, mail, &clock)
	attempt := send.WithAttempt(context.Background(), "request-1")
	// The first try's claim, as it was written before its answer was lost.
	rec := thankYouSend()
	rec.Status, rec.Token, rec.ClaimedAt, rec.To = send.Claimed, "request-1", clock, "sara@example.com"
	if ok, _, err := st.Claim(attempt, rec); !ok || err != nil {
		t.Fatal(ok, err)
	}
	other, err := s.Send(send.WithAttempt(context.Background(), "request-2"), thankYouSend(), thanks, nil)
	if err != nil || !other.Duplicate || mail.Calls() != 0 {
		t.Fatalf("another invocation: %+v, %v, %d calls; want a duplicate and no call", other, err, mail.Calls())
	}
	out, err := s.Send(attempt, thankYouSend(), thanks, nil)
	if err != nil || out.Duplicate || out.Record.Status != send.Sent || len(mail.Messages()) != 1 {
		t.Fatalf("the retry: %+v, %v, %d messages; want it sent once", out, err, len(mail.Messages()))
	}
	if again, _ := s.Send(attempt, thankYouSend(), thanks, nil); !again.Duplicate || len(mail.Messages()) != 1 {
		t.Errorf("a further retry after the send: %+v, %d messages", again, len(mail.Messages()))
	}
}

// A try that stopped while calling SES (the function timed out mid-call) leaves the send
// "sending": its retry cannot know whether SES took the message, so it parks it; the sweep
// sends it once SES has had every chance to report it, and only once.
func TestAStopMidCallIsParkedAndSweptOnce(t *testing.T) {
	st := store(t)
	mail := &outbox.Outbox{}
	clock := now()
	s, sweeper := sender(st, mail, &clock)
	attempt := send.WithAttempt(context.Background(), "request-1")
	rec := thankYouSend()
	rec.Status, rec.Token, rec.ClaimedAt = send.Claimed, "request-1", clock
	if _, _, err := st.Claim(attempt, rec); err != nil {
		t.Fatal(err)
	}
	if err := st.Begin(attempt, rec); err != nil {
		t.Fatal(err)
	}
	out, err := s.Send(attempt, thankYouSend(), thanks, nil)
	if err != nil || out.Record.Status != send.Unknown || mail.Calls() != 0 {
		t.Fatalf("the retry: %+v, %v, %d calls; want unknown and no call", out, err, mail.Calls())
	}
	clock = clock.Add(send.SettleWindow - time.Minute)
	if res, err := sweeper.Sweep(context.Background()); err != nil || res != (send.SweepResult{}) || mail.Calls() != 0 {
		t.Fatalf("a sweep inside the window: %+v, %v, %d calls; want nothing", res, err, mail.Calls())
	}
	clock = clock.Add(2 * time.Minute)
	if res, err := sweeper.Sweep(context.Background()); err != nil || res.Resent != 1 || len(mail.Messages()) != 1 {
		t.Fatalf("the sweep after the window: %+v, %v, %d messages; want one sent", res, err, len(mail.Messages()))
	}
	if got, _, _ := st.Send(context.Background(), "c-1", "thankyou#o-1"); got.Status != send.Sent || got.MessageID != mail.Messages()[0].ID {
		t.Errorf("send = %+v, want sent with the sweep's message id", got)
	}
	if tag, _ := mail.Messages()[0].Tag("send_key"); tag != send.TagValue("thankyou#o-1") {
		t.Errorf("the swept message's send_key tag = %q", tag)
	}
	if res, _ := sweeper.Sweep(context.Background()); res != (send.SweepResult{}) || len(mail.Messages()) != 1 {
		t.Errorf("a second sweep: %+v, %d messages; want nothing more", res, len(mail.Messages()))
	}
}

// An unknown outcome that SES's "Email Sent" event settles is dropped by the sweep, unsent.
func TestTheSweepDropsWhatSESReported(t *testing.T) {
	st := store(t)
	mail := &outbox.Outbox{Fail: func(call int) error {
		if call == 1 {
			return errors.New("read tcp: i/o timeout")
		}
		return nil
	}}
	clock := now()
	s, sweeper := sender(st, mail, &clock)
	out, err := s.Send(context.Background(), thankYouSend(), thanks, nil)
	if err != nil || out.Record.Status != send.Unknown {
		t.Fatalf("send: %+v, %v; want unknown", out, err)
	}
	if ok, err := st.SettleSent(context.Background(), "c-1", "thankyou#o-1", "m-ses", clock); !ok || err != nil {
		t.Fatal(ok, err)
	}
	clock = clock.Add(send.SettleWindow + time.Minute)
	res, err := sweeper.Sweep(context.Background())
	if err != nil || res.Settled != 1 || res.Resent != 0 || mail.Calls() != 1 {
		t.Fatalf("sweep: %+v, %v, %d calls; want it dropped, unsent", res, err, mail.Calls())
	}
	if parked, _ := st.ParkedBefore(context.Background(), clock, 10); len(parked) != 0 {
		t.Errorf("%d messages still parked", len(parked))
	}
}

// A send's record expires with the tracking retention; its claim does not: an archive replay
// or a dead-letter redrive of the trigger, at any age, sends nothing.
func TestAClaimOutlivesItsSendRecord(t *testing.T) {
	client, table := dynamotest.NewTable(t)
	st := dynamo.New(client, table, now)
	mail := &outbox.Outbox{}
	clock := now()
	s, _ := sender(st, mail, &clock)
	if out, err := s.Send(context.Background(), thankYouSend(), thanks, nil); err != nil || out.Record.Status != send.Sent {
		t.Fatal(out, err)
	}
	// What DynamoDB's TTL does once the retention has passed.
	if _, err := client.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: &table, Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "CONTACT#c-1"}, "SK": &types.AttributeValueMemberS{Value: "SEND#thankyou#o-1"},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := st.Send(context.Background(), "c-1", "thankyou#o-1"); found {
		t.Fatal("the send's record is still there")
	}
	clock = clock.AddDate(3, 0, 0)
	out, err := s.Send(context.Background(), thankYouSend(), thanks, nil)
	if err != nil || !out.Duplicate || len(mail.Messages()) != 1 {
		t.Errorf("the replay three years on: %+v, %v, %d messages; want a duplicate, nothing sent", out, err, len(mail.Messages()))
	}
}

// A sweep whose own try is unknown again keeps the one parked message, under its token, for
// the next sweep, which sends it.
func TestASweepUnknownAgainStaysParkedOnce(t *testing.T) {
	st := store(t)
	fails := 2 // the first send and the first sweep time out
	mail := &outbox.Outbox{Fail: func(int) error {
		if fails > 0 {
			fails--
			return errors.New("read tcp: i/o timeout")
		}
		return nil
	}}
	clock := now()
	s, sweeper := sender(st, mail, &clock)
	if out, err := s.Send(context.Background(), thankYouSend(), thanks, nil); err != nil || out.Record.Status != send.Unknown {
		t.Fatalf("send: %+v, %v", out, err)
	}
	clock = clock.Add(send.SettleWindow + time.Minute)
	if res, err := sweeper.Sweep(context.Background()); err != nil || res.Unknown != 1 {
		t.Fatalf("first sweep: %+v, %v; want unknown again", res, err)
	}
	if parked, _ := st.ParkedBefore(context.Background(), clock, 10); len(parked) != 1 {
		t.Fatalf("%d parked messages, want 1", len(parked))
	}
	if res, err := sweeper.Sweep(context.Background()); err != nil || res.Resent != 1 || len(mail.Messages()) != 1 {
		t.Fatalf("second sweep: %+v, %v, %d messages; want it sent", res, err, len(mail.Messages()))
	}
	if parked, _ := st.ParkedBefore(context.Background(), clock, 10); len(parked) != 0 {
		t.Errorf("%d parked messages left", len(parked))
	}
}
