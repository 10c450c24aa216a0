package lambdaevent

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"shopmail/internal/fault"
	"shopmail/internal/order"
	"shopmail/internal/send"
	"shopmail/internal/thankyou"
)

// ThankYou is the Lambda handler of the thank-you function: `Order Placed` events from
// EventBridge, and the sweep of sends left unknown, which its recurring schedule starts with
// the input {"sweep": "sends"}. An invalid event is dead-lettered at once; an error is
// returned only when a retry could help (a store or the mail service was unavailable).
func ThankYou(s *thankyou.Service, sweeper *send.Sweeper, dead DeadLetters, log *slog.Logger) *Handler {
	return &Handler{Name: "thankyou", DeadLetters: dead, Log: log,
		Routes: map[string]Route{order.Placed: thankYou(s)}, Raw: sweep(sweeper)}
}

// sweepInput is the input of the sweep's schedule.
type sweepInput struct {
	Sweep string `json:"sweep"`
}

// sweep runs the sweep of sends left unknown (send.Sweeper).
func sweep(s *send.Sweeper) RawRoute {
	return func(ctx context.Context, payload []byte) (Result, error) {
		var in sweepInput
		if err := json.Unmarshal(payload, &in); err != nil || in.Sweep != "sends" {
			return Result{}, fmt.Errorf(`%w input: the thank-you function takes Order Placed events and {"sweep": "sends"}, not %s`, fault.ErrInvalid, short(string(payload)))
		}
		res, err := s.Sweep(ctx)
		return Result{Message: "sends swept", Attrs: []slog.Attr{slog.Int("resent", res.Resent),
			slog.Int("settled", res.Settled), slog.Int("unknown", res.Unknown)}}, err
	}
}

// thankYou handles one `Order Placed` event.
func thankYou(s *thankyou.Service) Route {
	return func(ctx context.Context, ev Event) (Result, error) {
		o, err := order.DecodePlaced(ev.Detail)
		if err != nil {
			return Result{}, err
		}
		out := Result{Message: "thank-you handled",
			Attrs: []slog.Attr{slog.String("order_id", o.ID), slog.String("contact_id", o.Customer.ID)}}
		res, err := s.Handle(ctx, o)
		if err != nil {
			return out, err
		}
		if strings.HasPrefix(res.Coupon, "reused") || strings.HasPrefix(res.Coupon, "expired") {
			out.Level = slog.LevelWarn // the shop accepted a single-use code a second time, or too late
		}
		out.Attrs = append(out.Attrs, slog.Bool("first_order", res.First), slog.Bool("marketing", res.Marketing),
			slog.String("coupon", res.Coupon), slog.String("referral", res.Referral.Status), slog.String("send_status", string(res.Send.Record.Status)),
			slog.Bool("duplicate", res.Send.Duplicate), slog.String("message_id", res.Send.Record.MessageID),
			slog.String("reason", res.Send.Record.Reason))
		return out, nil
	}
}
