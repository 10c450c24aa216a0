package survey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"shopmail/internal/fault"
	"shopmail/internal/order"
	"shopmail/internal/send"
)

// DeadLetters keeps events that cannot be handled, with the reason.
type DeadLetters interface {
	Put(ctx context.Context, source string, reason error, event []byte) error
}

// Handler is the Lambda handler of the surveys function: order events (from EventBridge) plan
// surveys, and a survey's schedule (from EventBridge Scheduler, input Due) sends it.
type Handler struct {
	Planner     *Planner
	DeadLetters DeadLetters
	Log         *slog.Logger
}

// Invoke implements lambda.Handler.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return nil, h.Handle(ctx, payload)
}

// Handle handles one order event or one due survey. Invalid input is dead-lettered at once; an
// error is returned only when a retry can help.
func (h *Handler) Handle(ctx context.Context, raw []byte) error {
	var in struct {
		ID         string          `json:"id"`
		DetailType string          `json:"detail-type"`
		Time       time.Time       `json:"time"`
		Detail     json.RawMessage `json:"detail"`
		Due
	}
	err := json.Unmarshal(raw, &in)
	log := h.Log.With("event_id", in.ID, "detail_type", in.DetailType)
	switch {
	case err != nil:
		err = fmt.Errorf("%w event: not an order event or a due survey: %v", fault.ErrInvalid, err)
	case in.DetailType == "" && in.OrderID != "":
		var o send.Outcome
		if o, err = h.Planner.Send(ctx, in.Due); err == nil {
			log.InfoContext(ctx, "survey due", "order_id", in.OrderID, "after", in.After, "send_status", o.Record.Status,
				"duplicate", o.Duplicate, "reason", o.Record.Reason)
		}
	case in.DetailType == order.Placed:
		var o order.Order
		if o, err = order.DecodePlaced(in.Detail); err == nil {
			err = h.Planner.Placed(ctx, o)
			log.InfoContext(ctx, "survey planned", "order_id", o.ID, "error", err)
		}
	case in.DetailType == order.Delivered || in.DetailType == order.Cancelled || in.DetailType == order.Refunded:
		var st order.Status
		if st, err = order.DecodeStatus(in.Detail, in.Time); err == nil {
			if in.DetailType == order.Delivered {
				err = h.Planner.Delivered(ctx, st)
			} else {
				err = h.Planner.Cancelled(ctx, st, in.DetailType)
			}
			log.InfoContext(ctx, "survey updated", "order_id", st.OrderID, "error", err)
		}
	default:
		err = fmt.Errorf("%w event: detail-type %q is not an order event", fault.ErrInvalid, in.DetailType)
	}
	if errors.Is(err, fault.ErrInvalid) {
		log.ErrorContext(ctx, "event rejected; sent to the dead-letter queue", "error", err)
		if err := h.DeadLetters.Put(ctx, "surveys", err, raw); err != nil {
			return fmt.Errorf("dead-letter event: %w", err)
		}
		return nil
	}
	if err != nil {
		log.ErrorContext(ctx, "survey failed; it will be retried", "error", err)
	}
	return err
}
