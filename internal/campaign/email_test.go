package campaign_test

import (
	"html"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the recipients' time zones, wherever the test runs

	xhtml "golang.org/x/net/html"

	"shopmail/internal/campaign"
	"shopmail/internal/email"
	"shopmail/internal/email/emailtest"
	"shopmail/internal/links"
	"shopmail/internal/money"
	"shopmail/internal/render"
	"shopmail/internal/render/rendertest"
	"shopmail/internal/token"
)

var shop = render.Brand{ShopName: "Leaf & Cup", ShopURL: "https://shop.example", SenderName: "Leaf & Cup", PostalAddress: "1 Tea Street, Shiraz"}

// recipient is a contact of the locale with a real send's links.
func recipient(t *testing.T, locale, tz string) (campaign.Recipient, *links.Send) {
	t.Helper()
	keys, err := token.ParseKeys(`{"current":"k1","k1":"0123456789abcdef0123456789abcdef"}`)
	if err != nil {
		t.Fatal(err)
	}
	cfg := links.Config{BaseURL: "https://go.shop.example", Keys: keys, Tracking: 400 * 24 * time.Hour, Unsubscribe: 2 * 365 * 24 * time.Hour}
	send := cfg.For("contact-1", "campaign#c1#contact-1", before)
	name := "Sara"
	if locale == "fa-IR" {
		name = "سارا"
	}
	return campaign.Recipient{Email: "sara@example.com", FirstName: name, Locale: locale, Timezone: tz, Links: send, Shop: shop,
		From: email.Address{Name: "Leaf & Cup", Email: "news@shop.example"}}, send
}

// parse renders c for r and reads the message as a mail client does.
func parse(t *testing.T, c campaign.Campaign, r campaign.Recipient) *emailtest.Parsed {
	t.Helper()
	m, err := campaign.Render(c, r)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return emailtest.MustParse(t, raw)
}

func TestSaleEmailAsReadersSeeIt(t *testing.T) {
	for _, tt := range []struct {
		locale, tz, lang, dir, window string
	}{
		{"en-US", "America/New_York", "en", "ltr", "From 18 December 2026, 15:30 until 21 December 2026, 15:30"},
		// 19 December 2026 is 28 Azar 1405, 22 December is 1 Dey; midnight in Tehran.
		{"fa-IR", "Asia/Tehran", "fa", "rtl", "از ۲۸ آذر ۱۴۰۵، ساعت ۰۰:۰۰ تا ۱ دی ۱۴۰۵، ساعت ۰۰:۰۰"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			c := decodeSample(t)
			r, send := recipient(t, tt.locale, tt.tz)
			p := parse(t, c, r)
			l := render.LocaleFor(tt.locale, tt.tz)
			usd := func(s string) string { return l.Money(money.MustParse(s), "USD") }
			esc := html.EscapeString
			content := c.Content[tt.lang]
			pre := content.Preheader
			if pre == "" {
				pre = content.Headline // the inbox shows the headline, not the shop's name
			}

			// Headers: the subject of the language, one-click unsubscribe from the campaign's topic.
			if p.Subject != content.Subject {
				t.Errorf("subject %q, want %q", p.Subject, content.Subject)
			}
			unsub, err := emailtest.CheckMarketing(p)
			if err != nil {
				t.Fatal(err)
			}
			if unsub != send.Unsubscribe("sales") {
				t.Errorf("List-Unsubscribe %q, want the sales topic's %q", unsub, send.Unsubscribe("sales"))
			}
			if got := p.Header.Get("Content-Language"); got != tt.locale {
				t.Errorf("Content-Language %q", got)
			}
			if p.To.Name != r.FirstName || p.To.Address != r.Email {
				t.Errorf("To %v", p.To)
			}

			muted := `class="c-muted" style="font-size:14px;background-color:#ffffff;color:#52525b;border-color:#e4e4e7;"`
			name := map[string]string{"en": "Green tea", "fa": "چای سبز"}[tt.lang]
			gift := map[string]string{"en": "Tea strainer", "fa": "صافی چای"}[tt.lang]
			for _, want := range []string{
				`<html lang="` + tt.locale + `" dir="` + tt.dir + `">`,
				`<div style="display:none;max-height:0;overflow:hidden;">` + esc(pre),
				esc(content.Headline),
				esc(c.Sale.Reason[tt.lang]),
				esc(tt.window),
				// The regular price struck through, with "was" for screen readers; the sale price beside it.
				`<span style="font-size:18px;font-weight:bold;">` + esc(usd("20.99")) + `</span>`,
				`<s ` + muted + `><span style="` + render.ScreenReaderOnly + `">` + esc(l.T("order.was.label")) + ` </span>` + esc(usd("30.00")) + `</s>`,
				// 9.01 of 30.00 is 30.03%: 30%; 20 of 80 is 25%.
				esc(l.T("sale.save", usd("9.01"), l.Percent(30))),
				esc(l.T("sale.save", usd("20"), l.Percent(25))),
				esc(l.T("sale.gift", usd("4.50"), gift)),
				`alt="` + esc(name) + `"`,
				`>YALDA30</p>`,
				esc(c.CTA.Label[tt.lang]) + `</a>`,
				esc(shop.PostalAddress),
				esc(l.T("footer.unsubscribe")),
			} {
				if !strings.Contains(p.HTML, want) {
					t.Errorf("HTML lacks %s", want)
				}
			}
			// The regular price is never shown as the price.
			if strings.Contains(p.HTML, `bold;">`+esc(usd("30.00"))) {
				t.Error("HTML shows the regular price as the price")
			}
			text := []string{
				r.FirstName, content.Headline, c.Sale.Reason[tt.lang], tt.window, content.Body,
				name + ": " + usd("20.99") + " (" + l.T("order.was", usd("30.00")) + ")",
				l.T("sale.save", usd("9.01"), l.Percent(30)),
				l.T("sale.gift", usd("4.50"), gift),
				l.T("sale.coupon") + " YALDA30",
				c.CTA.Label[tt.lang] + ": https://shop.example/sale",
				shop.PostalAddress,
				l.T("footer.unsubscribe") + ": " + unsub,
				l.T("footer.preferences") + ": " + send.Preferences(),
			}
			for _, want := range text {
				if !strings.Contains(p.Text, want) {
					t.Errorf("text part lacks %q:\n%s", want, p.Text)
				}
			}
			if strings.Contains(strings.ToLower(p.HTML), "<script") {
				t.Error("HTML has a script")
			}
			if problems := rendertest.ColorProblems(p.HTML, shop); len(problems) > 0 {
				t.Errorf("colours: %q", problems)
			}

			// Every link goes through the send's click tracking, but the footer's own.
			hrefs := attrs(t, p.HTML, "a", "href")
			if len(hrefs) < 5 {
				t.Fatalf("only %d links: %q", len(hrefs), hrefs)
			}
			for _, h := range hrefs {
				if !strings.HasPrefix(h, "https://go.shop.example"+links.PathClick) && h != unsub && h != send.Preferences() {
					t.Errorf("link %q is not tracked", h)
				}
			}
			body := map[string]string{"en": "https://shop.example/guide", "fa": "https://shop.example/fa/guide"}[tt.lang]
			for _, dest := range []string{"https://shop.example/p/tea", "https://shop.example/sale", "https://shop.example", body} {
				if !slices.Contains(send.URLs(), dest) {
					t.Errorf("%s is not among the tracked URLs %q", dest, send.URLs())
				}
			}
		})
	}
}

// attrs lists the attribute of every element of the kind in the HTML, as a browser reads it.
func attrs(t *testing.T, doc, element, attr string) []string {
	t.Helper()
	root, err := xhtml.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for n := range root.Descendants() {
		if n.Type == xhtml.ElementNode && n.Data == element {
			for _, a := range n.Attr {
				if a.Key == attr {
					out = append(out, a.Val)
				}
			}
		}
	}
	return out
}

// TestSavingRoundsDown: 2 off 3 is 66.67%, shown as 66% (never more than it is).
func TestSavingRoundsDown(t *testing.T) {
	c := decodeSample(t)
	c.Sale.Products = c.Sale.Products[1:]
	c.Sale.Products[0].RegularPrice, c.Sale.Products[0].SalePrice = money.MustParse("3.00"), money.MustParse("1.00")
	r, _ := recipient(t, "en-US", "UTC")
	p := parse(t, c, r)
	if want := "You save $2.00 (66%)"; !strings.Contains(p.Text, want) || !strings.Contains(p.HTML, want) {
		t.Errorf("no %q:\n%s", want, p.Text)
	}
}

// TestMarkdownBodyIsSanitised: the marketer's scripts, javascript: links and styles never
// reach the email; the formatting and the https link do, tracked.
func TestMarkdownBodyIsSanitised(t *testing.T) {
	c := decodeSample(t)
	c.Content["en"] = campaign.Content{Subject: "s", Headline: "h", Body: "**Bold** <script>alert(1)</script>\n\n" +
		"[click](javascript:alert(1)) [CLICK](JaVaScRiPt:alert(2)) [ok](https://shop.example/ok)\n\n" +
		`<p style="position:fixed;top:0;left:0;width:100%;height:100%">cover</p>` + "\n\n" +
		`<a href="javascript:alert(3)" style="font-size:90px">raw</a>`}
	r, send := recipient(t, "en-US", "UTC")
	p := parse(t, c, r)
	low := strings.ToLower(p.HTML)
	// (The script's text, "alert(1)", may remain: as text, escaped.)
	for _, bad := range []string{"<script", "javascript:", "position:fixed", "font-size:90px", ">cover<"} {
		if strings.Contains(low, bad) {
			t.Errorf("HTML has %s", bad)
		}
	}
	if !strings.Contains(p.HTML, "<strong>Bold</strong>") {
		t.Error("HTML lost the formatting")
	}
	if !slices.Contains(send.URLs(), "https://shop.example/ok") || strings.Contains(p.HTML, `href="https://shop.example/ok"`) {
		t.Errorf("the body's https link is not tracked: %q", send.URLs())
	}
}

// TestEveryTextIsEscaped: whatever the marketer writes shows as text, never as markup.
func TestEveryTextIsEscaped(t *testing.T) {
	const mark = `<b>x</b>"&`
	c := decodeSample(t)
	c.Content["en"] = campaign.Content{Subject: "Subject " + mark, Preheader: "Pre " + mark, Headline: "Head " + mark}
	c.Sale.Reason["en"] = "Reason " + mark
	c.Sale.Products[0].Name["en"] = "Name " + mark
	c.Sale.Products[0].FreeGift.Name["en"] = "Gift " + mark
	c.Sale.Coupon.Code = "<b>x</b>"
	c.CTA.Label["en"] = "Label " + mark
	r, _ := recipient(t, "en-US", "UTC")
	p := parse(t, c, r)
	if strings.Contains(p.HTML, "<b>") {
		t.Errorf("HTML has unescaped markup:\n%s", p.HTML)
	}
	for _, what := range []string{"Subject", "Pre", "Head", "Reason", "Name", "Gift", "Label"} {
		if !strings.Contains(p.HTML, what+" &lt;b&gt;x&lt;/b&gt;&#34;&amp;") {
			t.Errorf("HTML lacks the escaped %s", what)
		}
	}
	if !strings.Contains(p.HTML, ">&lt;b&gt;x&lt;/b&gt;</p>") {
		t.Error("HTML lacks the escaped coupon code")
	}
	if !strings.Contains(p.Text, "Name "+mark) {
		t.Error("the text part is not the text as written")
	}
}

// TestContentLanguage: a Persian contact of a campaign written in English only reads it left
// to right in English, dates Gregorian; a German one gets English.
func TestContentLanguage(t *testing.T) {
	c := decodeSample(t)
	delete(c.Content, "fa")
	for _, locale := range []string{"fa-IR", "de-DE"} {
		r, _ := recipient(t, locale, "Asia/Tehran")
		p := parse(t, c, r)
		if p.Subject != c.Content["en"].Subject || !strings.Contains(p.HTML, `<html lang="en" dir="ltr">`) {
			t.Errorf("%s: subject %q, html %.80s", locale, p.Subject, p.HTML[strings.Index(p.HTML, "<html"):])
		}
		if !strings.Contains(p.Text, "From 19 December 2026, 00:00") {
			t.Errorf("%s: window not in English and Tehran time:\n%s", locale, p.Text)
		}
		if !strings.Contains(p.Text, "Green tea: $20.99") {
			t.Errorf("%s: product names not in English:\n%s", locale, p.Text)
		}
	}
}

// TestRenderKeepsTheHeaderWhole: a campaign that skipped Check cannot inject a header (a line
// break in the subject is a space), and a subject that would read backwards is refused.
func TestRenderKeepsTheHeaderWhole(t *testing.T) {
	c := decodeSample(t)
	c.Content["en"] = campaign.Content{Subject: "Sale\r\nBcc: all@example.com", Headline: "h"}
	r, _ := recipient(t, "en-US", "UTC")
	p := parse(t, c, r)
	if p.Subject != "Sale Bcc: all@example.com" || len(p.Header["Bcc"]) > 0 {
		t.Errorf("subject %q, Bcc %q", p.Subject, p.Header["Bcc"])
	}
	c.Content["en"] = campaign.Content{Subject: "\u202eexe.png", Headline: "h"}
	if _, err := campaign.Render(c, r); err == nil {
		t.Error("a bidi override in the subject: no error")
	}
}
