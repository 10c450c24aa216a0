package order_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shopmail/internal/email"
	"shopmail/internal/fault"
	"shopmail/internal/money"
	"shopmail/internal/order"
)

// detail reads the detail of a sample event from events/thankyou.
func detail(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", "thankyou", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Detail json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ev.Detail
}

func TestDecodePlacedSample(t *testing.T) {
	o, err := order.DecodePlaced(detail(t, "first-order.json"))
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != "o-1001" || o.Customer.ID != "c-42" || o.Customer.Email != "sara@example.com" {
		t.Errorf("ids = %q %q %q", o.ID, o.Customer.ID, o.Customer.Email)
	}
	if o.Total.Cmp(money.MustParse("129.90")) != 0 || o.Currency != "USD" || len(o.Items) != 2 {
		t.Errorf("total %s %s, %d items", o.Total, o.Currency, len(o.Items))
	}
	if o.Customer.MarketingConsent == nil || !*o.Customer.MarketingConsent {
		t.Error("marketing consent lost")
	}
	if rp := o.Items[0].RegularPrice; rp == nil || rp.String() != "29.95" {
		t.Errorf("regular price = %v", rp)
	}
	if got := o.PlacedAt.Format("2006-01-02T15:04:05Z07:00"); got != "2026-11-22T10:15:00Z" {
		t.Errorf("placedAt = %s", got)
	}
}

func TestDecodePlacedTotalsFromItemsWhenTotalMissing(t *testing.T) {
	o, err := order.DecodePlaced(detail(t, "huge-item-list.json"))
	if err != nil {
		t.Fatal(err)
	}
	// 1,000 items at 0.10: exactly 100.00, which float arithmetic does not give.
	if len(o.Items) != 1000 || o.Total.Cmp(money.MustParse("100")) != 0 {
		t.Errorf("%d items, total %s", len(o.Items), o.Total)
	}
}

func TestDecodePlacedTrimsEmail(t *testing.T) {
	d := strings.Replace(string(detail(t, "first-order.json")), `"sara@example.com"`, `" sara@Example.COM "`, 1)
	o, err := order.DecodePlaced([]byte(d))
	if err != nil || o.Customer.Email != "sara@example.com" {
		t.Errorf("email = %q, %v", o.Customer.Email, err)
	}
}

func TestDecodePlacedIgnoresUnknownFields(t *testing.T) {
	if _, err := order.DecodePlaced(detail(t, "unknown-fields.json")); err != nil {
		t.Fatal(err)
	}
}

func TestDecodePlacedRejects(t *testing.T) {
	valid := string(detail(t, "first-order.json"))
	tests := []struct {
		name   string
		detail string
		want   []string // every problem must be named
	}{
		{"missing email", strings.Replace(valid, `"email": "sara@example.com",`, "", 1), []string{"customer.email is required"}},
		{"missing order id", strings.Replace(valid, `"orderId": "o-1001",`, "", 1), []string{"orderId is required"}},
		{"blank order id", strings.Replace(valid, `"orderId": "o-1001"`, `"orderId": "   "`, 1), []string{"orderId is required"}},
		{"missing customer id", strings.Replace(valid, `"id": "c-42",`, "", 1), []string{"customer.id is required"}},
		{"invalid email", strings.Replace(valid, `sara@example.com`, `sara@@example`, 1), []string{"customer.email"}},
		{"email with CRLF", strings.Replace(valid, `sara@example.com`, `sara@example.com\r\nBcc: x@y.z`, 1), []string{"customer.email"}},
		{"negative quantity", strings.Replace(valid, `"quantity": 2`, `"quantity": -2`, 1), []string{"items[0].quantity must be between 1"}},
		{"zero quantity", strings.Replace(valid, `"quantity": 2`, `"quantity": 0`, 1), []string{"items[0].quantity"}},
		{"fractional quantity", strings.Replace(valid, `"quantity": 2`, `"quantity": 1.5`, 1), []string{"malformed JSON"}},
		{"negative price", strings.Replace(valid, `"unitPrice": 24.95`, `"unitPrice": -1`, 1), []string{"items[0].unitPrice must not be negative"}},
		{"CRLF in first name", strings.Replace(valid, `"Sara"`, `"Sara\r\nBcc: all@example.com"`, 1), []string{"customer.firstName contains a line break"}},
		{"C1 control in last name", strings.Replace(valid, `"Ahmadi"`, `"Ah\u0085madi"`, 1), []string{"customer.lastName contains the control character U+0085"}},
		{"bidi override in first name", strings.Replace(valid, `"Sara"`, `"\u202egnp.exe"`, 1), []string{"customer.firstName contains the bidirectional control character U+202E"}},
		{"bidi isolate in item name", strings.Replace(valid, `"Green tea"`, `"Green \u2067tea"`, 1), []string{"items[0].name contains the bidirectional"}},
		{"encoded word in first name", strings.Replace(valid, `"Sara"`, `"=?utf-8?q?Admin?="`, 1), []string{"customer.firstName contains \"=?\""}},
		{"Persian half-space is fine", strings.Replace(valid, `"Sara"`, `"می\u200cنا"`, 1), nil},
		{"NUL in last name", strings.Replace(valid, `"Ahmadi"`, `"Ah\u0000madi"`, 1), []string{"customer.lastName"}},
		{"bad currency", strings.Replace(valid, `"USD"`, `"dollars"`, 1), []string{"currency"}},
		{"bad time", strings.Replace(valid, `"2026-11-22T10:15:00Z"`, `"yesterday"`, 1), []string{"placedAt"}},
		{"malformed JSON", `{"orderId": "o-1", "customer": {`, []string{"malformed JSON"}},
		{"total as string", strings.Replace(valid, `129.9`, `"129.9"`, 1), []string{"malformed JSON"}},
		{"several problems at once", strings.Replace(strings.Replace(valid, `"orderId": "o-1001",`, "", 1), `"quantity": 2`, `"quantity": -1`, 1),
			[]string{"orderId is required", "items[0].quantity"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := order.DecodePlaced([]byte(tt.detail))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			if !errors.Is(err, fault.ErrInvalid) {
				t.Fatalf("err = %v, want a fault.ErrInvalid", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestDecodePlacedDropsUnsafeLinks(t *testing.T) {
	d := strings.Replace(string(detail(t, "first-order.json")), "https://shop.example/tea-01", "javascript:alert(1)", 1)
	d = strings.Replace(d, "https://shop.example/i/tea-01.jpg", "http://shop.example/i/tea-01.jpg", 1)
	o, err := order.DecodePlaced([]byte(d))
	if err != nil {
		t.Fatal(err)
	}
	if o.Items[0].URL != "" || o.Items[0].ImageURL != "" {
		t.Errorf("unsafe links kept: %q %q", o.Items[0].URL, o.Items[0].ImageURL)
	}
	if o.Items[1].URL != "https://shop.example/pot-02" {
		t.Errorf("safe link dropped: %q", o.Items[1].URL)
	}
}

func FuzzDecodePlaced(f *testing.F) {
	for _, name := range []string{"first-order.json", "persian-customer.json"} {
		raw, _ := os.ReadFile(filepath.Join("..", "..", "events", "thankyou", name))
		f.Add(raw)
	}
	f.Add([]byte(`{"orderId":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := order.DecodePlaced(b)
		if err != nil {
			if !errors.Is(err, fault.ErrInvalid) {
				t.Fatalf("error of unknown kind: %v", err)
			}
			return
		}
		if o.ID == "" || o.Customer.ID == "" || o.Customer.Email == "" {
			t.Fatalf("accepted without required fields: %+v", o)
		}
		// Whatever is accepted must make a valid email: names in the To header and subject.
		msg := email.Message{
			From:    email.Address{Name: "Shop", Email: "shop@example.com"},
			To:      email.Address{Name: strings.TrimSpace(o.Customer.FirstName + " " + o.Customer.LastName), Email: o.Customer.Email},
			Subject: "Thanks, " + o.Customer.FirstName + " (" + o.ID + ")", Text: "t", HTML: "h",
		}
		if err := msg.Validate(); err != nil {
			t.Fatalf("accepted an order whose email cannot be built: %v", err)
		}
	})
}

// TestDecodePlacedOptionalFields reads the sample with every optional field, and checks each
// is kept when valid, dropped when an unsafe link, refused when a bad amount.
func TestDecodePlacedOptionalFields(t *testing.T) {
	full := string(detail(t, "full-order.json"))
	o, err := order.DecodePlaced([]byte(full))
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]*money.Decimal{"subtotal": o.Subtotal, "shipping": o.Shipping, "discount": o.Discount, "tax": o.Tax} {
		if got == nil {
			t.Errorf("%s dropped", name)
		}
	}
	if o.Subtotal.String() != "129.9" || o.Shipping.String() != "5.0" || o.Discount.String() != "10.0" || o.Tax.String() != "8.5" || o.Total.String() != "133.4" {
		t.Errorf("amounts %s %s %s %s %s", o.Subtotal, o.Shipping, o.Discount, o.Tax, o.Total)
	}
	if o.URL != "https://shop.example/account/orders/o-1003" {
		t.Errorf("order URL %q", o.URL)
	}
	// Without them, as before.
	o, err = order.DecodePlaced(detail(t, "first-order.json"))
	if err != nil || o.URL != "" || o.Subtotal != nil || o.Shipping != nil || o.Discount != nil || o.Tax != nil {
		t.Errorf("first-order: %v, %q %v %v %v %v", err, o.URL, o.Subtotal, o.Shipping, o.Discount, o.Tax)
	}
	const url = "https://shop.example/account/orders/o-1003"
	for _, bad := range []string{"http://shop.example/account/orders/o-1003", "javascript:alert(1)", "/account/orders/o-1003", "https://user:pw@shop.example/o"} {
		o, err := order.DecodePlaced([]byte(strings.Replace(full, url, bad, 1)))
		if err != nil || o.URL != "" {
			t.Errorf("orderUrl %q: kept as %q, %v; want it dropped", bad, o.URL, err)
		}
	}
	for _, tt := range []struct{ field, from, to, want string }{
		{"subtotal", `"subtotal": 129.9`, `"subtotal": -1`, "subtotal must not be negative"},
		{"shipping", `"shipping": 5.0`, `"shipping": -5`, "shipping must not be negative"},
		{"discount", `"discount": 10.0`, `"discount": -10`, "discount must not be negative"},
		{"tax", `"tax": 8.5`, `"tax": -0.01`, "tax must not be negative"},
		{"tax decimals", `"tax": 8.5`, `"tax": 8.555`, "tax has more than 2 decimal places"},
		{"rial decimals", `"tax": 8.5`, `"tax": 8.5, "currency": "IRR"`, "tax has more than 0 decimal places"},
		{"shipping as string", `"shipping": 5.0`, `"shipping": "5"`, "malformed JSON"},
	} {
		if !strings.Contains(full, tt.from) {
			t.Fatalf("sample lacks %s", tt.from)
		}
		_, err := order.DecodePlaced([]byte(strings.Replace(full, tt.from, tt.to, 1)))
		if !errors.Is(err, fault.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.field, err, tt.want)
		}
	}
}

// An international domain is kept in its ASCII form; a local part SES cannot send to is kept
// as it is (the gate skips the email), so that the order is not lost.
func TestDecodePlacedInternationalEmail(t *testing.T) {
	for in, want := range map[string]string{"sara@Müller.de": "sara@xn--mller-kva.de", "سارا@example.com": "سارا@example.com"} {
		d := strings.Replace(string(detail(t, "first-order.json")), `"sara@example.com"`, `"`+in+`"`, 1)
		o, err := order.DecodePlaced([]byte(d))
		if err != nil || o.Customer.Email != want {
			t.Errorf("%s: email = %q, %v; want %q", in, o.Customer.Email, err, want)
		}
	}
}
