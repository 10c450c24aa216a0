package dynamo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"shopmail/internal/catalog"
	"shopmail/internal/money"
)

// An order writes a product only when it is new, changed or last bought a day or more
// before; never an older observation over a newer one; at most the 20 products a thank-you
// lists.
func TestProductsAreLearnedOnlyWhenNewChangedOrStale(t *testing.T) {
	st := store(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	tea := func(price string, at time.Time) catalog.Product {
		return catalog.Product{SKU: "TEA-01", Name: "Green tea", Category: "tea", Currency: "USD", Price: money.MustParse(price), LastPurchasedAt: at}
	}
	stored := func() catalog.Product {
		t.Helper()
		ps, err := st.RecentProducts(ctx, "tea", 100)
		if err != nil || len(ps) != 1 {
			t.Fatalf("products %+v, %v", ps, err)
		}
		return ps[0]
	}
	for _, step := range []struct {
		what     string
		p        catalog.Product
		price    string
		boughtAt time.Time
	}{
		{"new", tea("12.50", t0), "12.50", t0},
		{"bought again an hour later, unchanged: not written", tea("12.50", t0.Add(time.Hour)), "12.50", t0},
		{"its price changed", tea("11.00", t0.Add(2*time.Hour)), "11.00", t0.Add(2 * time.Hour)},
		{"an older order's price: not written", tea("12.50", t0.Add(90*time.Minute)), "11.00", t0.Add(2 * time.Hour)},
		{"bought again a day later: written, for its recency", tea("11.00", t0.Add(26*time.Hour)), "11.00", t0.Add(26 * time.Hour)},
	} {
		if err := st.PutProducts(ctx, []catalog.Product{step.p}); err != nil {
			t.Fatal(err)
		}
		if got := stored(); got.Price.String() != step.price || !got.LastPurchasedAt.Equal(step.boughtAt) {
			t.Errorf("%s: stored at %s for %s, want %s for %s", step.what, got.LastPurchasedAt, got.Price, step.boughtAt, step.price)
		}
	}

	var many []catalog.Product
	for i := range 25 {
		many = append(many, catalog.Product{SKU: fmt.Sprintf("POT-%02d", i), Name: "Pot", Category: "teaware", Currency: "USD", Price: money.MustParse("30"), LastPurchasedAt: t0})
	}
	if err := st.PutProducts(ctx, many); err != nil {
		t.Fatal(err)
	}
	if ps, err := st.RecentProducts(ctx, "teaware", 100); err != nil || len(ps) != 20 {
		t.Errorf("an order of 25 products taught %d, %v; want its first 20", len(ps), err)
	}
}
