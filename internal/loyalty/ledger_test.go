package loyalty_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/email"
	"shopmail/internal/email/emailtest"
	"shopmail/internal/links"
	"shopmail/internal/loyalty"
	"shopmail/internal/money"
	"shopmail/internal/order"
	"shopmail/internal/render"
	"shopmail/internal/send/outbox"
	"shopmail/internal/thankyou"
	"shopmail/internal/token"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// fixture runs the two places points change, over DynamoDB Local: the thank-you flow (an
// order placed earns them, as the thank-you function does) and the loyalty service (a
// cancellation or refund takes them back, as the loyalty function does).
type fixture struct {
	store  *dynamo.Store
	outbox *outbox.Outbox
	thanks *thankyou.Service
	points *loyalty.Service
	mu     sync.Mutex
	now    time.Time
}

func (f *fixture) Now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }

func (f *fixture) set(t time.Time) { f.mu.Lock(); f.now = t; f.mu.Unlock() }

var start = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func setup(t *testing.T, rewards ...loyalty.Reward) *fixture {
	t.Helper()
	return setupWith(t, func(s *thankyou.Settings) { s.Rewards = rewards })
}

func setupWith(t *testing.T, edit func(*thankyou.Settings)) *fixture {
	t.Helper()
	client, table := dynamotest.NewTable(t)
	f := &fixture{outbox: &outbox.Outbox{}, now: start}
	f.store = dynamo.New(client, table, f.Now)
	keys, err := token.ParseKeys(`{"current":"k1","k1":"0123456789abcdef0123456789abcdef"}`)
	if err != nil {
		t.Fatal(err)
	}
	cfg := thankyou.Settings{Config: thankyou.Config{
		Brand: render.Brand{ShopName: "Tea House", ShopURL: "https://shop.example", SenderName: "Tea House", PostalAddress: "1 Leaf Street"},
		From:  email.Address{Name: "Tea House", Email: "hello@shop.example"},
		Links: links.Config{BaseURL: "https://go.shop.example", Keys: keys, Tracking: time.Hour, Unsubscribe: time.Hour},
	}, Loyalty: program(t)}
	edit(&cfg)
	if f.thanks, err = thankyou.New(cfg, thankyou.Deps{Store: f.store, Mailer: f.outbox, Now: f.Now}); err != nil {
		t.Fatal(err)
	}
	f.points = &loyalty.Service{Config: cfg.Loyalty, Store: f.store, Contacts: f.store, Now: f.Now,
		Referrals: cfg.Referrals, ReferralStore: f.store}
	return f
}

// place handles an order of the customer as the thank-you function does.
func (f *fixture) place(t *testing.T, customer, id, total, currency string, at time.Time) {
	t.Helper()
	f.order(t, customer, id, total, currency, 1, "", at)
}

// order handles an order of quantity items (for total in all), with a coupon code or "".
func (f *fixture) order(t *testing.T, customer, id, total, currency string, quantity int, code string, at time.Time) thankyou.Result {
	t.Helper()
	return f.handle(t, fmt.Sprintf(`{"orderId":%q,"placedAt":%q,"currency":%q,"total":%s,
		"customer":{"id":%q,"email":"%s@example.com","firstName":"Sara","locale":"en-US"},
		"items":[{"sku":"TEA-01","name":"Green tea","quantity":%d,"unitPrice":%s}], "couponCode": %q}`,
		id, at.Format(time.RFC3339), currency, total, customer, customer, quantity, total, code))
}

// handle handles an `Order Placed` detail as the thank-you function does.
func (f *fixture) handle(t *testing.T, detail string) thankyou.Result {
	t.Helper()
	o, err := order.DecodePlaced([]byte(detail))
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.thanks.Handle(context.Background(), o)
	if err != nil {
		t.Fatalf("place %s: %v", o.ID, err)
	}
	return res
}

// reverse handles an `Order Cancelled` (amount "") or `Order Refunded` as the loyalty
// function does.
func (f *fixture) reverse(kind, id, ref, amount string, at time.Time) error {
	st := order.Status{OrderID: id, At: at, RefundID: ref}
	if amount != "" {
		d := money.MustParse(amount)
		st.Amount = &d
	}
	_, err := f.points.Reverse(context.Background(), st, kind, ref)
	return err
}

func (f *fixture) mustReverse(t *testing.T, kind, id, ref, amount string, at time.Time) {
	t.Helper()
	if err := f.reverse(kind, id, ref, amount, at); err != nil {
		t.Fatalf("%s %s: %v", kind, id, err)
	}
}

// balance is the contact's balance and tier as the profile holds them, and the sum of the
// ledger, which must agree.
func (f *fixture) balance(t *testing.T, customer string) (int64, string) {
	t.Helper()
	c, err := f.store.Contact(context.Background(), customer)
	if err != nil {
		t.Fatal(err)
	}
	es, err := f.store.PointsSince(context.Background(), customer, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, e := range es {
		sum += e.Points
	}
	if max(sum, 0) != c.Summary.Points {
		t.Errorf("the profile says %d points, the ledger adds up to %d:\n%v", c.Summary.Points, sum, es)
	}
	return c.Summary.Points, c.Summary.Tier
}

func (f *fixture) want(t *testing.T, customer string, points int64, tier string) {
	t.Helper()
	if p, tr := f.balance(t, customer); p != points || tr != tier {
		t.Errorf("%s has %d points, %s; want %d, %s", customer, p, tr, points, tier)
	}
}

func TestAnOrderEarnsPointsOnceHoweverOftenItComes(t *testing.T) {
	f := setup(t)
	f.place(t, "c-1", "o-1", "129.90", "USD", start.Add(-time.Hour))
	for range 3 {
		f.place(t, "c-1", "o-1", "129.90", "USD", start.Add(-time.Hour)) // EventBridge and Lambda deliver at least once
	}
	f.want(t, "c-1", 129, "bronze")
	es, _, err := f.store.PointsPage(context.Background(), "c-1", "", 10)
	if err != nil || len(es) != 1 || es[0].Kind != loyalty.Earn || es[0].Points != 129 || es[0].Amount.String() != "129.90" {
		t.Fatalf("ledger %+v %v, want one entry earning 129 for 129.90", es, err)
	}

	// The email tells the customer.
	msgs := f.outbox.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d emails, want 1", len(msgs))
	}
	m := emailtest.MustParse(t, msgs[0].Raw)
	for _, want := range []string{"Your points", "This order earned you 129 points.", "Your balance: 129 points.",
		"You are a Bronze member.", "371 more points in the next 12 months make you Silver."} {
		if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, want) {
			t.Errorf("the email lacks %q:\n%s", want, m.Text)
		}
	}

	// An order in a currency without a rate earns nothing, and says nothing of points when the
	// customer has none.
	f.place(t, "c-2", "o-2", "50", "JPY", start)
	f.want(t, "c-2", 0, "bronze")
	if m := emailtest.MustParse(t, f.outbox.Messages()[1].Raw); strings.Contains(m.Text, "points") {
		t.Errorf("an order that earned nothing talks of points:\n%s", m.Text)
	}
}

func TestCancellationsAndRefundsTakePointsBackOnceAndNeverBelowZero(t *testing.T) {
	f := setup(t)
	f.place(t, "c-1", "o-1", "300", "USD", start.Add(-48*time.Hour))
	f.place(t, "c-1", "o-2", "300", "USD", start.Add(-24*time.Hour))
	f.want(t, "c-1", 600, "silver")

	// A third of o-1 refunded, twice over (the same refund delivered again), then another
	// refund of the rest: each refund once, and never more than the order earned.
	f.mustReverse(t, loyalty.Refund, "o-1", "r-1", "100", start)
	f.mustReverse(t, loyalty.Refund, "o-1", "r-1", "100", start)
	f.want(t, "c-1", 500, "silver")
	f.mustReverse(t, loyalty.Refund, "o-1", "r-2", "300", start.Add(time.Minute))
	f.want(t, "c-1", 300, "bronze")
	// A cancellation after the refunds takes back only what is left: nothing.
	f.mustReverse(t, loyalty.Cancel, "o-1", "", "", start.Add(2*time.Minute))
	f.want(t, "c-1", 300, "bronze")

	// o-2 cancelled, again and again: its 300 points go, once.
	for range 3 {
		f.mustReverse(t, loyalty.Cancel, "o-2", "", "", start.Add(3*time.Minute))
	}
	f.want(t, "c-1", 0, "bronze")

	es, _, err := f.store.PointsPage(context.Background(), "c-1", "", 50)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range es {
		kinds = append(kinds, fmt.Sprintf("%s %s %d", e.OrderID, e.Kind, e.Points))
	}
	if got := strings.Join(kinds, ", "); got != "o-2 cancel -300, o-1 refund -200, o-1 refund -100, o-2 earn 300, o-1 earn 300" {
		t.Errorf("ledger, newest first: %s", got)
	}
}

func TestABalanceNeverGoesNegative(t *testing.T) {
	f := setup(t)
	f.place(t, "c-1", "o-1", "100", "USD", start.Add(-time.Hour))
	// Points spent or expired meanwhile: the profile holds 30 when the reversal of 100 comes.
	if _, err := f.store.UpdateContact(context.Background(), "c-1", func(c *contact.Contact) bool {
		c.Summary.Points = 30
		return true
	}); err != nil {
		t.Fatal(err)
	}
	f.mustReverse(t, loyalty.Cancel, "o-1", "", "", start)
	c, err := f.store.Contact(context.Background(), "c-1")
	if err != nil || c.Summary.Points != 0 {
		t.Errorf("balance %d (%v), want 0", c.Summary.Points, err)
	}
}

func TestReversalsBeforeTheirOrderAreAppliedWhenItComes(t *testing.T) {
	f := setup(t)
	// The shop's events come in any order: a refund, then the cancellation, then the order.
	f.mustReverse(t, loyalty.Refund, "o-1", "r-1", "100", start)
	f.mustReverse(t, loyalty.Cancel, "o-1", "", "", start.Add(time.Minute))
	f.mustReverse(t, loyalty.Cancel, "o-1", "", "", start.Add(time.Minute)) // and again
	f.want(t, "c-1", 0, "")
	f.place(t, "c-1", "o-1", "700", "USD", start.Add(-time.Minute))
	f.want(t, "c-1", 0, "bronze")
	f.place(t, "c-1", "o-1", "700", "USD", start.Add(-time.Minute)) // the order again
	f.want(t, "c-1", 0, "bronze")
	if m := emailtest.MustParse(t, f.outbox.Messages()[0].Raw); strings.Contains(m.Text, "points") {
		t.Errorf("the thank-you for an order cancelled before it came announces its points:\n%s", m.Text)
	}
	es, _, err := f.store.PointsPage(context.Background(), "c-1", "", 10)
	var kinds []string
	for _, e := range es {
		kinds = append(kinds, fmt.Sprintf("%s %d", e.Kind, e.Points))
	}
	if got := strings.Join(kinds, ", "); err != nil || got != "cancel -600, refund -100, earn 700" {
		t.Errorf("ledger: %s (%v)", got, err)
	}
	// Another order of the customer earns as usual.
	f.place(t, "c-1", "o-2", "40", "USD", start)
	f.want(t, "c-1", 40, "bronze")
}

func TestConcurrentRefundsOfOneOrderNeverTakeBackMoreThanItEarned(t *testing.T) {
	f := setup(t)
	f.place(t, "c-1", "o-1", "1000", "USD", start.Add(-time.Hour))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f.reverse(loyalty.Refund, "o-1", fmt.Sprintf("r-%d", i), "250", start); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	f.want(t, "c-1", 0, "bronze")
	earn, taken, _, err := f.store.OrderPoints(context.Background(), "o-1")
	var sum int64
	for _, p := range taken {
		sum += p
	}
	if err != nil || earn.Points != 1000 || sum != 1000 || len(taken) != 8 {
		t.Errorf("o-1 earned %d, %d refunds took %d (%v), want 8 refunds taking 1000", earn.Points, len(taken), sum, err)
	}
}

func TestTiersFollowTheLastTwelveMonths(t *testing.T) {
	f := setup(t)
	year := start.AddDate(-1, 0, 0)
	f.set(year.Add(24 * time.Hour))
	f.place(t, "c-1", "o-old", "1500", "USD", year.Add(-24*time.Hour)) // 12 months and a day before start
	f.want(t, "c-1", 1500, "silver")
	f.set(start)
	f.place(t, "c-1", "o-1", "499", "USD", start.Add(-time.Hour))
	// The old order no longer counts towards the tier (499 of 500), though its points are kept.
	f.want(t, "c-1", 1999, "bronze")
	f.place(t, "c-1", "o-2", "1", "USD", start)
	f.want(t, "c-1", 2000, "silver") // exactly at the threshold
	f.place(t, "c-1", "o-3", "1500", "USD", start)
	f.want(t, "c-1", 3500, "gold")
	// Refunding part of a recent order can take the tier back down.
	f.mustReverse(t, loyalty.Refund, "o-3", "r-1", "1", start.Add(time.Minute))
	f.want(t, "c-1", 3499, "silver")
}

func rules(t *testing.T) []loyalty.Reward {
	t.Helper()
	rs, err := loyalty.ParseRewards(`[
		{"id": "big-basket", "spend": {"currency": "USD", "over": 100}, "prefix": "BIG",
		 "offer": {"en": "10% off your next order", "fa": "۱۰٪ تخفیف خرید بعدی"}, "validDays": 30},
		{"id": "five-items", "items": {"over": 5}, "prefix": "GIFT", "offer": {"en": "A gift with your next order"}}]`)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

var code = regexp.MustCompile(`\b(BIG|GIFT)-[2-9A-Z]{4}-[2-9A-Z]{4}\b`)

// codes are the reward codes in the n-th email (0-based), after parsing it as a mail client.
func (f *fixture) codes(t *testing.T, n int) []string {
	t.Helper()
	m := emailtest.MustParse(t, f.outbox.Messages()[n].Raw)
	got := code.FindAllString(m.Text, -1)
	if html := code.FindAllString(m.HTML, -1); strings.Join(html, ",") != strings.Join(got, ",") {
		t.Errorf("email %d: the text part has codes %v, the HTML part %v", n, got, html)
	}
	if len(got) > 0 && !strings.Contains(m.Text, "This order earned you a reward") {
		t.Errorf("email %d: codes without their heading:\n%s", n, m.Text)
	}
	return got
}

func TestOrdersThatMeetARewardRuleGetACouponForTheNextOrder(t *testing.T) {
	f := setup(t, rules(t)...)
	// Exactly 100 is not more than 100; five items are not more than five.
	f.order(t, "c-1", "o-1", "100", "USD", 5, "", start)
	if got := f.codes(t, 0); len(got) != 0 {
		t.Errorf("an order of exactly 100 USD and 5 items got %v", got)
	}
	f.order(t, "c-1", "o-2", "100.01", "USD", 1, "", start)
	big := f.codes(t, 1)
	if len(big) != 1 || !strings.HasPrefix(big[0], "BIG-") {
		t.Fatalf("an order of 100.01 USD got %v, want one BIG code", big)
	}
	f.order(t, "c-1", "o-3", "60", "EUR", 6, "", start)
	if got := f.codes(t, 2); len(got) != 1 || !strings.HasPrefix(got[0], "GIFT-") {
		t.Errorf("an order of 6 items got %v, want one GIFT code", got)
	}
	f.order(t, "c-1", "o-4", "150", "USD", 6, "", start)
	if got := f.codes(t, 3); len(got) != 2 {
		t.Errorf("an order meeting both rules got %v, want both codes", got)
	}
	m := emailtest.MustParse(t, f.outbox.Messages()[1].Raw)
	if !strings.Contains(m.Text, "10% off your next order with this code: "+big[0]) ||
		!strings.Contains(m.Text, "Valid for one order until 2 January 2027.") {
		t.Errorf("the reward's offer and expiry:\n%s", m.Text)
	}

	// The code works once, on a later order; a second order with it is recorded as a reuse.
	if res := f.order(t, "c-1", "o-5", "20", "USD", 1, big[0], start.Add(time.Hour)); res.Coupon != "redeemed" {
		t.Errorf("first use: %q", res.Coupon)
	}
	if res := f.order(t, "c-1", "o-6", "20", "USD", 1, big[0], start.Add(2*time.Hour)); res.Coupon != "reused: redeemed by o-5" {
		t.Errorf("second use: %q", res.Coupon)
	}
	// After its 60 days (the default) it is expired, not redeemed.
	gift := f.codes(t, 2)[0]
	if res := f.order(t, "c-1", "o-7", "20", "USD", 1, gift, start.AddDate(0, 0, 61)); !strings.HasPrefix(res.Coupon, "expired") {
		t.Errorf("use after expiry: %q", res.Coupon)
	}
	if res := f.order(t, "c-1", "o-8", "20", "USD", 1, gift, start.AddDate(0, 0, 59)); res.Coupon != "redeemed" {
		t.Errorf("use within its days (an order placed earlier, arriving later): %q", res.Coupon)
	}
}

func TestTwoOrdersRedeemingOneCodeAtOnceOneWins(t *testing.T) {
	f := setup(t, rules(t)...)
	f.order(t, "c-1", "o-1", "500", "USD", 1, "", start)
	c := f.codes(t, 0)[0]
	for round := range 5 {
		var wg sync.WaitGroup
		results := make([]string, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = f.order(t, fmt.Sprintf("c-%d", 10+i), fmt.Sprintf("o-r%d-%d", round, i), "20", "USD", 1, c, start.Add(time.Hour)).Coupon
			}()
		}
		wg.Wait()
		redeemed := 0
		for _, r := range results {
			if r == "redeemed" {
				redeemed++
			} else if !strings.HasPrefix(r, "reused: redeemed by o-r") {
				t.Errorf("round %d: %q", round, r)
			}
		}
		if want := map[bool]int{true: 1, false: 0}[round == 0]; redeemed != want {
			t.Errorf("round %d: %d orders redeemed the code (%v), want %d", round, redeemed, results, want)
		}
	}
}

// The order that takes a customer to a higher tier says so in its thank-you: one email, not a
// thank-you and a tier-up email at once. The orders that do not, do not.
func TestTheOrderThatRaisesTheTierSaysSo(t *testing.T) {
	f := setup(t)
	f.place(t, "c-1", "o-1", "300", "USD", start.Add(-2*time.Hour))
	f.place(t, "c-1", "o-2", "300", "USD", start.Add(-time.Hour)) // 600: silver
	f.place(t, "c-1", "o-3", "10", "USD", start)
	f.place(t, "c-2", "o-4", "2500", "USD", start) // straight to gold
	for i, want := range []string{"You are a Bronze member.", "Congratulations: this order makes you a Silver member!",
		"You are a Silver member.", "Congratulations: this order makes you a Gold member!"} {
		m := emailtest.MustParse(t, f.outbox.Messages()[i].Raw)
		if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, want) || strings.Count(m.Text, "member") != 1 {
			t.Errorf("thank-you %d lacks %q:\n%s", i+1, want, m.Text)
		}
	}
}
