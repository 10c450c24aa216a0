package fanout_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/mail"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/campaign"
	"shopmail/internal/campaign/stored"
	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/email"
	"shopmail/internal/fanout"
	"shopmail/internal/links"
	"shopmail/internal/pace"
	"shopmail/internal/render"
	"shopmail/internal/send"
	"shopmail/internal/send/outbox"
	"shopmail/internal/token"
)

func TestMain(m *testing.M) {
	if os.Getenv(stubEnv) != "" {
		serveStub()
		return
	}
	dynamotest.Main(m)
}

var keys, _ = token.ParseKeys(`{"current":"k1","k1":"0123456789abcdef0123456789abcdef"}`)

// clock is the tests' time, moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// queue is a hand-written stand-in for the campaign queue: messages, each visible from a time.
type queue struct {
	mu    sync.Mutex
	clock *clock
	next  int
	msgs  map[string]*qmsg
}

type qmsg struct {
	body    string
	visible time.Time
}

func (q *queue) Send(ctx context.Context, bodies []string) error { return q.SendAfter(ctx, 0, bodies) }

func (q *queue) SendAfter(_ context.Context, d time.Duration, bodies []string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, b := range bodies {
		q.next++
		q.msgs[fmt.Sprintf("m-%d", q.next)] = &qmsg{body: b, visible: q.clock.Now().Add(d)}
	}
	return nil
}

func (q *queue) Defer(_ context.Context, receipt string, d time.Duration) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if m, ok := q.msgs[receipt]; ok {
		m.visible = q.clock.Now().Add(d)
	}
	return nil
}

// drain delivers the visible messages to the service in batches of ten, as the event source
// mapping does, until none is visible; a message named to be delivered again stays.
func (q *queue) drain(t testing.TB, s *fanout.Service) {
	t.Helper()
	for range 1000 {
		q.mu.Lock()
		var batch []fanout.Received
		for id, m := range q.msgs {
			if !m.visible.After(q.clock.Now()) && len(batch) < 10 {
				batch = append(batch, fanout.Received{ID: id, Receipt: id, Body: m.body})
				m.visible = q.clock.Now().Add(time.Hour) // in flight
			}
		}
		q.mu.Unlock()
		if len(batch) == 0 {
			return
		}
		again := map[string]bool{}
		for _, id := range s.Deliver(t.Context(), batch) {
			again[id] = true
		}
		q.mu.Lock()
		for _, r := range batch {
			if !again[r.ID] {
				delete(q.msgs, r.ID)
			} else if m := q.msgs[r.ID]; m.visible.Equal(q.clock.Now().Add(time.Hour)) {
				m.visible = q.clock.Now() // not deferred: visible again at once
			}
		}
		q.mu.Unlock()
	}
	t.Fatal("the queue never drained")
}

type rates struct{}

func (rates) MaxSendRate(context.Context) (float64, error) { return 1000, nil }

type world struct {
	svc    *fanout.Service
	store  *dynamo.Marketing
	client *dynamodb.Client
	table  string
	queue  *queue
	mail   *outbox.Outbox
	clock  *clock
}

func newWorld(t testing.TB) *world {
	client, table := dynamotest.NewTable(t)
	return newWorldOn(client, table)
}

// newWorldOn is newWorld on a given client and table.
func newWorldOn(client *dynamodb.Client, table string) *world {
	clk := &clock{t: time.Date(2026, 12, 10, 10, 0, 0, 0, time.UTC)}
	st := dynamo.New(client, table, clk.Now)
	w := &world{store: &dynamo.Marketing{Store: st}, client: client, table: table, clock: clk, mail: &outbox.Outbox{},
		queue: &queue{clock: clk, msgs: map[string]*qmsg{}}}
	w.svc = &fanout.Service{
		Config: fanout.Config{Brand: render.Brand{ShopName: "Tea House", ShopURL: "https://shop.example", SenderName: "Tea House", PostalAddress: "1 Leaf Street"},
			From:         email.Address{Name: "Tea House", Email: "hello@shop.example"},
			Links:        links.Config{BaseURL: "https://go.shop.example", Keys: keys, Tracking: 400 * 24 * time.Hour, Unsubscribe: 730 * 24 * time.Hour},
			ShopTimezone: "UTC", FrequencyCap: 16 * time.Hour, QuietStart: 21, QuietEnd: 8, Keep: 0.2},
		Store: w.store, Queue: w.queue, Sender: &send.Sender{Ledger: st, Mailer: w.mail, Now: clk.Now},
		Gate:   &deliverability.Gate{Suppressions: st, States: st, Sender: "hello@shop.example", Now: clk.Now},
		Budget: &pace.Budget{Timeline: st, Name: "hello@shop.example", Now: clk.Now}, Rates: rates{},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clk.Now,
	}
	return w
}

// contacts adds n consenting contacts c-0... (buyer<i>@shop.test) tagged "t".
func (w *world) contacts(t testing.TB, n int) {
	t.Helper()
	for i := range n {
		_, err := w.store.UpdateContact(t.Context(), fmt.Sprintf("c-%d", i), func(c *contact.Contact) bool {
			c.Email, c.Locale, c.Tags = fmt.Sprintf("buyer%d@shop.test", i), "en-US", []string{"t"}
			c.TopicConsent = map[string]contact.Consent{contact.TopicSales: {Marketing: true, At: w.clock.Now(), Source: "test"}}
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// campaign stores a scheduled campaign (due now) and returns it.
func (w *world) campaign(t testing.TB, edit func(c *campaign.Campaign)) campaign.Campaign {
	t.Helper()
	c := campaign.Campaign{ID: "cmp-" + strings.ToLower(t.Name()[4:10]), Name: "Yalda", Topic: contact.TopicSales,
		Segment: campaign.SegmentRef{Rule: json.RawMessage(`{"tag": "t"}`)},
		Content: map[string]campaign.Content{"en": {Subject: "Yalda sale", Headline: "The longest night"}}}
	c.ID = strings.ReplaceAll(c.ID, "_", "")
	if edit != nil {
		edit(&c)
	}
	in := c
	in.ID = "" // the document is the marketer's input; the id is the item's
	doc, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	now := w.clock.Now()
	if err := w.store.PutCampaign(t.Context(), stored.Campaign{ID: c.ID, Status: campaign.StatusScheduled, Doc: doc, CreatedAt: now, UpdatedAt: now, ScheduledAt: now}); err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *world) start(t testing.TB, id string) {
	t.Helper()
	if err := w.svc.Step(t.Context(), fanout.Message{Campaign: id, Step: fanout.StepStart}); err != nil {
		t.Fatal(err)
	}
	w.queue.drain(t, w.svc)
}

func (w *world) status(t testing.TB, id string) string {
	t.Helper()
	c, _, err := w.store.Campaign(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Status
}

// received counts emails by recipient, with the subject each got.
func (w *world) received(t testing.TB) (map[string]int, map[string]string) {
	t.Helper()
	n, subjects := map[string]int{}, map[string]string{}
	for _, m := range w.mail.Messages() {
		msg, err := mail.ReadMessage(strings.NewReader(string(m.Raw)))
		if err != nil {
			t.Fatal(err)
		}
		to, _ := mail.ParseAddress(msg.Header.Get("To"))
		n[to.Address]++
		subjects[to.Address], _ = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	}
	return n, subjects
}

// count adds to a campaign arm's counters, as SES's events and the tracking links do.
func (w *world) count(t testing.TB, key string, counters map[string]int64) {
	t.Helper()
	for name, v := range counters {
		_, err := w.client.UpdateItem(t.Context(), &dynamodb.UpdateItemInput{TableName: &w.table,
			Key:              map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "STATS#" + key + "#0"}, "SK": &types.AttributeValueMemberS{Value: "#STATS"}},
			UpdateExpression: awsString("ADD #c :v"), ExpressionAttributeNames: map[string]string{"#c": name},
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberN{Value: fmt.Sprint(v)}}})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func awsString(s string) *string { return &s }

// The holdout, chosen at random, receives nothing and is recorded; everyone else gets one email;
// the campaign completes with the holdout counted apart.
func TestHoldoutReceivesNothing(t *testing.T) {
	w := newWorld(t)
	w.contacts(t, 60)
	c := w.campaign(t, func(c *campaign.Campaign) { c.HoldoutPercent = 25 })
	w.start(t, c.ID)
	got, _ := w.received(t)
	run, _, _ := w.store.CampaignRun(t.Context(), c.ID)
	held := run.Counts["skipped:holdout"]
	if held < 5 || held > 30 {
		t.Errorf("%d of 60 held out, want about 15", held)
	}
	if int64(len(got))+held != 60 {
		t.Errorf("%d sent + %d held out, want 60", len(got), held)
	}
	for addr, n := range got {
		if n != 1 {
			t.Errorf("%s got %d emails", addr, n)
		}
	}
	var holdouts []string
	w.store.EachCampaignSend(t.Context(), c.ID, fanout.Key(c.ID, campaign.ArmMain), func(r send.Record) error {
		if r.Status == send.Skipped && strings.HasPrefix(r.Reason, fanout.ReasonHoldout) {
			holdouts = append(holdouts, r.To)
			if got[r.To] != 0 {
				t.Errorf("%s is in the holdout and got the email", r.To)
			}
		}
		return nil
	})
	if int64(len(holdouts)) != held {
		t.Errorf("%d holdout sends recorded, %d counted", len(holdouts), held)
	}
	if s := w.status(t, c.ID); s != campaign.StatusCompleted {
		t.Errorf("status %s, want completed", s)
	}
}

// An A/B test sends each variant to its share, waits, picks the variant with more human clicks
// per delivered email, and sends it to everyone else: nobody gets two.
func TestABTestPicksTheVariantWithMoreHumanClicks(t *testing.T) {
	w := newWorld(t)
	w.contacts(t, 80)
	c := w.campaign(t, func(c *campaign.Campaign) {
		c.Variants = []campaign.Variant{{Subject: map[string]string{"en": "Subject A"}}, {Subject: map[string]string{"en": "Subject B"}}}
		c.VariantTest = &campaign.VariantTest{Percent: 50, WaitHours: 4}
	})
	w.start(t, c.ID)
	got, subjects := w.received(t)
	if len(got) < 20 || len(got) > 60 || w.status(t, c.ID) != campaign.StatusSending {
		t.Fatalf("the test went to %d of 80 (want about 40) and the campaign is %s", len(got), w.status(t, c.ID))
	}
	nA := 0
	for _, subj := range subjects {
		if subj == "Subject A" {
			nA++
		}
	}
	if run, _, _ := w.store.CampaignRun(t.Context(), c.ID); run.Counts["sent:a"] != int64(nA) || run.Counts["sent:a"]+run.Counts["sent:b"] != int64(len(got)) {
		t.Errorf("the test's sends counted by variant: %v, want a %d of %d", run.Counts, nA, len(got))
	}
	// B's readers click more (human clicks per delivered email); A's open more.
	w.count(t, campaign.StatsKey(c.ID, "a"), map[string]int64{"delivered": 20, "unique_clicks_human": 2, "unique_opens_human": 15})
	w.count(t, campaign.StatsKey(c.ID, "b"), map[string]int64{"delivered": 20, "unique_clicks_human": 6, "unique_opens_human": 5})
	w.clock.Add(4*time.Hour + time.Minute)
	w.queue.drain(t, w.svc) // the winner's step, then the rest
	all, subjects2 := w.received(t)
	if len(all) != 80 {
		t.Errorf("%d of 80 contacts got the campaign", len(all))
	}
	rest := 0
	for addr, n := range all {
		if n != 1 {
			t.Errorf("%s got %d emails", addr, n)
		}
		if _, inTest := got[addr]; !inTest {
			rest++
			if subjects2[addr] != "Subject B" {
				t.Errorf("%s, after the test, got %q, want the winner's Subject B", addr, subjects2[addr])
			}
		}
	}
	run, _, _ := w.store.CampaignRun(t.Context(), c.ID)
	if run.Winner != "b" || !strings.Contains(run.Choice, `"by":"clicks"`) {
		t.Errorf("winner %q by %s, want b by clicks", run.Winner, run.Choice)
	}
	// The recount at the end keeps the variants' sends: A's are still its test's.
	if run.Counts["sent:a"] != int64(nA) {
		t.Errorf("after the recount, variant a counts %d sends, want %d", run.Counts["sent:a"], nA)
	}
	if s := w.status(t, c.ID); s != campaign.StatusCompleted {
		t.Errorf("status %s, want completed", s)
	}
}

// Retrying the failed sends sends those, and only those, and completes the campaign again.
func TestRetryFailedRetriesOnlyTheFailed(t *testing.T) {
	w := newWorld(t)
	w.contacts(t, 20)
	w.mail.Fail = func(call int) error {
		if call <= 3 {
			return fmt.Errorf("%w: bad address", send.ErrRejected)
		}
		return nil
	}
	c := w.campaign(t, nil)
	w.start(t, c.ID)
	run, _, _ := w.store.CampaignRun(t.Context(), c.ID)
	if run.Counts["failed"] != 3 || run.Counts["sent"] != 17 || w.status(t, c.ID) != campaign.StatusCompleted {
		t.Fatalf("first round: %v, %s", run.Counts, w.status(t, c.ID))
	}
	before := len(w.mail.Messages())
	if err := w.svc.Step(t.Context(), fanout.Message{Campaign: c.ID, Step: fanout.StepRetry}); err != nil {
		t.Fatal(err)
	}
	w.queue.drain(t, w.svc)
	w.clock.Add(11 * time.Second) // the last recount was under 10 s ago: the next is due then
	w.queue.drain(t, w.svc)
	if n := len(w.mail.Messages()) - before; n != 3 {
		t.Errorf("the retry sent %d emails, want the 3 that failed", n)
	}
	got, _ := w.received(t)
	for addr, n := range got {
		if n != 1 {
			t.Errorf("%s got %d emails", addr, n)
		}
	}
	run, _, _ = w.store.CampaignRun(t.Context(), c.ID)
	if run.Counts["failed"] != 0 || run.Counts["sent"] != 20 || w.status(t, c.ID) != campaign.StatusCompleted {
		t.Errorf("after the retry: %v, %s", run.Counts, w.status(t, c.ID))
	}
}

// A campaign whose sale is over when its time comes is blocked, with the reason and its event,
// and nothing is sent.
func TestACampaignThatFailsItsChecksAtSendTimeIsBlocked(t *testing.T) {
	w := newWorld(t)
	w.contacts(t, 5)
	now := w.clock.Now()
	c := w.campaign(t, func(c *campaign.Campaign) {
		c.Sale = &campaign.Sale{StartsAt: now.Add(-48 * time.Hour), EndsAt: now.Add(-time.Hour)}
	})
	w.start(t, c.ID)
	if n := len(w.mail.Messages()); n != 0 {
		t.Errorf("%d emails sent", n)
	}
	stored, _, _ := w.store.Campaign(t.Context(), c.ID)
	if stored.Status != campaign.StatusBlocked || !strings.Contains(stored.BlockedReason, "sale.endsAt") {
		t.Errorf("status %s, reason %q", stored.Status, stored.BlockedReason)
	}
	evs, err := w.store.PendingBefore(t.Context(), now.Add(time.Hour), 10)
	if err != nil || len(evs) != 1 || evs[0].DetailType != fanout.EventBlocked {
		t.Errorf("events owed: %v %v", evs, err)
	}
}

// The reminder goes, with its own subject, to the recipients who did not click, once.
func TestReminderGoesToThoseWhoDidNotClick(t *testing.T) {
	w := newWorld(t)
	w.contacts(t, 6)
	now := w.clock.Now()
	c := w.campaign(t, func(c *campaign.Campaign) {
		c.Sale = &campaign.Sale{StartsAt: now.Add(24 * time.Hour), EndsAt: now.Add(72 * time.Hour)}
		c.Reminder = &campaign.Reminder{When: campaign.ReminderAtStart, Subject: map[string]string{"en": "It starts now"}}
	})
	w.start(t, c.ID)
	// c-0 clicked (a human click, as the tracking link records it on the send).
	_, err := w.client.UpdateItem(t.Context(), &dynamodb.UpdateItemInput{TableName: &w.table,
		Key:              map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "CONTACT#c-0"}, "SK": &types.AttributeValueMemberS{Value: "SEND#" + fanout.Key(c.ID, campaign.ArmMain)}},
		UpdateExpression: awsString("SET first_click_human_at = :t"), ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberS{Value: now.Format(time.RFC3339)}}})
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Add(24 * time.Hour)
	for range 2 { // a replayed reminder sends nothing more
		if err := w.svc.Step(t.Context(), fanout.Message{Campaign: c.ID, Step: fanout.StepReminder}); err != nil {
			t.Fatal(err)
		}
		w.queue.drain(t, w.svc)
	}
	got, subjects := w.received(t)
	if got["buyer0@shop.test"] != 1 {
		t.Errorf("the reader who clicked got %d emails, want only the campaign", got["buyer0@shop.test"])
	}
	for i := 1; i < 6; i++ {
		addr := fmt.Sprintf("buyer%d@shop.test", i)
		if got[addr] != 2 || subjects[addr] != "It starts now" {
			t.Errorf("%s got %d emails, the last %q; want the campaign and the reminder", addr, got[addr], subjects[addr])
		}
	}
}

// racing is the store with one send settling while the campaign is recounted: after the
// recount read the sends, before it could write what it found.
type racing struct {
	*dynamo.Marketing
	during func()
}

func (r *racing) EachCampaignSend(ctx context.Context, id, key string, fn func(send.Record) error) error {
	err := r.Marketing.EachCampaignSend(ctx, id, key, fn)
	if f := r.during; f != nil {
		r.during = nil
		f()
	}
	return err
}

// A recount made while the last send is still settling (the counters said done early: a
// duplicate delivery counted as uncertain) finds the campaign not done, and neither completes
// it nor loses that send's count: a look after it completes the campaign, with exact numbers.
func TestTheRecountNeverLosesASendSettlingMeanwhile(t *testing.T) {
	w := newWorld(t)
	w.contacts(t, 20)
	c := w.campaign(t, nil)
	if err := w.svc.Step(t.Context(), fanout.Message{Campaign: c.ID, Step: fanout.StepStart}); err != nil {
		t.Fatal(err)
	}
	var last fanout.Received
	w.queue.mu.Lock()
	for id, m := range w.queue.msgs {
		if strings.Contains(m.body, `"id":"c-`) {
			last = fanout.Received{ID: id, Body: m.body}
			delete(w.queue.msgs, id) // in flight in another sender
			break
		}
	}
	w.queue.mu.Unlock()
	if _, err := w.store.CountRun(t.Context(), c.ID, map[string]int64{"uncertain": 1}); err != nil {
		t.Fatal(err)
	}
	w.svc.Store = &racing{Marketing: w.store, during: func() {
		if again := w.svc.Deliver(t.Context(), []fanout.Received{last}); len(again) != 0 {
			t.Errorf("the last recipient was not settled: %v", again)
		}
	}}
	w.queue.drain(t, w.svc)
	if got, _ := w.received(t); len(got) != 20 {
		t.Fatalf("%d of 20 received the campaign", len(got))
	}
	if st := w.status(t, c.ID); st != campaign.StatusSending {
		t.Fatalf("the campaign is %s after a recount that found 19 of 20 settled", st)
	}
	w.clock.Add(11 * time.Second)
	w.queue.drain(t, w.svc)
	if st := w.status(t, c.ID); st != campaign.StatusCompleted {
		t.Fatalf("the campaign is %s after its last send settled", st)
	}
	run, _, _ := w.store.CampaignRun(t.Context(), c.ID)
	if run.Settled != 20 || run.Uncertain != 0 || run.Counts["sent"] != 20 {
		t.Errorf("run settled %d, uncertain %d, sent %d; want 20, 0, 20", run.Settled, run.Uncertain, run.Counts["sent"])
	}
}

// A recipient's message delivered twice in one batch (SQS's at-least-once) is read once and
// sent once, and the campaign completes.
func TestAMessageTwiceInOneBatchSendsOnce(t *testing.T) {
	w := newWorld(t)
	w.contacts(t, 1)
	c := w.campaign(t, nil)
	if err := w.svc.Step(t.Context(), fanout.Message{Campaign: c.ID, Step: fanout.StepStart}); err != nil {
		t.Fatal(err)
	}
	var batch []fanout.Received
	w.queue.mu.Lock()
	for id, m := range w.queue.msgs {
		if strings.Contains(m.body, `"c-0"`) {
			batch = append(batch, fanout.Received{ID: id, Body: m.body}, fanout.Received{ID: id + "-again", Body: m.body})
			delete(w.queue.msgs, id)
		}
	}
	w.queue.mu.Unlock()
	if len(batch) != 2 {
		t.Fatalf("the recipient's message is not on the queue: %v", w.queue.msgs)
	}
	w.svc.Deliver(t.Context(), batch)
	w.queue.drain(t, w.svc)
	if got, _ := w.received(t); got["buyer0@shop.test"] != 1 || len(got) != 1 {
		t.Errorf("emails received: %v, want one to buyer0@shop.test", got)
	}
	if s := w.status(t, c.ID); s != campaign.StatusCompleted {
		t.Errorf("status %s, want completed", s)
	}
}

// A recipient's message delivered again, while the campaign sends, after it was sent and
// settled (a sender that stopped before the queue deleted it: the same message id, so the
// claim's own token), by then within
// the frequency cap of the email it already got, is the same send: it is neither skipped nor
// counted again, and the campaign's numbers stay those of its recipients.
func TestARedeliveryOfASentMessageCountsNothingTwice(t *testing.T) {
	w := newWorld(t)
	w.contacts(t, 4)
	marketed := func(id string) {
		t.Helper()
		if _, err := w.store.UpdateContact(t.Context(), id, func(ct *contact.Contact) bool {
			ct.Summary.MarketedAt = w.clock.Now() // SES's Delivery of a marketing email
			return true
		}); err != nil {
			t.Fatal(err)
		}
	}
	marketed("c-3") // skipped for the frequency cap, and its skip delivered twice too
	c := w.campaign(t, nil)
	if err := w.svc.Step(t.Context(), fanout.Message{Campaign: c.ID, Step: fanout.StepStart}); err != nil {
		t.Fatal(err)
	}
	var again, skipped fanout.Received
	w.queue.mu.Lock()
	for id, m := range w.queue.msgs {
		switch {
		case strings.Contains(m.body, `"c-0"`):
			again = fanout.Received{ID: id, Receipt: id, Body: m.body}
			delete(w.queue.msgs, id)
		case strings.Contains(m.body, `"c-3"`):
			skipped = fanout.Received{ID: id, Receipt: id, Body: m.body}
			delete(w.queue.msgs, id)
		}
	}
	w.queue.mu.Unlock()
	if left := w.svc.Deliver(t.Context(), []fanout.Received{again, skipped}); len(left) != 0 {
		t.Fatalf("c-0's and c-3's messages are to be delivered again: %v", left)
	}
	marketed("c-0")
	w.clock.Add(time.Minute)
	if left := w.svc.Deliver(t.Context(), []fanout.Received{again, skipped}); len(left) != 0 {
		t.Fatalf("the redelivered message is to be delivered again: %v", left)
	}
	// The live numbers, as the marketer watches them while the campaign sends.
	run, _, err := w.store.CampaignRun(t.Context(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if run.Counts["sent"] != 1 || run.Counts["skipped:"+fanout.ReasonFrequencyCap] != 1 || run.Settled != 2 {
		t.Errorf("while sending: run counts %v, settled %d; want sent 1, skipped for the frequency cap 1, settled 2", run.Counts, run.Settled)
	}
	w.queue.drain(t, w.svc)
	w.clock.Add(11 * time.Second) // the recount a duplicate asks for
	w.queue.drain(t, w.svc)
	if st := w.status(t, c.ID); st != campaign.StatusCompleted {
		t.Errorf("the campaign is %s", st)
	}
	if got, _ := w.received(t); got["buyer0@shop.test"] != 1 || len(got) != 3 {
		t.Errorf("emails received: %v, want one each to 3", got)
	}
	if run, _, err = w.store.CampaignRun(t.Context(), c.ID); err != nil {
		t.Fatal(err)
	}
	if run.Counts["sent"] != 3 || run.Counts["skipped:"+fanout.ReasonFrequencyCap] != 1 || run.Settled != 4 || len(run.Counts) != 2 {
		t.Errorf("run counts %v, settled %d; want sent 3, skipped for the frequency cap 1, settled 4", run.Counts, run.Settled)
	}
	sends, err := w.store.Sends(t.Context(), "c-0")
	if err != nil {
		t.Fatal(err)
	}
	if len(sends) != 1 || sends[0].Status != send.Sent {
		t.Errorf("c-0's sends: %+v, want one, sent", sends)
	}
}
