package thankyou

import (
	"context"
	"log/slog"
	"strings"

	"shopmail/internal/lambdaevent"
	"shopmail/internal/order"
)

// NewHandler returns the Lambda handler of the thank-you function: `Order Placed` events from
// EventBridge. An invalid event is dead-lettered at once; an error is returned only when a
// retry could help (a store or the mail service was unavailable).
func NewHandler(s *Service, dead lambdaevent.DeadLetters, log *slog.Logger) *lambdaevent.Handler {
	return &lambdaevent.Handler{Name: "thankyou", DeadLetters: dead, Log: log,
		Routes: map[string]lambdaevent.Route{order.Placed: s.placed}}
}

// placed handles one `Order Placed` event.
func (s *Service) placed(ctx context.Context, ev lambdaevent.Event) (lambdaevent.Result, error) {
	o, err := order.DecodePlaced(ev.Detail)
	if err != nil {
		return lambdaevent.Result{}, err
	}
	out := lambdaevent.Result{Message: "thank-you handled",
		Attrs: []slog.Attr{slog.String("order_id", o.ID), slog.String("contact_id", o.Customer.ID)}}
	res, err := s.Handle(ctx, o)
	if err != nil {
		return out, err
	}
	if strings.HasPrefix(res.Coupon, "reused") {
		out.Level = slog.LevelWarn // the shop accepted a single-use code a second time
	}
	out.Attrs = append(out.Attrs, slog.Bool("first_order", res.First), slog.Bool("marketing", res.Marketing),
		slog.String("coupon", res.Coupon), slog.String("send_status", string(res.Send.Record.Status)),
		slog.Bool("duplicate", res.Send.Duplicate), slog.String("message_id", res.Send.Record.MessageID),
		slog.String("reason", res.Send.Record.Reason))
	return out, nil
}
