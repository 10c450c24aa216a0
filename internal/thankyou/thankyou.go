// Package thankyou sends the thank-you email for a placed order: the full welcome for a
// customer's first order, a shorter note for later ones, with related products and a coupon
// for the next order when the customer agreed to marketing. It also keeps the contact, the
// order and the product catalogue up to date from the event.
package thankyou

import (
	"context"
	"fmt"
	"time"

	"shopmail/internal/catalog"
	"shopmail/internal/contact"
	"shopmail/internal/coupon"
	"shopmail/internal/deliverability"
	"shopmail/internal/email"
	"shopmail/internal/fault"
	"shopmail/internal/links"
	"shopmail/internal/loyalty"
	"shopmail/internal/order"
	"shopmail/internal/render"
	"shopmail/internal/send"
)

// Kind is the send kind and SES tag of thank-you emails.
const Kind = "thankyou"

// Topic is the marketing topic of a thank-you's suggestions and coupon: with them, the email
// is marketing and carries the unsubscribe links; without them it is transactional.
const Topic = contact.TopicNews

// Defaults for how much an email shows.
const (
	maxLines       = 20 // order lines listed; the rest are counted
	maxSuggestions = 3
	perCategory    = 10 // recent products read per category when suggesting
	maxCategories  = 3
)

// Config is what the thank-you flow needs to know about the shop.
type Config struct {
	Brand        render.Brand
	From         email.Address
	CouponPrefix string // empty: no coupons
	// CouponOffer says what the coupon gives, per language ("en" is the fallback).
	CouponOffer map[string]string
	CouponValid time.Duration
	// Links are the send's public links (tracking, unsubscribe).
	Links links.Config
	// AttributionWindow is how long after a human click on a campaign's email an order is
	// credited to the campaign.
	AttributionWindow time.Duration
	// Rewards are the loyalty programme's rules that give an order a coupon for the next one.
	Rewards []loyalty.Reward
}

// Contacts reads and updates contacts. Update runs fn on the current contact (a new one when
// none exists) and stores the result if fn reports a change, retrying fn when a concurrent
// update won; it returns the contact as stored.
type Contacts interface {
	Contact(ctx context.Context, id string) (*contact.Contact, error)
	UpdateContact(ctx context.Context, id string, fn func(c *contact.Contact) bool) (*contact.Contact, error)
}

// Orders records orders. PutOrder stores the order unless it exists, credited to a campaign
// ("" for none) and counted in its stats, and returns the id of the contact the stored order
// belongs to.
type Orders interface {
	PutOrder(ctx context.Context, o order.Order, credit string, window time.Duration) (contactID string, err error)
}

// Catalog learns products and lists the most recently bought ones of a category.
type Catalog interface {
	PutProducts(ctx context.Context, ps []catalog.Product) error
	RecentProducts(ctx context.Context, category string, limit int) ([]catalog.Product, error)
}

// Coupons issues coupons and records their use. IssueCoupon stores c unless a coupon with
// c's (OrderID, Purpose) exists, and returns the stored one. RedeemCoupon records that an
// order used a code, once, and returns the coupon (found == false for codes not issued here).
type Coupons interface {
	IssueCoupon(ctx context.Context, c coupon.Coupon) (coupon.Coupon, error)
	RedeemCoupon(ctx context.Context, code, orderID string, at time.Time) (c coupon.Coupon, found bool, err error)
}

// Service handles placed orders.
type Service struct {
	Config   Config
	Contacts Contacts
	Orders   Orders
	Catalog  Catalog
	Coupons  Coupons
	// Loyalty gives the order its points; nil when the shop has no programme.
	Loyalty *loyalty.Service
	Sender  *send.Sender
	Gate    *deliverability.Gate
	Now     func() time.Time
}

// Result says what handling an order did, for the log.
type Result struct {
	OrderID   string
	ContactID string
	First     bool // the contact's first order
	Marketing bool // suggestions and coupon were allowed
	// Coupon says what became of the order's coupon code: "" (none, or not one of ours),
	// "redeemed", "reused: redeemed by <order>" when another order had used it, or
	// "expired: valid until <time>".
	Coupon string
	// Referral is what the order's referral code came to (zero without one).
	Referral loyalty.Referral
	Send     send.Outcome
}

// referrals reports whether the shop runs a referral programme.
func (s *Service) referrals() bool { return s.Loyalty != nil && s.Loyalty.Referrals.Enabled() }

// Handle records what the order tells us and sends its thank-you email at most once.
func (s *Service) Handle(ctx context.Context, o order.Order) (Result, error) {
	res := Result{OrderID: o.ID, ContactID: o.Customer.ID}
	err := s.recordOrder(ctx, o)
	if err != nil {
		return res, err
	}
	if res.Coupon, err = s.redeem(ctx, o); err != nil {
		return res, err
	}
	var earning *loyalty.Earning
	if s.Loyalty != nil && s.Loyalty.Config.Enabled() {
		g, err := s.Loyalty.Earn(ctx, o)
		if err != nil {
			return res, err
		}
		earning = &g
	}
	c, first, err := s.updateContact(ctx, o, earning)
	if err != nil {
		return res, err
	}
	if s.referrals() && first {
		// The code is recorded as the contact's with every replay of the first order, so
		// that a crash after the profile's write cannot leave it nobody's.
		if err := s.Loyalty.ReferralStore.PutReferralCode(ctx, c.ReferralCode, c.ID); err != nil {
			return res, err
		}
	}
	if s.referrals() {
		if res.Referral, err = s.refer(ctx, o, c, first); err != nil {
			return res, err
		}
	}
	if earning != nil {
		// A cancellation or refund that came before the order takes its points back now; the
		// email then does not announce them.
		if n, err := s.Loyalty.Settle(ctx, o.ID); err != nil {
			return res, fmt.Errorf("settle points of order %s: %w", o.ID, err)
		} else if n > 0 {
			earning = nil
		}
	}
	res.First = first
	if err := s.Catalog.PutProducts(ctx, catalog.FromOrder(o)); err != nil {
		return res, fmt.Errorf("record products of order %s: %w", o.ID, err)
	}
	rec := send.Record{Key: Kind + "#" + o.ID, ContactID: c.ID, Kind: Kind, OrderID: o.ID}
	// The check before every send: a suppressed address gets nothing; the marketing parts
	// need the contact's consent to the topic and marketing not to be paused.
	suppressed, err := s.Gate.Suppressed(ctx, c)
	if err != nil {
		return res, err
	}
	if reason, err := s.Gate.CheckRead(ctx, c, "", suppressed); err != nil || reason != "" {
		if err != nil {
			return res, err
		}
		rec.To = c.Email
		res.Send, err = s.Sender.Skip(ctx, rec, reason)
		return res, err
	}
	reason, err := s.Gate.CheckRead(ctx, c, Topic, suppressed)
	if err != nil {
		return res, err
	}
	res.Marketing = reason == ""
	v, err := s.view(ctx, o, c, first, res.Marketing)
	if err != nil {
		return res, err
	}
	if earning != nil && (earning.Entry.Points > 0 || c.Summary.Points > 0) {
		v.Points = s.points(*earning, c)
	}
	if v.Rewards, err = s.rewards(ctx, o, c); err != nil {
		return res, err
	}
	if res.Marketing && s.referrals() && c.ReferralCode != "" {
		v.Invite = s.invite(c)
	}
	if res.Marketing {
		rec.Topic = Topic
	}
	msg := s.compose(c, v, &rec)
	res.Send, err = s.Sender.Send(ctx, rec, msg, []send.Tag{
		{Name: "kind", Value: Kind},
		{Name: "contact", Value: send.TagValue(c.ID)},
		{Name: "order", Value: send.TagValue(o.ID)},
	})
	return res, err
}

// redeem records the use of a coupon code this system issued.
func (s *Service) redeem(ctx context.Context, o order.Order) (string, error) {
	if o.CouponCode == "" {
		return "", nil
	}
	cp, found, err := s.Coupons.RedeemCoupon(ctx, o.CouponCode, o.ID, o.PlacedAt)
	switch {
	case err != nil:
		return "", fmt.Errorf("redeem coupon of order %s: %w", o.ID, err)
	case !found:
		return "", nil
	case cp.RedeemedBy == "":
		return "expired: valid until " + cp.ExpiresAt.UTC().Format(time.RFC3339), nil
	case cp.RedeemedBy != o.ID:
		return "reused: redeemed by " + cp.RedeemedBy, nil
	}
	return "redeemed", nil
}

// updateContact applies what the order says to the contact, with the order's points (earning,
// nil without a programme) when the order is counted for the first time.
func (s *Service) updateContact(ctx context.Context, o order.Order, earning *loyalty.Earning) (*contact.Contact, bool, error) {
	// What an order says was true when it was placed, but never later than now: an order
	// dated in the future (a shop's clock, a typo) must not outrank every later observation.
	at := o.PlacedAt
	if now := s.Now().UTC(); at.After(now) {
		at = now
	}
	var first bool
	var ferr error
	c, err := s.Contacts.UpdateContact(ctx, o.Customer.ID, func(c *contact.Contact) bool {
		changed := c.Apply(contact.Observation{At: at, Source: "order " + o.ID, Customer: o.Customer})
		f, took := c.TakeFirstOrder(o.ID)
		first = f
		counted := c.CountOrder(o)
		if s.referrals() && c.ReferralCode == "" {
			c.ReferralCode, counted = coupon.NewCode("REF"), true
		}
		if a := o.Address; a != (order.Address{}) {
			if h := loyalty.AddressHash(a.Line1, a.Line2, a.City, a.PostalCode, a.Country); h != c.AddressHash {
				c.AddressHash, counted = h, true
			}
		}
		if earning != nil {
			if ferr = s.Loyalty.Restand(ctx, earning); ferr != nil {
				return false
			}
			earning.Before = c.Summary.Tier
			g := *earning
			if !counted {
				g.Entry.Points = 0 // counted before: so were its points
			}
			counted = g.Apply(c) || counted
		}
		return changed || took || counted
	})
	if err == nil {
		err = ferr
	}
	if err != nil {
		return nil, false, fmt.Errorf("update contact %s: %w", o.Customer.ID, err)
	}
	return c, first, nil
}

// recordOrder stores the order, first of all: an order id seen before with another customer
// is refused before it can touch either contact or send anything. The order is credited to
// the campaign whose email the customer last clicked within the attribution window before
// placing it; the credit is fixed with the order's first write.
func (s *Service) recordOrder(ctx context.Context, o order.Order) error {
	c, err := s.Contacts.Contact(ctx, o.Customer.ID)
	if err != nil {
		return fmt.Errorf("read contact %s: %w", o.Customer.ID, err)
	}
	owner, err := s.Orders.PutOrder(ctx, o, c.CreditFor(o.PlacedAt, s.Config.AttributionWindow), s.Config.AttributionWindow)
	if err != nil {
		return fmt.Errorf("record order %s: %w", o.ID, err)
	}
	if owner != o.Customer.ID {
		return fmt.Errorf("%w order event: order %s belongs to customer %s, not %s", fault.ErrInvalid, o.ID, owner, o.Customer.ID)
	}
	return nil
}

func (s *Service) view(ctx context.Context, o order.Order, c *contact.Contact, first, marketing bool) (View, error) {
	v := View{
		FirstName: c.FirstName, First: first, OrderID: o.ID, PlacedAt: o.PlacedAt,
		Currency: o.Currency, Total: o.Total, OrderURL: o.URL,
		Subtotal: o.Subtotal, Shipping: o.Shipping, Discount: o.Discount, Tax: o.Tax,
	}
	for i, it := range o.Items {
		if i == maxLines {
			v.More = len(o.Items) - maxLines
			break
		}
		total, _ := it.LineTotal() // validated when the order was decoded
		v.Lines = append(v.Lines, Line{Item: it, LineTotal: total})
	}
	if !marketing {
		return v, nil
	}
	var err error
	if v.Suggestions, err = s.suggest(ctx, o); err != nil {
		return v, err
	}
	if first && s.Config.CouponPrefix != "" {
		now := s.Now().UTC()
		offer, ok := s.Config.CouponOffer[render.LocaleFor(c.Locale, "").Lang]
		if !ok {
			offer = s.Config.CouponOffer["en"]
		}
		cp, err := s.Coupons.IssueCoupon(ctx, coupon.Coupon{
			Code: coupon.NewCode(s.Config.CouponPrefix), Purpose: Kind, ContactID: c.ID, OrderID: o.ID,
			Offer: offer, IssuedAt: now, ExpiresAt: now.Add(s.Config.CouponValid),
		})
		if err != nil {
			return v, fmt.Errorf("issue coupon for order %s: %w", o.ID, err)
		}
		v.Coupon = &cp
	}
	return v, nil
}

// rewards issues the coupons of the reward rules the order meets (once per order and rule: a
// replayed order shows the same codes). The customer earned them with the order, so they are
// shown whether or not the email may carry marketing.
func (s *Service) rewards(ctx context.Context, o order.Order, c *contact.Contact) ([]coupon.Coupon, error) {
	var out []coupon.Coupon
	lang := render.LocaleFor(c.Locale, "").Lang
	for _, r := range s.Config.Rewards {
		if !r.Meets(o) {
			continue
		}
		offer, ok := r.Offer[lang]
		if !ok {
			offer = r.Offer["en"]
		}
		now := s.Now().UTC()
		cp, err := s.Coupons.IssueCoupon(ctx, coupon.Coupon{
			Code: coupon.NewCode(r.Prefix), Purpose: r.Purpose(), ContactID: c.ID, OrderID: o.ID,
			Offer: offer, IssuedAt: now, ExpiresAt: now.Add(r.Valid()),
		})
		if err != nil {
			return nil, fmt.Errorf("issue reward %s for order %s: %w", r.ID, o.ID, err)
		}
		out = append(out, cp)
	}
	return out, nil
}

// points is the email's loyalty block: what the order earned, the balance and tier with it.
func (s *Service) points(g loyalty.Earning, c *contact.Contact) *Points {
	p := &Points{Earned: g.Entry.Points, Balance: c.Summary.Points, Tier: c.Summary.Tier, TierUp: s.Loyalty.Config.TierUp(g)}
	if next, missing, ok := s.Loyalty.Config.Next(g.Qualifying); ok && p.Tier != "" {
		p.Next, p.Missing = next.Name, missing
	}
	return p
}

func (s *Service) suggest(ctx context.Context, o order.Order) ([]catalog.Product, error) {
	inOrder := map[string]int{}
	for _, it := range o.Items {
		inOrder[it.Category]++
	}
	cands := map[string][]catalog.Product{}
	for i, cat := range o.Categories() {
		if i == maxCategories {
			break
		}
		// This order's own products were just recorded as the most recent: read past them.
		ps, err := s.Catalog.RecentProducts(ctx, cat, min(perCategory+inOrder[cat], 100))
		if err != nil {
			return nil, fmt.Errorf("suggest for order %s: %w", o.ID, err)
		}
		cands[cat] = ps
	}
	return catalog.Suggest(o, cands, maxSuggestions), nil
}

// compose renders the email of the send rec, with its tracked links, which it records on rec;
// a marketing email (rec.Topic set) also gets the unsubscribe links and headers.
func (s *Service) compose(c *contact.Contact, v render.Content, rec *send.Record) email.Message {
	now := s.Now()
	loc := render.LocaleFor(c.Locale, c.Timezone)
	l := s.Config.Links.For(c.ID, rec.Key, now)
	r := render.Render(v, s.Config.Brand, loc, l.Tracking(rec.Topic))
	rec.Links, rec.ExpiresAt = l.URLs(), now.Add(s.Config.Links.Tracking)
	msg := email.Message{
		From:     s.Config.From,
		To:       email.Address{Name: fullName(c), Email: c.Email},
		Subject:  r.Subject,
		Text:     r.Text,
		HTML:     r.HTML,
		Date:     now,
		Language: loc.Tag,
	}
	if rec.Topic != "" {
		msg.Headers = l.Headers(rec.Topic)
	}
	return msg
}

func fullName(c *contact.Contact) string {
	switch {
	case c.FirstName != "" && c.LastName != "":
		return c.FirstName + " " + c.LastName
	case c.FirstName != "":
		return c.FirstName
	}
	return c.LastName
}
