package thankyou

import (
	"context"
	"fmt"
	"strconv"

	"github.com/a-h/templ"

	"shopmail/internal/contact"
	"shopmail/internal/coupon"
	"shopmail/internal/loyalty"
	"shopmail/internal/order"
	"shopmail/internal/render"
	"shopmail/internal/send"
)

// ReferralKind is the send kind and SES tag of the email that gives a referrer their reward.
const ReferralKind = "referral"

// ReferralReward is the email to a customer whose friends' first orders earned them a reward.
// It is a render.Content.
type ReferralReward struct {
	FirstName string
	Friends   int
	Coupon    coupon.Coupon
}

// Subject implements render.Content.
func (v ReferralReward) Subject(l render.Locale, b render.Brand) string {
	return l.T("referral.subject", b.ShopName)
}

// Preheader implements render.Content.
func (v ReferralReward) Preheader(l render.Locale) string { return l.T("referral.preheader") }

// Why implements render.Content.
func (v ReferralReward) Why(l render.Locale, b render.Brand) string {
	return l.T("footer.why.referral", b.ShopName)
}

// Body implements render.Content (referral.templ).
func (v ReferralReward) Body(e render.Email) templ.Component { return referralBody(v, e) }

// WriteText implements render.Content.
func (v ReferralReward) WriteText(t *render.Text, b render.Brand) {
	l := t.L
	c := v.Coupon
	t.Line(l.Hello(v.FirstName)).Line().T("referral.intro", v.Friends).Line().T("referral.heading").
		Line(l.T("coupon.body", c.Offer), " ", c.Code).T("coupon.expires", l.Date(c.ExpiresAt)).
		Line(l.T("shop.now"), ": ", b.ShopURL).Line().T("signoff").T("team", b.ShopName)
}

// invite is the email's referral block for the contact.
func (s *Service) invite(c *contact.Contact) *Invite {
	r := s.Loyalty.Referrals
	offer, ok := r.Offer[render.LocaleFor(c.Locale, "").Lang]
	if !ok {
		offer = r.Offer["en"]
	}
	return &Invite{Code: c.ReferralCode, Link: loyalty.InviteLink(s.Config.Brand.ShopURL, c.ReferralCode), Offer: offer, Needed: r.Needed}
}

// refer records the referral an order's code makes, and when it brings the referrer to a
// reward, issues the reward's coupon and emails it: once per reward (the coupon is one per
// referrer and reward, the email one send).
func (s *Service) refer(ctx context.Context, o order.Order, c *contact.Contact, first bool) (loyalty.Referral, error) {
	ref, found, err := s.Loyalty.Refer(ctx, o, c, first)
	if err != nil || !found || ref.Batch == 0 {
		return ref.Referral, err
	}
	referrer, r := ref.Referrer, s.Loyalty.Referrals
	batch := strconv.Itoa(ref.Batch)
	rec := send.Record{Key: ReferralKind + "#" + batch, ContactID: referrer.ID, Kind: ReferralKind, To: referrer.Email}
	if reason, err := s.Gate.Check(ctx, referrer, ""); err != nil || reason != "" {
		if err == nil {
			_, err = s.Sender.Skip(ctx, rec, reason)
		}
		return ref.Referral, err
	}
	offer, ok := r.Offer[render.LocaleFor(referrer.Locale, "").Lang]
	if !ok {
		offer = r.Offer["en"]
	}
	now := s.Now().UTC()
	cp, err := s.Coupons.IssueCoupon(ctx, coupon.Coupon{
		Code: coupon.NewCode(r.Prefix), Purpose: ReferralKind, ContactID: referrer.ID,
		OrderID: "referrals-" + referrer.ID + "-" + batch, Offer: offer, IssuedAt: now, ExpiresAt: now.Add(r.Valid),
	})
	if err != nil {
		return ref.Referral, fmt.Errorf("issue referral reward %s for %s: %w", batch, referrer.ID, err)
	}
	v := ReferralReward{FirstName: referrer.FirstName, Friends: ref.Batch * r.Needed, Coupon: cp}
	msg := s.compose(referrer, v, &rec)
	_, err = s.Sender.Send(ctx, rec, msg, []send.Tag{
		{Name: "kind", Value: ReferralKind}, {Name: "contact", Value: send.TagValue(referrer.ID)},
	})
	return ref.Referral, err
}
