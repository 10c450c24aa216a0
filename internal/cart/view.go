package cart

import (
	"strconv"

	"github.com/a-h/templ"

	"shopmail/internal/coupon"
	"shopmail/internal/money"
	"shopmail/internal/render"
)

// View is a cart reminder: the items left, the total, the button back to the cart and, in
// the second reminder, the coupon. It is a render.Content.
type View struct {
	FirstName string
	Lines     []render.ItemLine
	More      int // items not listed
	Currency  string
	Total     money.Decimal
	CartURL   string
	Step      int
	Coupon    *coupon.Coupon
}

func (v View) step() string { return strconv.Itoa(min(max(v.Step, 1), 2)) }

// Subject implements render.Content.
func (v View) Subject(l render.Locale, b render.Brand) string {
	return l.T("cart.subject."+v.step(), b.ShopName)
}

// Preheader implements render.Content.
func (v View) Preheader(l render.Locale) string { return l.T("cart.preheader") }

// Why implements render.Content.
func (v View) Why(l render.Locale, b render.Brand) string { return l.T("footer.why.cart", b.ShopName) }

// Body implements render.Content (email.templ).
func (v View) Body(e render.Email) templ.Component { return body(v, e) }

// WriteText implements render.Content.
func (v View) WriteText(t *render.Text, b render.Brand) {
	l := t.L
	t.Line(l.Hello(v.FirstName)).Line().T("cart.intro." + v.step()).Line()
	for _, ln := range v.Lines {
		t.Line(l.Number(ln.Quantity), " × ", ln.Name, ": ", l.Money(ln.LineTotal, v.Currency))
	}
	if v.More > 0 {
		t.T("order.more", v.More)
	}
	t.Line(l.T("order.total"), ": ", l.Money(v.Total, v.Currency)).Line()
	if v.Coupon != nil {
		t.T("cart.coupon").Line(l.T("coupon.body", v.Coupon.Offer), " ", v.Coupon.Code).T("coupon.expires", l.Date(v.Coupon.ExpiresAt)).Line()
	}
	t.Line(l.T("cart.return"), ": ", v.CartURL).Line().T("team", b.ShopName)
}
