// Package order holds what the shop tells us about an order: the `Order Placed` event's detail
// (DESIGN.md section 6), decoded strictly enough that nothing invalid reaches an email.
package order

import (
	"time"

	"shopmail/internal/money"
)

// Detail types of the shop's order events.
const (
	Placed    = "Order Placed"
	Delivered = "Order Delivered"
	Cancelled = "Order Cancelled"
	Refunded  = "Order Refunded"
)

// Order is a placed order.
type Order struct {
	ID           string
	PlacedAt     time.Time
	Currency     string
	Total        money.Decimal
	Customer     Customer
	Items        []Item
	CouponCode   string
	ReferralCode string
	// URL is the customer's page of the order on the shop (https only; empty when the shop
	// sent none or an unsafe one).
	URL string
	// The breakdown of Total, each nil when the shop sent none; same currency as Total.
	Subtotal, Shipping, Discount, Tax *money.Decimal
	// CartID is the cart the order was placed from (optional): it stops the cart's reminders
	// and counts the cart as recovered when one was sent.
	CartID string
	// Address is where the order ships (optional). It is not stored: the referral rules
	// compare a hash of it.
	Address Address
}

// Address is a shipping address as the shop sent it.
type Address struct {
	Line1, Line2, City, PostalCode, Country string
}

// Customer is the buyer as the shop knows them at the time of the order. Empty strings and a
// nil MarketingConsent mean "not given", never "erase".
type Customer struct {
	ID               string
	Email            string
	FirstName        string
	LastName         string
	Locale           string
	Timezone         string
	Birthday         string // YYYY-MM-DD
	MarketingConsent *bool
}

// Item is one line of an order.
type Item struct {
	SKU          string
	Name         string
	Category     string
	Quantity     int64
	UnitPrice    money.Decimal
	RegularPrice *money.Decimal // the price before a sale, when the shop sent one
	URL          string         // http(s) only; empty when the shop sent none or an unsafe one
	ImageURL     string         // https only
}

// LineTotal is the item's quantity times its unit price.
func (it Item) LineTotal() (money.Decimal, error) { return it.UnitPrice.Mul(it.Quantity) }

// SKUs returns the set of SKUs in the order.
func (o Order) SKUs() map[string]bool {
	skus := make(map[string]bool, len(o.Items))
	for _, it := range o.Items {
		skus[it.SKU] = true
	}
	return skus
}

// Categories returns the distinct non-empty categories of the order's items, in order of first
// appearance.
func (o Order) Categories() []string {
	seen := map[string]bool{}
	var cats []string
	for _, it := range o.Items {
		if it.Category != "" && !seen[it.Category] {
			seen[it.Category] = true
			cats = append(cats, it.Category)
		}
	}
	return cats
}
