package cart_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"shopmail/internal/calendar"
	"shopmail/internal/cart"
	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/email"
	"shopmail/internal/email/emailtest"
	"shopmail/internal/links"
	"shopmail/internal/money"
	"shopmail/internal/order"
	"shopmail/internal/render"
	"shopmail/internal/send"
	"shopmail/internal/send/outbox"
	"shopmail/internal/token"
	"shopmail/internal/tracking"
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
	store  *dynamo.Store
	sched  *schedules
	outbox *outbox.Outbox
	now    time.Time
	plan   *cart.Planner
	send   *cart.Sending
	fired  map[string]time.Time // every schedule ever made, to fire deleted ones too
}

// t0 is a Sunday evening in New York (18:00 EST).
var t0 = time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)

func setup(t *testing.T) *fixture {
	t.Helper()
	client, table := dynamotest.NewTable(t)
	f := &fixture{sched: &schedules{at: map[string]time.Time{}, in: map[string][]byte{}}, outbox: &outbox.Outbox{}, now: t0, fired: map[string]time.Time{}}
	now := func() time.Time { return f.now }
	f.store = dynamo.New(client, table, now)
	keys, _ := token.ParseKeys(`{"current":"k1","k1":"0123456789abcdef0123456789abcdef"}`)
	cfg := cart.Config{After: 4 * time.Hour, SecondAfter: 24 * time.Hour, Throttle: 7 * 24 * time.Hour, ConsentRequired: true,
		Quiet: calendar.QuietHours{Start: 21, End: 8}, ShopTimezone: "UTC", RecoveryWindow: 7 * 24 * time.Hour,
		CouponPrefix: "COMEBACK", CouponOffer: map[string]string{"en": "10% off this order", "fa": "۱۰٪ تخفیف"}, CouponValid: 30 * 24 * time.Hour,
		Brand: render.Brand{ShopName: "Tea House", ShopURL: "https://shop.example", SenderName: "Tea House", PostalAddress: "1 Leaf Street"},
		From:  email.Address{Name: "Tea House", Email: "hello@shop.example"},
		Links: links.Config{BaseURL: "https://go.shop.example", Keys: keys, Tracking: 400 * 24 * time.Hour, Unsubscribe: 730 * 24 * time.Hour}}
	f.plan = &cart.Planner{Config: cfg, Store: f.store, Scheduler: f.sched, Now: now}
	f.send = &cart.Sending{Config: cfg, Store: f.store, Coupons: f.store, Now: now,
		Sender: &send.Sender{Ledger: f.store, Mailer: f.outbox, Now: now},
		Gate:   &deliverability.Gate{Suppressions: f.store, States: f.store, Sender: cfg.From.Email, Now: now}}
	return f
}

func money2(s string) money.Decimal { d, _ := money.ParseDecimal(s); return d }

// report is a cart of contactID updated at at, with two items.
func report(contactID, cartID string, at time.Time, consent bool) order.Cart {
	regular := money2("15.00")
	return order.Cart{ID: cartID, UpdatedAt: at, Currency: "USD", Total: money2("49.90"), URL: "https://shop.example/cart/" + cartID,
		Customer: order.Customer{ID: contactID, Email: contactID + "@example.com", FirstName: "Sara", Locale: "en-US", Timezone: "America/New_York", MarketingConsent: &consent},
		Items: []order.Item{
			{SKU: "TEA-GRN-100", Name: "Green Tea, 100 g", Quantity: 2, UnitPrice: money2("12.50"), RegularPrice: &regular,
				URL: "https://shop.example/p/green-tea", ImageURL: "https://shop.example/img/green-tea.jpg"},
			{SKU: "CUP-CER-01", Name: "Ceramic Cup", Quantity: 1, UnitPrice: money2("24.90")},
		}}
}

func (f *fixture) updated(t *testing.T, c order.Cart) {
	t.Helper()
	if err := f.plan.Updated(context.Background(), c); err != nil {
		t.Fatalf("updated: %v", err)
	}
	for name, at := range f.sched.at {
		f.fired[name] = at
	}
}

func (f *fixture) placed(t *testing.T, o order.Order) {
	t.Helper()
	if err := f.plan.Placed(context.Background(), o); err != nil {
		t.Fatalf("placed: %v", err)
	}
}

// fire runs every schedule made so far (deleted ones too, as a late delivery would) that is
// due by now, the way Scheduler invokes the cartsend function.
func (f *fixture) fire(t *testing.T) {
	t.Helper()
	for name, at := range f.fired {
		if at.After(f.now) {
			continue
		}
		in := f.sched.in[name]
		var d cart.Due
		json.Unmarshal(in, &d)
		if _, err := f.send.Send(context.Background(), d); err != nil {
			t.Fatalf("send %s: %v", in, err)
		}
	}
}

func (f *fixture) pending() []string {
	var out []string
	for name, at := range f.sched.at {
		out = append(out, name+"@"+at.Format(time.RFC3339))
	}
	return out
}

func (f *fixture) cart(t *testing.T, contactID, cartID string) cart.Cart {
	t.Helper()
	c, found, err := f.store.Cart(context.Background(), contactID, cartID)
	if err != nil || !found {
		t.Fatalf("cart %s: %v %v", cartID, found, err)
	}
	return c
}

// A cart left without an order: its reminder at the first waking hour after 4 hours, the items
// as a mail client shows them, exactly once however often the schedule fires.
func TestReminderOnceAtAWakingHour(t *testing.T) {
	f := setup(t)
	f.updated(t, report("c-1", "k-1", t0, true))
	f.updated(t, report("c-1", "k-1", t0, true)) // replayed
	// 18:00 in New York + 4 hours is 22:00, in the quiet hours: 08:00 the next morning (13:00Z).
	var first, second time.Time
	for _, at := range f.sched.at {
		if at.Before(t0.Add(20 * time.Hour)) {
			first = at
		} else {
			second = at
		}
	}
	if len(f.sched.at) != 2 || first.Format(time.RFC3339) != "2026-11-23T13:00:00Z" || second.Format(time.RFC3339) != "2026-11-23T23:00:00Z" {
		t.Fatalf("schedules: %v", f.pending())
	}
	f.now = first
	for range 3 {
		f.fire(t) // the second step is not due: its cart fires it at its time only
	}
	msgs := f.outbox.Messages()
	if len(msgs) < 1 {
		t.Fatal("no reminder")
	}
	m := emailtest.MustParse(t, msgs[0].Raw)
	if m.Subject != "You left something in your cart at Tea House" || m.To.Address != "c-1@example.com" {
		t.Errorf("reminder %q to %s", m.Subject, m.To.Address)
	}
	for _, want := range []string{"Green Tea, 100 g", "Ceramic Cup", "$49.90", "<s ", "$15.00", ">Return to your cart</a>"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("the reminder lacks %q:\n%s", want, m.HTML)
		}
	}
	if !regexp.MustCompile(`<a href="https://go.shop.example/c/[^"]+"[^>]*>Return to your cart</a>`).MatchString(m.HTML) {
		t.Error("the button back to the cart is not tracked")
	}
	if _, err := emailtest.CheckMarketing(m); err != nil {
		t.Errorf("reminder headers: %v", err)
	}
	if !strings.Contains(m.Text, "Return to your cart: https://shop.example/cart/k-1") {
		t.Errorf("text part:\n%s", m.Text)
	}
	c := f.cart(t, "c-1", "k-1")
	if !c.Abandoned || c.Reminded != 1 || c.Status != cart.Open {
		t.Errorf("cart after the reminder: %+v", c)
	}
}

// The second reminder, a day later, carries the customer's own single-use coupon; a replay
// sends it once and issues one coupon.
func TestSecondReminderCarriesACoupon(t *testing.T) {
	f := setup(t)
	f.updated(t, report("c-1", "k-1", t0, true))
	f.now = t0.Add(25 * time.Hour)
	f.fire(t)
	f.fire(t)
	msgs := f.outbox.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d emails, want the two reminders", len(msgs))
	}
	m := emailtest.MustParse(t, msgs[1].Raw)
	code := regexp.MustCompile(`COMEBACK-[A-Z0-9]{4}-[A-Z0-9]{4}`).FindString(m.Text)
	if m.Subject != "Your cart at Tea House is still waiting" || code == "" || !strings.Contains(m.HTML, code) || !strings.Contains(m.Text, "10% off this order") {
		t.Fatalf("second reminder %q, coupon %q:\n%s", m.Subject, code, m.Text)
	}
	if first := emailtest.MustParse(t, msgs[0].Raw); strings.Contains(first.Text, "COMEBACK-") {
		t.Error("the first reminder carries a coupon")
	}
	if c := f.cart(t, "c-1", "k-1"); c.Reminded != 2 {
		t.Errorf("cart: %+v", c)
	}
}

// What stops a reminder: an order (by the cart's id, or the customer's order after the cart),
// a newer update (which restarts the clock), an emptied cart, an opt-out of the topic, a
// suppressed address, no consent; replayed and out-of-order events send nothing twice.
func TestWhatStopsAReminder(t *testing.T) {
	ctx := context.Background()
	yes := true
	cases := map[string]struct {
		run  func(t *testing.T, f *fixture)
		sent int
		why  string // the send row's reason when nothing went
	}{
		"an order naming the cart": {run: func(t *testing.T, f *fixture) {
			f.placed(t, order.Order{ID: "o-1", CartID: "k-1", PlacedAt: t0.Add(time.Hour), Currency: "USD", Total: money2("49.90"), Customer: order.Customer{ID: "c-1"}})
		}},
		"the customer's order after the cart": {run: func(t *testing.T, f *fixture) {
			f.placed(t, order.Order{ID: "o-1", PlacedAt: t0.Add(time.Hour), Currency: "USD", Total: money2("10"), Customer: order.Customer{ID: "c-1"}})
		}},
		"an order first, then the cart's events": {run: func(t *testing.T, f *fixture) {}},
		"an emptied cart": {run: func(t *testing.T, f *fixture) {
			f.now = t0.Add(time.Hour)
			c := report("c-1", "k-1", f.now, true)
			c.Items = nil
			f.updated(t, c)
		}},
		"an opt-out of cart reminders": {run: func(t *testing.T, f *fixture) {
			f.store.UpdateContact(ctx, "c-1", func(c *contact.Contact) bool {
				return c.Choose(contact.TopicCarts, contact.Preference{On: false, At: t0.Add(time.Hour), Source: "preference centre"})
			})
		}, why: "no consent to carts email"},
		"a suppressed address": {run: func(t *testing.T, f *fixture) {
			f.store.Suppress(ctx, deliverability.Suppression{Address: "c-1@example.com", Reason: deliverability.ReasonComplaint, At: t0})
		}, why: "address suppressed: complaint"},
		"no consent": {run: func(t *testing.T, f *fixture) {
			f.now = t0.Add(time.Minute)
			f.updated(t, report("c-1", "k-1", f.now, false))
		}, why: "no consent to carts email"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := setup(t)
			if name == "an order first, then the cart's events" {
				f.placed(t, order.Order{ID: "o-1", CartID: "k-1", PlacedAt: t0.Add(time.Hour), Currency: "USD", Total: money2("49.90"), Customer: order.Customer{ID: "c-1"}})
			}
			f.updated(t, report("c-1", "k-1", t0, yes))
			tc.run(t, f)
			f.now = t0.Add(48 * time.Hour)
			f.fire(t)
			if n := len(f.outbox.Messages()); n != tc.sent {
				t.Fatalf("%d reminders, want %d", n, tc.sent)
			}
			rec, found, _ := f.store.Send(ctx, "c-1", cart.SendKey("k-1", 1))
			if tc.why != "" && (!found || rec.Status != send.Skipped || rec.Reason != tc.why) {
				t.Errorf("send row %+v (found %v), want skipped: %s", rec, found, tc.why)
			}
			if tc.why == "" && found {
				t.Errorf("a send row for a stopped cart: %+v", rec)
			}
		})
	}
}

// A newer update restarts the clock: the old schedules are deleted (and send nothing if they
// fire), the new ones are 4 hours after it; an older report arriving late changes nothing.
func TestUpdateRestartsTheClock(t *testing.T) {
	f := setup(t)
	f.updated(t, report("c-1", "k-1", t0.Add(-10*time.Hour), true)) // 08:00 in New York
	later := report("c-1", "k-1", t0.Add(-8*time.Hour), true)       // 10:00
	later.Items[0].Quantity = 3
	f.updated(t, later)
	f.updated(t, report("c-1", "k-1", t0.Add(-9*time.Hour), true)) // late and older: ignored
	if len(f.sched.del) != 2 {
		t.Errorf("deleted %v, want the first report's two", f.sched.del)
	}
	if p := f.pending(); len(p) != 2 || !strings.Contains(strings.Join(p, " "), "@2026-11-22T19:00:00Z") {
		t.Fatalf("pending: %v, want 14:00 in New York (19:00Z)", p)
	}
	f.now = t0.Add(-5 * time.Hour) // the first report's reminder time: nothing
	f.fire(t)
	if n := len(f.outbox.Messages()); n != 0 {
		t.Fatalf("%d reminders before the newer report's time", n)
	}
	f.now = t0.Add(-4 * time.Hour)
	f.fire(t)
	msgs := f.outbox.Messages()
	if len(msgs) != 1 || !strings.Contains(emailtest.MustParse(t, msgs[0].Raw).Text, "3 × Green Tea") {
		t.Fatalf("%d reminders; want one with the newer cart", len(msgs))
	}
}

// At most one cart's reminders per customer per 7 days: a second cart's reminder two days
// after the first is skipped, with the reason.
func TestThrottle(t *testing.T) {
	f := setup(t)
	f.updated(t, report("c-1", "k-1", t0, true))
	f.now = t0.Add(15 * time.Hour)
	f.fire(t)
	f.updated(t, report("c-1", "k-2", f.now.Add(48*time.Hour), true))
	f.now = f.now.Add(60 * time.Hour)
	f.fire(t)
	rec, _, _ := f.store.Send(context.Background(), "c-1", cart.SendKey("k-2", 1))
	if rec.Status != send.Skipped || !strings.HasPrefix(rec.Reason, "cart reminder throttle: one cart per 7 days") {
		t.Errorf("second cart's reminder: %+v", rec)
	}
}

// The numbers against a history computed by hand:
//
//	k-1 reminded, ordered with its id               recovered, 49.90 USD
//	k-2 reminded, clicked, ordered without an id     recovered, 30 USD
//	k-3 reminded, not clicked, ordered without id    ordered, not recovered
//	k-4 ordered before its reminder                  not abandoned
//	k-5 no consent: due, not sent                    abandoned, not reminded
//	k-6 reminded, ordered with its id, in EUR        recovered, 20 EUR
//
// so 6 carts, 5 abandoned, 4 reminded, 4 reminders sent (no second reminder: its hour did not
// come), 5 ordered, 3 recovered (75% of the reminded), 79.90 USD and 20 EUR.
func TestRecoveredNumbers(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	for i := 1; i <= 6; i++ {
		c := report(fmt.Sprintf("c-%d", i), fmt.Sprintf("k-%d", i), t0, i != 5)
		f.updated(t, c)
	}
	f.placed(t, order.Order{ID: "o-4", CartID: "k-4", PlacedAt: t0.Add(time.Hour), Currency: "USD", Total: money2("49.90"), Customer: order.Customer{ID: "c-4"}})
	f.now = t0.Add(15 * time.Hour) // the first reminders, not the second
	f.fire(t)
	f.store.RecordHit(ctx, tracking.Hit{Kind: tracking.Click, ContactID: "c-2", SendKey: cart.SendKey("k-2", 1), Stats: cart.Kind,
		Link: "0", URL: "https://shop.example/cart/k-2", At: f.now.Add(time.Hour), Class: tracking.Human, Expires: f.now.Add(400 * 24 * time.Hour)})
	at := f.now.Add(2 * time.Hour)
	f.placed(t, order.Order{ID: "o-1", CartID: "k-1", PlacedAt: at, Currency: "USD", Total: money2("49.90"), Customer: order.Customer{ID: "c-1"}})
	f.placed(t, order.Order{ID: "o-2", PlacedAt: at, Currency: "USD", Total: money2("30"), Customer: order.Customer{ID: "c-2"}})
	f.placed(t, order.Order{ID: "o-3", PlacedAt: at, Currency: "USD", Total: money2("12"), Customer: order.Customer{ID: "c-3"}})
	f.placed(t, order.Order{ID: "o-6", CartID: "k-6", PlacedAt: at, Currency: "EUR", Total: money2("20"), Customer: order.Customer{ID: "c-6"}})
	f.placed(t, order.Order{ID: "o-6", CartID: "k-6", PlacedAt: at, Currency: "EUR", Total: money2("20"), Customer: order.Customer{ID: "c-6"}}) // replayed
	n, err := cart.Report(ctx, f.store, t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(n)
	want := `{"from":"2026-11-22T22:00:00Z","to":"2026-11-23T00:00:00Z","carts":6,"abandoned":5,"reminded":4,"remindersSent":4,"ordered":5,"recovered":3,"recoveryRate":0.75,` +
		`"recoveredRevenue":[{"currency":"EUR","amount":20},{"currency":"USD","amount":79.90}]}`
	if string(got) != want {
		t.Errorf("numbers\n got %s\nwant %s", got, want)
	}
}

// Where the shop's region needs no consent for it (AbandonedCartConsentRequired false), a
// customer without consent gets the reminder, one who turned the topic off does not.
func TestConsentNotRequired(t *testing.T) {
	f := setup(t)
	f.send.Config.ConsentRequired = false
	f.updated(t, report("c-1", "k-1", t0, false))
	f.updated(t, report("c-2", "k-2", t0, false))
	f.store.UpdateContact(context.Background(), "c-2", func(c *contact.Contact) bool {
		return c.Choose(contact.TopicCarts, contact.Preference{On: false, At: t0, Source: "preference centre"})
	})
	f.now = t0.Add(15 * time.Hour)
	f.fire(t)
	msgs := f.outbox.Messages()
	if len(msgs) != 1 || emailtest.MustParse(t, msgs[0].Raw).To.Address != "c-1@example.com" {
		t.Fatalf("%d reminders, want c-1's only", len(msgs))
	}
	if rec, _, _ := f.store.Send(context.Background(), "c-2", cart.SendKey("k-2", 1)); rec.Status != send.Skipped || rec.Reason != "no consent to carts email" {
		t.Errorf("c-2's reminder: %+v", rec)
	}
}
