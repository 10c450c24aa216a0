package survey

import (
	"context"
	"fmt"
	"time"

	"github.com/a-h/templ"

	"shopmail/internal/coupon"
	"shopmail/internal/email"
	"shopmail/internal/render"
	"shopmail/internal/send"
)

// Apology is the optional apology to an unhappy customer: a single-use coupon, once per order.
type Apology struct {
	Prefix string            // coupon code prefix; empty: no apology email
	Offer  map[string]string // what the coupon gives, per language ("en" is the fallback)
	Valid  time.Duration
}

// Coupons issues coupons (one per order and purpose).
type Coupons interface {
	IssueCoupon(ctx context.Context, c coupon.Coupon) (coupon.Coupon, error)
}

// apologize sends the apology with its coupon, once per order.
func (a *Answering) apologize(ctx context.Context, ans Answer) error {
	if a.Apology.Prefix == "" || a.Coupons == nil {
		return nil
	}
	if a.Gate == nil {
		return fmt.Errorf("apology for order %s: no gate before the mail service", ans.OrderID)
	}
	c, err := a.Store.Contact(ctx, ans.ContactID)
	if err != nil || c.Email == "" {
		return err
	}
	rec := send.Record{Key: "apology#" + ans.OrderID, ContactID: c.ID, Kind: "apology", OrderID: ans.OrderID}
	// The gate first, so that no coupon is issued for an email that cannot go. The apology
	// answers the customer's own complaint: transactional, not stopped by the marketing pause
	// that the same answer starts, but stopped by a suppression.
	reason, err := a.Gate.Check(ctx, c, "")
	if err != nil || reason != "" {
		if err == nil {
			_, err = a.mail().skip(ctx, rec, c.Email, reason)
		}
		return err
	}
	loc := render.LocaleFor(c.Locale, c.Timezone)
	offer, ok := a.Apology.Offer[loc.Lang]
	if !ok {
		offer = a.Apology.Offer["en"]
	}
	now := a.Now().UTC()
	cp, err := a.Coupons.IssueCoupon(ctx, coupon.Coupon{
		Code: coupon.NewCode(a.Apology.Prefix), Purpose: "apology", ContactID: c.ID, OrderID: ans.OrderID,
		Offer: offer, IssuedAt: now, ExpiresAt: now.Add(a.Apology.Valid),
	})
	if err != nil {
		return fmt.Errorf("issue apology coupon for order %s: %w", ans.OrderID, err)
	}
	r := render.Render(apologyView{FirstName: c.FirstName, OrderID: ans.OrderID, Coupon: cp}, a.Brand, loc, render.Tracking{})
	_, err = a.mail().send(ctx, c, "", rec,
		email.Message{From: a.From, To: email.Address{Name: c.FirstName, Email: c.Email}, Subject: r.Subject, Text: r.Text,
			HTML: r.HTML, Date: now, Language: loc.Tag},
		[]send.Tag{{Name: "kind", Value: "apology"}, {Name: "contact", Value: send.TagValue(c.ID)}, {Name: "order", Value: send.TagValue(ans.OrderID)}})
	return err
}

// apologyView is the apology email. It is a render.Content.
type apologyView struct {
	FirstName string
	OrderID   string
	Coupon    coupon.Coupon
}

func (v apologyView) Subject(l render.Locale, b render.Brand) string {
	return l.T("apology.subject", b.ShopName)
}
func (v apologyView) Preheader(l render.Locale) string { return l.T("apology.preheader") }
func (v apologyView) Why(l render.Locale, b render.Brand) string {
	return l.T("footer.why.order", b.ShopName)
}

func (v apologyView) Body(e render.Email) templ.Component { return apologyBody(v, e) }

func (v apologyView) WriteText(t *render.Text, b render.Brand) {
	l := t.L
	t.Line(l.Hello(v.FirstName)).Line().T("apology.body", v.OrderID).Line().
		Line(l.T("coupon.body", v.Coupon.Offer), " ", v.Coupon.Code).T("coupon.expires", l.Date(v.Coupon.ExpiresAt)).
		Line().T("questions").T("team", b.ShopName)
}
