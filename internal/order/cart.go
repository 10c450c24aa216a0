package order

import (
	"encoding/json"
	"fmt"
	"time"

	"shopmail/internal/fault"
	"shopmail/internal/money"
)

// Detail types of the shop's cart events.
const (
	CheckoutStarted = "Checkout Started"
	CartUpdated     = "Cart Updated"
)

// Cart is a customer's cart as the shop last reported it: a `Checkout Started` or a `Cart
// Updated` event (README, "Abandoned carts"). A cart without items was emptied.
type Cart struct {
	ID        string
	Customer  Customer
	Items     []Item
	Currency  string
	Total     money.Decimal
	URL       string // where the customer continues (http or https, as item links; empty: the shop's home page)
	UpdatedAt time.Time
}

// wireCart is the JSON shape of a cart event's detail. Unknown fields are ignored.
type wireCart struct {
	CartID    *string        `json:"cartId"`
	Customer  *wireCustomer  `json:"customer"`
	Items     []wireItem     `json:"items"`
	Currency  *string        `json:"currency"`
	Total     *money.Decimal `json:"total"`
	CartURL   *string        `json:"cartUrl"`
	UpdatedAt *string        `json:"updatedAt"`
}

// DecodeCart decodes and validates the detail of a cart event, with the rules of `Order
// Placed` for the customer and the items. Every problem found is reported in one error of kind
// fault.ErrInvalid.
func DecodeCart(detail []byte) (Cart, error) {
	var w wireCart
	if err := json.Unmarshal(detail, &w); err != nil {
		return Cart{}, fmt.Errorf("%w cart event: malformed JSON: %s", fault.ErrInvalid, jsonProblem(err))
	}
	p := fault.NewProblems("cart event")
	c := Cart{
		ID:        requiredID(p, "cartId", w.CartID),
		Currency:  currency(p, w.Currency),
		URL:       link(w.CartURL, "http", "https"),
		UpdatedAt: timestamp(p, "updatedAt", w.UpdatedAt),
	}
	c.Customer = customer(p, w.Customer)
	c.Items = items(p, w.Items)
	c.Total = total(p, w.Total, c.Items)
	return c, p.Err()
}
