package loyalty_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/dynamo"
	"shopmail/internal/loyalty"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

// The retention numbers of a hand-computed history of 50 orders by 16 customers, each order
// through the thank-you flow over DynamoDB Local, read back from the profiles.
func TestRetentionMatchesAHandComputedHistory(t *testing.T) {
	f := setup(t)
	monthly := func(from time.Month, n int) []time.Time {
		var out []time.Time
		for i := range n {
			out = append(out, day(2026, from+time.Month(i), 1))
		}
		return out
	}
	weekly := func(first time.Time, n int) []time.Time {
		var out []time.Time
		for i := range n {
			out = append(out, first.AddDate(0, 0, 7*i))
		}
		return out
	}
	history := map[string][]time.Time{
		// January's cohort.
		"a1": {day(2026, 1, 10), day(2026, 2, 10), day(2026, 3, 12)},
		"a2": {day(2026, 1, 15), day(2026, 1, 25), day(2026, 4, 1)},
		"a3": {day(2026, 1, 20)},
		"a4": {day(2026, 1, 5), day(2026, 2, 4)},
		"a5": {day(2026, 1, 31), day(2026, 12, 1)},
		// February's.
		"e1": monthly(2, 10),              // Feb 1 ... Nov 1
		"e2": weekly(day(2026, 2, 14), 8), // Feb 14 ... Apr 4
		// March's.
		"b1": {day(2026, 3, 1), day(2026, 3, 11), day(2026, 3, 21), day(2026, 4, 1), day(2026, 5, 1)},
		"b2": {day(2026, 3, 3)},
		"b3": {day(2026, 3, 10), day(2026, 6, 10), day(2026, 7, 10), day(2026, 8, 10)},
		"b4": {day(2026, 3, 31), day(2026, 4, 30)},
		// June's.
		"c1": {day(2026, 6, 1), day(2026, 6, 2)},
		"c2": {day(2026, 6, 15)},
		"c3": {day(2026, 6, 30), day(2026, 11, 30)},
		// Outside the period: first ordered before it, and on its end (exclusive).
		"d1": {day(2025, 12, 1), day(2026, 1, 5)},
		"d2": {day(2026, 7, 1), day(2026, 11, 1)},
	}
	orders := 0
	for who, times := range history {
		// Newest first: the profile must not depend on the order the events come in.
		for i := len(times) - 1; i >= 0; i-- {
			f.place(t, who, fmt.Sprintf("o-%s-%d", who, i), "10", "USD", times[i])
			orders++
		}
	}
	if orders < 50 {
		t.Fatalf("%d orders", orders)
	}
	now := day(2026, 12, 3)
	r, err := loyalty.RetentionOf(context.Background(), &dynamo.Marketing{Store: f.store}, day(2026, 1, 1).Truncate(24*time.Hour),
		day(2026, 7, 1).Truncate(24*time.Hour), now, contact.DefaultRisk)
	if err != nil {
		t.Fatal(err)
	}
	// 14 customers first ordered in the period; 11 came back. Their days to a second order:
	// 1, 7, 10, 10, 28, 30, 30, 31, 92, 153, 304: the median is 30. At risk now: every one
	// but a5, e1, c3 (ordered lately) and d2, so 12 of 16. All 16 are bronze (10 points an order).
	got, _ := json.Marshal(r)
	want := `{"from":"2026-01-01T00:00:00Z","to":"2026-07-01T00:00:00Z","customers":14,"repeatCustomers":11,"repeatRate":0.786,` +
		`"medianDaysToSecondOrder":30,"cohorts":[` +
		`{"month":"2026-01","customers":5,"returned":[0.4,0.2,0.2,0,0,0,0,0,0,0,0.2]},` +
		`{"month":"2026-02","customers":2,"returned":[1,1,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0]},` +
		`{"month":"2026-03","customers":4,"returned":[0.5,0.25,0.25,0.25,0.25,0,0,0,0]},` +
		`{"month":"2026-06","customers":3,"returned":[0,0,0,0,0.333,0]}],"atRisk":12,"tiers":{"bronze":16}}`
	if string(got) != want {
		t.Errorf("retention\n got %s\nwant %s", got, want)
	}
}
