package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
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
	clock = clock.Add(time.Second) // Lambda's retry, later
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
	sesSent(t, st, "c-1", "thankyou#o-1", "m-ses", clock)
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

// A sweep whose own try is unknown again keeps the one parked message, under its token, and
// gives SES a SettleWindow from that try to report it before the next sweep sends it.
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
	if parked, _ := st.ParkedBefore(context.Background(), clock.AddDate(1, 0, 0), 10); len(parked) != 1 {
		t.Fatalf("%d parked messages, want 1", len(parked))
	}
	clock = clock.Add(send.SettleWindow - time.Minute)
	if res, err := sweeper.Sweep(context.Background()); err != nil || res != (send.SweepResult{}) || mail.Calls() != 2 {
		t.Fatalf("a sweep inside the window of the first sweep's try: %+v, %v, %d calls; want nothing", res, err, mail.Calls())
	}
	clock = clock.Add(2 * time.Minute)
	if res, err := sweeper.Sweep(context.Background()); err != nil || res.Resent != 1 || len(mail.Messages()) != 1 {
		t.Fatalf("the sweep after it: %+v, %v, %d messages; want it sent", res, err, len(mail.Messages()))
	}
	if parked, _ := st.ParkedBefore(context.Background(), clock.AddDate(1, 0, 0), 10); len(parked) != 0 {
		t.Errorf("%d parked messages left", len(parked))
	}
}

// A sweep throttled by SES sent nothing: the message is due again at once, not a window later.
func TestAThrottledSweepTriesAgainAtTheNextSweep(t *testing.T) {
	st := store(t)
	mail := &outbox.Outbox{Fail: func(call int) error {
		switch call {
		case 1:
			return errors.New("read tcp: i/o timeout")
		case 2:
			return fmt.Errorf("ses send email: %w", send.ErrThrottled)
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
		t.Fatalf("throttled sweep: %+v, %v", res, err)
	}
	clock = clock.Add(10 * time.Minute)
	if res, err := sweeper.Sweep(context.Background()); err != nil || res.Resent != 1 || len(mail.Messages()) != 1 {
		t.Fatalf("the next sweep: %+v, %v, %d messages; want it sent", res, err, len(mail.Messages()))
	}
	if parked, _ := st.ParkedBefore(context.Background(), clock.AddDate(1, 0, 0), 10); len(parked) != 0 {
		t.Errorf("%d parked messages left", len(parked))
	}
}

// A sweep stopped between taking a parked message and recording the outcome (killed at its
// timeout, mid-call) leaves the message parked under its own token: a later sweep sends it,
// rather than taking the changed token for "settled" and dropping it unsent.
func TestASweepStoppedMidCallLosesNothing(t *testing.T) {
	st := store(t)
	mail := &outbox.Outbox{Fail: func(call int) error {
		if call == 1 {
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
	parked, err := st.ParkedBefore(context.Background(), clock, 10)
	if err != nil || len(parked) != 1 {
		t.Fatal(parked, err)
	}
	// What the stopped sweep did before it was killed: it took the message.
	next := parked[0]
	next.Token, next.At = "request-9-sweep", clock
	if ok, err := st.Reopen(context.Background(), parked[0], next); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if ok, _ := st.Reopen(context.Background(), parked[0], next); ok {
		t.Fatal("a message reopened twice")
	}
	clock = clock.Add(send.SettleWindow + time.Minute)
	if res, err := sweeper.Sweep(context.Background()); err != nil || res.Resent != 1 || len(mail.Messages()) != 1 {
		t.Fatalf("the next sweep: %+v, %v, %d messages; want it sent once", res, err, len(mail.Messages()))
	}
	if got, _, _ := st.Send(context.Background(), "c-1", "thankyou#o-1"); got.Status != send.Sent {
		t.Errorf("send = %+v, want sent", got)
	}
}

// A sweep with too little time left before its deadline takes nothing: it could not record
// what it sent.
func TestASweepNearItsDeadlineTakesNothing(t *testing.T) {
	st := store(t)
	mail := &outbox.Outbox{Fail: func(call int) error {
		if call == 1 {
			return errors.New("read tcp: i/o timeout")
		}
		return nil
	}}
	clock := now()
	s, sweeper := sender(st, mail, &clock)
	if _, err := s.Send(context.Background(), thankYouSend(), thanks, nil); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(send.SettleWindow + time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	if res, err := sweeper.Sweep(ctx); err != nil || res != (send.SweepResult{}) || mail.Calls() != 1 {
		t.Fatalf("sweep: %+v, %v, %d calls; want nothing taken", res, err, mail.Calls())
	}
	if res, err := sweeper.Sweep(context.Background()); err != nil || res.Resent != 1 {
		t.Fatalf("a sweep with time: %+v, %v", res, err)
	}
}

// deadlineMailer records the deadline of the context it is called in, then fails as a call cut
// short by it.
type deadlineMailer struct{ deadline time.Time }

func (m *deadlineMailer) SendRaw(ctx context.Context, _ []byte, _ []send.Tag) (string, error) {
	m.deadline, _ = ctx.Deadline()
	return "", context.DeadlineExceeded
}

// The mail service is called with time kept back from the invocation's deadline to record the
// outcome: a call cut short is parked for the sweep, not left "sending" by Lambda's timeout.
// An invocation with too little time left claims nothing and asks for a retry.
func TestTheMailCallEndsBeforeTheInvocation(t *testing.T) {
	st := store(t)
	mail := &deadlineMailer{}
	s := &send.Sender{Ledger: st, Mailer: mail, Now: now}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if out, err := s.Send(ctx, thankYouSend(), thanks, nil); err == nil || !mail.deadline.IsZero() {
		t.Fatalf("2 s left: %+v, %v; want an error and no call", out, err)
	}
	if _, found, _ := st.Send(context.Background(), "c-1", "thankyou#o-1"); found {
		t.Fatal("a send was claimed with no time to make it")
	}
	ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	invocation, _ := ctx.Deadline()
	out, err := s.Send(ctx, thankYouSend(), thanks, nil)
	if err != nil || out.Record.Status != send.Unknown {
		t.Fatalf("30 s left: %+v, %v; want it parked unknown", out, err)
	}
	if reserve := invocation.Sub(mail.deadline); reserve < 3*time.Second {
		t.Errorf("the call may run to %v before the invocation's deadline; want at least 3 s kept", reserve)
	}
}

// SES's message id is recorded on a send already recorded unknown: another try learned it.
func TestASentOutcomeSettlesAnUnknownSend(t *testing.T) {
	st := store(t)
	ctx := context.Background()
	rec := thankYouSend()
	rec.Status, rec.Token, rec.ClaimedAt = send.Claimed, "t1", now()
	if _, _, err := st.Claim(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := st.Begin(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := st.Begin(ctx, rec); err != nil {
		t.Fatalf("Begin retried after it was applied: %v", err)
	}
	rec.Status, rec.Reason = send.Unknown, "timeout"
	if err := st.Park(ctx, rec, send.Parked{Raw: []byte("raw")}); err != nil {
		t.Fatal(err)
	}
	rec.Status, rec.MessageID, rec.SentAt = send.Sent, "m-1", now()
	if err := st.Settle(ctx, rec); err != nil {
		t.Fatalf("settle sent after unknown: %v", err)
	}
	if got, _, _ := st.Send(ctx, rec.ContactID, rec.Key); got.Status != send.Sent || got.MessageID != "m-1" {
		t.Errorf("send = %+v, want sent with message id m-1", got)
	}
}

// failingRowWrites fails, unapplied, every write that touches a send's row: a claim's
// transaction (claim item and row) must then leave nothing behind.
type failingRowWrites struct{ dynamo.Client }

func (f failingRowWrites) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if sk, _ := in.Item["SK"].(*types.AttributeValueMemberS); sk != nil && strings.HasPrefix(sk.Value, "SEND#") {
		return nil, errors.New("connection reset")
	}
	return f.Client.PutItem(ctx, in, o...)
}

func (f failingRowWrites) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	for _, w := range in.TransactItems {
		if w.Put != nil {
			if sk, _ := w.Put.Item["SK"].(*types.AttributeValueMemberS); sk != nil && strings.HasPrefix(sk.Value, "SEND#") {
				return nil, errors.New("connection reset")
			}
		}
	}
	return f.Client.TransactWriteItems(ctx, in, o...)
}

// A claim that fails leaves no claim item without its row, which a later invocation (a
// dead-letter redrive, under another request id) would take for a send made.
func TestAFailedClaimLeavesNothingClaimed(t *testing.T) {
	client, table := dynamotest.NewTable(t)
	mail := &outbox.Outbox{}
	clock := now()
	broken, _ := sender(dynamo.New(failingRowWrites{client}, table, now), mail, &clock)
	if _, err := broken.Send(send.WithAttempt(context.Background(), "request-1"), thankYouSend(), thanks, nil); err == nil {
		t.Fatal("the claim did not fail")
	}
	s, _ := sender(dynamo.New(client, table, now), mail, &clock)
	out, err := s.Send(send.WithAttempt(context.Background(), "request-2"), thankYouSend(), thanks, nil)
	if err != nil || out.Duplicate || len(mail.Messages()) != 1 {
		t.Fatalf("the redrive: %+v, %v, %d messages; want it sent", out, err, len(mail.Messages()))
	}
}
