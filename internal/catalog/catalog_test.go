package catalog_test

import (
	"reflect"
	"testing"
	"time"

	"shopmail/internal/catalog"
	"shopmail/internal/money"
	"shopmail/internal/order"
)

func p(sku, cat string, ago time.Duration) catalog.Product {
	return catalog.Product{SKU: sku, Name: sku, Category: cat, URL: "https://s.example/" + sku,
		Currency: "USD", Price: money.MustParse("1.00"), LastPurchasedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(-ago)}
}

func skus(ps []catalog.Product) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.SKU)
	}
	return out
}

func TestSuggest(t *testing.T) {
	o := order.Order{Currency: "USD", Items: []order.Item{{SKU: "T1", Category: "tea"}, {SKU: "P1", Category: "pots"}}}
	eur := p("T9", "tea", 0)
	eur.Currency = "EUR"
	noLink := p("T8", "tea", 0)
	noLink.URL = ""
	cands := map[string][]catalog.Product{
		"tea":  {p("T1", "tea", 0), p("T2", "tea", 3*time.Hour), p("T3", "tea", time.Hour), eur, noLink, p("T4", "tea", 5*time.Hour)},
		"pots": {p("P2", "pots", time.Hour), p("T3", "pots", 0)},
	}
	got := skus(catalog.Suggest(o, cands, 3))
	// Not what was bought, not another currency, not unlinkable; newest first, categories in turn,
	// no duplicates across categories.
	want := []string{"T3", "P2", "T2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Suggest = %v, want %v", got, want)
	}
}

func TestSuggestWithNothingToSuggest(t *testing.T) {
	o := order.Order{Currency: "USD", Items: []order.Item{{SKU: "T1", Category: "tea"}}}
	if got := catalog.Suggest(o, map[string][]catalog.Product{"tea": {p("T1", "tea", 0)}}, 3); len(got) != 0 {
		t.Errorf("Suggest = %v, want none", skus(got))
	}
}

func TestFromOrderOneProductPerSKU(t *testing.T) {
	o := order.Order{Currency: "USD", Items: []order.Item{
		{SKU: "A", Name: "old name", UnitPrice: money.MustParse("1")},
		{SKU: "B", UnitPrice: money.MustParse("2")},
		{SKU: "A", Name: "new name", UnitPrice: money.MustParse("3")},
	}}
	ps := catalog.FromOrder(o)
	if len(ps) != 2 || ps[0].Name != "new name" || ps[0].Price.String() != "3" {
		t.Errorf("FromOrder = %+v", ps)
	}
}
