package contacts

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"shopmail/internal/fault"
	"shopmail/internal/loyalty"
)

// Ledger reads contacts' loyalty ledgers.
type Ledger interface {
	PointsPage(ctx context.Context, contactID, cursor string, limit int) ([]loyalty.Entry, string, error)
	PointsSince(ctx context.Context, contactID string, from time.Time) ([]loyalty.Entry, error)
	ReferralsSince(ctx context.Context, referrerID string, from time.Time) ([]loyalty.Referral, error)
}

// Loyalty is a contact's standing in the loyalty programme: `GET /contacts/{id}/loyalty`.
type Loyalty struct {
	ContactID string `json:"contactId"`
	// Points is the balance, Tier the tier ("" when the programme has none).
	Points int64  `json:"points"`
	Tier   string `json:"tier,omitempty"`
	// QualifyingPoints are those of orders placed in the last 12 months, less what was taken
	// back of them: what the tier is reached by.
	QualifyingPoints int64     `json:"qualifyingPoints"`
	NextTier         *NextTier `json:"nextTier,omitempty"`
	// ReferralCode is the contact's code (given with their first order) and ReferralLink the
	// shop's address carrying it; Referrals counts the first orders made with it.
	ReferralCode string         `json:"referralCode,omitempty"`
	ReferralLink string         `json:"referralLink,omitempty"`
	Referrals    ReferralCounts `json:"referrals"`
	// Ledger is a page of the ledger, newest first; Next the cursor of the next page.
	Ledger []LedgerEntry `json:"ledger"`
	Next   string        `json:"next,omitempty"`
}

// ReferralCounts are a referrer's referrals by what became of them: counted towards rewards,
// rejected by the fraud rules, or flagged for review (beyond the weekly limit).
type ReferralCounts struct {
	Counted  int `json:"counted"`
	Rejected int `json:"rejected"`
	Flagged  int `json:"flagged"`
}

// NextTier is the tier above the contact's and the qualifying points still missing for it.
type NextTier struct {
	Name          string `json:"name"`
	MissingPoints int64  `json:"missingPoints"`
}

// LedgerEntry is one line of the ledger.
type LedgerEntry struct {
	At      time.Time `json:"at"`
	OrderID string    `json:"orderId"`
	Kind    string    `json:"kind"`
	Ref     string    `json:"ref,omitempty"`
	Points  int64     `json:"points"`
	// Amount is the order's total (earn) or the amount refunded (refund, when the shop named
	// one), in Currency.
	Amount   string    `json:"amount,omitempty"`
	Currency string    `json:"currency,omitempty"`
	OrderAt  time.Time `json:"orderAt"`
}

// Loyalty returns the contact's balance, tier and a page of their ledger.
func (s *Service) Loyalty(ctx context.Context, id, cursor string, limit int) (Loyalty, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return Loyalty{}, err
	}
	after := ""
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil {
			return Loyalty{}, fmt.Errorf("%w cursor: not one this API gave", fault.ErrInvalid)
		}
		after = string(b)
	}
	page, next, err := s.Ledger.PointsPage(ctx, id, after, limit)
	if err != nil {
		return Loyalty{}, err
	}
	now := s.Now()
	recent, err := s.Ledger.PointsSince(ctx, id, loyalty.WindowStart(now))
	if err != nil {
		return Loyalty{}, err
	}
	out := Loyalty{ContactID: id, Points: c.Summary.Points, Tier: c.Summary.Tier,
		QualifyingPoints: loyalty.Qualifying(recent, now), Ledger: make([]LedgerEntry, 0, len(page))}
	if c.ReferralCode != "" {
		out.ReferralCode = c.ReferralCode
		if s.ShopURL != "" {
			out.ReferralLink = loyalty.InviteLink(s.ShopURL, c.ReferralCode)
		}
	}
	refs, err := s.Ledger.ReferralsSince(ctx, id, time.Time{})
	if err != nil {
		return Loyalty{}, err
	}
	for _, r := range refs {
		switch r.Status {
		case loyalty.Counted:
			out.Referrals.Counted++
		case loyalty.Rejected:
			out.Referrals.Rejected++
		case loyalty.Flagged:
			out.Referrals.Flagged++
		}
	}
	if t, missing, ok := s.Programme.Next(out.QualifyingPoints); ok {
		out.NextTier = &NextTier{Name: t.Name, MissingPoints: missing}
	}
	for _, e := range page {
		le := LedgerEntry{At: e.At.UTC(), OrderID: e.OrderID, Kind: e.Kind, Ref: e.Ref, Points: e.Points,
			Currency: e.Currency, OrderAt: e.OrderAt.UTC()}
		if !e.Amount.IsZero() {
			le.Amount = e.Amount.String()
		}
		out.Ledger = append(out.Ledger, le)
	}
	if next != "" {
		out.Next = base64.RawURLEncoding.EncodeToString([]byte(next))
	}
	return out, nil
}
