package survey_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/email"
	"shopmail/internal/email/emailtest"
	"shopmail/internal/eventbridge/eventbridgetest"
	"shopmail/internal/lambdaevent"
	"shopmail/internal/links"
	"shopmail/internal/order"
	"shopmail/internal/render"
	"shopmail/internal/render/rendertest"
	"shopmail/internal/send"
	"shopmail/internal/send/outbox"
	"shopmail/internal/survey"
	"shopmail/internal/token"
	"shopmail/internal/web"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// schedules is a hand-written stand-in for EventBridge Scheduler.
type schedules struct {
	mu  sync.Mutex
	at  map[string]time.Time
	in  map[string][]byte
	del []string
}

func (s *schedules) At(_ context.Context, name string, at time.Time, input []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.at[name], s.in[name] = at, input
	return nil
}

func (s *schedules) Delete(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.at, name)
	s.del = append(s.del, name)
	return nil
}

type fixture struct {
	store   *dynamo.Store
	sched   *schedules
	outbox  *outbox.Outbox
	bus     *eventbridgetest.Bus
	now     time.Time
	orders  *lambdaevent.Handler // the surveys function
	due     *lambdaevent.Handler // the surveysend function
	answers *web.Answers
	keys    *token.Keys
}

var t0 = time.Date(2026, 11, 22, 10, 15, 0, 0, time.UTC)

func setup(t *testing.T) *fixture {
	t.Helper()
	client, table := dynamotest.NewTable(t)
	f := &fixture{sched: &schedules{at: map[string]time.Time{}, in: map[string][]byte{}}, outbox: &outbox.Outbox{}, bus: &eventbridgetest.Bus{}, now: t0}
	now := func() time.Time { return f.now }
	f.store = dynamo.New(client, table, now)
	f.keys, _ = token.ParseKeys(`{"current":"k1","k1":"0123456789abcdef0123456789abcdef"}`)
	brand := render.Brand{ShopName: "Tea House", ShopURL: "https://shop.example", SenderName: "Tea House", PostalAddress: "1 Leaf Street"}
	from := email.Address{Name: "Tea House", Email: "hello@shop.example"}
	sender := &send.Sender{Ledger: f.store, Mailer: f.outbox, Now: now}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := survey.Config{Questions: []survey.Question{survey.CSAT, survey.NPS}, AfterDelivery: 3 * 24 * time.Hour,
		AfterPlaced: 14 * 24 * time.Hour, Throttle: 30 * 24 * time.Hour, Brand: brand, From: from, AskNext: true,
		Links: links.Config{BaseURL: "https://go.shop.example", Keys: f.keys, Tracking: 400 * 24 * time.Hour, Unsubscribe: 730 * 24 * time.Hour}}
	f.orders = lambdaevent.Surveys(&survey.Planner{Config: cfg, Store: f.store, Scheduler: f.sched, Now: now}, deadLetters{}, log)
	f.due = lambdaevent.SurveySend(&survey.Sending{Config: cfg, Store: f.store, Sender: sender, Now: now,
		Gate: &deliverability.Gate{Suppressions: f.store, States: f.store, Sender: from.Email, Now: now},
	}, deadLetters{}, log)
	f.answers = &web.Answers{Log: log, Keys: f.keys, BaseURL: "https://go.shop.example", Answering: &survey.Answering{
		Store: f.store, Publisher: f.bus, Sender: sender, Gate: &deliverability.Gate{Suppressions: f.store, States: f.store, Sender: from.Email, Now: now},
		Questions: []survey.Question{survey.CSAT, survey.NPS}, Brand: brand, From: from,
		Support: email.Address{Email: "support@shop.example"}, PauseMarketing: 30 * 24 * time.Hour, ReviewURL: "https://reviews.example/tea-house",
		ChangeWindow: 24 * time.Hour, Now: now, Coupons: f.store, AskNext: true,
		Apology: survey.Apology{Prefix: "SORRY", Offer: map[string]string{"en": "15% off your next order"}, Valid: 60 * 24 * time.Hour},
	}}
	return f
}

type deadLetters struct{}

func (deadLetters) Put(context.Context, string, error, []byte) error { return nil }

// event wraps an order event detail as EventBridge delivers it.
func event(t *testing.T, detailType string, detail string) []byte {
	t.Helper()
	return []byte(`{"version":"0","id":"e-1","detail-type":"` + detailType + `","source":"shop.orders","time":"` + t0.Format(time.RFC3339) + `","detail":` + detail + `}`)
}

// handle runs an order event through the surveys function.
func (f *fixture) handle(t *testing.T, raw []byte) {
	t.Helper()
	if err := f.orders.Handle(context.Background(), raw); err != nil {
		t.Fatalf("handle: %v", err)
	}
}

// handleDue runs a schedule's input through the surveysend function.
func (f *fixture) handleDue(t *testing.T, in []byte) {
	t.Helper()
	if err := f.due.Handle(context.Background(), in); err != nil {
		t.Fatalf("handle due: %v", err)
	}
}

func placed(t *testing.T, name string, edit func(string) string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", "thankyou", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Detail json.RawMessage `json:"detail"`
	}
	json.Unmarshal(raw, &ev)
	d := string(ev.Detail)
	if edit != nil {
		d = edit(d)
	}
	return event(t, order.Placed, d)
}

// fire runs a schedule as Scheduler would.
func (f *fixture) fire(t *testing.T, name string) {
	t.Helper()
	in, ok := f.sched.in[name]
	if !ok {
		t.Fatalf("no schedule %s", name)
	}
	f.handleDue(t, in)
}

func (f *fixture) only(prefix string) string {
	for name := range f.sched.at {
		if strings.HasSuffix(name, prefix) {
			return name
		}
	}
	return ""
}

func TestSurveyIsPlannedAfterDeliveryAtALocalHour(t *testing.T) {
	f := setup(t)
	f.handle(t, placed(t, "first-order.json", nil)) // customer in America/New_York
	fallback := f.only("-placed")
	if fallback == "" || f.sched.at[fallback].Format(time.RFC3339) != "2026-12-06T15:00:00Z" { // 10:00 EST
		t.Fatalf("fallback schedules: %v", f.sched.at)
	}
	f.now = time.Date(2026, 11, 24, 16, 0, 0, 0, time.UTC) // a delivery is not reported before it happens
	f.handle(t, event(t, order.Delivered, `{"orderId":"o-1001","deliveredAt":"2026-11-24T16:00:00Z"}`))
	due := f.only("-delivery")
	if due == "" || f.sched.at[due].Format(time.RFC3339) != "2026-11-28T15:00:00Z" || f.only("-placed") != "" {
		t.Fatalf("after delivery: %v", f.sched.at)
	}
	// A replayed delivery changes nothing.
	f.handle(t, event(t, order.Delivered, `{"orderId":"o-1001","deliveredAt":"2026-11-24T16:00:00Z"}`))
	if len(f.sched.at) != 1 {
		t.Fatalf("schedules: %v", f.sched.at)
	}
	f.now = f.sched.at[due]
	f.fire(t, due)
	f.fire(t, due) // Scheduler delivers at least once
	msgs := f.outbox.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d survey emails, want 1", len(msgs))
	}
	m := emailtest.MustParse(t, msgs[0].Raw)
	answerLinks := regexp.MustCompile(`href="(https://go.shop.example/a/[^"]+)"`).FindAllStringSubmatch(m.HTML, -1)
	if len(answerLinks) != 5+11+1 || m.Subject != "How was your order from Tea House?" {
		t.Errorf("%d answer links (5 CSAT, 11 NPS, what to sell next), subject %q", len(answerLinks), m.Subject)
	}
	if _, err := emailtest.CheckMarketing(m); err != nil {
		t.Errorf("survey email headers: %v", err)
	}
	s, _, _ := f.store.Survey(context.Background(), "o-1001")
	if s.Status != survey.Sent || !s.SentAt.Equal(f.now) {
		t.Errorf("survey = %+v", s)
	}
}

func TestCancelledOrderGetsNoSurvey(t *testing.T) {
	f := setup(t)
	f.handle(t, placed(t, "first-order.json", nil))
	fallback := f.only("-placed")
	in := f.sched.in[fallback]
	f.handle(t, event(t, order.Cancelled, `{"orderId":"o-1001"}`))
	if len(f.sched.at) != 0 {
		t.Fatalf("pending schedules after the cancellation: %v", f.sched.at)
	}
	// A schedule that fires anyway (deleted too late) sends nothing.
	f.handleDue(t, in)
	if f.outbox.Calls() != 0 {
		t.Fatal("a survey was sent for a cancelled order")
	}
	// An order cancelled before it was seen placed stays cancelled.
	f.handle(t, event(t, order.Refunded, `{"orderId":"o-1002"}`))
	f.handle(t, placed(t, "repeat-order.json", nil))
	if s, _, _ := f.store.Survey(context.Background(), "o-1002"); s.Status != survey.Cancelled {
		t.Errorf("survey of a refunded order = %+v", s)
	}
}

func TestThrottleAndSuppression(t *testing.T) {
	f := setup(t)
	f.handle(t, placed(t, "first-order.json", nil))
	f.handle(t, placed(t, "repeat-order.json", nil)) // same customer, 2 days later
	f.now = t0.Add(14 * 24 * time.Hour)
	for name := range f.sched.in {
		f.fire(t, name)
	}
	if n := f.outbox.Calls(); n != 1 {
		t.Fatalf("%d surveys to one customer within the throttle window, want 1", n)
	}
	var skipped send.Record
	for _, id := range []string{"o-1001", "o-1002"} {
		if rec, found, _ := f.store.Send(context.Background(), "c-42", survey.SendKey(id)); found && rec.Status == send.Skipped {
			skipped = rec
		}
	}
	if !strings.HasPrefix(skipped.Reason, "survey throttle: one per 30 days") {
		t.Errorf("skipped send = %+v", skipped)
	}
	// A suppressed address gets no survey at all.
	f.store.Suppress(context.Background(), deliverability.Suppression{Address: "no-marketing@example.com", Reason: deliverability.ReasonComplaint})
	f.handle(t, placed(t, "no-consent.json", nil))
	for name, in := range f.sched.in {
		if strings.HasSuffix(name, "-placed") {
			f.handleDue(t, in)
		}
	}
	if n := f.outbox.Calls(); n != 1 {
		t.Errorf("%d surveys sent, want still 1", n)
	}
}

// answer sends a request to the answer pages.
func (f *fixture) answer(method, link string, form url.Values) web.Response {
	var r web.Request
	r.RawPath = strings.TrimPrefix(link, "https://go.shop.example")
	r.RequestContext.HTTP.Method = method
	r.PathParameters = map[string]string{"token": link[strings.LastIndex(link, "/")+1:]}
	if form != nil {
		r.Body = form.Encode()
	}
	return f.answers.Serve(context.Background(), r)
}

func (f *fixture) link(q string, score int) string {
	return links.Config{BaseURL: "https://go.shop.example", Keys: f.keys, Tracking: 400 * 24 * time.Hour}.For("c-42", survey.SendKey("o-1001"), f.now).Answer(q, score)
}

func sendSurvey(t *testing.T, f *fixture) {
	t.Helper()
	f.handle(t, placed(t, "first-order.json", nil))
	f.now = t0.Add(14 * 24 * time.Hour)
	f.fire(t, f.only("-placed"))
}

func TestAnswering(t *testing.T) {
	f := setup(t)
	sendSurvey(t, f)
	ctx := context.Background()
	nps3 := f.link("nps", 3)
	// Prefetching scanners (GET, HEAD) record nothing.
	for _, m := range []string{"GET", "HEAD", "GET"} {
		if res := f.answer(m, nps3, nil); res.StatusCode != 200 || !strings.Contains(res.Body, `<form method="post">`) {
			t.Fatalf("%s: %d\n%s", m, res.StatusCode, res.Body)
		}
	}
	if as, _ := f.store.AnswersBetween(ctx, t0, t0.Add(60*24*time.Hour)); len(as) != 0 || len(f.bus.Events()) != 0 {
		t.Fatalf("GET recorded %v / %v", as, f.bus.Events())
	}
	// The POST commits it: a detractor.
	for range 2 { // double submit
		if res := f.answer("POST", nps3, url.Values{}); res.StatusCode != 200 || !strings.Contains(res.Body, "What could we do better?") {
			t.Fatalf("POST: %d\n%s", res.StatusCode, res.Body)
		}
	}
	if f.bus.Count(survey.EventAnswered) != 1 || f.bus.Count(survey.EventUnhappy) != 1 {
		t.Errorf("events: %v", f.bus.Events())
	}
	msgs := f.outbox.Messages()
	if len(msgs) != 3 {
		t.Fatalf("%d emails, want the survey, one to support and the apology", len(msgs))
	}
	apology := emailtest.MustParse(t, msgs[2].Raw)
	if apology.To.Address != "sara@example.com" || !strings.Contains(apology.Text, "15% off your next order with this code: SORRY-") {
		t.Errorf("apology to %s:\n%s", apology.To.Address, apology.Text)
	}
	for _, raw := range [][]byte{msgs[0].Raw, msgs[1].Raw, msgs[2].Raw} { // survey, support, apology
		for _, p := range rendertest.ColorProblems(emailtest.MustParse(t, raw).HTML, render.Brand{}) {
			t.Error(p)
		}
	}
	if !strings.Contains(apology.HTML, `>Shop now</a>`) {
		t.Error("the apology has no shop button beside its coupon")
	}
	support := emailtest.MustParse(t, msgs[1].Raw)
	if support.To.Address != "support@shop.example" || !strings.Contains(support.Subject, "answered 3 to NPS") ||
		support.Header.Get("Reply-To") == "" || !strings.Contains(support.Text, "Order: o-1001") {
		t.Errorf("support email: %s %q\n%s", support.To.Address, support.Subject, support.Text)
	}
	// Marketing to the customer pauses.
	c, _ := f.store.Contact(ctx, "c-42")
	c.Consent.Marketing = true // (the thank-you flow records it; not run here)
	gate := &deliverability.Gate{Suppressions: f.store, States: f.store, Sender: "hello@shop.example", Now: func() time.Time { return f.now }}
	if reason, _ := gate.Check(ctx, c, contact.TopicSales); !strings.Contains(reason, "paused") {
		t.Errorf("marketing not paused: %q", reason)
	}
	// A comment with HTML and control characters is kept as text; support gets it, escaped.
	res := f.answer("POST", nps3, url.Values{"comment": {"<script>alert(1)</script> the tea\x00 was cold"}})
	if res.StatusCode != 200 {
		t.Fatalf("comment: %d", res.StatusCode)
	}
	as, _ := f.store.AnswersBetween(ctx, t0, t0.Add(60*24*time.Hour))
	if len(as) != 1 || as[0].Comment != "<script>alert(1)</script> the tea was cold" || as[0].Score != 3 {
		t.Fatalf("answers = %+v", as)
	}
	if m := emailtest.MustParse(t, f.outbox.Messages()[3].Raw); strings.Contains(m.HTML, "<script>") || !strings.Contains(m.Text, "the tea was cold") {
		t.Error("comment not escaped in the support email")
	}
	// Changed within 24 hours: replaced; the unhappy follow-up is not repeated.
	f.now = f.now.Add(2 * time.Hour)
	f.answer("POST", f.link("nps", 9), url.Values{})
	as, _ = f.store.AnswersBetween(ctx, t0, t0.Add(60*24*time.Hour))
	if len(as) != 1 || as[0].Score != 9 || f.bus.Count(survey.EventAnswered) != 2 || f.bus.Count(survey.EventUnhappy) != 1 {
		t.Errorf("after the change: %+v, %v", as, f.bus.Events())
	}
	// After 24 hours it stays.
	f.now = f.now.Add(25 * time.Hour)
	if res := f.answer("POST", f.link("nps", 0), url.Values{}); !strings.Contains(res.Body, "can no longer be changed") {
		t.Errorf("late change: %s", res.Body)
	}
	if as, _ = f.store.AnswersBetween(ctx, t0, t0.Add(60*24*time.Hour)); as[0].Score != 9 {
		t.Errorf("a late change replaced the answer: %+v", as)
	}
}

func TestBadAnswers(t *testing.T) {
	f := setup(t)
	sendSurvey(t, f)
	good := f.link("csat", 4)
	forged := f.link("csat", 9) // signed by us, but outside the scale
	for name, tc := range map[string]struct {
		link   string
		form   url.Values
		status int
	}{
		"tampered":      {good[:len(good)-3] + "AAA", url.Values{}, 404},
		"other purpose": {strings.Replace(links.Config{BaseURL: "https://go.shop.example", Keys: f.keys, Tracking: time.Hour}.For("c-42", "x", f.now).Unsubscribe("sales"), "/u/", "/a/", 1), url.Values{}, 404},
		"outside scale": {forged, url.Values{}, 400},
		"huge comment":  {good, url.Values{"comment": {strings.Repeat("x", 10<<20)}}, 413},
		"comment first": {good, url.Values{"comment": {"hi"}}, 400},
		"absurdly long": {"https://go.shop.example/a/" + strings.Repeat("k", 5000), url.Values{}, 404},
	} {
		if res := f.answer("POST", tc.link, tc.form); res.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d\n%.200s", name, res.StatusCode, tc.status, res.Body)
		}
	}
	if as, _ := f.store.AnswersBetween(context.Background(), t0, t0.Add(60*24*time.Hour)); len(as) != 0 || len(f.bus.Events()) != 0 {
		t.Errorf("stored %+v, published %v", as, f.bus.Events())
	}
	// Answers for a cancelled order: a friendly page, nothing stored.
	f.handle(t, event(t, order.Cancelled, `{"orderId":"o-1001"}`))
	res := f.answer("POST", good, url.Values{})
	if res.StatusCode != 410 || !strings.Contains(html.UnescapeString(res.Body), "cancelled") {
		t.Errorf("cancelled: %d %s", res.StatusCode, res.Body)
	}
}

// Every email of the answers goes through the gate: a suppressed customer gets no apology, a
// suppressed support address no alert, and each skip is on its send row with the reason.
func TestApologyAndSupportAlertGoThroughTheGate(t *testing.T) {
	f := setup(t)
	sendSurvey(t, f)
	ctx := context.Background()
	for _, addr := range []string{"sara@example.com", "support@shop.example"} {
		f.store.Suppress(ctx, deliverability.Suppression{Address: addr, Reason: deliverability.ReasonComplaint, At: f.now})
	}
	if res := f.answer("POST", f.link("csat", 1), url.Values{}); res.StatusCode != 200 {
		t.Fatalf("POST: %d\n%s", res.StatusCode, res.Body)
	}
	if n := len(f.outbox.Messages()); n != 1 {
		t.Errorf("%d emails, want only the survey (the apology and the alert go to suppressed addresses)", n)
	}
	for _, key := range []string{"apology#o-1001", "support#survey#o-1001#csat"} {
		rec, found, err := f.store.Send(ctx, "c-42", key)
		if err != nil || !found || rec.Status != send.Skipped || rec.Reason != "address suppressed: complaint" {
			t.Errorf("send %s = %+v found=%v err=%v, want skipped: address suppressed: complaint", key, rec, found, err)
		}
	}
	if f.bus.Count(survey.EventUnhappy) != 1 {
		t.Errorf("events: %v", f.bus.Events())
	}
}

// A cancelled or refunded order's survey takes no score and no comment: 410, nothing stored,
// nothing published.
func TestCancelledOrderTakesNoCommentNorScore(t *testing.T) {
	for _, detailType := range []string{order.Cancelled, order.Refunded} {
		t.Run(detailType, func(t *testing.T) {
			f := setup(t)
			sendSurvey(t, f)
			ctx := context.Background()
			good := f.link("csat", 4)
			if res := f.answer("POST", good, url.Values{}); res.StatusCode != 200 {
				t.Fatalf("POST: %d", res.StatusCode)
			}
			published := len(f.bus.Events())
			f.handle(t, event(t, detailType, `{"orderId":"o-1001"}`))
			for name, form := range map[string]url.Values{"comment": {"comment": {"late words"}}, "score": {}} {
				link := good
				if name == "score" {
					link = f.link("csat", 2)
				}
				res := f.answer("POST", link, form)
				if res.StatusCode != 410 || !strings.Contains(html.UnescapeString(res.Body), "cancelled") {
					t.Errorf("%s after %s: %d %.200s", name, detailType, res.StatusCode, res.Body)
				}
			}
			as, _ := f.store.AnswersBetween(ctx, t0, t0.Add(60*24*time.Hour))
			if len(as) != 1 || as[0].Comment != "" || as[0].Score != 4 {
				t.Errorf("answers = %+v", as)
			}
			if n := len(f.bus.Events()); n != published || f.bus.Count(survey.EventCommented) != 0 {
				t.Errorf("published after the %s: %v", detailType, f.bus.Events())
			}
		})
	}
}

// A delivery time in the future counts as now; a later event with the real time moves the
// survey; the old schedule, should it fire, sends nothing; once sent, nothing moves it.
func TestFutureDeliveryIsCappedAndCorrected(t *testing.T) {
	f := setup(t)
	f.handle(t, placed(t, "first-order.json", nil)) // America/New_York
	f.handle(t, event(t, order.Delivered, `{"orderId":"o-1001","deliveredAt":"2029-11-24T16:00:00Z"}`))
	first := f.only("-delivery")
	if first == "" || f.sched.at[first].Format(time.RFC3339) != "2026-11-25T15:00:00Z" { // t0 + 3 days, 10:00 EST
		t.Fatalf("after a future delivery: %v", f.sched.at)
	}
	oldInput := f.sched.in[first]
	f.handle(t, event(t, order.Delivered, `{"orderId":"o-1001","deliveredAt":"2029-11-24T16:00:00Z"}`)) // replayed
	if len(f.sched.at) != 1 || f.only("-delivery") != first {
		t.Fatalf("a replay moved the survey: %v", f.sched.at)
	}
	f.now = t0.Add(24 * time.Hour)
	f.handle(t, event(t, order.Delivered, `{"orderId":"o-1001","deliveredAt":"2026-11-22T20:00:00Z"}`)) // corrected
	due := f.only("-delivery")
	if len(f.sched.at) != 1 || due == first || f.sched.at[due].Format(time.RFC3339) != "2026-11-26T15:00:00Z" { // 15:00 EST on the 25th is past 10:00
		t.Fatalf("after the correction: %v", f.sched.at)
	}
	f.handle(t, event(t, order.Delivered, `{"orderId":"o-1001","deliveredAt":"2026-11-22T20:00:00Z"}`)) // replayed
	if len(f.sched.at) != 1 || f.only("-delivery") != due {
		t.Fatalf("a replayed correction: %v", f.sched.at)
	}
	f.now = f.sched.at[due]
	f.handleDue(t, oldInput) // the old schedule fires anyway (deleted too late)
	if f.outbox.Calls() != 0 {
		t.Fatal("the corrected-away schedule sent the survey")
	}
	f.fire(t, due)
	if f.outbox.Calls() != 1 {
		t.Fatalf("%d surveys, want 1", f.outbox.Calls())
	}
	f.handle(t, event(t, order.Delivered, `{"orderId":"o-1001","deliveredAt":"2026-11-21T20:00:00Z"}`))
	if len(f.sched.at) != 1 || f.only("-delivery") != due {
		t.Errorf("a sent survey was rescheduled: %v", f.sched.at)
	}
}
