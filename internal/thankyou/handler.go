package thankyou

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"shopmail/internal/fault"
	"shopmail/internal/order"
)

// DeadLetters keeps events that cannot be handled, with the reason, so that nothing is lost.
type DeadLetters interface {
	Put(ctx context.Context, source string, reason error, event []byte) error
}

// Handler is the Lambda handler for `Order Placed` events from EventBridge.
type Handler struct {
	Service     *Service
	DeadLetters DeadLetters
	Log         *slog.Logger
}

// envelope is the part of the EventBridge event the handler reads.
type envelope struct {
	ID         string          `json:"id"`
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Detail     json.RawMessage `json:"detail"`
}

// Invoke implements lambda.Handler, so that the runtime hands over the payload as it came,
// malformed JSON included, rather than failing before the handler could dead-letter it.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return nil, h.Handle(ctx, payload)
}

// Handle handles one event. It returns an error only when a retry could help (a store or the
// mail service was unavailable); an invalid event is logged and put on the dead-letter queue
// at once, since retrying it cannot succeed.
func (h *Handler) Handle(ctx context.Context, raw json.RawMessage) error {
	log := h.Log
	var ev envelope
	if err := json.Unmarshal(raw, &ev); err != nil {
		return h.reject(ctx, log, raw, fmt.Errorf("%w event: not an EventBridge event: %v", fault.ErrInvalid, err))
	}
	log = log.With("event_id", ev.ID)
	if ev.DetailType != order.Placed {
		return h.reject(ctx, log, raw, fmt.Errorf("%w event: detail-type %q is not %q", fault.ErrInvalid, ev.DetailType, order.Placed))
	}
	o, err := order.DecodePlaced(ev.Detail)
	if err != nil {
		return h.reject(ctx, log, raw, err)
	}
	log = log.With("order_id", o.ID, "contact_id", o.Customer.ID)
	res, err := h.Service.Handle(ctx, o)
	if errors.Is(err, fault.ErrInvalid) {
		return h.reject(ctx, log, raw, err)
	}
	if err != nil {
		log.ErrorContext(ctx, "thank-you failed; the event will be retried", "error", err)
		return err
	}
	level := slog.LevelInfo
	if strings.HasPrefix(res.Coupon, "reused") {
		level = slog.LevelWarn // the shop accepted a single-use code a second time
	}
	log.Log(ctx, level, "thank-you handled",
		"first_order", res.First, "marketing", res.Marketing, "coupon", res.Coupon, "send_status", res.Send.Record.Status,
		"duplicate", res.Send.Duplicate, "message_id", res.Send.Record.MessageID, "reason", res.Send.Record.Reason)
	return nil
}

func (h *Handler) reject(ctx context.Context, log *slog.Logger, raw []byte, reason error) error {
	log.ErrorContext(ctx, "event rejected; sent to the dead-letter queue", "error", reason)
	if err := h.DeadLetters.Put(ctx, "thankyou", reason, raw); err != nil {
		log.ErrorContext(ctx, "dead-letter queue unavailable; the event will be retried", "error", err)
		return fmt.Errorf("dead-letter event: %w", err)
	}
	return nil
}
