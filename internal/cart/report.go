package cart

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"shopmail/internal/fault"
	"shopmail/internal/money"
)

// MaxPeriod is the longest period one report covers.
const MaxPeriod = 2 * 366 * 24 * time.Hour

// Amount is a sum of money in one currency.
type Amount struct {
	Currency string        `json:"currency"`
	Amount   money.Decimal `json:"amount"`
}

// Numbers are what the shop's carts did, for the carts first reported in [From, To).
type Numbers struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Carts were reported; Abandoned reached their first reminder without an order;
	// Reminded got at least one reminder (RemindersSent in all); Recovered were ordered after
	// one (the order named the cart, or followed a click on its reminder within the window),
	// with RecoveredRevenue per currency; Ordered were ordered at all.
	Carts            int      `json:"carts"`
	Abandoned        int      `json:"abandoned"`
	Reminded         int      `json:"reminded"`
	RemindersSent    int      `json:"remindersSent"`
	Ordered          int      `json:"ordered"`
	Recovered        int      `json:"recovered"`
	RecoveryRate     float64  `json:"recoveryRate"` // Recovered / Reminded, 0 without reminders
	RecoveredRevenue []Amount `json:"recoveredRevenue"`
}

// Reader reads the carts of a period.
type Reader interface {
	CartsBetween(ctx context.Context, from, to time.Time) ([]Cart, error)
}

// Report computes the numbers of the carts first reported in [from, to).
func Report(ctx context.Context, r Reader, from, to time.Time) (Numbers, error) {
	switch {
	case !from.Before(to):
		return Numbers{}, fmt.Errorf("%w query: from must be before to", fault.ErrInvalid)
	case to.Sub(from) > MaxPeriod:
		return Numbers{}, fmt.Errorf("%w query: the period is at most two years", fault.ErrInvalid)
	}
	carts, err := r.CartsBetween(ctx, from, to)
	if err != nil {
		return Numbers{}, err
	}
	return Count(carts, from, to), nil
}

// Count computes the numbers of carts.
func Count(carts []Cart, from, to time.Time) Numbers {
	out := Numbers{From: from.UTC().Format(time.RFC3339), To: to.UTC().Format(time.RFC3339), RecoveredRevenue: []Amount{}}
	revenue := map[string]money.Decimal{}
	for _, c := range carts {
		out.Carts++
		if c.Abandoned {
			out.Abandoned++
		}
		if c.Reminded > 0 {
			out.Reminded++
			out.RemindersSent += c.Reminded
		}
		if c.Status == Ordered {
			out.Ordered++
		}
		if c.Recovered {
			out.Recovered++
			sum, ok := revenue[c.RevenueCurrency]
			if !ok {
				sum = money.NewFromInt(0)
			}
			if s, err := sum.Add(c.Revenue); err == nil {
				revenue[c.RevenueCurrency] = s
			}
		}
	}
	if out.Reminded > 0 {
		out.RecoveryRate = math.Round(float64(out.Recovered)/float64(out.Reminded)*10000) / 10000
	}
	for cur, sum := range revenue {
		out.RecoveredRevenue = append(out.RecoveredRevenue, Amount{Currency: cur, Amount: sum})
	}
	sort.Slice(out.RecoveredRevenue, func(i, j int) bool { return out.RecoveredRevenue[i].Currency < out.RecoveredRevenue[j].Currency })
	return out
}
