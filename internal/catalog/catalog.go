// Package catalog is what this system knows of the shop's products. It needs no feed: every
// order event teaches it the products in the order (name, category, link, image, last price),
// and it suggests related products from that knowledge.
package catalog

import (
	"sort"
	"time"

	"shopmail/internal/money"
	"shopmail/internal/order"
)

// Product is a product as last seen in an order.
type Product struct {
	SKU             string
	Name            string
	Category        string
	URL             string
	ImageURL        string
	Currency        string
	Price           money.Decimal
	RegularPrice    *money.Decimal
	LastPurchasedAt time.Time
}

// FromOrder returns the products of an order, one per SKU (the last line wins).
func FromOrder(o order.Order) []Product {
	bySKU := make(map[string]int, len(o.Items))
	var out []Product
	for _, it := range o.Items {
		p := Product{
			SKU: it.SKU, Name: it.Name, Category: it.Category, URL: it.URL, ImageURL: it.ImageURL,
			Currency: o.Currency, Price: it.UnitPrice, RegularPrice: it.RegularPrice,
			LastPurchasedAt: o.PlacedAt,
		}
		if i, ok := bySKU[it.SKU]; ok {
			out[i] = p
			continue
		}
		bySKU[it.SKU] = len(out)
		out = append(out, p)
	}
	return out
}

// Suggest picks up to n products to suggest to a buyer of o from candidates: products the
// buyer did not just buy, that can be linked to, priced in the order's currency, most recently
// bought first, taking the order's categories in turn so that one category does not fill the
// list.
func Suggest(o order.Order, candidates map[string][]Product, n int) []Product {
	bought := o.SKUs()
	queues := make([][]Product, 0, len(candidates))
	for _, cat := range o.Categories() {
		var q []Product
		for _, p := range candidates[cat] {
			if !bought[p.SKU] && p.URL != "" && p.Currency == o.Currency {
				q = append(q, p)
			}
		}
		sort.SliceStable(q, func(i, j int) bool { return q[i].LastPurchasedAt.After(q[j].LastPurchasedAt) })
		queues = append(queues, q)
	}
	var out []Product
	taken := map[string]bool{}
	for len(out) < n {
		progressed := false
		for i := range queues {
			for len(queues[i]) > 0 && taken[queues[i][0].SKU] {
				queues[i] = queues[i][1:]
			}
			if len(queues[i]) == 0 || len(out) == n {
				continue
			}
			out = append(out, queues[i][0])
			taken[queues[i][0].SKU] = true
			queues[i], progressed = queues[i][1:], true
		}
		if !progressed {
			break
		}
	}
	return out
}
