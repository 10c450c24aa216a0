package thankyou

import (
	"time"

	"github.com/a-h/templ"

	"shopmail/internal/catalog"
	"shopmail/internal/coupon"
	"shopmail/internal/money"
	"shopmail/internal/render"
)

// View is what a thank-you email shows. It is a render.Content.
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
	// Rewards are the coupons the order earned by the loyalty programme's reward rules.
	Rewards []coupon.Coupon
	// Invite is the customer's referral code and link, nil without a referral programme or
	// consent to marketing.
	Invite *Invite
	// Points is what the order earned in the loyalty programme, nil when it is off.
	Points *Points
	// OrderURL is the customer's page of the order (https), "" when the shop sent none.
	OrderURL string
	// The breakdown of Total the shop sent, each nil when it sent none.
	Subtotal, Shipping, Discount, Tax *money.Decimal
}

// Points is the loyalty block of a thank-you: what the order earned and where that leaves the
// customer.
type Points struct {
	Earned, Balance int64
	Tier            string // "" when the programme has no tiers
	// TierUp is set when this order took the customer to Tier: the thank-you is then the
	// tier-up email too (one email, not two at once).
	TierUp bool
	// Next is the tier after Tier and Missing the points still needed for it ("" at the top).
	Next    string
	Missing int64
}

// Invite asks the customer to bring friends: their code, the link that carries it, and what
// Needed friends' first orders earn them.
type Invite struct {
	Code, Link, Offer string
	Needed            int
}

// tierName is a tier as the customer reads it: the translation of the default tiers, the
// shop's own name otherwise.
func tierName(l render.Locale, tier string) string {
	if s := l.T("tier." + tier); s != "tier."+tier {
		return s
	}
	return tier
}

// lines are the block's sentences.
func (p Points) lines(l render.Locale) []string {
	out := []string{l.T("points.earned", p.Earned), l.T("points.balance", p.Balance)}
	switch {
	case p.TierUp:
		out = append(out, l.T("points.tierup", tierName(l, p.Tier)))
	case p.Tier != "":
		out = append(out, l.T("points.tier", tierName(l, p.Tier)))
	}
	if p.Next != "" {
		out = append(out, l.T("points.next", p.Missing, tierName(l, p.Next)))
	}
	return out
}

// Line is one listed order line.
type Line = render.ItemLine

// amountLine is a line of the total's breakdown.
type amountLine struct{ label, amount string }

// breakdown lists the parts of the total the shop sent: subtotal, shipping, discount (taken
// off, so shown negative, as money formats it for the locale) and tax.
func (v View) breakdown(l render.Locale) []amountLine {
	var out []amountLine
	for _, a := range []struct {
		key string
		d   *money.Decimal
	}{{"order.subtotal", v.Subtotal}, {"order.shipping", v.Shipping}, {"order.discount", v.Discount}, {"order.tax", v.Tax}} {
		if a.d == nil {
			continue
		}
		d := *a.d
		if a.key == "order.discount" {
			d, _ = d.Mul(-1) // taken off; cannot overflow, the decoder bounds amounts
		}
		out = append(out, amountLine{l.T(a.key), l.Money(d, v.Currency)})
	}
	return out
}

// Subject implements render.Content.
func (v View) Subject(l render.Locale, b render.Brand) string {
	key := "thankyou.subject.again"
	if v.First {
		key = "thankyou.subject.first"
	}
	if v.FirstName == "" {
		return l.T(key+".anon", b.ShopName)
	}
	return l.T(key, v.FirstName)
}

// Preheader implements render.Content.
func (v View) Preheader(l render.Locale) string { return l.T("thankyou.preheader", v.OrderID) }

// Why implements render.Content.
func (v View) Why(l render.Locale, b render.Brand) string {
	return l.T("footer.why.order", b.ShopName)
}

func (v View) intro(l render.Locale, b render.Brand) string {
	if v.First {
		return l.T("thankyou.intro.first", b.ShopName)
	}
	return l.T("thankyou.intro.again")
}

// Body implements render.Content (email.templ).
func (v View) Body(e render.Email) templ.Component { return body(v, e) }

// WriteText implements render.Content.
func (v View) WriteText(t *render.Text, b render.Brand) {
	l := t.L
	t.Line(l.Hello(v.FirstName)).Line().Line(v.intro(l, b)).Line()
	t.T("order.heading", v.OrderID).T("order.placed", l.Date(v.PlacedAt)).Line()
	for _, ln := range v.Lines {
		was := ""
		if ln.RegularPrice != nil {
			was = " (" + l.T("order.was", l.Money(*ln.RegularPrice, v.Currency)) + ")"
		}
		t.Line("- ", ln.Name, " × ", l.Number(ln.Quantity), l.T("order.sep"), l.T("order.each", l.Money(ln.UnitPrice, v.Currency)), was, ": ", l.Money(ln.LineTotal, v.Currency))
		if ln.URL != "" {
			t.Line("  ", ln.URL)
		}
	}
	if v.More > 0 {
		t.T("order.more", v.More)
	}
	t.Line()
	for _, a := range v.breakdown(l) {
		t.Line(a.label, ": ", a.amount)
	}
	t.Line(l.T("order.total"), ": ", l.Money(v.Total, v.Currency))
	if v.OrderURL != "" {
		t.Line().Line(l.T("order.view"), ": ", v.OrderURL)
	}
	if p := v.Points; p != nil {
		t.Line().T("points.heading")
		for _, s := range p.lines(l) {
			t.Line(s)
		}
	}
	for _, c := range v.Rewards {
		t.Line().T("reward.heading").Line(l.T("coupon.body", c.Offer), " ", c.Code).T("coupon.expires", l.Date(c.ExpiresAt))
	}
	if in := v.Invite; in != nil {
		t.Line().T("invite.heading").T("invite.body", in.Needed, in.Offer).Line(in.Link).T("invite.code", in.Code)
	}
	if c := v.Coupon; c != nil {
		t.Line().T("coupon.heading").Line(l.T("coupon.body", c.Offer), " ", c.Code).T("coupon.expires", l.Date(c.ExpiresAt)).
			Line(l.T("shop.now"), ": ", b.ShopURL)
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
