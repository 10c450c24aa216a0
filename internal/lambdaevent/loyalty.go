package lambdaevent

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"shopmail/internal/fault"
	"shopmail/internal/loyalty"
	"shopmail/internal/order"
)

// Loyalty is the Lambda handler of the loyalty function: `Order Cancelled` and `Order
// Refunded` take back the order's points. An invalid event is dead-lettered at once; a
// reversal that comes before its order is kept, and applied when the order comes.
//
// Its recurring schedule's input {"draw": "run"} runs the prize draws (drawing nil: the shop
// has none, and the run does nothing).
//
// Its daily schedule's input {"sweep": "loyalty"} recalculates tiers and expires points.
func Loyalty(s *loyalty.Service, drawing *loyalty.Drawing, sweep *loyalty.Sweep, dead DeadLetters, log *slog.Logger) *Handler {
	return &Handler{Name: "loyalty", DeadLetters: dead, Log: log, Routes: map[string]Route{
		order.Cancelled: reversal(s, loyalty.Cancel), order.Refunded: reversal(s, loyalty.Refund),
	}, Raw: scheduled(drawing, sweep)}
}

// scheduled runs the prize draws, or the daily sweep.
func scheduled(d *loyalty.Drawing, w *loyalty.Sweep) RawRoute {
	return func(ctx context.Context, payload []byte) (Result, error) {
		var in struct {
			Draw  string `json:"draw"`
			Sweep string `json:"sweep"`
		}
		err := json.Unmarshal(payload, &in)
		switch {
		case err == nil && in.Sweep == "loyalty" && in.Draw == "":
			res, err := w.Run(ctx)
			return Result{Message: "loyalty swept", Attrs: []slog.Attr{slog.Int("retiered", res.Retiered),
				slog.Int("expired", res.Expired), slog.Int("reminded", res.Reminded)}}, err
		case err != nil || in.Draw != "run" || in.Sweep != "":
			return Result{}, fmt.Errorf(`%w input: the loyalty function takes Order Cancelled and Order Refunded events, {"draw": "run"} and {"sweep": "loyalty"}, not %s`, fault.ErrInvalid, short(string(payload)))
		}
		if d == nil {
			return Result{Message: "no prize draw"}, nil
		}
		res, err := d.Run(ctx)
		return Result{Message: "prize draws run", Attrs: []slog.Attr{slog.Any("opened", res.Opened),
			slog.Any("committed", res.Committed), slog.Any("drawn", res.Drawn)}}, err
	}
}

// reversal takes back the points of a cancelled or refunded order. A refund is told from the
// order's other refunds by its refundId, else by the event's id (the same on every redelivery).
func reversal(s *loyalty.Service, kind string) Route {
	return func(ctx context.Context, ev Event) (Result, error) {
		at, err := ev.Time()
		if err != nil {
			return Result{}, err
		}
		st, err := order.DecodeStatus(ev.Detail, at)
		if err != nil {
			return Result{}, err
		}
		ref := st.RefundID
		if ref == "" {
			ref = ev.ID
		}
		res := Result{Message: "points taken back", Attrs: []slog.Attr{slog.String("order_id", st.OrderID), slog.String("kind", kind)}}
		g, err := s.Reverse(ctx, st, kind, ref)
		if err != nil {
			return res, err
		}
		if g.Pending {
			res.Message = "points to take back when the order comes"
			return res, nil
		}
		res.Attrs = append(res.Attrs, slog.String("contact_id", g.Entry.ContactID), slog.Int64("points", g.Entry.Points),
			slog.String("tier", g.Tier))
		return res, nil
	}
}
