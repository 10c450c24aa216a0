package lambdaevent

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"shopmail/internal/cart"
	"shopmail/internal/fault"
	"shopmail/internal/order"
)

// Carts is the Lambda handler of the carts function: `Checkout Started` and `Cart Updated`
// plan a cart's reminders, `Order Placed` stops them (and counts the cart recovered). Invalid
// input is dead-lettered at once.
func Carts(p *cart.Planner, dead DeadLetters, log *slog.Logger) *Handler {
	updated := cartUpdated(p)
	return &Handler{Name: "carts", DeadLetters: dead, Log: log, Routes: map[string]Route{
		order.CheckoutStarted: updated, order.CartUpdated: updated, order.Placed: cartOrdered(p),
	}}
}

// CartSend is the Lambda handler of the cartsend function: a reminder's schedule (EventBridge
// Scheduler, input cart.Due, without an envelope) sends it.
func CartSend(p *cart.Sending, dead DeadLetters, log *slog.Logger) *Handler {
	return &Handler{Name: "cartsend", DeadLetters: dead, Log: log, Raw: cartDue(p)}
}

func cartUpdated(p *cart.Planner) Route {
	return func(ctx context.Context, ev Event) (Result, error) {
		c, err := order.DecodeCart(ev.Detail)
		if err != nil {
			return Result{}, err
		}
		return Result{Message: "cart recorded", Attrs: []slog.Attr{slog.String("cart_id", c.ID), slog.Int("items", len(c.Items))}}, p.Updated(ctx, c)
	}
}

func cartOrdered(p *cart.Planner) Route {
	return func(ctx context.Context, ev Event) (Result, error) {
		o, err := order.DecodePlaced(ev.Detail)
		if err != nil {
			return Result{}, err
		}
		return Result{Message: "carts closed", Attrs: []slog.Attr{slog.String("order_id", o.ID), slog.String("cart_id", o.CartID)}}, p.Placed(ctx, o)
	}
}

func cartDue(p *cart.Sending) RawRoute {
	return func(ctx context.Context, payload []byte) (Result, error) {
		var d cart.Due
		if err := json.Unmarshal(payload, &d); err != nil {
			return Result{}, fmt.Errorf("%w due reminder: not a schedule's input: %v", fault.ErrInvalid, err)
		}
		if strings.TrimSpace(d.ContactID) == "" || strings.TrimSpace(d.CartID) == "" || d.UpdatedAt.IsZero() {
			return Result{}, fmt.Errorf("%w due reminder: contactId, cartId and updatedAt are required", fault.ErrInvalid)
		}
		res := Result{Message: "cart reminder due", Attrs: []slog.Attr{slog.String("cart_id", d.CartID), slog.Int("step", d.Step)}}
		o, err := p.Send(ctx, d)
		if err != nil {
			return res, err
		}
		res.Attrs = append(res.Attrs, slog.String("send_status", string(o.Record.Status)), slog.Bool("duplicate", o.Duplicate),
			slog.String("reason", o.Record.Reason))
		return res, nil
	}
}
