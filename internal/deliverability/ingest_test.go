package deliverability_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/bus"
	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/eventbridge/eventbridgetest"
	"shopmail/internal/lambdaevent"
	"shopmail/internal/send"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

type deadLetters struct{ events []string }

func (d *deadLetters) Put(_ context.Context, _ string, reason error, event []byte) error {
	d.events = append(d.events, reason.Error())
	return nil
}

type fixture struct {
	client *dynamodb.Client
	table  string
	store  *dynamo.Store
	bus    *eventbridgetest.Bus
	dead   *deadLetters
	h      *lambdaevent.Handler
	now    time.Time
}

func setup(t *testing.T, minSends int64) *fixture {
	t.Helper()
	client, table := dynamotest.NewTable(t)
	f := &fixture{client: client, table: table, bus: &eventbridgetest.Bus{}, dead: &deadLetters{}, now: t0}
	now := func() time.Time { return f.now }
	f.store = dynamo.New(client, table, now)
	policy := deliverability.DefaultPolicy
	policy.MinSends = minSends
	f.h = lambdaevent.SESEvents(&deliverability.Ingest{Store: f.store, Publisher: f.bus, Policy: policy, Retention: 400 * 24 * time.Hour,
		SoftBounceLimit: 3, SoftBounceWindow: 30 * 24 * time.Hour, Now: now}, f.dead, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return f
}

// event is an SES event as SES's EventBridge destination delivers it.
func event(detailType, eventType, messageID, to string, at time.Time, tags map[string]string, object string) []byte {
	tagJSON := map[string][]string{"ses:from-domain": {"shop.example"}}
	for k, v := range tags {
		tagJSON[k] = []string{v}
	}
	tj, _ := json.Marshal(tagJSON)
	detail := fmt.Sprintf(`{"eventType":%q,"mail":{"timestamp":%q,"source":"Tea House <hello@shop.example>","sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/shop.example","sendingAccountId":"123456789012","messageId":%q,"destination":[%q],"headersTruncated":false,"tags":%s}%s}`,
		eventType, t0.Format(time.RFC3339Nano), messageID, to, tj, object)
	return fmt.Appendf(nil, `{"version":"0","id":"ev-%s-%s","detail-type":%q,"source":"aws.ses","account":"123456789012","time":%q,"region":"us-east-1","resources":[],"detail":%s}`,
		messageID, strings.ReplaceAll(eventType, " ", ""), detailType, at.Format(time.RFC3339), detail)
}

func bounce(messageID, to, bounceType, subType string, at time.Time, tags map[string]string) []byte {
	return event("Email Bounced", "Bounce", messageID, to, at, tags, fmt.Sprintf(
		`,"bounce":{"bounceType":%q,"bounceSubType":%q,"bouncedRecipients":[{"emailAddress":%q,"action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}],"timestamp":%q,"feedbackId":"fb-1"}`,
		bounceType, subType, to, at.Format(time.RFC3339Nano)))
}

func sent(messageID, to string, at time.Time, tags map[string]string) []byte {
	return event("Email Sent", "Send", messageID, to, at, tags, `,"send":{}`)
}

func delivered(messageID, to string, at time.Time, tags map[string]string) []byte {
	return event("Email Delivered", "Delivery", messageID, to, at, tags, fmt.Sprintf(
		`,"delivery":{"timestamp":%q,"processingTimeMillis":500,"recipients":[%q],"smtpResponse":"250 ok","reportingMTA":"a8-1.smtp-out.amazonses.com"}`,
		at.Format(time.RFC3339Nano), to))
}

func (f *fixture) handle(t *testing.T, raw []byte) {
	t.Helper()
	if err := f.h.Handle(context.Background(), raw); err != nil {
		t.Fatalf("handle: %v", err)
	}
	if len(f.dead.events) > 0 {
		t.Fatalf("dead-lettered: %v", f.dead.events)
	}
}

// claim stores a send as the Sender does before calling SES.
func (f *fixture) claim(t *testing.T, contactID, key string, status send.Status) {
	t.Helper()
	rec := send.Record{Key: key, ContactID: contactID, Kind: "thankyou", To: "sara@example.com", Status: send.Sending, Token: "tok", ClaimedAt: t0}
	if ok, _, err := f.store.Claim(context.Background(), rec); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if status != send.Sending {
		rec.Status, rec.Reason = status, "timeout"
		if err := f.store.Settle(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
	}
}

func tags(contactID, key string) map[string]string {
	return map[string]string{"kind": "thankyou", "contact": send.TagValue(contactID), "send_key": send.TagValue(key)}
}

func TestHardBounceSuppressesOnceAndStopsTheNextSend(t *testing.T) {
	f := setup(t, 1000)
	f.claim(t, "c-42", "thankyou#o-1", send.Sending)
	tg := tags("c-42", "thankyou#o-1")
	f.handle(t, sent("m-1", "sara@example.com", t0, tg))
	ev := bounce("m-1", "Sara@Example.com", "Permanent", "General", t0.Add(time.Second), tg)
	for range 3 { // EventBridge delivers at least once
		f.handle(t, ev)
	}
	ctx := context.Background()
	sup, found, err := f.store.Suppression(ctx, "sara@example.com")
	if err != nil || !found || sup.Reason != deliverability.ReasonBounce || sup.Source != "m-1" {
		t.Fatalf("suppression = %+v found=%v err=%v", sup, found, err)
	}
	if n := f.bus.Count(deliverability.EventSuppressed); n != 1 {
		t.Errorf("%d Contact Suppressed events, want 1", n)
	}
	// A thank-you's events count on the sender's rates, not on counters of its kind.
	if r, err := f.store.ReputationRates(ctx, "hello@shop.example", t0.Add(-time.Hour)); err != nil || r.Sends != 1 || r.Bounces != 1 {
		t.Errorf("the sender's rates: %+v (%v), want one send and one bounce", r, err)
	}
	if stats, err := f.store.Stats(ctx, "thankyou"); err != nil || len(stats) != 0 {
		t.Errorf("counters of the kind: %v (%v), want none", stats, err)
	}
	// The gate now refuses every send to the address, transactional included.
	gate := &deliverability.Gate{Suppressions: f.store, States: f.store, Sender: "hello@shop.example", Now: func() time.Time { return f.now }}
	c := &contact.Contact{ID: "c-42", Email: "sara@example.com", Consent: contact.Consent{Marketing: true}}
	for _, topic := range []string{"", contact.TopicSales} {
		if reason, err := gate.Check(ctx, c, topic); err != nil || reason != "address suppressed: hard bounce" {
			t.Errorf("gate(%q) = %q, %v", topic, reason, err)
		}
	}
}

func TestEmailSentSettlesAnUnknownSend(t *testing.T) {
	f := setup(t, 1000)
	f.claim(t, "c-42", "thankyou#o-1", send.Unknown)
	f.handle(t, sent("m-7", "sara@example.com", t0.Add(time.Minute), tags("c-42", "thankyou#o-1")))
	rec, _, err := f.store.Send(context.Background(), "c-42", "thankyou#o-1")
	if err != nil || rec.Status != send.Sent || rec.MessageID != "m-7" || rec.Reason != "" {
		t.Fatalf("send = %+v, %v", rec, err)
	}
}

func TestOutOfOrderAndUnknownMessages(t *testing.T) {
	f := setup(t, 1000)
	f.claim(t, "c-42", "thankyou#o-1", send.Sending)
	tg := tags("c-42", "thankyou#o-1")
	f.handle(t, delivered("m-1", "sara@example.com", t0.Add(2*time.Second), tg)) // before Sent
	f.handle(t, sent("m-1", "sara@example.com", t0, tg))
	rec, _, _ := f.store.Send(context.Background(), "c-42", "thankyou#o-1")
	if rec.Status != send.Sent || rec.MessageID != "m-1" {
		t.Errorf("send = %+v", rec)
	}
	st, found, err := f.store.SendState(context.Background(), "c-42", "thankyou#o-1")
	if err != nil || !found || !st.DeliveredAt.Equal(t0.Add(2*time.Second)) {
		t.Errorf("delivered at %v (%v)", st.DeliveredAt, err)
	}
	// A bounce of a message this system did not send (no tags) still suppresses the address.
	f.handle(t, bounce("m-x", "stranger@example.com", "Permanent", "NoEmail", t0, nil))
	if _, found, _ := f.store.Suppression(context.Background(), "stranger@example.com"); !found {
		t.Error("untagged bounce did not suppress")
	}
}

func TestSoftBouncesSuppressOnlyWhenRepeated(t *testing.T) {
	f := setup(t, 1000)
	for i := range 3 {
		f.handle(t, bounce(fmt.Sprintf("m-%d", i), "full@example.com", "Transient", "MailboxFull", t0.Add(time.Duration(i)*24*time.Hour), nil))
		_, found, _ := f.store.Suppression(context.Background(), "full@example.com")
		if want := i == 2; found != want {
			t.Fatalf("after %d soft bounces suppressed = %v", i+1, found)
		}
	}
	sup, _, _ := f.store.Suppression(context.Background(), "full@example.com")
	if sup.Reason != deliverability.ReasonSoftBounces {
		t.Errorf("reason = %q", sup.Reason)
	}
}

func TestComplaintAndSESListSuppress(t *testing.T) {
	f := setup(t, 1000)
	f.handle(t, event("Email Complaint Received", "Complaint", "m-c", "angry@example.com", t0, nil, fmt.Sprintf(
		`,"complaint":{"complainedRecipients":[{"emailAddress":"angry@example.com"}],"timestamp":%q,"feedbackId":"f","complaintFeedbackType":"abuse"}`, t0.Format(time.RFC3339Nano))))
	f.handle(t, bounce("m-s", "listed@example.com", "Permanent", "OnAccountSuppressionList", t0, nil))
	for addr, reason := range map[string]string{"angry@example.com": deliverability.ReasonComplaint, "listed@example.com": deliverability.ReasonSESList} {
		sup, found, _ := f.store.Suppression(context.Background(), addr)
		if !found || sup.Reason != reason {
			t.Errorf("%s: %+v found=%v, want %s", addr, sup, found, reason)
		}
	}
}

func TestReputationGuardPausesAndResumesMarketing(t *testing.T) {
	f := setup(t, 20)
	ctx := context.Background()
	for i := range 20 {
		f.handle(t, sent(fmt.Sprintf("m-%d", i), "x@example.com", t0, nil))
	}
	f.handle(t, bounce("m-0", "gone@example.com", "Permanent", "General", t0, nil)) // 5%
	st, err := f.store.ReputationState(ctx, "hello@shop.example")
	if err != nil || !st.Paused || !strings.Contains(st.Reason, "bounce rate 5.00%") {
		t.Fatalf("state = %+v, %v", st, err)
	}
	if f.bus.Count(deliverability.EventPaused) != 1 {
		t.Errorf("events: %v", f.bus.Events())
	}
	gate := &deliverability.Gate{Suppressions: f.store, States: f.store, Sender: "hello@shop.example", Now: func() time.Time { return f.now }}
	c := &contact.Contact{ID: "c-1", Email: "ok@example.com", Consent: contact.Consent{Marketing: true}}
	if reason, _ := gate.Check(ctx, c, contact.TopicSales); !strings.HasPrefix(reason, "marketing paused: bounce rate") {
		t.Errorf("marketing not paused: %q", reason)
	}
	if reason, _ := gate.Check(ctx, c, ""); reason != "" {
		t.Errorf("transactional stopped: %q", reason)
	}
	// Transactional mail keeps flowing; once the rate is well below the line, marketing resumes.
	for i := 20; i < 60; i++ {
		f.handle(t, sent(fmt.Sprintf("m-%d", i), "x@example.com", t0, nil))
	}
	if st, _ := f.store.ReputationState(ctx, "hello@shop.example"); st.Paused || f.bus.Count(deliverability.EventResumed) != 1 {
		t.Errorf("state = %+v; events %v", st, f.bus.Events())
	}
}

func TestInvalidEventsAreDeadLettered(t *testing.T) {
	f := setup(t, 1000)
	for _, raw := range []string{`not json`, `{"source":"aws.ses","detail-type":"Email Sent","detail":{}}`} {
		if err := f.h.Handle(context.Background(), []byte(raw)); err != nil {
			t.Errorf("Handle(%s) = %v, want dead-lettered", raw, err)
		}
	}
	if len(f.dead.events) != 2 {
		t.Errorf("dead letters: %v", f.dead.events)
	}
}

// A suppression and the Contact Suppressed event it owes are one unit: when the bus refuses
// the event, the suppression stands and the event waits in the outbox, and the outbox's
// schedule publishes it, once, after FlushAfter.
func TestAnEventTheBusRefusedIsPublishedByTheOutbox(t *testing.T) {
	f := setup(t, 1000)
	f.claim(t, "c-42", "thankyou#o-1", send.Sending)
	tg := tags("c-42", "thankyou#o-1")
	f.bus.Fail = func(string) error { return errors.New("PutEvents: service unavailable") }
	f.handle(t, bounce("m-1", "sara@example.com", "Permanent", "General", t0, tg))
	if _, found, _ := f.store.Suppression(context.Background(), "sara@example.com"); !found {
		t.Fatal("the address is not suppressed")
	}
	if n := f.bus.Count(deliverability.EventSuppressed); n != 0 {
		t.Fatalf("%d events published by a failing bus", n)
	}
	f.bus.Fail = nil
	flush := []byte(`{"flush": "outbox"}`)
	f.handle(t, flush)
	if n := f.bus.Count(deliverability.EventSuppressed); n != 0 {
		t.Fatalf("flushed %d events younger than FlushAfter", n)
	}
	f.now = f.now.Add(bus.FlushAfter + time.Second)
	f.handle(t, flush)
	f.handle(t, flush)
	if n := f.bus.Count(deliverability.EventSuppressed); n != 1 {
		t.Errorf("%d Contact Suppressed events after the flushes, want 1", n)
	}
	// A replay of the bounce changes nothing and owes nothing.
	f.handle(t, bounce("m-1", "sara@example.com", "Permanent", "General", t0, tg))
	f.handle(t, flush)
	if n := f.bus.Count(deliverability.EventSuppressed); n != 1 {
		t.Errorf("%d Contact Suppressed events after a replay, want 1", n)
	}
}

// A flush payload that is not the schedule's is refused, not run.
func TestTheSESEventsFunctionRefusesOtherPayloads(t *testing.T) {
	f := setup(t, 1000)
	if err := f.h.Handle(context.Background(), []byte(`{"orderId": "o-1", "after": "delivered"}`)); err != nil {
		t.Fatal(err)
	}
	if len(f.dead.events) != 1 || !strings.Contains(f.dead.events[0], `{"flush": "outbox"}`) {
		t.Errorf("dead letters = %v, want the payload refused with what the function takes", f.dead.events)
	}
}

// complaint is an SES complaint record as the SES Developer Guide shows it
// (/work/shared/fixtures/ses-docs/complaint.json), with the complaintSubType SES documents:
// null, or OnAccountSuppressionList when SES did not send the message at all.
func complaint(messageID, to, subType string, at time.Time, tags map[string]string) []byte {
	sub := "null"
	if subType != "" {
		sub = fmt.Sprintf("%q", subType)
	}
	return event("Email Complaint Received", "Complaint", messageID, to, at, tags, fmt.Sprintf(
		`,"complaint":{"complainedRecipients":[{"emailAddress":%q}],"timestamp":%q,"feedbackId":"fb-%s","complaintSubType":%s,"arrivalDate":%q}`,
		to, at.Format(time.RFC3339Nano), messageID, sub, at.Format(time.RFC3339Nano)))
}

func TestSuppressionListComplaintIsNoComplaint(t *testing.T) {
	f := setup(t, 20)
	ctx := context.Background()
	for i := range 20 {
		f.handle(t, sent(fmt.Sprintf("m-%d", i), "x@example.com", t0, map[string]string{"kind": "campaign", "campaign": "sale-1"}))
	}
	// One in 20 would be a 5% complaint rate: far over the 0.08% line, if it were a complaint.
	f.handle(t, complaint("m-0", "listed@example.com", "OnAccountSuppressionList", t0.Add(time.Second), map[string]string{"kind": "campaign", "campaign": "sale-1"}))
	if st, err := f.store.ReputationState(ctx, "hello@shop.example"); err != nil || st.Paused {
		t.Errorf("a suppression-list complaint paused marketing: %+v, %v", st, err)
	}
	if r, _ := f.store.ReputationRates(ctx, "hello@shop.example", t0.Add(-time.Hour)); r.Complaints != 0 {
		t.Errorf("reputation counts %d complaints, want 0", r.Complaints)
	}
	stats, err := f.store.Stats(ctx, "sale-1")
	if err != nil || stats["complained"] != 0 || stats["bounced"] != 1 {
		t.Errorf("stats = %v, %v; want it counted as bounced, not complained", stats, err)
	}
	sup, found, _ := f.store.Suppression(ctx, "listed@example.com")
	if !found || sup.Reason != deliverability.ReasonSESList {
		t.Errorf("suppression = %+v found=%v, want %q", sup, found, deliverability.ReasonSESList)
	}
	// A real complaint (subtype null) still counts and pauses.
	f.handle(t, complaint("m-1", "angry@example.com", "", t0.Add(2*time.Second), map[string]string{"kind": "campaign", "campaign": "sale-1"}))
	if st, _ := f.store.ReputationState(ctx, "hello@shop.example"); !st.Paused {
		t.Errorf("a real complaint did not pause marketing: %+v", st)
	}
	if sup, _, _ := f.store.Suppression(ctx, "angry@example.com"); sup.Reason != deliverability.ReasonComplaint {
		t.Errorf("complaint suppression = %+v", sup)
	}
}

// sendTimes reads the send's times of its SES events (Send, Delivery) as stored.
func (f *fixture) sendTimes(t *testing.T, contactID, sendKey string) (string, string) {
	t.Helper()
	out, err := f.client.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &f.table, Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "CONTACT#" + contactID}, "SK": &types.AttributeValueMemberS{Value: "SEND#" + sendKey},
	}})
	if err != nil || out.Item == nil {
		t.Fatalf("get send: %v", err)
	}
	str := func(name string) string {
		v, _ := out.Item[name].(*types.AttributeValueMemberS)
		if v == nil {
			return ""
		}
		return v.Value
	}
	return str("sesSentAt"), str("deliveredAt")
}

// The send keeps when SES sent and delivered it, whatever the order the events came in and
// however often they came, and it is counted sent and delivered once: a send is the guard of
// its events (a second delivery event of one message, at another time, is not a second
// delivery).
func TestTheSendKeepsTheTimeOfEachEvent(t *testing.T) {
	tg := tags("c-42", "thankyou#o-1")
	tg["campaign"] = "sale-1" // its delivery counted on the campaign's counters
	send0, deliv := sent("m-1", "sara@example.com", t0, tg), delivered("m-1", "sara@example.com", t0.Add(2*time.Second), tg)
	for name, order := range map[string][][]byte{
		"in order":        {send0, deliv},
		"out of order":    {deliv, send0},
		"replayed":        {send0, deliv, send0, deliv, send0},
		"delivered twice": {send0, deliv, delivered("m-1", "sara@example.com", t0.Add(9*time.Second), tg)},
	} {
		t.Run(name, func(t *testing.T) {
			f := setup(t, 1000)
			f.claim(t, "c-42", "thankyou#o-1", send.Sending)
			for _, raw := range order {
				f.handle(t, raw)
			}
			sentAt, deliveredAt := f.sendTimes(t, "c-42", "thankyou#o-1")
			if sentAt != "2026-11-22T10:00:00.000000000Z" || deliveredAt != "2026-11-22T10:00:02.000000000Z" {
				t.Errorf("sent at %q, delivered at %q; want 10:00:00 and 10:00:02", sentAt, deliveredAt)
			}
			// Sends are counted by the campaign's senders and on the sender's rates, below.
			if stats, err := f.store.Stats(context.Background(), "sale-1"); err != nil || fmt.Sprint(stats) != "map[delivered:1]" {
				t.Errorf("stats %v, %v; want delivered once", stats, err)
			}
			if r, _ := f.store.ReputationRates(context.Background(), "hello@shop.example", t0.Add(-time.Hour)); r.Sends != 1 {
				t.Errorf("the sender counts %d sends, want 1", r.Sends)
			}
		})
	}
}
