package loyalty

import (
	"context"
	"fmt"
	"slices"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/fault"
	"shopmail/internal/money"
	"shopmail/internal/order"
)

// Store keeps the ledger.
type Store interface {
	// PutPoints writes e unless an entry with its key is stored; writing it again is no error.
	PutPoints(ctx context.Context, e Entry) error
	// PointsSince returns the contact's entries dated at or after from.
	PointsSince(ctx context.Context, contactID string, from time.Time) ([]Entry, error)
	// OrderPoints returns the Earn entry of an order and what was taken back of it, per
	// reversal (Entry.Kind, and "#" Entry.Ref for a refund); found is false while the order's
	// points are not recorded.
	OrderPoints(ctx context.Context, orderID string) (earn Entry, taken map[string]int64, found bool, err error)
	// TakePoints records that the reversal takes points back of the order's Earn entry, beside
	// those taken as OrderPoints read them, unless another reversal was recorded since
	// (ok == false: read again).
	TakePoints(ctx context.Context, earn Entry, taken map[string]int64, reversal string, points int64) (ok bool, err error)
	// PendReversal keeps a reversal that came before the order's points; PendingReversals
	// returns those of an order.
	PendReversal(ctx context.Context, orderID string, p Pending) error
	PendingReversals(ctx context.Context, orderID string) ([]Pending, error)
}

// Pending is a cancellation or refund that came before its order's points were recorded
// (events arrive in any order): it is applied when they are.
type Pending struct {
	Kind, Ref string
	Amount    *money.Decimal
	At        time.Time
}

// Contacts reads and updates contacts (see thankyou.Contacts).
type Contacts interface {
	Contact(ctx context.Context, id string) (*contact.Contact, error)
	UpdateContact(ctx context.Context, id string, fn func(c *contact.Contact) bool) (*contact.Contact, error)
}

// Service keeps the ledger and the balances and tiers on the contacts' profiles.
type Service struct {
	Config   Config
	Store    Store
	Contacts Contacts
	Now      func() time.Time
	// Referrals is the referral programme, kept in ReferralStore (both unset without one).
	Referrals     Referrals
	ReferralStore ReferralStore
}

// Earning is what an order earned (or a reversal took back), for the thank-you email and the
// log.
type Earning struct {
	Entry      Entry
	Qualifying int64 // points towards a tier, this order's included
	Tier       string
	// Pending is set on a reversal kept until its order's points are recorded.
	Pending bool
	// Before is the contact's tier before the earning.
	Before string
}

// TierUp reports whether the earning took the contact above the tier they had (above the
// first tier, for a new customer).
func (c Config) TierUp(g Earning) bool { return c.Rank(g.Tier) > max(c.Rank(g.Before), 0) }

// Earn records the points a placed order earns in the ledger. Restand and Apply then put them
// on the profile, with the tier they leave the customer in, in the profile's own write.
func (s *Service) Earn(ctx context.Context, o order.Order) (Earning, error) {
	e := Entry{ContactID: o.Customer.ID, OrderID: o.ID, Kind: Earn, Points: s.Config.Earned(o.Total, o.Currency),
		At: o.PlacedAt, OrderAt: o.PlacedAt, Amount: o.Total, Currency: o.Currency}
	if err := s.Store.PutPoints(ctx, e); err != nil {
		return Earning{}, fmt.Errorf("record points of order %s: %w", o.ID, err)
	}
	return Earning{Entry: e}, nil
}

// Apply puts an order's earning on the contact. Call it only when the contact's CountOrder
// counted the order: that is what makes a replayed order earn once.
func (g Earning) Apply(c *contact.Contact) bool { return c.AddPoints(g.Entry.Points, g.Tier) }

// applyReversal puts a reversal on the contact, once however often its event comes.
func (g Earning) applyReversal(c *contact.Contact) bool {
	return c.ApplyPoints(g.Entry.Key(), g.Entry.Points, g.Tier)
}

// Settle applies the reversals of an order that came before its points, once Earn and the
// profile's update recorded them; it returns how many there were.
func (s *Service) Settle(ctx context.Context, orderID string) (int, error) {
	ps, err := s.Store.PendingReversals(ctx, orderID)
	if err != nil {
		return 0, err
	}
	// In the order they happened: a refund and then a cancellation take back the refund's
	// share and then the rest, as they would have in time.
	slices.SortStableFunc(ps, func(a, b Pending) int { return a.At.Compare(b.At) })
	for _, p := range ps {
		st := order.Status{OrderID: orderID, At: p.At, Amount: p.Amount, RefundID: p.Ref}
		if _, err := s.Reverse(ctx, st, p.Kind, p.Ref); err != nil {
			return 0, err
		}
	}
	return len(ps), nil
}

// Reverse takes back the points of an order cancelled (kind Cancel) or refunded (Refund, ref
// telling this refund from others; st.Amount nil for the whole order). It is idempotent per
// (order, reversal). A reversal of an order whose points are not recorded yet is kept, and
// Settle applies it when they are: each side looks for the other after its own write, so
// one of them always sees both.
func (s *Service) Reverse(ctx context.Context, st order.Status, kind, ref string) (Earning, error) {
	rev := kind
	if kind == Refund {
		rev += "#" + ref
	} else {
		ref = ""
	}
	pended := false
	for attempt := 0; ; attempt++ {
		earn, taken, found, err := s.Store.OrderPoints(ctx, st.OrderID)
		if err != nil {
			return Earning{}, fmt.Errorf("read points of order %s: %w", st.OrderID, err)
		}
		if !found && pended {
			return Earning{Pending: true}, nil
		}
		if !found {
			if err := s.Store.PendReversal(ctx, st.OrderID, Pending{Kind: kind, Ref: ref, Amount: st.Amount, At: st.At}); err != nil {
				return Earning{}, err
			}
			pended = true
			continue
		}
		var before int64
		for _, p := range taken {
			before += p
		}
		r, done := taken[rev]
		if !done {
			r = Reversal(earn.Points, before, earn.Amount, st.Amount)
			ok, err := s.Store.TakePoints(ctx, earn, taken, rev, r)
			if err != nil {
				return Earning{}, fmt.Errorf("take back points of order %s: %w", st.OrderID, err)
			}
			if !ok {
				if attempt == 10 {
					return Earning{}, fmt.Errorf("take back points of order %s: %w: too many concurrent reversals", st.OrderID, fault.ErrConflict)
				}
				continue
			}
		}
		e := Entry{ContactID: earn.ContactID, OrderID: st.OrderID, Kind: kind, Ref: ref, Points: -r, At: st.At,
			OrderAt: earn.OrderAt, Currency: earn.Currency}
		if st.Amount != nil {
			e.Amount = *st.Amount
		}
		return s.record(ctx, e)
	}
}

// record writes a reversal in the ledger and on the profile.
func (s *Service) record(ctx context.Context, e Entry) (Earning, error) {
	if e.Points != 0 {
		if err := s.Store.PutPoints(ctx, e); err != nil {
			return Earning{}, fmt.Errorf("record points of order %s: %w", e.OrderID, err)
		}
	}
	g := Earning{Entry: e}
	var ferr error
	_, err := s.Contacts.UpdateContact(ctx, e.ContactID, func(c *contact.Contact) bool {
		if ferr = s.Restand(ctx, &g); ferr != nil {
			return false
		}
		return g.applyReversal(c)
	})
	if err == nil {
		err = ferr
	}
	if err != nil {
		return g, fmt.Errorf("update contact %s: %w", e.ContactID, err)
	}
	return g, nil
}

// Restand recalculates the tier an earning or reversal leaves the contact in, from the ledger
// as it is now. Call it inside the profile's update: an update that loses to a concurrent one
// runs again and reads the ledger again, so the last write's tier counts every entry whose
// writer has updated the profile (each writes its entry first).
func (s *Service) Restand(ctx context.Context, g *Earning) error {
	q, err := s.qualifying(ctx, g.Entry.ContactID)
	if err != nil {
		return err
	}
	g.Qualifying, g.Tier = q, s.Config.TierFor(q)
	return nil
}

func (s *Service) qualifying(ctx context.Context, contactID string) (int64, error) {
	now := s.Now()
	es, err := s.Store.PointsSince(ctx, contactID, WindowStart(now))
	if err != nil {
		return 0, fmt.Errorf("read points of contact %s: %w", contactID, err)
	}
	return Qualifying(es, now), nil
}
