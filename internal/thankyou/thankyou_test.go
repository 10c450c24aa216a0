package thankyou_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"golang.org/x/net/html"

	"shopmail/internal/contact"
	"shopmail/internal/coupon"
	"shopmail/internal/deliverability"
	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/email"
	"shopmail/internal/email/emailtest"
	"shopmail/internal/lambdaevent"
	"shopmail/internal/links"
	"shopmail/internal/render"
	"shopmail/internal/send"
	"shopmail/internal/send/outbox"
	"shopmail/internal/thankyou"
	"shopmail/internal/token"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// deadLetters is a hand-written stand-in for the dead-letter queue.
type deadLetters struct {
	mu     sync.Mutex
	events []string
	fail   error
}

func (d *deadLetters) Put(_ context.Context, _ string, reason error, event []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fail != nil {
		return d.fail
	}
	d.events = append(d.events, reason.Error()+"\n"+string(event))
	return nil
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fixture struct {
	store  *dynamo.Store
	outbox *outbox.Outbox
	dead   *deadLetters
	clock  *clock
	invoke func(payload []byte) error
}

func settings() thankyou.Settings {
	return thankyou.Settings{Config: thankyou.Config{
		Brand: render.Brand{ShopName: "Tea House", ShopURL: "https://shop.example", SenderName: "Tea House",
			PostalAddress: "1 Leaf Street, Portland, OR 97201, USA"},
		From:         email.Address{Name: "Tea House", Email: "hello@shop.example"},
		CouponPrefix: "THANKS", CouponOffer: map[string]string{"en": "10% off your next order", "fa": "۱۰٪ تخفیف برای خرید بعدی"}, CouponValid: 60 * 24 * time.Hour,
		Links: links.Config{BaseURL: "https://go.shop.example", Keys: testKeys, Tracking: 400 * 24 * time.Hour, Unsubscribe: 730 * 24 * time.Hour},
	}}
}

var testKeys, _ = token.ParseKeys(`{"current":"k1","k1":"0123456789abcdef0123456789abcdef"}`)

// clickTarget follows a tracked link as the click endpoint does: the token names the send and
// the link index, and the send row holds the URL.
func (f *fixture) clickTarget(t *testing.T, href string) string {
	t.Helper()
	tok, ok := strings.CutPrefix(href, "https://go.shop.example/c/")
	if !ok {
		t.Fatalf("link %q is not tracked", href)
	}
	c, err := testKeys.Verify(tok, token.Click, f.clock.Now())
	if err != nil {
		t.Fatalf("link %q: %v", href, err)
	}
	rec, found, err := f.store.Send(context.Background(), c.ContactID, c.SendKey)
	if err != nil || !found {
		t.Fatalf("link %q: send %s/%s found=%v err=%v", href, c.ContactID, c.SendKey, found, err)
	}
	i, err := strconv.Atoi(c.Arg)
	if err != nil || i >= len(rec.Links) {
		t.Fatalf("link %q: index %q of %d links", href, c.Arg, len(rec.Links))
	}
	return rec.Links[i]
}

var hrefs = regexp.MustCompile(`href="([^"]*)"`)

// linksTo reports whether the HTML has a tracked link leading to target.
func (f *fixture) linksTo(t *testing.T, htmlPart, target string) bool {
	t.Helper()
	for _, m := range hrefs.FindAllStringSubmatch(htmlPart, -1) {
		if strings.HasPrefix(m[1], "https://go.shop.example/c/") && f.clickTarget(t, html.UnescapeString(m[1])) == target {
			return true
		}
	}
	return false
}

func setup(t *testing.T, s thankyou.Settings) *fixture {
	t.Helper()
	client, table := dynamotest.NewTable(t)
	f := &fixture{outbox: &outbox.Outbox{}, dead: &deadLetters{}, clock: &clock{now: time.Date(2026, 11, 22, 10, 16, 0, 0, time.UTC)}}
	f.store = dynamo.New(client, table, f.clock.Now)
	svc, err := thankyou.New(s, thankyou.Deps{Store: f.store, Mailer: f.outbox, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	h := lambdaevent.ThankYou(svc, nil, f.dead, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	// Through Lambda's own handler machinery, as the runtime calls it.
	lh := lambda.NewHandler(h)
	f.invoke = func(payload []byte) error {
		_, err := lh.Invoke(context.Background(), payload)
		return err
	}
	return f
}

func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "events", "thankyou", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *fixture) mustInvoke(t *testing.T, name string) {
	t.Helper()
	if err := f.invoke(sample(t, name)); err != nil {
		t.Fatalf("invoke %s: %v", name, err)
	}
}

// only returns the single email sent so far, parsed.
func (f *fixture) only(t *testing.T) (*emailtest.Parsed, outbox.Message) {
	t.Helper()
	msgs := f.outbox.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d emails sent, want 1", len(msgs))
	}
	return emailtest.MustParse(t, msgs[0].Raw), msgs[0]
}

func (f *fixture) sendRow(t *testing.T, contactID, orderID string) send.Record {
	t.Helper()
	rec, found, err := f.store.Send(context.Background(), contactID, "thankyou#"+orderID)
	if err != nil || !found {
		t.Fatalf("send row for %s/%s: found=%v err=%v", contactID, orderID, found, err)
	}
	return rec
}

func TestFirstOrderSendsTheWelcome(t *testing.T) {
	f := setup(t, settings())
	f.mustInvoke(t, "first-order.json")
	m, sent := f.only(t)

	if m.From.Address != "hello@shop.example" || m.From.Name != "Tea House" {
		t.Errorf("From = %v", m.From)
	}
	if m.To.Address != "sara@example.com" || m.To.Name != "Sara Ahmadi" {
		t.Errorf("To = %v", m.To)
	}
	if m.Subject != "Thank you for your first order, Sara!" {
		t.Errorf("Subject = %q", m.Subject)
	}
	for _, want := range []string{"Hi Sara,", "Order o-1001", "Green tea × 2, $24.95 each (was $29.95): $49.90", "Total: $129.90",
		"1 Leaf Street, Portland", "10% off your next order with this code: THANKS-"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text part lacks %q:\n%s", want, m.Text)
		}
	}
	if !strings.Contains(m.HTML, `<html lang="en-US" dir="ltr">`) || !f.linksTo(t, m.HTML, "https://shop.example/tea-01") {
		t.Errorf("HTML part lacks language or links:\n%.600s", m.HTML)
	}
	// With a coupon, the email is marketing: one-click unsubscribe, preference centre, address.
	unsub, err := emailtest.CheckMarketing(m)
	if err != nil || !strings.HasPrefix(unsub, "https://go.shop.example/u/") {
		t.Errorf("marketing headers: %q, %v", unsub, err)
	}
	for _, want := range []string{"Unsubscribe: https://go.shop.example/u/", "Email preferences: https://go.shop.example/p/"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text part lacks %q", want)
		}
	}
	if !strings.Contains(m.HTML, `<img src="https://go.shop.example/o/`) {
		t.Error("no open pixel")
	}
	// The first order has nothing to suggest yet: the catalogue only knows this order's products.
	if strings.Contains(m.Text, "You might also like") {
		t.Error("suggested the products just bought")
	}

	rec := f.sendRow(t, "c-42", "o-1001")
	if rec.Status != send.Sent || rec.MessageID != sent.ID || rec.To != "sara@example.com" || rec.Subject != m.Subject {
		t.Errorf("send row = %+v, want sent with message id %s", rec, sent.ID)
	}
	for name, want := range map[string]string{"kind": "thankyou", "contact": "c-42", "order": "o-1001", "send_key": send.TagValue("thankyou#o-1001")} {
		if got, _ := sent.Tag(name); got != want {
			t.Errorf("tag %s = %q, want %q", name, got, want)
		}
	}
}

func TestRepeatOrderIsShorterAndSuggestsRelatedProducts(t *testing.T) {
	f := setup(t, settings())
	f.mustInvoke(t, "first-order.json")
	f.mustInvoke(t, "repeat-order.json")
	msgs := f.outbox.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d emails, want 2", len(msgs))
	}
	m := emailtest.MustParse(t, msgs[1].Raw)
	if m.Subject != "Thanks for your order, Sara" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if strings.Contains(m.Text, "first order") || strings.Contains(m.Text, "THANKS-") {
		t.Errorf("repeat order got the welcome or a coupon:\n%s", m.Text)
	}
	// Green tea (tea, bought in the first order) is suggested to a buyer of jasmine tea.
	if !strings.Contains(m.Text, "You might also like\n- Green tea: $24.95 (was $29.95)\n  https://shop.example/tea-01") {
		t.Errorf("no suggestion of green tea:\n%s", m.Text)
	}
	if !f.linksTo(t, m.HTML, "https://shop.example/tea-01") {
		t.Error("HTML suggestion has no link")
	}
}

func TestMarketingContentNeedsConsent(t *testing.T) {
	f := setup(t, settings())
	f.mustInvoke(t, "first-order.json") // teaches the catalogue tea products
	f.mustInvoke(t, "no-consent.json")  // same products, another customer, no consent
	msgs := f.outbox.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d emails, want 2 (the thank-you goes out without consent)", len(msgs))
	}
	m := emailtest.MustParse(t, msgs[1].Raw)
	if m.To.Address != "no-marketing@example.com" || !strings.Contains(m.Text, "Total: $129.90") {
		t.Errorf("thank-you to %s:\n%s", m.To.Address, m.Text)
	}
	if strings.Contains(m.Text, "THANKS-") || strings.Contains(m.Text, "You might also like") {
		t.Errorf("marketing content without consent:\n%s", m.Text)
	}
	// A transactional email carries no marketing unsubscribe.
	if _, ok := m.Header["List-Unsubscribe"]; ok || strings.Contains(m.Text, "Unsubscribe") {
		t.Errorf("transactional thank-you has an unsubscribe: %v", m.Header)
	}
}

// After a one-click unsubscribe from the news topic (or all marketing), the next thank-you
// still goes out, without the marketing parts and without List-Unsubscribe.
func TestUnsubscribedContactStillGetsTheThankYou(t *testing.T) {
	for _, topic := range []string{contact.TopicNews, contact.TopicAll} {
		t.Run(topic, func(t *testing.T) {
			f := setup(t, settings())
			f.mustInvoke(t, "first-order.json")
			_, err := f.store.UpdateContact(context.Background(), "c-42", func(c *contact.Contact) bool {
				return c.Choose(topic, contact.Preference{On: false, At: f.clock.Now(), Source: "one-click unsubscribe"})
			})
			if err != nil {
				t.Fatal(err)
			}
			f.clock.Add(time.Hour)
			f.mustInvoke(t, "repeat-order.json") // says marketingConsent: true again
			msgs := f.outbox.Messages()
			if len(msgs) != 2 {
				t.Fatalf("%d emails, want 2", len(msgs))
			}
			m := emailtest.MustParse(t, msgs[1].Raw)
			if strings.Contains(m.Text, "You might also like") || m.Header["List-Unsubscribe"] != nil {
				t.Errorf("marketing after unsubscribe:\n%s", m.Text)
			}
			if rec := f.sendRow(t, "c-42", "o-1002"); rec.Topic != "" || rec.Status != send.Sent {
				t.Errorf("send row = %+v", rec)
			}
		})
	}
}

func TestMarketingPausedKeepsTransactionalGoing(t *testing.T) {
	f := setup(t, settings())
	if _, err := f.store.SetReputationState(context.Background(), "hello@shop.example", false,
		deliverability.State{Paused: true, Reason: "bounce rate 4.50%", Since: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	f.mustInvoke(t, "first-order.json")
	m, _ := f.only(t)
	if strings.Contains(m.Text, "THANKS-") || m.Header["List-Unsubscribe"] != nil {
		t.Errorf("marketing parts while marketing is paused:\n%s", m.Text)
	}
}

func TestCouponIsIssuedAndRecorded(t *testing.T) {
	f := setup(t, settings())
	f.mustInvoke(t, "first-order.json")
	m, _ := f.only(t)
	i := strings.Index(m.Text, "THANKS-")
	if i < 0 {
		t.Fatalf("no coupon in:\n%s", m.Text)
	}
	code := m.Text[i : i+len("THANKS-XXXX-XXXX")]
	if !strings.Contains(m.HTML, code) {
		t.Errorf("HTML part lacks coupon %s", code)
	}
	c, err := f.store.IssueCoupon(context.Background(), coupon.Coupon{Code: "PROBE", Purpose: "thankyou", OrderID: "o-1001"})
	if err != nil || c.Code != code || c.ContactID != "c-42" || !c.ExpiresAt.Equal(f.clock.Now().Add(60*24*time.Hour)) {
		t.Errorf("stored coupon = %+v, %v; want %s", c, err, code)
	}
}

func TestCouponsOffWithoutPrefix(t *testing.T) {
	s := settings()
	s.CouponPrefix = ""
	f := setup(t, s)
	f.mustInvoke(t, "first-order.json")
	m, _ := f.only(t)
	if strings.Contains(m.Text, "gift for your next order") {
		t.Errorf("coupon without a configured prefix:\n%s", m.Text)
	}
}

func TestConcurrentReplaysSendOneEmail(t *testing.T) {
	f := setup(t, settings())
	payload := sample(t, "first-order.json")
	const n = 50
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- f.invoke(payload) }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("invoke: %v", err)
		}
	}
	if calls := f.outbox.Calls(); calls != 1 {
		t.Fatalf("SES called %d times for %d replays, want 1", calls, n)
	}
	_, sent := f.only(t)
	if rec := f.sendRow(t, "c-42", "o-1001"); rec.MessageID != sent.ID {
		t.Errorf("send row message id %q, want %q", rec.MessageID, sent.ID)
	}
}

func TestReplayDaysLaterSendsNothing(t *testing.T) {
	f := setup(t, settings())
	f.mustInvoke(t, "first-order.json")
	f.clock.Add(72 * time.Hour)
	f.mustInvoke(t, "first-order.json")
	if f.outbox.Calls() != 1 {
		t.Errorf("SES called %d times, want 1", f.outbox.Calls())
	}
}

func TestInvalidEventsAreDeadLetteredAndSendNothing(t *testing.T) {
	tests := map[string]string{
		"invalid-missing-email.json":       "customer.email is required",
		"invalid-missing-order-id.json":    "orderId is required",
		"invalid-missing-customer-id.json": "customer.id is required",
		"invalid-email-address.json":       "customer.email",
		"invalid-negative-quantity.json":   "items[0].quantity",
		"invalid-crlf-in-name.json":        "customer.firstName",
		"invalid-malformed-json.json":      "not an EventBridge event",
	}
	for name, reason := range tests {
		t.Run(name, func(t *testing.T) {
			f := setup(t, settings())
			if err := f.invoke(sample(t, name)); err != nil {
				t.Fatalf("invalid event returned an error (Lambda would retry it): %v", err)
			}
			if f.outbox.Calls() != 0 {
				t.Error("an email was sent")
			}
			if len(f.dead.events) != 1 || !strings.Contains(f.dead.events[0], reason) {
				t.Fatalf("dead letters = %q, want one naming %q", f.dead.events, reason)
			}
			if !strings.Contains(f.dead.events[0], `"id":"bad`) && !strings.Contains(f.dead.events[0], `"id": "bad`) {
				t.Error("the dead letter does not hold the original event")
			}
			c, err := f.store.Contact(context.Background(), "c-42")
			if err != nil || c.Version != 0 {
				t.Errorf("contact written for an invalid event: %+v %v", c, err)
			}
		})
	}
}

// A message that cannot be built (here: a sender name the MIME builder refuses) is
// dead-lettered at once; retrying would fail the same way.
func TestUnbuildableMessageIsDeadLettered(t *testing.T) {
	s := settings()
	s.From.Name = "Tea =?House"
	f := setup(t, s)
	if err := f.invoke(sample(t, "first-order.json")); err != nil {
		t.Fatalf("returned %v: Lambda would retry an event that can never be sent", err)
	}
	if f.outbox.Calls() != 0 || len(f.dead.events) != 1 || !strings.Contains(f.dead.events[0], "from.name") {
		t.Errorf("calls=%d dead letters=%q", f.outbox.Calls(), f.dead.events)
	}
}

// An order id belongs to one customer: the same order with another customer id sends
// nothing, changes no contact, and is dead-lettered.
func TestOrderIDReusedForAnotherCustomerIsRejected(t *testing.T) {
	f := setup(t, settings())
	f.mustInvoke(t, "first-order.json")
	other := strings.NewReplacer(`"id": "c-42"`, `"id": "c-43"`, "sara@example.com", "eve@example.com").Replace(string(sample(t, "first-order.json")))
	if err := f.invoke([]byte(other)); err != nil {
		t.Fatal(err)
	}
	if f.outbox.Calls() != 1 {
		t.Errorf("%d emails, want only the first customer's", f.outbox.Calls())
	}
	if len(f.dead.events) != 1 || !strings.Contains(f.dead.events[0], "order o-1001 belongs to customer c-42, not c-43") {
		t.Errorf("dead letters = %q", f.dead.events)
	}
	if c, _ := f.store.Contact(context.Background(), "c-43"); c.Version != 0 {
		t.Errorf("contact c-43 was written: %+v", c)
	}
}

// An account-level refusal (expired credentials, sending paused) sends nothing and must
// not be recorded as final: the claim is released and the event retried.
func TestAccountRefusalIsRetried(t *testing.T) {
	f := setup(t, settings())
	f.outbox.Fail = func(int) error { return fmt.Errorf("ExpiredTokenException: %w", send.ErrUnavailable) }
	if err := f.invoke(sample(t, "first-order.json")); !errors.Is(err, send.ErrUnavailable) {
		t.Fatalf("err = %v, want the refusal so that Lambda retries", err)
	}
	if _, found, _ := f.store.Send(context.Background(), "c-42", "thankyou#o-1001"); found {
		t.Fatal("claim kept: the retry would send nothing")
	}
	f.outbox.Fail = nil
	f.mustInvoke(t, "first-order.json")
	f.only(t)
}

func TestWrongDetailTypeIsDeadLettered(t *testing.T) {
	f := setup(t, settings())
	ev := strings.Replace(string(sample(t, "first-order.json")), `"Order Placed"`, `"Order Shipped"`, 1)
	if err := f.invoke([]byte(ev)); err != nil {
		t.Fatal(err)
	}
	if f.outbox.Calls() != 0 || len(f.dead.events) != 1 {
		t.Errorf("calls=%d dead=%d", f.outbox.Calls(), len(f.dead.events))
	}
}

func TestDeadLetterQueueDownMeansRetry(t *testing.T) {
	f := setup(t, settings())
	f.dead.fail = errors.New("queue unavailable")
	if err := f.invoke(sample(t, "invalid-missing-email.json")); err == nil {
		t.Error("event neither dead-lettered nor retried")
	}
}

func TestPersianCustomer(t *testing.T) {
	f := setup(t, settings())
	f.mustInvoke(t, "persian-customer.json")
	m, _ := f.only(t)
	if m.Subject != "مریم عزیز، از اولین خرید شما سپاسگزاریم!" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if m.To.Name != "مریم رضایی" {
		t.Errorf("To name = %q", m.To.Name)
	}
	doc := parseHTML(t, m.HTML)
	root := findElement(doc, func(n *html.Node) bool { return n.Data == "html" })
	if attr(root, "lang") != "fa-IR" || attr(root, "dir") != "rtl" {
		t.Errorf("<html> lang=%q dir=%q, want fa-IR rtl", attr(root, "lang"), attr(root, "dir"))
	}
	// Mail clients that drop the dir attribute still need the card aligned right.
	card := findElement(doc, func(n *html.Node) bool { return slices.Contains(strings.Fields(attr(n, "class")), "card") })
	if attr(card, "dir") != "rtl" || !strings.Contains(attr(card, "style"), "text-align:right") {
		t.Errorf("card dir=%q style=%q", attr(card, "dir"), attr(card, "style"))
	}
	for _, want := range []string{"۱۲٬۵۰۰٬۰۰۰\u00a0ریال", "زعفران ممتاز ۴ گرمی × ۲", "۱ آذر ۱۴۰۵", "جمع کل", "۱۰٪ تخفیف برای خرید بعدی با این کد: THANKS-"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text part lacks %q:\n%s", want, m.Text)
		}
	}
	if got := m.Header.Get("Content-Language"); got != "fa-IR" {
		t.Errorf("Content-Language = %q", got)
	}
}

func TestNamesAreEscaped(t *testing.T) {
	f := setup(t, settings())
	f.mustInvoke(t, "html-in-names.json")
	m, _ := f.only(t)
	// Parse the HTML as a mail client would: the names must be text, not elements.
	doc := parseHTML(t, m.HTML)
	if n := findElement(doc, func(n *html.Node) bool { return n.Data == "script" || attr(n, "onerror") != "" }); n != nil {
		t.Fatalf("HTML part has a <%s> element from the order", n.Data)
	}
	text := textOf(doc)
	for _, want := range []string{"<script>alert(1)</script>", "<img src=x onerror=alert(1)>"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page does not show %q as text", want)
		}
	}
	if !strings.Contains(m.Subject, "<script>alert(1)</script>") {
		t.Errorf("subject %q does not show the name as text", m.Subject)
	}
}

func TestHugeOrderStillRenders(t *testing.T) {
	f := setup(t, settings())
	f.mustInvoke(t, "huge-item-list.json")
	m, _ := f.only(t)
	if !strings.Contains(m.Text, "Sample item 19 × 1") || strings.Contains(m.Text, "Sample item 20 ×") {
		t.Error("does not list exactly the first 20 items")
	}
	if !strings.Contains(m.Text, "…and 980 more items") || !strings.Contains(m.Text, "Total: $100.00") {
		t.Errorf("no count of the rest or wrong total:\n%s", m.Text)
	}
}

func TestUnknownFieldsAreIgnored(t *testing.T) {
	f := setup(t, settings())
	f.mustInvoke(t, "unknown-fields.json")
	f.only(t)
}

func TestThrottlingIsRetriedByTheNextAttempt(t *testing.T) {
	f := setup(t, settings())
	f.outbox.Fail = func(call int) error {
		if call == 1 {
			return fmt.Errorf("rate exceeded: %w", send.ErrThrottled)
		}
		return nil
	}
	if err := f.invoke(sample(t, "first-order.json")); !errors.Is(err, send.ErrThrottled) {
		t.Fatalf("err = %v, want the throttling error so that Lambda retries", err)
	}
	if _, found, _ := f.store.Send(context.Background(), "c-42", "thankyou#o-1001"); found {
		t.Fatal("claim of a throttled send was kept: the retry would send nothing")
	}
	f.mustInvoke(t, "first-order.json") // Lambda's retry
	f.only(t)
	if rec := f.sendRow(t, "c-42", "o-1001"); rec.Status != send.Sent {
		t.Errorf("status = %s", rec.Status)
	}
}

func TestAmbiguousFailureIsNotRetried(t *testing.T) {
	f := setup(t, settings())
	f.outbox.Fail = func(int) error { return errors.New("read tcp: connection reset by peer") }
	f.mustInvoke(t, "first-order.json") // no error: a retry could send a second email
	rec := f.sendRow(t, "c-42", "o-1001")
	if rec.Status != send.Unknown || !strings.Contains(rec.Reason, "connection reset") {
		t.Errorf("send row = %+v, want unknown", rec)
	}
	f.outbox.Fail = nil
	f.mustInvoke(t, "first-order.json")
	if len(f.outbox.Messages()) != 0 {
		t.Error("an unknown send was retried blindly")
	}
}

func TestRejectedSendIsRecorded(t *testing.T) {
	f := setup(t, settings())
	f.outbox.Fail = func(int) error { return fmt.Errorf("MessageRejected: %w", send.ErrRejected) }
	f.mustInvoke(t, "first-order.json")
	if rec := f.sendRow(t, "c-42", "o-1001"); rec.Status != send.Failed {
		t.Errorf("status = %s, want failed", rec.Status)
	}
}

func TestSuppressedAddressGetsNothing(t *testing.T) {
	f := setup(t, settings())
	_, err := f.store.Suppress(context.Background(), deliverability.Suppression{Address: "Sara@Example.com", Reason: deliverability.ReasonBounce})
	if err != nil {
		t.Fatal(err)
	}
	f.mustInvoke(t, "first-order.json")
	if f.outbox.Calls() != 0 {
		t.Fatal("email sent to a suppressed address")
	}
	rec := f.sendRow(t, "c-42", "o-1001")
	if rec.Status != send.Skipped || !strings.Contains(rec.Reason, "hard bounce") {
		t.Errorf("send row = %+v", rec)
	}
}

func TestContactAndOrderAreRecorded(t *testing.T) {
	f := setup(t, settings())
	f.mustInvoke(t, "first-order.json")
	f.mustInvoke(t, "repeat-order.json")
	ctx := context.Background()
	c, err := f.store.Contact(ctx, "c-42")
	if err != nil {
		t.Fatal(err)
	}
	if c.Email != "sara@example.com" || !c.Consent.Marketing || c.Consent.Source != "order o-1002" || c.FirstOrderID != "o-1001" {
		t.Errorf("contact = %+v", c)
	}
	ids, err := f.store.OrderIDs(ctx, "c-42")
	if err != nil || strings.Join(ids, ",") != "o-1001,o-1002" {
		t.Errorf("orders = %v %v", ids, err)
	}
	byEmail, err := f.store.ContactsByEmail(ctx, "SARA@example.com")
	if err != nil || len(byEmail) != 1 || byEmail[0] != "c-42" {
		t.Errorf("contacts by email = %v %v", byEmail, err)
	}
}

func TestOutOfOrderEventsDoNotOverwriteNewerData(t *testing.T) {
	f := setup(t, settings())
	// The repeat order (later) arrives first, with a new name; then the first order arrives.
	later := strings.Replace(string(sample(t, "repeat-order.json")), `"firstName": "Sara"`, `"firstName": "Sarah"`, 1)
	if err := f.invoke([]byte(later)); err != nil {
		t.Fatal(err)
	}
	f.mustInvoke(t, "first-order.json")
	c, _ := f.store.Contact(context.Background(), "c-42")
	if c.FirstName != "Sarah" {
		t.Errorf("older event overwrote the newer name: %q", c.FirstName)
	}
}

// An order dated in the future must not outrank what later orders say about the customer.
func TestFutureDatedOrderDoesNotFreezeTheContact(t *testing.T) {
	f := setup(t, settings())
	future := strings.Replace(string(sample(t, "first-order.json")), "2026-11-22T10:15:00Z", "2099-01-01T00:00:00Z", 1)
	if err := f.invoke([]byte(future)); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(10 * 24 * time.Hour) // the repeat order is placed on 1 December
	later := strings.NewReplacer("sara@example.com", "sara@new.example", `"marketingConsent": true`, `"marketingConsent": false`).
		Replace(string(sample(t, "repeat-order.json")))
	if err := f.invoke([]byte(later)); err != nil {
		t.Fatal(err)
	}
	c, _ := f.store.Contact(context.Background(), "c-42")
	if c.Email != "sara@new.example" || c.Consent.Marketing {
		t.Errorf("contact = %s, consent %v: the future-dated order still wins", c.Email, c.Consent.Marketing)
	}
	msgs := f.outbox.Messages()
	m := emailtest.MustParse(t, msgs[len(msgs)-1].Raw)
	if m.To.Address != "sara@new.example" || strings.Contains(m.Text, "You might also like") {
		t.Errorf("second email to %s with marketing content after consent was withdrawn:\n%s", m.To.Address, m.Text)
	}
}

// The welcome goes out once per contact, with the first order processed. When an earlier
// order arrives after a later one (out of order), it gets the shorter note: one welcome and
// one coupon per customer matter more than which order carries them.
func TestWelcomeGoesOutOnceWhenOrdersArriveOutOfOrder(t *testing.T) {
	f := setup(t, settings())
	f.mustInvoke(t, "repeat-order.json")
	f.mustInvoke(t, "first-order.json")
	msgs := f.outbox.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d emails", len(msgs))
	}
	first, second := emailtest.MustParse(t, msgs[0].Raw), emailtest.MustParse(t, msgs[1].Raw)
	if first.Subject != "Thank you for your first order, Sara!" || second.Subject != "Thanks for your order, Sara" {
		t.Errorf("subjects %q then %q", first.Subject, second.Subject)
	}
	if strings.Count(first.Text+second.Text, "THANKS-") != 1 {
		t.Error("not exactly one coupon")
	}
}

// Two different first orders of a new customer, at the same time: one welcome.
func TestConcurrentFirstOrdersGiveOneWelcome(t *testing.T) {
	f := setup(t, settings())
	a, b := sample(t, "first-order.json"), sample(t, "repeat-order.json")
	var wg sync.WaitGroup
	for _, p := range [][]byte{a, b} {
		wg.Add(1)
		go func() { defer wg.Done(); _ = f.invoke(p) }()
	}
	wg.Wait()
	welcomes := 0
	for _, m := range f.outbox.Messages() {
		if strings.Contains(emailtest.MustParse(t, m.Raw).Subject, "first order") {
			welcomes++
		}
	}
	if len(f.outbox.Messages()) != 2 || welcomes != 1 {
		t.Errorf("%d emails, %d welcomes; want 2 and 1", len(f.outbox.Messages()), welcomes)
	}
}

// A coupon issued here is recorded as redeemed by the first order that uses it; a second
// order using it is noticed, not recorded over the first.
func TestCouponRedemptionIsRecordedOnce(t *testing.T) {
	f := setup(t, settings())
	f.mustInvoke(t, "first-order.json")
	m, _ := f.only(t)
	i := strings.Index(m.Text, "THANKS-")
	code := m.Text[i : i+len("THANKS-XXXX-XXXX")]
	use := func(orderID string) {
		t.Helper()
		ev := strings.NewReplacer(`"WELCOME10"`, `"`+code+`"`, `"o-1002"`, `"`+orderID+`"`).Replace(string(sample(t, "repeat-order.json")))
		if err := f.invoke([]byte(ev)); err != nil {
			t.Fatal(err)
		}
	}
	use("o-1002")
	use("o-1003")
	c, err := f.store.IssueCoupon(context.Background(), coupon.Coupon{Code: "PROBE", Purpose: "thankyou", OrderID: "o-1001"})
	if err != nil || c.Code != code || c.RedeemedBy != "o-1002" {
		t.Errorf("coupon = %+v, %v; want %s redeemed by o-1002", c, err, code)
	}
	cp, found, err := f.store.RedeemCoupon(context.Background(), code, "o-1003", time.Now())
	if err != nil || !found || cp.RedeemedBy != "o-1002" {
		t.Errorf("second use: %+v found=%v err=%v", cp, found, err)
	}
}

// An order with many products of a category still gets suggestions from it: the products it
// just taught the catalogue must not fill the window read.
func TestSuggestionsReadPastTheOrdersOwnProducts(t *testing.T) {
	f := setup(t, settings())
	f.mustInvoke(t, "first-order.json") // teaches green tea (tea)
	f.clock.Add(time.Hour)
	var items []string
	for i := 0; i < 12; i++ {
		items = append(items, fmt.Sprintf(`{"sku": "T-%02d", "name": "Tea %02d", "category": "tea", "quantity": 1, "unitPrice": 5, "url": "https://shop.example/t-%02d"}`, i, i, i))
	}
	ev := string(sample(t, "repeat-order.json"))
	start, end := strings.Index(ev, `"items": [`), strings.Index(ev, `"couponCode"`)
	ev = ev[:start] + `"items": [` + strings.Join(items, ",") + `], ` + ev[end:]
	if err := f.invoke([]byte(ev)); err != nil {
		t.Fatal(err)
	}
	m := emailtest.MustParse(t, f.outbox.Messages()[1].Raw)
	if !strings.Contains(m.Text, "You might also like\n- Green tea") {
		t.Errorf("no suggestion from the category:\n%s", m.Text)
	}
}

func parseHTML(t *testing.T, s string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// findElement returns the first element, depth first, for which match is true, or nil.
func findElement(n *html.Node, match func(*html.Node) bool) *html.Node {
	if n.Type == html.ElementNode && match(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if found := findElement(c, match); found != nil {
			return found
		}
	}
	return nil
}

func attr(n *html.Node, name string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// textOf returns the text a reader sees: every text node outside <style> and <title>.
func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	if n.Type == html.ElementNode && (n.Data == "style" || n.Data == "title") {
		return ""
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c))
	}
	return b.String()
}
