// Package loyalty turns buyers into regulars: points for every order in an append-only ledger,
// taken back when an order is cancelled or refunded, and tiers by what a customer earned over the
// last 12 months.
//
// Points are whole numbers. An order earns its total times its currency's rate, rounded down to
// a whole point (a customer never sees a fraction, and never more than they paid for). A refund
// of part of an order takes back the same share of the order's points, rounded half up, and
// never more than the order has left; a cancellation or a refund without an amount takes back
// all of it. A balance never goes below zero.
package loyalty

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"shopmail/internal/ascii"
	"shopmail/internal/env"
	"shopmail/internal/money"
)

// Kinds of ledger entries.
const (
	Earn   = "earn"   // an order placed
	Cancel = "cancel" // the order cancelled: all its points back
	Refund = "refund" // a refund of the order, whole or in part
)

// Entry is one line of a contact's ledger. Entries are never changed once written; a
// reversal is an entry of its own.
type Entry struct {
	ContactID string
	OrderID   string
	Kind      string
	// Ref tells one refund of an order from another (the shop's refundId, else the event's id).
	Ref string
	// Points is what the entry adds to the balance: positive for Earn, negative otherwise.
	Points int64
	// At is when it happened: the order placed, cancelled or refunded.
	At time.Time
	// OrderAt is when the order the entry belongs to was placed: tiers count an order's points,
	// and its reversals, by it.
	OrderAt time.Time
	// Amount and Currency are the order's total (Earn) or the amount refunded (Refund; zero
	// when the refund named none).
	Amount   money.Decimal
	Currency string
}

// Key names the entry among a contact's, the same for every replay of the event it comes from.
func (e Entry) Key() string {
	if e.Ref == "" {
		return e.OrderID + "#" + e.Kind
	}
	return e.OrderID + "#" + e.Kind + "#" + e.Ref
}

// Tier is a level of the programme, reached at Threshold points earned over the last 12 months.
type Tier struct {
	Name      string
	Threshold int64
}

// Config is the programme as the shop set it.
type Config struct {
	// Rates are the points earned per unit of each currency ("USD": 1). An order in a currency
	// without a rate earns nothing.
	Rates map[string]money.Decimal
	// Tiers go up by threshold; the first one's threshold is 0.
	Tiers []Tier
	// Rewards give an order that meets them a coupon for the next one.
	Rewards []Reward
	// ExpiryMonths is how many months after a customer's last order their balance expires
	// (0: never).
	ExpiryMonths int
}

// Enabled reports whether any currency earns points.
func (c Config) Enabled() bool { return len(c.Rates) > 0 }

// Earned is what an order of total in currency earns: total × rate, rounded down.
func (c Config) Earned(total money.Decimal, currency string) int64 {
	rate, ok := c.Rates[currency]
	if !ok || total.Sign() <= 0 {
		return 0
	}
	p := new(big.Rat).Mul(rat(total), rat(rate))
	q := new(big.Int).Quo(p.Num(), p.Denom()) // both positive: Quo rounds down
	if !q.IsInt64() {
		return 0
	}
	return q.Int64()
}

// Reversal is what a cancellation or refund of an order takes back: of the order's earned
// points, reversed are already taken back. A refund of amount (nil: the whole order) of an
// order of total takes back earned × amount / total, rounded half up; never more than is left.
func Reversal(earned, reversed int64, total money.Decimal, amount *money.Decimal) int64 {
	left := max(earned-reversed, 0)
	if amount == nil || total.Sign() <= 0 || amount.Cmp(total) >= 0 {
		return left
	}
	if amount.Sign() <= 0 {
		return 0
	}
	share := new(big.Rat).Mul(new(big.Rat).SetInt64(earned), rat(*amount))
	share.Quo(share, rat(total))
	share.Add(share, big.NewRat(1, 2))
	r := new(big.Int).Quo(share.Num(), share.Denom())
	return min(r.Int64(), left)
}

// rat is d as an exact fraction. A Decimal's String always parses.
func rat(d money.Decimal) *big.Rat {
	r, _ := new(big.Rat).SetString(d.String())
	return r
}

// Window is how far back an order counts towards a tier: an order placed at or after
// WindowStart(now) counts, one placed earlier does not.
func WindowStart(now time.Time) time.Time { return now.AddDate(-1, 0, 0) }

// Qualifying is what entries earned towards a tier at now: the points of orders placed in the
// window, less what was taken back of them. It is never negative.
func Qualifying(entries []Entry, now time.Time) int64 {
	from := WindowStart(now)
	var q int64
	for _, e := range entries {
		if !e.OrderAt.Before(from) {
			q += e.Points
		}
	}
	return max(q, 0)
}

// TierFor is the tier qualifying points reach ("" when there are no tiers).
func (c Config) TierFor(qualifying int64) string {
	name := ""
	for _, t := range c.Tiers {
		if qualifying >= t.Threshold {
			name = t.Name
		}
	}
	return name
}

// Rank is the tier's place in the programme, from 0 (-1 for a tier it does not have).
func (c Config) Rank(tier string) int {
	return slices.IndexFunc(c.Tiers, func(t Tier) bool { return t.Name == tier })
}

// Next is the tier after the one qualifying points reach and the points still missing for it
// (ok == false at the top).
func (c Config) Next(qualifying int64) (t Tier, missing int64, ok bool) {
	for _, t := range c.Tiers {
		if qualifying < t.Threshold {
			return t, t.Threshold - qualifying, true
		}
	}
	return Tier{}, 0, false
}

// ParseRates reads "USD=1,EUR=1,IRR=0.000001": a rate per currency (ISO 4217), each above 0.
func ParseRates(s string) (map[string]money.Decimal, error) {
	rates := map[string]money.Decimal{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		cur, v, ok := strings.Cut(part, "=")
		cur = strings.TrimSpace(cur)
		if !ok || !money.ValidCurrency(cur) {
			return nil, fmt.Errorf("%q is not CURRENCY=rate with an ISO 4217 currency", part)
		}
		d, err := money.ParseDecimal(strings.TrimSpace(v))
		if err != nil || d.Sign() <= 0 {
			return nil, fmt.Errorf("the rate of %s must be a decimal number above 0", cur)
		}
		if _, dup := rates[cur]; dup {
			return nil, fmt.Errorf("%s is given twice", cur)
		}
		rates[cur] = d
	}
	return rates, nil
}

// ParseTiers reads "bronze=0,silver=500,gold=2000": names (lower-case letters, digits and
// hyphens, up to 20) with thresholds in points, the first 0 and each above the one before.
func ParseTiers(s string) ([]Tier, error) {
	var tiers []Tier
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, v, ok := strings.Cut(part, "=")
		name = strings.TrimSpace(name)
		if !ok || !validName(name) {
			return nil, fmt.Errorf("%q is not name=points with a name of lower-case letters, digits or hyphens", part)
		}
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("the threshold of %s must be a whole number of points, 0 or more", name)
		}
		switch {
		case len(tiers) == 0 && n != 0:
			return nil, fmt.Errorf("the first tier (%s) must start at 0 points", name)
		case len(tiers) > 0 && n <= tiers[len(tiers)-1].Threshold:
			return nil, fmt.Errorf("the threshold of %s must be above that of %s", name, tiers[len(tiers)-1].Name)
		case slices.ContainsFunc(tiers, func(t Tier) bool { return t.Name == name }):
			return nil, fmt.Errorf("tier %s is given twice", name)
		}
		tiers = append(tiers, Tier{Name: name, Threshold: n})
	}
	return tiers, nil
}

func validName(s string) bool {
	return ascii.All(s, 1, 20, func(c byte) bool { return ascii.Lower(c) || ascii.Digit(c) || c == '-' })
}

// Load reads the programme from the environment (names as in template.yaml): no rates, no
// programme.
func Load(r *env.Reader) Config {
	var c Config
	var err error
	if c.Rates, err = ParseRates(r.Optional("LOYALTY_POINTS_PER_UNIT", "")); err != nil {
		r.Check(false, "LOYALTY_POINTS_PER_UNIT", err.Error())
	}
	if c.Tiers, err = ParseTiers(r.Optional("LOYALTY_TIERS", "")); err != nil {
		r.Check(false, "LOYALTY_TIERS", err.Error())
	}
	c.ExpiryMonths = r.Int("LOYALTY_EXPIRY_MONTHS", 0, 0, 120)
	if c.Rewards, err = ParseRewards(r.Optional("LOYALTY_REWARDS", "")); err != nil {
		r.Check(false, "LOYALTY_REWARDS", err.Error())
	}
	return c
}
