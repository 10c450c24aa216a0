package loyalty_test

import (
	"context"
	"testing"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/dynamo"
	"shopmail/internal/loyalty"
	"shopmail/internal/thankyou"
)

// The daily sweep: 14 days before a year without an order the customer is reminded, once a
// day as the sweep runs (the email itself is sent once per expiry date); at the year the
// balance expires and the tier falls with the order leaving the 12 months; a customer who
// ordered since keeps both.
func TestTheDailySweepExpiresPointsAndRecalculatesTiers(t *testing.T) {
	f := setupWith(t, func(s *thankyou.Settings) { s.Loyalty.ExpiryMonths = 12 })
	f.points.Config.ExpiryMonths = 12
	var reminded []string
	sweep := &loyalty.Sweep{Service: f.points, Profiles: &dynamo.Marketing{Store: f.store},
		Remind: func(_ context.Context, c *contact.Contact, points int64, at time.Time) error {
			reminded = append(reminded, c.ID+" "+at.Format("2006-01-02"))
			return nil
		}}
	run := func(at time.Time) loyalty.SweepResult {
		t.Helper()
		f.set(at)
		res, err := sweep.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	f.place(t, "c-1", "o-1", "600", "USD", day(2026, 12, 3))
	f.place(t, "c-2", "o-2", "700", "USD", day(2026, 12, 3))
	f.place(t, "c-2", "o-3", "10", "USD", day(2027, 6, 1))
	f.want(t, "c-1", 600, "silver")

	if res := run(day(2027, 11, 18)); res != (loyalty.SweepResult{}) {
		t.Errorf("15 days before: %+v", res)
	}
	if res := run(day(2027, 11, 19)); res.Reminded != 1 || len(reminded) != 1 || reminded[0] != "c-1 2027-12-03" {
		t.Errorf("14 days before: %+v, reminded %v", res, reminded)
	}
	f.want(t, "c-1", 600, "silver")
	// A year to the hour: the points expire; the order, exactly 12 months old, still counts.
	if res := run(day(2027, 12, 3)); res != (loyalty.SweepResult{Expired: 1}) {
		t.Errorf("a year after: %+v", res)
	}
	f.want(t, "c-1", 0, "silver")
	// A day later the order has left the 12 months: both tiers fall.
	if res := run(day(2027, 12, 4)); res != (loyalty.SweepResult{Retiered: 2}) {
		t.Errorf("a year and a day after: %+v", res)
	}
	f.want(t, "c-1", 0, "bronze")
	f.want(t, "c-2", 710, "bronze") // ordered in June: the points stay
	if res := run(day(2027, 12, 5)); res != (loyalty.SweepResult{}) {
		t.Errorf("the day after: %+v", res)
	}
	es, _, err := f.store.PointsPage(context.Background(), "c-1", "", 5)
	if err != nil || len(es) != 2 || es[0].Kind != loyalty.Expire || es[0].Points != -600 {
		t.Errorf("ledger %+v (%v), want the expiry of 600 on top", es, err)
	}
}
