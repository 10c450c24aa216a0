package contact

import (
	"testing"
	"time"

	"shopmail/internal/money"
	"shopmail/internal/order"
)

func TestSummaryCountsEachThingOnce(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	c := New("c-1", now)
	o := order.Order{ID: "o-1", PlacedAt: now.Add(-time.Hour), Currency: "USD", Total: money.MustParse("70.00"),
		Items: []order.Item{{SKU: "T-1", Category: "Tea"}}}
	if !c.CountOrder(o) || c.CountOrder(o) {
		t.Fatal("an order counted twice, or not at all")
	}
	if c.Summary.Orders != 1 || c.Summary.Spent["USD"].String() != "70.00" || !c.Summary.Bought["category:tea"].Equal(o.PlacedAt) || c.Summary.Bought["sku:T-1"].IsZero() {
		t.Errorf("summary = %+v", c.Summary)
	}
	older := o
	older.ID, older.PlacedAt = "o-0", now.AddDate(0, -1, 0)
	c.CountOrder(older)
	if !c.Summary.FirstOrderAt.Equal(older.PlacedAt) || !c.Summary.LastOrderAt.Equal(o.PlacedAt) || c.Summary.Spent["USD"].String() != "140.00" {
		t.Errorf("after an older order: %+v", c.Summary)
	}
	at := now.Add(-time.Minute)
	if !c.CountDelivery(at, now) || c.CountDelivery(at, now) || c.CountDelivery(now.Add(-ReceivedWindow-time.Hour), now) {
		t.Error("a delivery counted twice, or one outside the window counted")
	}
	if len(c.Summary.Received) != 1 {
		t.Errorf("received = %v", c.Summary.Received)
	}
	if !c.CountAnswer("nps", 9, now) || c.Summary.NPS != "promoter" {
		t.Errorf("nps 9: %+v", c.Summary)
	}
	if c.CountAnswer("nps", 2, now.Add(-time.Hour)) || c.Summary.NPS != "promoter" {
		t.Error("an older answer replaced the last one")
	}
	if !c.CountAnswer("csat", 4, now.Add(time.Minute)) || c.Summary.CSAT != 4 || c.Summary.NPS != "promoter" {
		t.Errorf("csat: %+v", c.Summary)
	}
	for score, class := range map[int]string{0: "detractor", 6: "detractor", 7: "passive", 8: "passive", 10: "promoter"} {
		if got := NPSClass(score); got != class {
			t.Errorf("NPSClass(%d) = %s, want %s", score, got, class)
		}
	}
}
