package thankyou

import (
	"time"

	"github.com/a-h/templ"

	"shopmail/internal/catalog"
	"shopmail/internal/coupon"
	"shopmail/internal/money"
	"shopmail/internal/order"
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
}

// Line is one listed order line.
type Line struct {
	order.Item
	LineTotal money.Decimal
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
