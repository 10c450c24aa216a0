package loyalty

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"shopmail/internal/contact"
)

// Retention is what the customers who first ordered in a period did next: how many came back,
// how soon, month by month, and how many customers are at risk now.
type Retention struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Customers first ordered in [From, To); Repeat of them ordered again (by now).
	Customers  int     `json:"customers"`
	Repeat     int     `json:"repeatCustomers"`
	RepeatRate float64 `json:"repeatRate"`
	// MedianDaysToSecond is the median of the days between their first and second orders
	// (nil when none ordered twice).
	MedianDaysToSecond *float64 `json:"medianDaysToSecondOrder"`
	Cohorts            []Cohort `json:"cohorts"`
	// AtRisk counts every customer at risk now, whenever they first ordered, and Tiers every
	// customer by loyalty tier ("" for those without one is left out).
	AtRisk int            `json:"atRisk"`
	Tiers  map[string]int `json:"tiers"`
}

// Cohort is the customers whose first order was in one month (UTC): Returned[k-1] is the share
// of them who ordered in the k-th month after it, for every month that has begun by now (at
// most 12).
type Cohort struct {
	Month     string    `json:"month"`
	Customers int       `json:"customers"`
	Returned  []float64 `json:"returned"`
}

// maxCohortMonths is how many months after the first a cohort follows.
const maxCohortMonths = 12

// Customer is what retention reads of a profile's summary.
type Customer struct {
	Orders                                   int
	FirstOrderAt, SecondOrderAt, LastOrderAt time.Time
	OrderMonths                              []string
	Tier                                     string
}

// CustomerOf is what retention reads of a summary.
func CustomerOf(s contact.Summary) Customer {
	return Customer{Orders: s.Orders, FirstOrderAt: s.FirstOrderAt, SecondOrderAt: s.SecondOrderAt,
		LastOrderAt: s.LastOrderAt, OrderMonths: s.OrderMonths, Tier: s.Tier}
}

// Profiles lists every contact's profile.
type Profiles interface {
	EachProfile(ctx context.Context, fn func(c *contact.Contact) bool) error
}

// RetentionOf reads every profile (the segment listing's read: profiles only, never order
// rows) and reports the retention of those who first ordered in [from, to), at now.
func RetentionOf(ctx context.Context, p Profiles, from, to, now time.Time, risk contact.Risk) (Retention, error) {
	var cs []Customer
	err := p.EachProfile(ctx, func(c *contact.Contact) bool {
		if c.Summary.Orders > 0 {
			cs = append(cs, CustomerOf(c.Summary))
		}
		return true
	})
	if err != nil {
		return Retention{}, fmt.Errorf("read profiles: %w", err)
	}
	return Report(cs, from, to, now, risk), nil
}

// Retentions reports retention over the profiles, at the time Now gives (web.Retention).
type Retentions struct {
	Profiles Profiles
	Now      func() time.Time
}

// Retention is RetentionOf now.
func (r Retentions) Retention(ctx context.Context, from, to time.Time, risk contact.Risk) (any, error) {
	return RetentionOf(ctx, r.Profiles, from, to, r.Now(), risk)
}

// Report computes the retention of the customers whose first order was in [from, to), at now.
func Report(summaries []Customer, from, to, now time.Time, risk contact.Risk) Retention {
	out := Retention{From: from, To: to, Cohorts: []Cohort{}, Tiers: map[string]int{}}
	var days []float64
	cohorts := map[string][]Customer{}
	for _, s := range summaries {
		if risk.AtRisk(s.Orders, s.FirstOrderAt, s.LastOrderAt, now) {
			out.AtRisk++
		}
		if s.Tier != "" {
			out.Tiers[s.Tier]++
		}
		if s.Orders == 0 || s.FirstOrderAt.Before(from) || !s.FirstOrderAt.Before(to) {
			continue
		}
		out.Customers++
		if s.Orders > 1 {
			out.Repeat++
			if !s.SecondOrderAt.IsZero() {
				days = append(days, s.SecondOrderAt.Sub(s.FirstOrderAt).Hours()/24)
			}
		}
		m := s.FirstOrderAt.UTC().Format("2006-01")
		cohorts[m] = append(cohorts[m], s)
	}
	if out.Customers > 0 {
		out.RepeatRate = round3(float64(out.Repeat) / float64(out.Customers))
	}
	if len(days) > 0 {
		sort.Float64s(days)
		med := days[len(days)/2]
		if len(days)%2 == 0 {
			med = (days[len(days)/2-1] + days[len(days)/2]) / 2
		}
		med = round3(med)
		out.MedianDaysToSecond = &med
	}
	months := make([]string, 0, len(cohorts))
	for m := range cohorts {
		months = append(months, m)
	}
	slices.Sort(months)
	for _, m := range months {
		members := cohorts[m]
		start, _ := time.Parse("2006-01", m)
		c := Cohort{Month: m, Customers: len(members), Returned: []float64{}}
		for k := 1; k <= maxCohortMonths; k++ {
			month := start.AddDate(0, k, 0)
			if month.After(now) {
				break
			}
			key, n := month.Format("2006-01"), 0
			for _, s := range members {
				if slices.Contains(s.OrderMonths, key) {
					n++
				}
			}
			c.Returned = append(c.Returned, round3(float64(n)/float64(len(members))))
		}
		out.Cohorts = append(out.Cohorts, c)
	}
	return out
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }
