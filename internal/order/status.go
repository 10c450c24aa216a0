package order

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"shopmail/internal/fault"
)

// Status is what an `Order Delivered`, `Order Cancelled` or `Order Refunded` event says: which
// order, and when (the event's time when its detail has none).
type Status struct {
	OrderID string
	At      time.Time
}

// DecodeStatus decodes the detail of a status event: {"orderId": "o-1001", "deliveredAt" |
// "cancelledAt" | "refundedAt" | "at": "<RFC 3339>"}. Unknown fields are ignored.
func DecodeStatus(detail []byte, eventTime time.Time) (Status, error) {
	var w struct {
		OrderID *string `json:"orderId"`
		At      *string `json:"at"`
		Deliv   *string `json:"deliveredAt"`
		Canc    *string `json:"cancelledAt"`
		Ref     *string `json:"refundedAt"`
	}
	if err := json.Unmarshal(detail, &w); err != nil {
		return Status{}, fmt.Errorf("%w order event: detail is not a JSON object: %v", fault.ErrInvalid, err)
	}
	if w.OrderID == nil || strings.TrimSpace(*w.OrderID) == "" || len(*w.OrderID) > maxIDLen ||
		strings.ContainsFunc(*w.OrderID, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return Status{}, fmt.Errorf("%w order event: orderId is required (1-%d printable characters)", fault.ErrInvalid, maxIDLen)
	}
	s := Status{OrderID: *w.OrderID, At: eventTime}
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
