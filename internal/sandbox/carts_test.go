package sandbox_test

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"shopmail/internal/email/emailtest"
)

// The README's walk-through of an abandoned cart: start a checkout, move the clock, read the
// reminder in the inbox, click back to the cart, place the order from it: the cart counts as
// recovered in the marketer API, with its revenue (the order's total, 129.90 USD).
func TestCartWalkThrough(t *testing.T) {
	r := start(t, repoTemplate(t), nil)
	now := r.sb.Clock().Now().Format(time.RFC3339)
	at := regexp.MustCompile(`"updatedAt": "[^"]+"`)
	r.putSample(t, "carts/01-checkout-started.json", func(d string) string { return at.ReplaceAllString(d, `"updatedAt": "`+now+`"`) })
	var due []time.Time
	for _, sc := range r.sb.Schedules() {
		if strings.HasPrefix(sc.Name, "cart-") {
			due = append(due, sc.Next)
		}
	}
	if len(due) != 2 || len(r.sb.Messages()) != 0 {
		t.Fatalf("after the checkout: %d emails, schedules %+v", len(r.sb.Messages()), r.sb.Schedules())
	}
	// 4 and 24 hours after the checkout, or the end of the quiet hours in New York after them.
	for _, at := range due {
		if h := at.In(mustZone(t, "America/New_York")).Hour(); h >= 21 || h < 8 {
			t.Errorf("a reminder is due at %d:00 in the customer's time zone", h)
		}
	}
	if r.sb.Advance(context.Background(), 3*time.Hour); len(r.sb.Messages()) != 0 {
		t.Fatal("the reminder went out before 4 hours")
	}
	r.sb.Advance(context.Background(), 13*time.Hour)
	r.sb.Idle()
	msgs := r.sb.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d emails, want the reminder", len(msgs))
	}
	m := emailtest.MustParse(t, msgs[0].Raw)
	if m.Subject != "You left something in your cart at Tea House" || !strings.Contains(m.HTML, "Green Tea, 100 g") {
		t.Fatalf("reminder %q:\n%s", m.Subject, m.Text)
	}
	button := regexp.MustCompile(`<a href="([^"]+/c/[^"]+)"[^>]*>Return to your cart</a>`).FindStringSubmatch(m.HTML)
	if button == nil {
		t.Fatalf("no button back to the cart:\n%s", m.HTML)
	}
	res, _ := r.do(t, "GET", html.UnescapeString(button[1]), chromeUA, nil)
	if res.StatusCode != 302 || res.Header.Get("Location") != "https://shop.example/cart/cart-5001" {
		t.Fatalf("the button: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	placed := r.sb.Clock().Now().Format(time.RFC3339Nano)
	r.putSample(t, "carts/04-order-placed-from-cart.json", func(d string) string {
		return regexp.MustCompile(`"placedAt": "[^"]+"`).ReplaceAllString(d, `"placedAt": "`+placed+`"`)
	})
	r.sb.Advance(context.Background(), 30*time.Hour) // the second reminder's time: the order stopped it
	r.sb.Idle()
	for _, msg := range r.sb.Messages()[1:] {
		if m := emailtest.MustParse(t, msg.Raw); strings.Contains(m.Subject, "cart") {
			t.Errorf("a reminder after the order: %q", m.Subject)
		}
	}
	status, numbers := r.api(t, "GET", "/reports/carts", "", "")
	if status != 200 || numbers["carts"] != 1.0 || numbers["reminded"] != 1.0 || numbers["recovered"] != 1.0 || numbers["recoveryRate"] != 1.0 ||
		mustJSON(numbers["recoveredRevenue"]) != `[{"amount":129.9,"currency":"USD"}]` {
		t.Errorf("GET /reports/carts: %d %v", status, numbers)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
