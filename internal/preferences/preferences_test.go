package preferences_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/bus"
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
	"shopmail/internal/preferences"
	"shopmail/internal/render"
	"shopmail/internal/render/rendertest"
	"shopmail/internal/send"
	"shopmail/internal/send/outbox"
	"shopmail/internal/token"
	"shopmail/internal/web"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

type fixture struct {
	store  *dynamo.Store
	bus    *eventbridgetest.Bus
	outbox *outbox.Outbox
	h      *web.Preferences
	links  links.Config
	seen   int // bus events delivered back to the function
	table  string

	gate *deliverability.Gate
}

func setup(t *testing.T) *fixture {
	t.Helper()
	client, table := dynamotest.NewTable(t)
	keys, _ := token.ParseKeys(`{"current":"k1","k1":"0123456789abcdef0123456789abcdef"}`)
	now := func() time.Time { return t0 }
	f := &fixture{store: dynamo.New(client, table, now), table: table, bus: &eventbridgetest.Bus{}, outbox: &outbox.Outbox{},
		links: links.Config{BaseURL: "https://go.shop.example", Keys: keys, Tracking: 400 * 24 * time.Hour, Unsubscribe: 730 * 24 * time.Hour}}
	f.gate = &deliverability.Gate{Suppressions: f.store, States: f.store, Sender: "hello@shop.example", Now: now}
	f.h = &web.Preferences{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Service: &preferences.Service{
		Store: f.store, Publisher: f.bus, Sender: &send.Sender{Ledger: f.store, Mailer: f.outbox, Now: now}, Gate: f.gate,
		Links: f.links, Brand: render.Brand{ShopName: "Tea House", ShopURL: "https://shop.example", PostalAddress: "1 Leaf Street"},
		From: email.Address{Name: "Tea House", Email: "hello@shop.example"}, Now: now, Limits: preferences.DefaultLimits,
	}}
	f.h.Events = lambdaevent.Subscriptions(f.h.Service, refuse{}, f.h.Log)
	// Two customer accounts with one address, both consenting to marketing.
	for _, id := range []string{"c-1", "c-2"} {
		_, err := f.store.UpdateContact(context.Background(), id, func(c *contact.Contact) bool {
			yes := true
			return c.Apply(contact.Observation{At: t0.Add(-time.Hour), Source: "order", Customer: order.Customer{ID: id, Email: "sara@example.com", Locale: "fa-IR", MarketingConsent: &yes}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) serve(method, u, origin string, form url.Values) web.Response {
	path := strings.TrimPrefix(u, "https://go.shop.example")
	var r web.Request
	r.RawPath = path
	r.RequestContext.HTTP.Method = method
	r.Headers = map[string]string{"accept-language": "en-US,en;q=0.8"}
	if origin != "" {
		r.Headers["origin"] = origin
	}
	if form != nil {
		r.Body = form.Encode()
	}
	r.PathParameters = map[string]string{"token": path[strings.LastIndex(path, "/")+1:]}
	return f.h.Serve(context.Background(), r)
}

func (f *fixture) contact(t *testing.T, id string) *contact.Contact {
	t.Helper()
	c, err := f.store.Contact(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// refuse is a dead-letter queue that takes nothing: a test's events are all valid.
type refuse struct{}

func (refuse) Put(_ context.Context, _ string, reason error, _ []byte) error { return reason }

// deliver hands the function its own subscription requests from the bus, as the rule does.
func (f *fixture) deliver(t *testing.T) {
	t.Helper()
	evs := f.bus.Events()
	for _, ev := range evs[f.seen:] {
		detail, ok := strings.CutPrefix(ev, preferences.EventRequested+" ")
		if !ok {
			continue
		}
		payload := `{"id":"e","source":"marketing.automation","detail-type":"` + preferences.EventRequested + `","detail":` + detail + `}`
		if _, err := f.h.Invoke(context.Background(), []byte(payload)); err != nil {
			t.Fatal(err)
		}
	}
	f.seen = len(evs)
}

var oneClick = url.Values{"List-Unsubscribe": {"One-Click"}}

func TestOneClickStopsTheTopicForEveryAccountOfTheAddress(t *testing.T) {
	f := setup(t)
	unsub := f.links.For("c-1", "sale#black-friday", t0).Unsubscribe(contact.TopicSales)
	for range 50 { // prefetching scanners
		if res := f.serve("GET", unsub, "", nil); res.StatusCode != 200 || !strings.Contains(res.Body, "حراج") {
			t.Fatalf("GET: %d\n%s", res.StatusCode, res.Body)
		}
	}
	if !f.contact(t, "c-1").MayMarket(contact.TopicSales) || len(f.bus.Events()) != 0 {
		t.Fatal("GET changed something")
	}
	res := f.serve("POST", unsub, "", oneClick)
	if res.StatusCode != 200 {
		t.Fatalf("POST: %d %s", res.StatusCode, res.Body)
	}
	ctx := context.Background()
	for _, id := range []string{"c-1", "c-2"} {
		c := f.contact(t, id)
		// The next sale announcement is refused by the check before every send; the order's
		// thank-you (transactional) and other topics still go.
		if reason, _ := f.gate.Check(ctx, c, contact.TopicSales); reason != "no consent to sales email" {
			t.Errorf("%s: sale announcement allowed (%q)", id, reason)
		}
		if reason, _ := f.gate.Check(ctx, c, ""); reason != "" {
			t.Errorf("%s: transactional email stopped: %q", id, reason)
		}
		if !c.MayMarket(contact.TopicNews) {
			t.Errorf("%s: other topics stopped too", id)
		}
	}
	if len(f.bus.Events()) != 2 || !strings.Contains(f.bus.Events()[0], `"topic":"sales"`) || !strings.HasPrefix(f.bus.Events()[0], "Contact Unsubscribed ") {
		t.Errorf("events = %v", f.bus.Events())
	}
	// Replaying the POST changes nothing more.
	f.serve("POST", unsub, "", oneClick)
	if len(f.bus.Events()) != 2 {
		t.Errorf("replayed unsubscribe published again: %v", f.bus.Events())
	}
}

func TestBadUnsubscribeTokensGetTheSameAnswerAndWriteNothing(t *testing.T) {
	f := setup(t)
	good := f.links.For("c-1", "s", t0).Unsubscribe(contact.TopicSales)
	bad := good[:len(good)-2] + "xx"
	resBad := f.serve("POST", bad, "", oneClick)
	if resBad.StatusCode != 200 {
		t.Fatalf("bad token: %d", resBad.StatusCode)
	}
	if f.contact(t, "c-1").Prefs != nil || len(f.bus.Events()) != 0 {
		t.Fatal("a bad token wrote")
	}
	// A valid token for a contact whose language is unknown answers exactly like a bad one.
	other := f.links.For("c-unknown", "s", t0).Unsubscribe(contact.TopicSales)
	if resOther := f.serve("POST", other, "", oneClick); resOther.Body != resBad.Body || resOther.StatusCode != resBad.StatusCode {
		t.Errorf("answers differ:\n%s\n---\n%s", resBad.Body, resOther.Body)
	}
	// Huge and wrong-purpose tokens too.
	for _, u := range []string{
		"https://go.shop.example/u/" + strings.Repeat("k", 50000),
		strings.Replace(f.links.For("c-1", "s", t0).Preferences(), "/p/", "/u/", 1),
	} {
		if res := f.serve("POST", u, "", oneClick); res.StatusCode != 200 || res.Body != resBad.Body {
			t.Errorf("POST %.60s: %d", u, res.StatusCode)
		}
	}
	if f.contact(t, "c-1").Prefs != nil {
		t.Fatal("a refused token wrote")
	}
}

func TestPreferenceCentre(t *testing.T) {
	f := setup(t)
	prefs := f.links.For("c-1", "s", t0).Preferences()
	res := f.serve("GET", prefs, "", nil)
	if res.StatusCode != 200 || !strings.Contains(res.Body, `dir="rtl"`) || strings.Count(res.Body, `type="checkbox"`) != len(contact.Topics) || strings.Count(res.Body, " checked") != len(contact.Topics) {
		t.Fatalf("GET: %d\n%s", res.StatusCode, res.Body)
	}
	// Another site cannot post the form.
	if res := f.serve("POST", prefs, "https://evil.example", url.Values{"action": {"stop-all"}}); res.StatusCode != 403 {
		t.Errorf("cross-site POST: %d", res.StatusCode)
	}
	res = f.serve("POST", prefs, "https://go.shop.example", url.Values{"action": {"save"}, "topic": {"sales", "surveys"}})
	c := f.contact(t, "c-1")
	if res.StatusCode != 200 || !c.MayMarket("sales") || c.MayMarket("news") || c.MayMarket("greetings") || c.MayMarket("carts") || !c.MayMarket("surveys") {
		t.Fatalf("after save: %d %+v", res.StatusCode, c.Prefs)
	}
	f.serve("POST", prefs, "", url.Values{"action": {"stop-all"}})
	c = f.contact(t, "c-1")
	for _, topic := range contact.Topics {
		if c.MayMarket(topic) {
			t.Errorf("%s still on after stop-all", topic)
		}
	}
}

func TestSubscribeSendsOneConfirmation(t *testing.T) {
	f := setup(t)
	form := url.Values{"email": {"Neda@Example.com"}, "topic": {"sales"}, "locale": {"fa-IR"}}
	var first web.Response
	for i := range 3 {
		res := f.serve("POST", "https://go.shop.example/subscribe", "https://shop.example", form)
		if res.StatusCode != 200 || (i > 0 && res.Body != first.Body) {
			t.Fatalf("subscribe %d: %d\n%s", i, res.StatusCode, res.Body)
		}
		first = res
		f.deliver(t)
	}
	if n := f.outbox.Calls(); n != 1 {
		t.Fatalf("%d confirmations sent, want 1", n)
	}
	// The Persian confirmation: its button and every colour read in both schemes.
	conf := emailtest.MustParse(t, f.outbox.Messages()[0].Raw)
	if !strings.Contains(conf.HTML, `class="c-btn" style="`+render.ButtonStyle+`background-color:#18181b;color:#ffffff;`) || !strings.Contains(conf.HTML, `dir="rtl"`) {
		t.Errorf("confirmation button:\n%s", conf.HTML)
	}
	for _, p := range rendertest.ColorProblems(conf.HTML, render.Brand{}) {
		t.Error(p)
	}
	// A known customer's address answers the same, and a suppressed one gets nothing.
	if _, err := f.store.Suppress(context.Background(), deliverability.Suppression{Address: "sara@example.com", Reason: "hard bounce"}); err != nil {
		t.Fatal(err)
	}
	res := f.serve("POST", "https://go.shop.example/subscribe", "", url.Values{"email": {"sara@example.com"}, "topic": {"sales"}, "locale": {"fa-IR"}})
	f.deliver(t)
	if res.StatusCode != 200 || res.Body != first.Body || f.outbox.Calls() != 1 {
		t.Errorf("subscribe of a suppressed address: %d, %d sends\n%s", res.StatusCode, f.outbox.Calls(), res.Body)
	}
	for _, bad := range []url.Values{{"email": {"x"}}, {"email": {"a@b.example"}, "topic": {"spam"}}, {"email": {"a@b.example\r\nBcc: c@d.example"}}} {
		if res := f.serve("POST", "https://go.shop.example/subscribe", "", bad); res.StatusCode != 400 {
			t.Errorf("subscribe %v: %d", bad, res.StatusCode)
		}
	}
}

// An unsubscribe, its consent statements and its Contact Unsubscribed events are one write:
// with the bus down the customer is still unsubscribed, with the proof, and the events wait in
// the outbox until its flush publishes them, once.
func TestUnsubscribeOwesItsProofAndItsEventsAsOneUnit(t *testing.T) {
	f := setup(t)
	f.bus.Fail = func(string) error { return errors.New("PutEvents: service unavailable") }
	unsub := f.links.For("c-1", "sale#black-friday", t0).Unsubscribe(contact.TopicSales)
	if res := f.serve("POST", unsub, "", oneClick); res.StatusCode != 200 {
		t.Fatalf("POST with the bus down: %d %s", res.StatusCode, res.Body)
	}
	ctx := context.Background()
	for _, id := range []string{"c-1", "c-2"} {
		if f.contact(t, id).MayMarket(contact.TopicSales) {
			t.Errorf("%s still receives sales email", id)
		}
		out, err := dynamotest.Client(t).Query(ctx, &dynamodb.QueryInput{TableName: &f.table,
			KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :sk)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": &types.AttributeValueMemberS{Value: "CONTACT#" + id}, ":sk": &types.AttributeValueMemberS{Value: "CONSENT#"},
			}})
		if err != nil || len(out.Items) != 1 {
			t.Errorf("%s: %d consent statements (%v), want 1", id, len(out.Items), err)
		}
	}
	f.bus.Fail = nil
	relay := &bus.Relay{Publisher: f.bus, Outbox: f.store, Now: func() time.Time { return t0.Add(bus.FlushAfter + time.Second) }}
	for range 2 {
		if _, err := relay.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.bus.Count(preferences.EventUnsubscribed); n != 2 {
		t.Errorf("%d Contact Unsubscribed events after the flushes, want 2 (one per account): %v", n, f.bus.Events())
	}
}
