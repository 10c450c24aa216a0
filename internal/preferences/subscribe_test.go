package preferences_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"mime/multipart"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/deliverability/sesevent"
	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/email/emailtest"
	"shopmail/internal/preferences"
	"shopmail/internal/token"
	"shopmail/internal/web"
)

// subscribeFrom posts the shop's form from one client address.
func (f *fixture) subscribeFrom(ip string, form url.Values) web.Response {
	var r web.Request
	r.RawPath = "/subscribe"
	r.RequestContext.HTTP.Method = "POST"
	r.RequestContext.HTTP.SourceIP = ip
	r.Headers = map[string]string{"accept-language": "en-US", "content-type": "application/x-www-form-urlencoded"}
	r.Body = form.Encode()
	return f.h.Serve(context.Background(), r)
}

// Item 1: a flood of the form, from one client and from many, to bouncing addresses: at most
// the hourly budget goes out, the bounces pause confirmations only, and marketing runs on.
func TestSubscribeFloodSendsAtMostTheBudgetAndMarketingKeepsRunning(t *testing.T) {
	f := setup(t)
	var first web.Response
	for i := range 1000 {
		res := f.subscribeFrom("203.0.113.7", url.Values{"email": {fmt.Sprintf("bounce+x%d@simulator.amazonses.com", i)}, "topic": {"sales"}})
		if res.StatusCode != 200 || (i > 0 && res.Body != first.Body) {
			t.Fatalf("request %d: %d", i, res.StatusCode)
		}
		first = res
	}
	f.deliver(t)
	if n := f.outbox.Calls(); n != 1 {
		t.Fatalf("one client's 1,000 requests for one mailbox sent %d confirmations, want 1", n)
	}
	for i := range 1000 {
		ip := fmt.Sprintf("198.51.%d.%d", i/250, i%250)
		res := f.subscribeFrom(ip, url.Values{"email": {fmt.Sprintf("bounce%d@example.net", i)}, "topic": {"sales"}})
		if res.StatusCode != 200 || res.Body != first.Body {
			t.Fatalf("request %d from %s: %d", i, ip, res.StatusCode)
		}
	}
	f.deliver(t)
	budget := int(preferences.DefaultLimits.ConfirmationsPerHour)
	if n := f.outbox.Calls(); n != budget {
		t.Fatalf("%d confirmations sent in the hour, want the budget (%d)", n, budget)
	}
	// Every confirmation is sent and bounces; then a complaint.
	in := &deliverability.Ingest{Store: f.store, Publisher: f.bus, Policy: deliverability.DefaultPolicy,
		Retention: time.Hour, SoftBounceLimit: 3, SoftBounceWindow: time.Hour, Now: func() time.Time { return t0 }}
	in.Policy.MinSends = 50
	for _, m := range f.outbox.Messages() {
		tags := map[string]string{}
		for _, tag := range m.Tags {
			tags[tag.Name] = tag.Value
		}
		for _, typ := range []sesevent.Type{sesevent.Send, sesevent.Bounce, sesevent.Complaint} {
			ev := sesevent.Event{EventID: m.ID + string(typ), Type: typ, MessageID: m.ID, Sender: "hello@shop.example", SentAt: t0, At: t0,
				Tags: tags, Recipients: []string{"x@example.net"}, Bounce: &sesevent.BounceInfo{Type: "Permanent", SubType: "General"}}
			if _, err := in.Handle(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	ctx := context.Background()
	if reason, err := f.gate.Check(ctx, f.contact(t, "c-1"), contact.TopicSales); err != nil || reason != "" {
		t.Errorf("marketing to a consenting customer stopped: %q, %v", reason, err)
	}
	if reason, _ := f.gate.ConfirmationsPaused(ctx); !strings.HasPrefix(reason, "confirmations paused: ") {
		t.Errorf("confirmations not paused by their own bounces: %q", reason)
	}
	// The next hour has a budget again, but paused confirmations send nothing.
	f.h.Service.Now = func() time.Time { return t0.Add(time.Hour) }
	f.gate.Now = f.h.Service.Now
	f.subscribeFrom("192.0.2.1", url.Values{"email": {"new@example.org"}})
	f.deliver(t)
	if n := f.outbox.Calls(); n != budget {
		t.Errorf("paused confirmations sent: %d", n)
	}
	// Nothing else changed: the customers' contacts are as they were.
	if c := f.contact(t, "c-1"); c.Prefs != nil || c.Locale != "fa-IR" {
		t.Errorf("a customer changed: %+v", c)
	}
}

// Item 1: one mailbox gets one confirmation a day, whatever +tags, dots and case say.
func TestOneConfirmationPerMailboxAndDay(t *testing.T) {
	f := setup(t)
	for i, addr := range []string{"nedaali@gmail.com", "Neda.Ali@gmail.com", "n.e.d.a.a.l.i+sale@googlemail.com", "nedaali+1@gmail.com"} {
		f.subscribeFrom(fmt.Sprintf("192.0.2.%d", i), url.Values{"email": {addr}, "topic": {"sales"}})
	}
	f.subscribeFrom("192.0.2.9", url.Values{"email": {"neda+1@example.com"}, "topic": {"news"}})
	f.subscribeFrom("192.0.2.9", url.Values{"email": {"Neda+2@example.com"}, "topic": {"sales"}})
	f.deliver(t)
	if n := f.outbox.Calls(); n != 2 {
		t.Errorf("%d confirmations to two mailboxes, want 2", n)
	}
	for addr, want := range map[string]string{
		"N.E.D.A+x@Gmail.com": "neda@gmail.com", "a.b+c@example.com": "a.b@example.com", "+x@example.com": "+x@example.com",
	} {
		if got := preferences.Mailbox(addr); got != want {
			t.Errorf("Mailbox(%q) = %q, want %q", addr, got, want)
		}
	}
}

// recorder records the table operations of the request path: operation and key kind.
type recorder struct {
	dynamo.Client
	mu  sync.Mutex
	ops []string
}

func (r *recorder) add(op string, key map[string]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	pk := key["PK"]
	if i := strings.IndexByte(pk, '#'); i >= 0 {
		pk = pk[:i]
	}
	r.ops = append(r.ops, op+" "+pk)
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ops := r.ops
	r.ops = nil
	return ops
}

func keyString(k map[string]types.AttributeValue) map[string]string {
	pk, _ := k["PK"].(*types.AttributeValueMemberS)
	if pk == nil {
		return nil
	}
	return map[string]string{"PK": pk.Value}
}

func (r *recorder) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	r.add("GetItem", keyString(in.Key))
	return r.Client.GetItem(ctx, in, o...)
}

func (r *recorder) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	r.add("PutItem", keyString(in.Item))
	return r.Client.PutItem(ctx, in, o...)
}

func (r *recorder) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	r.add("UpdateItem", keyString(in.Key))
	return r.Client.UpdateItem(ctx, in, o...)
}

func (r *recorder) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	r.add("Query", nil)
	return r.Client.Query(ctx, in, o...)
}

func (r *recorder) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	r.add("TransactWriteItems", nil)
	return r.Client.TransactWriteItems(ctx, in, o...)
}

// Item 3: the request path does the same table operations and the same publishing for a
// suppressed address, a customer's, an address asked already and a new one, so that its time
// cannot tell them apart.
func TestSubscribeRequestPathIsTheSameForEveryAddress(t *testing.T) {
	f := setup(t)
	rec := &recorder{Client: dynamotest.Client(t)}
	svc := *f.h.Service
	svc.Store = dynamo.New(rec, f.table, func() time.Time { return t0 })
	h := &web.Preferences{Service: &svc, Log: f.h.Log}
	if _, err := f.store.Suppress(context.Background(), deliverability.Suppression{Address: "gone@example.com", Reason: "hard bounce"}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i, addr := range []string{"fresh@example.com", "gone@example.com", "sara@example.com", "fresh@example.com"} {
		var r web.Request
		r.RawPath, r.RequestContext.HTTP.Method, r.RequestContext.HTTP.SourceIP = "/subscribe", "POST", fmt.Sprintf("192.0.2.%d", i)
		r.Body = url.Values{"email": {addr}, "topic": {"sales"}}.Encode()
		before := len(f.bus.Events())
		if res := h.Serve(context.Background(), r); res.StatusCode != 200 {
			t.Fatalf("%s: %d", addr, res.StatusCode)
		}
		got := append(rec.take(), fmt.Sprintf("publish %d", len(f.bus.Events())-before))
		if i == 0 {
			want = got
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("request path for %s: %v; for a fresh address: %v", addr, got, want)
		}
	}
	if f.outbox.Calls() != 0 {
		t.Error("the request path sent email")
	}
}

// Item 4: a locale no language has cannot be stored, and one stored before cannot make the
// address unreachable: its confirmation goes out, and a later valid locale replaces it.
func TestJunkLocaleCannotBlockAnAddress(t *testing.T) {
	f := setup(t)
	f.subscribeFrom("192.0.2.1", url.Values{"email": {"neda@example.com"}, "locale": {`en US"><b>x`}})
	f.deliver(t)
	if f.outbox.Calls() != 1 {
		t.Fatalf("%d confirmations", f.outbox.Calls())
	}
	id := f.h.Service.SubscriberID("neda@example.com")
	if c := f.contact(t, id); c.Locale != "" {
		t.Errorf("junk locale stored: %q", c.Locale)
	}
	// A junk locale stored before (by an older version) is overwritten by the next valid one,
	// and the email goes out meanwhile.
	if _, err := f.store.UpdateContact(context.Background(), id, func(c *contact.Contact) bool { c.Locale = `en US"><b>x`; return true }); err != nil {
		t.Fatal(err)
	}
	f.h.Service.Now = func() time.Time { return t0.Add(24 * time.Hour) }
	res := f.subscribeFrom("192.0.2.1", url.Values{"email": {"neda@example.com"}, "locale": {"FA_ir"}})
	f.deliver(t)
	if res.StatusCode != 200 || f.outbox.Calls() != 2 {
		t.Fatalf("after a junk locale: %d, %d confirmations\n%s", res.StatusCode, f.outbox.Calls(), res.Body)
	}
	if c := f.contact(t, id); c.Locale != "fa-IR" {
		t.Errorf("locale = %q, want fa-IR", c.Locale)
	}
}

// Item 6: a preference-centre POST that cannot be read, or is empty, records nothing.
func TestPreferenceCentreUnreadableBodyRecordsNothing(t *testing.T) {
	f := setup(t)
	prefs := f.links.For("c-1", "s", t0).Preferences()
	tok := prefs[strings.LastIndex(prefs, "/")+1:]
	for name, body := range map[string]struct{ ct, body string }{
		"bad escape": {"application/x-www-form-urlencoded", "action=save%zz&topic=sales"},
		"empty":      {"application/x-www-form-urlencoded", ""},
		"no action":  {"application/x-www-form-urlencoded", "topic=sales"},
		"multipart":  {"multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\nsave"},
		"garbage":    {"text/plain", "\x00\x01"},
	} {
		var r web.Request
		r.RawPath, r.RequestContext.HTTP.Method, r.PathParameters = "/p/"+tok, "POST", map[string]string{"token": tok}
		r.Headers = map[string]string{"content-type": body.ct}
		r.Body = body.body
		if res := f.h.Serve(context.Background(), r); res.StatusCode != 400 {
			t.Errorf("%s: %d", name, res.StatusCode)
		}
	}
	if c := f.contact(t, "c-1"); c.Prefs != nil || len(f.bus.Events()) != 0 {
		t.Errorf("an unreadable POST recorded %+v, published %v", c.Prefs, f.bus.Events())
	}
}

// multipartBody is a form as curl -F sends it.
func multipartBody(t *testing.T, fields url.Values) (string, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.Close()
	return w.FormDataContentType(), b.String()
}

// Item 7: RFC 8058's one-click in multipart/form-data, and the preference centre's save too.
func TestOneClickAndSaveAcceptMultipart(t *testing.T) {
	f := setup(t)
	post := func(u string, fields url.Values, b64 bool) web.Response {
		path := strings.TrimPrefix(u, "https://go.shop.example")
		var r web.Request
		r.RawPath, r.RequestContext.HTTP.Method = path, "POST"
		r.PathParameters = map[string]string{"token": path[strings.LastIndex(path, "/")+1:]}
		ct, body := multipartBody(t, fields)
		r.Headers = map[string]string{"content-type": ct}
		r.Body = body
		if b64 {
			r.Body, r.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(body)), true
		}
		return f.h.Serve(context.Background(), r)
	}
	unsub := f.links.For("c-1", "sale#x", t0).Unsubscribe(contact.TopicSales)
	if res := post(unsub, url.Values{"List-Unsubscribe": {"One-Click"}}, true); res.StatusCode != 200 {
		t.Fatalf("multipart one-click: %d", res.StatusCode)
	}
	if f.contact(t, "c-1").MayMarket(contact.TopicSales) {
		t.Fatal("multipart one-click did not unsubscribe")
	}
	prefs := f.links.For("c-2", "s", t0).Preferences()
	if res := post(prefs, url.Values{"action": {"save"}, "topic": {"news"}}, false); res.StatusCode != 200 {
		t.Fatalf("multipart save: %d", res.StatusCode)
	}
	if c := f.contact(t, "c-2"); !c.MayMarket("news") || c.MayMarket("greetings") {
		t.Errorf("after multipart save: %+v", c.Prefs)
	}
	// A file part, or a body over the limit, is not a form.
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fw, _ := w.CreateFormFile("List-Unsubscribe", "x.txt")
	fw.Write([]byte("One-Click"))
	w.Close()
	var r web.Request
	tok := unsub[strings.LastIndex(unsub, "/")+1:]
	r.RawPath, r.RequestContext.HTTP.Method, r.PathParameters = "/u/"+tok, "POST", map[string]string{"token": tok}
	r.Headers, r.Body = map[string]string{"content-type": w.FormDataContentType()}, b.String()
	if res := f.h.Serve(context.Background(), r); res.StatusCode != 400 {
		t.Errorf("file part: %d", res.StatusCode)
	}
}

// Item 18: a subscriber's id and confirmation token carry no address.
func TestSubscriberTokenCarriesNoAddress(t *testing.T) {
	f := setup(t)
	f.subscribeFrom("192.0.2.1", url.Values{"email": {"Neda.Secret@Example.com"}})
	f.deliver(t)
	if f.outbox.Calls() != 1 {
		t.Fatalf("%d confirmations", f.outbox.Calls())
	}
	raw := emailtest.MustParse(t, f.outbox.Messages()[0].Raw).Text
	i := strings.Index(raw, "/s/")
	tok := strings.Fields(raw[i+3:])[0]
	c, err := f.links.Keys.Verify(tok, token.Confirm, t0)
	if err != nil {
		t.Fatalf("token %q: %v", tok, err)
	}
	payload, _ := base64.RawURLEncoding.DecodeString(tok[strings.IndexByte(tok, '.')+1:])
	for _, v := range []string{c.ContactID, c.SendKey, string(payload)} {
		if strings.Contains(strings.ToLower(v), "neda") {
			t.Errorf("token carries the address: %q", v)
		}
	}
	if !strings.HasPrefix(c.ContactID, "sub-") || c.ContactID != f.h.Service.SubscriberID("neda.secret@example.com") {
		t.Errorf("contact id %q", c.ContactID)
	}
}
