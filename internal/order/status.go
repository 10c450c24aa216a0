package order

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"shopmail/internal/fault"
	"shopmail/internal/money"
)

// Status is what an `Order Delivered`, `Order Cancelled` or `Order Refunded` event says: which
// order, and when (the event's time when its detail has none). A refund may name the amount
// refunded (in the order's currency; nil: the whole order) and the shop's id of the refund,
// which tells one partial refund of an order from another.
type Status struct {
	OrderID  string
	At       time.Time
	Amount   *money.Decimal
	RefundID string
}

// DecodeStatus decodes the detail of a status event: {"orderId": "o-1001", "deliveredAt" |
// "cancelledAt" | "refundedAt" | "at": "<RFC 3339>", "amount": 12.50, "refundId": "r-1"}.
// Unknown fields are ignored.
func DecodeStatus(detail []byte, eventTime time.Time) (Status, error) {
	var w struct {
		OrderID *string          `json:"orderId"`
		At      *string          `json:"at"`
		Deliv   *string          `json:"deliveredAt"`
		Canc    *string          `json:"cancelledAt"`
		Ref     *string          `json:"refundedAt"`
		Amount  *json.RawMessage `json:"amount"`
		Refund  *string          `json:"refundId"`
	}
	if err := json.Unmarshal(detail, &w); err != nil {
		return Status{}, fmt.Errorf("%w order event: detail is not a JSON object: %v", fault.ErrInvalid, err)
	}
	if w.OrderID == nil || strings.TrimSpace(*w.OrderID) == "" || len(*w.OrderID) > maxIDLen ||
		strings.ContainsFunc(*w.OrderID, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return Status{}, fmt.Errorf("%w order event: orderId is required (1-%d printable characters)", fault.ErrInvalid, maxIDLen)
	}
	s := Status{OrderID: *w.OrderID, At: eventTime}
	if w.Amount != nil && string(*w.Amount) != "null" {
		var d money.Decimal
		if err := json.Unmarshal(*w.Amount, &d); err != nil || d.Sign() < 0 {
			return Status{}, fmt.Errorf("%w order event: amount must be a decimal number, 0 or more", fault.ErrInvalid)
		}
		s.Amount = &d
	}
	if w.Refund != nil {
		if len(*w.Refund) > maxIDLen || strings.ContainsFunc(*w.Refund, func(r rune) bool { return r < ' ' || r == 0x7f || r == '#' }) {
			return Status{}, fmt.Errorf("%w order event: refundId must be at most %d printable characters, without '#'", fault.ErrInvalid, maxIDLen)
		}
		s.RefundID = strings.TrimSpace(*w.Refund)
	}
	for _, v := range []*string{w.Deliv, w.Canc, w.Ref, w.At} {
		if v == nil {
			continue
		}
		t, err := time.Parse(time.RFC3339, *v)
		if err != nil {
			return Status{}, fmt.Errorf("%w order event: %q is not an RFC 3339 time", fault.ErrInvalid, *v)
		}
		s.At = t
		break
	}
	return s, nil
}
