package cart

import (
	"context"
	"fmt"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/coupon"
	"shopmail/internal/deliverability"
	"shopmail/internal/email"
	"shopmail/internal/fault"
	"shopmail/internal/render"
	"shopmail/internal/send"
)

// maxLines is how many of a cart's items the email lists; the rest are counted.
const maxLines = 20

// Sending sends a reminder when its schedule fires (the cartsend function).
type Sending struct {
	Config  Config
	Store   Store
	Sender  *send.Sender
	Gate    *deliverability.Gate
	Coupons Coupons
	Now     func() time.Time
}

// Send sends a cart's reminder step (planned outside the quiet hours), unless the cart was
// ordered, emptied or updated since it was planned, the step was sent already (the ledger
// sends each step of a cart once, however often its schedule fires), or the gate, the
// customer's choice or the throttle say no. What it decided is on the send row.
func (p *Sending) Send(ctx context.Context, d Due) (send.Outcome, error) {
	c, found, err := p.Store.Cart(ctx, d.ContactID, d.CartID)
	switch {
	case err != nil:
		return send.Outcome{}, err
	case !found:
		return send.Outcome{}, fmt.Errorf("%w cart reminder: no cart %s of contact %s", fault.ErrInvalid, d.CartID, d.ContactID)
	case c.Status != Open || !c.UpdatedAt.Equal(d.UpdatedAt) || d.Step < 1 || d.Step > 2 || d.Step > c.Reminded+1:
		return send.Outcome{Duplicate: true}, nil // closed, updated since (its own schedules remind), or out of turn
	}
	now := p.Now().UTC()
	rec := send.Record{Key: SendKey(c.ID, d.Step), ContactID: d.ContactID, Kind: Kind, Topic: contact.TopicCarts}
	ct, err := p.Store.Contact(ctx, d.ContactID)
	if err != nil {
		return send.Outcome{}, err
	}
	reason, err := p.check(ctx, ct, c, now)
	if err != nil {
		return send.Outcome{}, err
	}
	var out send.Outcome
	if reason != "" {
		rec.To = ct.Email
		out, err = p.Sender.Skip(ctx, rec, reason)
	} else {
		var msg email.Message
		if msg, err = p.compose(ctx, ct, c, d.Step, &rec); err != nil {
			return send.Outcome{}, err
		}
		out, err = p.Sender.Send(ctx, rec, msg, []send.Tag{
			{Name: "kind", Value: Kind}, {Name: "contact", Value: send.TagValue(ct.ID)}, {Name: "cart", Value: send.TagValue(c.ID)},
		})
	}
	if err != nil {
		return out, err
	}
	sent := out.Record.Status == send.Sent
	if sent && d.Step == 1 {
		if _, err := p.Store.UpdateContact(ctx, ct.ID, func(c *contact.Contact) bool {
			if c.LastCartReminderAt.After(now) || c.LastCart == d.CartID {
				return false
			}
			c.LastCartReminderAt, c.LastCart = now, d.CartID
			return true
		}); err != nil {
			return out, err
		}
	}
	_, err = p.Store.MarkDue(ctx, d.ContactID, d.CartID, d.UpdatedAt, d.Step, sent, now)
	return out, err
}

// check says why the reminder must not go ("" when it may): the gate (suppression, the
// customer's choice of the topic, consent where it is required, a marketing pause, the
// sender's reputation) and the throttle (the second reminder of the cart the last one was
// about passes).
func (p *Sending) check(ctx context.Context, ct *contact.Contact, c Cart, now time.Time) (string, error) {
	if ct.Email == "" {
		ct.Email = c.Customer.Email
	}
	judged := *ct
	if !p.Config.ConsentRequired && ct.MayMarketUnlessOptedOut(contact.TopicCarts) {
		judged.Consent.Marketing = true // no consent needed, only no opt-out; the pauses still apply
	}
	reason, err := p.Gate.Check(ctx, &judged, contact.TopicCarts)
	if err != nil || reason != "" {
		return reason, err
	}
	if last := ct.LastCartReminderAt; ct.LastCart != c.ID && !last.IsZero() && now.Sub(last) < p.Config.Throttle {
		return fmt.Sprintf("cart reminder throttle: one cart per %d days; the last reminder was on %s", int(p.Config.Throttle.Hours()/24), last.Format(time.DateOnly)), nil
	}
	return "", nil
}

func (p *Sending) compose(ctx context.Context, ct *contact.Contact, c Cart, step int, rec *send.Record) (email.Message, error) {
	now := p.Now().UTC()
	locale, tz := ct.Locale, ct.Timezone
	if locale == "" {
		locale, tz = c.Customer.Locale, c.Customer.Timezone
	}
	loc := render.LocaleFor(locale, tz)
	v := View{FirstName: ct.FirstName, Currency: c.Currency, Total: c.Total, CartURL: c.URL, Step: step}
	if v.CartURL == "" {
		v.CartURL = p.Config.Brand.ShopURL
	}
	for i, it := range c.Items {
		if i == maxLines {
			v.More = len(c.Items) - maxLines
			break
		}
		total, _ := it.LineTotal()
		v.Lines = append(v.Lines, render.ItemLine{Item: it, LineTotal: total})
	}
	if step == 2 && p.Config.CouponPrefix != "" && p.Coupons != nil {
		offer, ok := p.Config.CouponOffer[loc.Lang]
		if !ok {
			offer = p.Config.CouponOffer["en"]
		}
		cp, err := p.Coupons.IssueCoupon(ctx, coupon.Coupon{
			Code: coupon.NewCode(p.Config.CouponPrefix), Purpose: Kind, ContactID: ct.ID, OrderID: Kind + "-" + c.ID,
			Offer: offer, IssuedAt: now, ExpiresAt: now.Add(p.Config.CouponValid),
		})
		if err != nil {
			return email.Message{}, fmt.Errorf("issue the coupon of cart %s: %w", c.ID, err)
		}
		v.Coupon = &cp
	}
	l := p.Config.Links.For(ct.ID, rec.Key, now)
	r := render.Render(v, p.Config.Brand, loc, l.Tracking(rec.Topic))
	rec.Links, rec.ExpiresAt = l.URLs(), now.Add(p.Config.Links.Tracking)
	return email.Message{
		From: p.Config.From, To: email.Address{Name: ct.FirstName, Email: ct.Email}, Subject: r.Subject,
		Text: r.Text, HTML: r.HTML, Date: now, Language: loc.Tag, Headers: l.Headers(rec.Topic),
	}, nil
}
