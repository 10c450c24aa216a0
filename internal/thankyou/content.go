package thankyou

import (
	"time"

	"shopmail/internal/catalog"
	"shopmail/internal/coupon"
	"shopmail/internal/message"
	"shopmail/internal/money"
	"shopmail/internal/order"
)

// View is what a thank-you email shows. It is a message.Content.
type View struct {
	FirstName   string
	First       bool // the contact's first order: the full welcome
	OrderID     string
	PlacedAt    time.Time
	Currency    string
	Total       money.Decimal
	Lines       []Line
	More        int // lines not listed
	Suggestions []catalog.Product
	Coupon      *coupon.Coupon
}

// Line is one listed order line.
type Line struct {
	order.Item
	LineTotal money.Decimal
}

// Subject implements message.Content.
func (v View) Subject(l message.Locale, b message.Brand) string {
	key := "thankyou.subject.again"
	if v.First {
		key = "thankyou.subject.first"
	}
	if v.FirstName == "" {
		return l.T(key+".anon", b.ShopName)
	}
	return l.T(key, v.FirstName)
}

// Preheader implements message.Content.
func (v View) Preheader(l message.Locale) string { return l.T("thankyou.preheader", v.OrderID) }

// Why implements message.Content.
func (v View) Why(l message.Locale, b message.Brand) string {
	return l.T("footer.why.order", b.ShopName)
}

func (v View) intro(l message.Locale, b message.Brand) string {
	if v.First {
		return l.T("thankyou.intro.first", b.ShopName)
	}
	return l.T("thankyou.intro.again")
}

// WriteHTML implements message.Content.
func (v View) WriteHTML(h *message.HTML, b message.Brand) {
	l := h.L
	h.Tag(`<p style="margin:0 0 16px;font-size:18px;">`).Text(l.Hello(v.FirstName)).Tag(`</p>
<p style="margin:0 0 24px;">`).Text(v.intro(l, b)).Tag(`</p>
<h2 style="margin:0 0 4px;font-size:17px;">`).T("order.heading", v.OrderID).Tag(`</h2>
<p style="margin:0 0 12px;font-size:13px;color:#52525b;">`).T("order.placed", l.Date(v.PlacedAt)).Tag(`</p>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" dir="`).Dir().Tag(`" style="border-collapse:collapse;font-size:15px;">
<tr style="color:#52525b;font-size:13px;">
<th align="`).Start().Tag(`" style="padding:6px 0;border-bottom:1px solid #e4e4e7;font-weight:normal;">`).T("order.item").Tag(`</th>
<th align="center" style="padding:6px 8px;border-bottom:1px solid #e4e4e7;font-weight:normal;">`).T("order.qty").Tag(`</th>
<th align="`).End().Tag(`" style="padding:6px 0;border-bottom:1px solid #e4e4e7;font-weight:normal;">`).T("order.price").Tag(`</th>
</tr>
`)
	for _, ln := range v.Lines {
		h.Tag(`<tr><td align="`).Start().Tag(`" style="padding:8px 0;border-bottom:1px solid #f4f4f5;">`)
		if ln.URL != "" {
			h.Tag(`<a href="`).Link(ln.URL).Tag(`" style="color:#18181b;">`).Text(ln.Name).Tag(`</a>`)
		} else {
			h.Text(ln.Name)
		}
		if ln.RegularPrice != nil {
			h.Tag(`<br><span style="font-size:12px;color:#71717a;">`).T("order.was", l.Money(*ln.RegularPrice, v.Currency)).Tag(`</span>`)
		}
		h.Tag(`</td>
<td align="center" style="padding:8px;border-bottom:1px solid #f4f4f5;">`).Text(l.Number(ln.Quantity)).Tag(`</td>
<td align="`).End().Tag(`" style="padding:8px 0;border-bottom:1px solid #f4f4f5;white-space:nowrap;">`).Text(l.Money(ln.LineTotal, v.Currency)).Tag(`</td></tr>
`)
	}
	if v.More > 0 {
		h.Tag(`<tr><td colspan="3" style="padding:8px 0;color:#52525b;font-size:13px;">`).T("order.more", v.More).Tag(`</td></tr>
`)
	}
	h.Tag(`<tr><td colspan="2" align="`).Start().Tag(`" style="padding:10px 0;font-weight:bold;">`).T("order.total").Tag(`</td>
<td align="`).End().Tag(`" style="padding:10px 0;font-weight:bold;white-space:nowrap;">`).Text(l.Money(v.Total, v.Currency)).Tag(`</td></tr>
</table>
`)
	v.couponHTML(h)
	v.suggestionsHTML(h)
	h.Tag(`<p style="margin:24px 0 0;">`).T("questions").Tag(`</p>
<p style="margin:16px 0 0;">`).T("signoff").Tag(`<br>`).T("team", b.ShopName).Tag(`</p>`)
}

func (v View) couponHTML(h *message.HTML) {
	c := v.Coupon
	if c == nil {
		return
	}
	h.Tag(`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:24px 0 0;border:2px dashed #a1a1aa;">
<tr><td align="center" style="padding:16px;">
<p style="margin:0 0 4px;font-weight:bold;">`).T("coupon.heading").Tag(`</p>
<p style="margin:0 0 8px;">`).T("coupon.body", c.Offer).Tag(`</p>
<p dir="ltr" style="margin:0 0 8px;font-family:'Courier New',monospace;font-size:22px;letter-spacing:2px;font-weight:bold;">`).Text(c.Code).Tag(`</p>
<p style="margin:0;font-size:13px;color:#52525b;">`).T("coupon.expires", h.L.Date(c.ExpiresAt)).Tag(`</p>
</td></tr>
</table>
`)
}

func (v View) suggestionsHTML(h *message.HTML) {
	if len(v.Suggestions) == 0 {
		return
	}
	h.Tag(`<h2 style="margin:28px 0 12px;font-size:17px;">`).T("suggest.heading").Tag(`</h2>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" dir="`).Dir().Tag(`"><tr>
`)
	for _, p := range v.Suggestions {
		h.Tag(`<td class="col" width="33%" valign="top" align="center" style="padding:0 6px 16px;">
<a href="`).Link(p.URL).Tag(`" style="color:#18181b;text-decoration:none;">`)
		if p.ImageURL != "" {
			h.Tag(`<img src="`).URL(p.ImageURL).Tag(`" alt="`).Attr(p.Name).Tag(`" width="160" style="display:block;margin:0 auto 8px;border-radius:6px;">`)
		}
		h.Tag(`<span style="display:block;">`).Text(p.Name).Tag(`</span></a>
<span style="display:block;font-weight:bold;">`).Text(h.L.Money(p.Price, p.Currency)).Tag(`</span>`)
		if p.RegularPrice != nil {
			h.Tag(`<s style="font-size:13px;color:#71717a;">`).Text(h.L.Money(*p.RegularPrice, p.Currency)).Tag(`</s>`)
		}
		h.Tag(`</td>
`)
	}
	h.Tag(`</tr></table>
`)
}

// WriteText implements message.Content.
func (v View) WriteText(t *message.Text, b message.Brand) {
	l := t.L
	t.Line(l.Hello(v.FirstName)).Line().Line(v.intro(l, b)).Line()
	t.T("order.heading", v.OrderID).T("order.placed", l.Date(v.PlacedAt)).Line()
	for _, ln := range v.Lines {
		was := ""
		if ln.RegularPrice != nil {
			was = " (" + l.T("order.was", l.Money(*ln.RegularPrice, v.Currency)) + ")"
		}
		t.Line("- ", ln.Name, " × ", l.Number(ln.Quantity), ": ", l.Money(ln.LineTotal, v.Currency), was)
		if ln.URL != "" {
			t.Line("  ", ln.URL)
		}
	}
	if v.More > 0 {
		t.T("order.more", v.More)
	}
	t.Line().Line(l.T("order.total"), ": ", l.Money(v.Total, v.Currency))
	if c := v.Coupon; c != nil {
		t.Line().T("coupon.heading").Line(l.T("coupon.body", c.Offer), " ", c.Code).T("coupon.expires", l.Date(c.ExpiresAt))
	}
	if len(v.Suggestions) > 0 {
		t.Line().T("suggest.heading")
		for _, p := range v.Suggestions {
			was := ""
			if p.RegularPrice != nil {
				was = " (" + l.T("order.was", l.Money(*p.RegularPrice, p.Currency)) + ")"
			}
			t.Line("- ", p.Name, ": ", l.Money(p.Price, p.Currency), was).Line("  ", p.URL)
		}
	}
	t.Line().T("questions").Line().T("signoff").T("team", b.ShopName)
}
