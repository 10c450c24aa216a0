package loyalty

import (
	"context"
	"fmt"
	"time"

	"shopmail/internal/contact"
)

// Expire is the kind of the ledger entry that takes a balance away after ExpiryMonths without
// an order.
const Expire = "expire"

// RemindBefore is how long before points expire the customer is told.
const RemindBefore = 14 * 24 * time.Hour

// Sweep is the daily run over every customer: tiers are recalculated (an order leaving the 12
// months can take one down, with no event to say so), balances expire after ExpiryMonths
// without an order, and RemindBefore that the customer is reminded (once per expiry date).
type Sweep struct {
	Service  *Service
	Profiles Profiles
	// Remind tells a customer their points expire at; nil: nobody is told.
	Remind func(ctx context.Context, c *contact.Contact, points int64, at time.Time) error
}

// SweepResult says what a run did, for the log.
type SweepResult struct {
	Retiered, Expired, Reminded int
}

// Run does the day's work.
func (w *Sweep) Run(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	s := w.Service
	now := s.Now().UTC()
	var due []*contact.Contact
	err := w.Profiles.EachProfile(ctx, func(c *contact.Contact) bool {
		if c.Summary.Orders > 0 && (c.Summary.Points > 0 || s.Config.Rank(c.Summary.Tier) > 0) {
			due = append(due, c)
		}
		return true
	})
	if err != nil {
		return res, fmt.Errorf("read profiles: %w", err)
	}
	for _, c := range due {
		if s.Config.Rank(c.Summary.Tier) > 0 {
			g := Earning{Entry: Entry{ContactID: c.ID}}
			var ferr error
			_, err := s.Contacts.UpdateContact(ctx, c.ID, func(c *contact.Contact) bool {
				if ferr = s.Restand(ctx, &g); ferr != nil {
					return false
				}
				return c.AddPoints(0, g.Tier)
			})
			if err == nil {
				err = ferr
			}
			if err != nil {
				return res, err
			}
			if g.Tier != c.Summary.Tier {
				res.Retiered++
			}
		}
		if s.Config.ExpiryMonths == 0 || c.Summary.Points <= 0 {
			continue
		}
		at := c.Summary.LastOrderAt.AddDate(0, s.Config.ExpiryMonths, 0)
		switch {
		case !now.Before(at):
			if err := w.expire(ctx, c, at); err != nil {
				return res, err
			}
			res.Expired++
		case !now.Before(at.Add(-RemindBefore)) && w.Remind != nil:
			if err := w.Remind(ctx, c, c.Summary.Points, at); err != nil {
				return res, fmt.Errorf("remind %s of expiring points: %w", c.ID, err)
			}
			res.Reminded++
		}
	}
	return res, nil
}

// expire takes the balance away: a ledger entry of the balance, once per expiry date.
func (w *Sweep) expire(ctx context.Context, c *contact.Contact, at time.Time) error {
	s := w.Service
	e := Entry{ContactID: c.ID, Kind: Expire, Ref: at.Format("2006-01-02"), Points: -c.Summary.Points, At: at}
	if err := s.Store.PutPoints(ctx, e); err != nil {
		return fmt.Errorf("expire points of %s: %w", c.ID, err)
	}
	_, err := s.Contacts.UpdateContact(ctx, c.ID, func(c *contact.Contact) bool {
		if !c.Summary.LastOrderAt.AddDate(0, s.Config.ExpiryMonths, 0).Equal(at) {
			return false // an order came meanwhile: its points and the rest stay
		}
		return c.ApplyPoints(e.Key(), e.Points, c.Summary.Tier)
	})
	return err
}
