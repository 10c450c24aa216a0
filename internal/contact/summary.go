package contact

import (
	"slices"
	"strings"
	"time"

	"shopmail/internal/money"
	"shopmail/internal/order"
)

// Summary is what a contact did, as segments ask about it: orders, purchases, deliveries and
// survey answers. Each Count method is idempotent where its source can repeat (an order event
// replayed), and bounded, so that the profile stays far below DynamoDB's item limit.
type Summary struct {
	Orders       int
	Spent        map[string]money.Decimal // per currency
	FirstOrderAt time.Time
	LastOrderAt  time.Time
	// SecondOrderAt is the second-earliest order's time (zero with fewer than two), and
	// OrderMonths the UTC months ("2026-11") with an order, the newest maxMonths: what
	// retention reports read.
	SecondOrderAt time.Time
	OrderMonths   []string
	// Bought is the last time each category ("category:tea") and SKU ("sku:T-1") was bought.
	Bought map[string]time.Time
	// Counted is the ids of the last orders counted, so that a replayed order counts once.
	Counted []string
	// Received is when emails were delivered to the contact, within ReceivedWindow.
	Received []time.Time
	// NPS is the class of the last NPS answer, CSAT the last CSAT score (0: none).
	NPS        string
	CSAT       int
	AnsweredAt time.Time
	// Suppressed is why the address gets no email ("" when it may), as the suppression said
	// when it was made.
	Suppressed string
	// MarketedAt is the last delivery of a marketing email (a campaign's, a greeting's): the
	// frequency cap counts from it.
	MarketedAt time.Time
	// Points is the loyalty balance, never below zero, and Tier the loyalty tier ("" while
	// the contact has none). PointsApplied is the keys of the last reversals in Points, so
	// that a replayed event counts once (an order's own points count with the order).
	Points        int64
	Tier          string
	PointsApplied []string
	// Referrals is how many referrals counted for the contact.
	Referrals int
}

// ApplyPoints adds delta to the balance unless the ledger entry key was applied before, and
// sets the tier; it reports whether anything changed. An order's own points are added with
// AddPoints when CountOrder counts it, which already tells a replay apart.
func (c *Contact) ApplyPoints(key string, delta int64, tier string) bool {
	if !c.Once(key) {
		return c.AddPoints(0, tier)
	}
	c.AddPoints(delta, tier)
	return true
}

// Once records key among the last loyalty changes applied to the contact (reversals,
// referrals) and reports whether it is new: what makes a replayed event count once.
func (c *Contact) Once(key string) bool {
	s := &c.Summary
	if slices.Contains(s.PointsApplied, key) {
		return false
	}
	s.PointsApplied = append(s.PointsApplied, key)
	if len(s.PointsApplied) > maxCounted {
		s.PointsApplied = s.PointsApplied[len(s.PointsApplied)-maxCounted:]
	}
	return true
}

// AddPoints adds delta to the balance, which never goes below zero, and sets the tier; it
// reports whether anything changed.
func (c *Contact) AddPoints(delta int64, tier string) bool {
	s := &c.Summary
	before := *s
	s.Points, s.Tier = max(s.Points+delta, 0), tier
	return s.Points != before.Points || s.Tier != before.Tier
}

// CountMarketing records the delivery of a marketing email at `at`, and reports whether it was
// the latest.
func (c *Contact) CountMarketing(at time.Time) bool {
	if !at.After(c.Summary.MarketedAt) {
		return false
	}
	c.Summary.MarketedAt = at
	return true
}

// Bounds of the summary. An order replayed after maxCounted later orders would count twice;
// the shop's order events are replayed within days, not after a hundred orders.
const (
	maxCounted = 100
	// maxMonths is how many months with an order a profile keeps: two years of cohorts.
	maxMonths = 25
	maxBought = 200
	// maxBoughtLines are the lines of an order whose SKUs the profile learns (those a thank-you
	// lists); every line's category is learned. A profile written on every order must not grow
	// with a big order: each KB is a write unit, twice with the profile index.
	maxBoughtLines = 20
	maxRecent      = 200
	// ReceivedWindow is how far back deliveries are kept: the longest "received in the last
	// N days" a segment can ask about with an exact answer.
	ReceivedWindow = 366 * 24 * time.Hour
)

// CountOrder adds an order to the summary unless it was counted before, and reports whether it
// changed anything.
func (c *Contact) CountOrder(o order.Order) bool {
	s := &c.Summary
	if slices.Contains(s.Counted, o.ID) {
		return false
	}
	s.Counted = append(s.Counted, o.ID)
	if len(s.Counted) > maxCounted {
		s.Counted = s.Counted[len(s.Counted)-maxCounted:]
	}
	s.Orders++
	if s.Spent == nil {
		s.Spent = map[string]money.Decimal{}
	}
	if total, err := s.Spent[o.Currency].Add(o.Total); err == nil {
		s.Spent[o.Currency] = total
	}
	switch {
	case s.FirstOrderAt.IsZero():
		s.FirstOrderAt = o.PlacedAt
	case o.PlacedAt.Before(s.FirstOrderAt):
		s.SecondOrderAt, s.FirstOrderAt = s.FirstOrderAt, o.PlacedAt
	case s.SecondOrderAt.IsZero() || o.PlacedAt.Before(s.SecondOrderAt):
		s.SecondOrderAt = o.PlacedAt
	}
	if m := o.PlacedAt.UTC().Format("2006-01"); !slices.Contains(s.OrderMonths, m) {
		s.OrderMonths = append(s.OrderMonths, m)
		slices.Sort(s.OrderMonths)
		if len(s.OrderMonths) > maxMonths {
			s.OrderMonths = s.OrderMonths[len(s.OrderMonths)-maxMonths:]
		}
	}
	if o.PlacedAt.After(s.LastOrderAt) {
		s.LastOrderAt = o.PlacedAt
	}
	if s.Bought == nil {
		s.Bought = map[string]time.Time{}
	}
	for i, it := range o.Items {
		keys := []string{"category:" + strings.ToLower(it.Category), "sku:" + it.SKU}
		if i >= maxBoughtLines {
			keys = keys[:1]
		}
		for _, k := range keys {
			if k != "category:" && k != "sku:" && o.PlacedAt.After(s.Bought[k]) {
				s.Bought[k] = o.PlacedAt
			}
		}
	}
	for len(s.Bought) > maxBought {
		oldest := ""
		for k, t := range s.Bought {
			if oldest == "" || t.Before(s.Bought[oldest]) {
				oldest = k
			}
		}
		delete(s.Bought, oldest)
	}
	return true
}

// CountDelivery records an email delivered at `at` (an SES Delivery event's time, which tells
// one delivery from another: a replayed event counts once) and forgets deliveries older than
// ReceivedWindow before now.
func (c *Contact) CountDelivery(at, now time.Time) bool {
	s := &c.Summary
	if slices.ContainsFunc(s.Received, at.Equal) {
		return false
	}
	kept := s.Received[:0]
	for _, t := range s.Received {
		if now.Sub(t) <= ReceivedWindow {
			kept = append(kept, t)
		}
	}
	s.Received = kept
	if now.Sub(at) > ReceivedWindow {
		return false
	}
	s.Received = append(s.Received, at)
	slices.SortFunc(s.Received, func(a, b time.Time) int { return a.Compare(b) })
	if len(s.Received) > maxRecent {
		s.Received = s.Received[len(s.Received)-maxRecent:]
	}
	return true
}

// CountAnswer records a survey answer (question "nps" 0-10, "csat" 1-5, others only as an
// answer); an answer older than the last one recorded changes only AnsweredAt's history, not
// the last class or score.
func (c *Contact) CountAnswer(question string, score int, at time.Time) bool {
	s := &c.Summary
	if at.Before(s.AnsweredAt) {
		return false
	}
	before := *s
	s.AnsweredAt = at
	switch question {
	case "nps":
		s.NPS = NPSClass(score)
	case "csat":
		s.CSAT = score
	}
	return before.AnsweredAt != s.AnsweredAt || before.NPS != s.NPS || before.CSAT != s.CSAT
}

// NPSClass is the Net Promoter class of a 0-10 score.
func NPSClass(score int) string {
	switch {
	case score >= 9:
		return "promoter"
	case score >= 7:
		return "passive"
	}
	return "detractor"
}

// Risk says when a customer is at risk of leaving: no order for GapFactor times their usual
// gap between orders (at least a day), or, with one order, for OneOrderDays days.
type Risk struct {
	GapFactor    float64
	OneOrderDays int
}

// DefaultRisk is the risk rule when none is given: twice the usual gap, or 90 days after a
// single order.
var DefaultRisk = Risk{GapFactor: 2, OneOrderDays: 90}

// AtRisk reports whether a customer of orders orders, the first and last at those times, is at
// risk of leaving at now. A contact with no order is not a customer yet, so not at risk.
func (r Risk) AtRisk(orders int, first, last, now time.Time) bool {
	switch {
	case orders == 0 || last.IsZero():
		return false
	case orders == 1 || !last.After(first):
		return now.Sub(last) > time.Duration(r.OneOrderDays)*24*time.Hour
	}
	gap := max(last.Sub(first)/time.Duration(orders-1), 24*time.Hour)
	return float64(now.Sub(last)) > r.GapFactor*float64(gap)
}
