package thankyou_test

import (
	"html"
	"strings"
	"testing"

	"shopmail/internal/money"
	"shopmail/internal/render"
	"shopmail/internal/render/rendertest"
)

// persian makes a sample's customer Persian.
func persian(ev string) string {
	return strings.Replace(strings.Replace(ev, `"locale": "en-US"`, `"locale": "fa-IR"`, 1), `"America/New_York"`, `"Asia/Tehran"`, 1)
}

func dec(t *testing.T, s string) money.Decimal {
	t.Helper()
	d, err := money.ParseDecimal(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestOrderEmailAsReadersSeeIt checks the lines, the total's breakdown, the order and shop
// buttons, the thumbnails and the colours of the thank-you email, in English and Persian, with
// every optional field (full-order.json) and without them (first-order.json).
func TestOrderEmailAsReadersSeeIt(t *testing.T) {
	for _, tt := range []struct {
		name, sample, tag string
		toLocale          func(string) string
		full              bool
	}{
		{"en full", "full-order.json", "en-US", func(s string) string { return s }, true},
		{"fa full", "full-order.json", "fa-IR", persian, true},
		{"en plain", "first-order.json", "en-US", func(s string) string { return s }, false},
		{"fa plain", "first-order.json", "fa-IR", persian, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, settings())
			if err := f.invoke([]byte(tt.toLocale(string(sample(t, tt.sample))))); err != nil {
				t.Fatal(err)
			}
			m, _ := f.only(t)
			l := render.LocaleFor(tt.tag, "")
			usd := func(s string) string { return l.Money(dec(t, s), "USD") }
			esc := html.EscapeString // the markup is escaped as templ writes it

			// Line 1: 2 × 24.95 (regular 29.95, struck through), line total 49.90.
			muted := `class="c-muted" style="font-size:13px;background-color:#ffffff;color:#52525b;border-color:#e4e4e7;"`
			for _, want := range []string{
				`<span ` + muted + `>` + esc(l.T("order.each", usd("24.95"))) + `</span>`,
				`<s ` + muted + `><span style="` + render.ScreenReaderOnly + `">` + esc(l.T("order.was.label")) + ` </span>` + esc(usd("29.95")) + `</s>`,
				`>` + esc(usd("49.90")) + `</td>`,
				`>` + l.Number(2) + `</td>`,
				`<img src="https://shop.example/i/tea-01.jpg" alt="Green tea" width="48" height="48"`,
				`<img src="https://shop.example/i/pot-02.jpg" alt="Cast-iron teapot" width="48" height="48"`,
			} {
				if !strings.Contains(m.HTML, want) {
					t.Errorf("HTML lacks %s", want)
				}
			}
			// The regular price is never shown as if it were the line's price.
			if strings.Contains(m.HTML, esc(l.T("order.was", usd("29.95")))) {
				t.Error("HTML shows the regular price unstruck")
			}
			// The teapot has no regular price: no <s> for it, one for the tea.
			if n := strings.Count(m.HTML, "<s "); n != 1 {
				t.Errorf("%d struck prices, want 1", n)
			}
			text := []string{
				"Green tea × " + l.Number(2) + l.T("order.sep") + l.T("order.each", usd("24.95")) + " (" + l.T("order.was", usd("29.95")) + "): " + usd("49.90"),
				"Cast-iron teapot × " + l.Number(1) + l.T("order.sep") + l.T("order.each", usd("80.00")) + ": " + usd("80.00"),
			}
			breakdown := []string{
				l.T("order.subtotal") + ": " + usd("129.90"),
				l.T("order.shipping") + ": " + usd("5.00"),
				l.T("order.discount") + ": " + usd("-10.00"),
				l.T("order.tax") + ": " + usd("8.50"),
				l.T("order.total") + ": " + usd("133.40"),
				l.T("order.view") + ": https://shop.example/account/orders/o-1003",
			}
			if tt.full {
				text = append(text, breakdown...)
				for _, want := range []string{
					`>` + esc(l.T("order.shipping")) + `</td><td align="` + l.End() + `" style="padding:4px 0 0;white-space:nowrap;">` + esc(usd("5.00")) + `</td>`,
					`>` + esc(usd("-10.00")) + `</td>`,
					`>` + esc(usd("133.40")) + `</td>`,
					`class="c-btn" style="` + render.ButtonStyle + `background-color:#18181b;color:#ffffff;border-color:#18181b;">` + esc(l.T("order.view")) + `</a>`,
				} {
					if !strings.Contains(m.HTML, want) {
						t.Errorf("HTML lacks %s", want)
					}
				}
				if !f.linksTo(t, m.HTML, "https://shop.example/account/orders/o-1003") {
					t.Error("no tracked link to the order")
				}
			} else {
				for _, absent := range breakdown[:4] {
					if strings.Contains(m.Text, absent) {
						t.Errorf("text shows %q for an order without it", absent)
					}
				}
				for _, absent := range []string{l.T("order.subtotal"), l.T("order.view"), l.T("order.tax")} {
					if strings.Contains(m.HTML, ">"+esc(absent)+"<") {
						t.Errorf("HTML shows %q for an order without it", absent)
					}
				}
				text = append(text, l.T("order.total")+": "+usd("129.90"))
			}
			// Both are first orders with a coupon: the shop button is beside it, tracked.
			text = append(text, l.T("shop.now")+": https://shop.example")
			for _, want := range text {
				if !strings.Contains(m.Text, want) {
					t.Errorf("text part lacks %q:\n%s", want, m.Text)
				}
			}
			if !strings.Contains(m.HTML, `>`+esc(l.T("shop.now"))+`</a>`) || !f.linksTo(t, m.HTML, "https://shop.example") {
				t.Error("no tracked shop button beside the coupon")
			}
			for _, p := range rendertest.ColorProblems(m.HTML, settings().Brand) {
				t.Error(p)
			}
		})
	}
}

// TestUnsafeOrderURLIsDropped: an order link that is not https shows no button.
func TestUnsafeOrderURLIsDropped(t *testing.T) {
	for _, bad := range []string{"http://shop.example/account/orders/o-1003", "javascript:alert(1)"} {
		f := setup(t, settings())
		ev := strings.Replace(string(sample(t, "full-order.json")), "https://shop.example/account/orders/o-1003", bad, 1)
		if err := f.invoke([]byte(ev)); err != nil {
			t.Fatal(err)
		}
		m, _ := f.only(t)
		if strings.Contains(m.HTML, "View your order") || strings.Contains(m.Text, "View your order") || strings.Contains(m.Text, bad) {
			t.Errorf("%s: order button shown", bad)
		}
	}
}

// TestBrandColorAndLogo: the shop's colour paints the buttons, with black text when white
// would not read; the logo replaces the name in the header.
func TestBrandColorAndLogo(t *testing.T) {
	for _, tt := range []struct{ color, text, link string }{
		{"#0b6e4f", "#ffffff", "#0b6e4f"}, // dark green: white text, links in it too
		{"#ffd400", "#000000", "#18181b"}, // yellow: black text, links keep the default
	} {
		for _, lang := range []func(string) string{func(s string) string { return s }, persian} {
			s := settings()
			s.Brand.Color, s.Brand.LogoURL = tt.color, "https://shop.example/logo.png"
			f := setup(t, s)
			if err := f.invoke([]byte(lang(string(sample(t, "full-order.json"))))); err != nil {
				t.Fatal(err)
			}
			m, _ := f.only(t)
			for _, want := range []string{
				`class="c-btn" style="` + render.ButtonStyle + `background-color:` + tt.color + `;color:` + tt.text + `;`,
				`class="c-link" style="background-color:#ffffff;color:` + tt.link + `;">Green tea</a>`,
				`<img src="https://shop.example/logo.png" alt="Tea House" height="40"`,
			} {
				if !strings.Contains(m.HTML, want) {
					t.Errorf("%s: HTML lacks %s", tt.color, want)
				}
			}
			if render.Contrast(tt.color, tt.text) < render.MinContrast {
				t.Errorf("%s: button text %s does not read", tt.color, tt.text)
			}
			for _, p := range rendertest.ColorProblems(m.HTML, s.Brand) {
				t.Error(p)
			}
		}
	}
}
