package lambdaevent

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"shopmail/internal/fault"
	"shopmail/internal/order"
	"shopmail/internal/survey"
)

// Surveys is the Lambda handler of the surveys function: order events from
// EventBridge plan, move or cancel an order's survey. Invalid input is dead-lettered at once;
// an error is returned only when a retry can help.
func Surveys(p *survey.Planner, dead DeadLetters, log *slog.Logger) *Handler {
	return &Handler{Name: "surveys", DeadLetters: dead, Log: log, Routes: map[string]Route{
		order.Placed: surveyPlaced(p), order.Delivered: orderStatus(p), order.Cancelled: orderStatus(p), order.Refunded: orderStatus(p),
	}}
}

// SurveySend is the Lambda handler of the surveysend function: a survey's schedule
// (EventBridge Scheduler, input Due, without an envelope) sends it.
func SurveySend(p *survey.Sending, dead DeadLetters, log *slog.Logger) *Handler {
	return &Handler{Name: "surveysend", DeadLetters: dead, Log: log, Raw: surveyDue(p)}
}

// surveyPlaced plans the survey of a placed order.
func surveyPlaced(p *survey.Planner) Route {
	return func(ctx context.Context, ev Event) (Result, error) {
		o, err := order.DecodePlaced(ev.Detail)
		if err != nil {
			return Result{}, err
		}
		return Result{Message: "survey planned", Attrs: []slog.Attr{slog.String("order_id", o.ID)}}, p.Placed(ctx, o)
	}
}

// orderStatus handles `Order Delivered`, `Order Cancelled` and `Order Refunded`.
func orderStatus(p *survey.Planner) Route {
	return func(ctx context.Context, ev Event) (Result, error) {
		at, err := ev.Time()
		if err != nil {
			return Result{}, err
		}
		st, err := order.DecodeStatus(ev.Detail, at)
		if err != nil {
			return Result{}, err
		}
		res := Result{Message: "survey updated", Attrs: []slog.Attr{slog.String("order_id", st.OrderID)}}
		if ev.DetailType == order.Delivered {
			return res, p.Delivered(ctx, st)
		}
		return res, p.Cancelled(ctx, st, ev.DetailType)
	}
}

// surveyDue sends a survey whose schedule fired.
func surveyDue(p *survey.Sending) RawRoute {
	return func(ctx context.Context, payload []byte) (Result, error) {
		d, err := decodeDue(payload)
		if err != nil {
			return Result{}, err
		}
		res := Result{Message: "survey due", Attrs: []slog.Attr{slog.String("order_id", d.OrderID), slog.String("after", d.After)}}
		o, err := p.Send(ctx, d)
		if err != nil {
			return res, err
		}
		res.Attrs = append(res.Attrs, slog.String("send_status", string(o.Record.Status)), slog.Bool("duplicate", o.Duplicate),
			slog.String("reason", o.Record.Reason))
		return res, nil
	}
}

// decodeDue decodes a schedule's input. Unknown fields are ignored.
func decodeDue(payload []byte) (survey.Due, error) {
	var d survey.Due
	if err := json.Unmarshal(payload, &d); err != nil {
		return d, fmt.Errorf("%w due survey: not a schedule's input: %v", fault.ErrInvalid, err)
	}
	if strings.TrimSpace(d.OrderID) == "" {
		return d, fmt.Errorf("%w due survey: orderId is required", fault.ErrInvalid)
	}
	return d, nil
}
