package web

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/survey"
)

// Reports is the marketer API's reports, behind the JWT authorizer:
// GET /reports/surveys?from=2026-11-01&to=2026-12-01&category=tea&locale=fa&interval=month gives
// the survey results of the period (to exclusive; default the last 30 days), optionally per day
// or month.
//
// GET /reports/retention?from=2026-01-01&to=2026-07-01&gapFactor=2&oneOrderDays=90 gives the
// retention of the customers who first ordered in the period (default the last 12 months), and
// how many customers are at risk now.
//
// GET /reports/carts?from=2026-11-01&to=2026-12-01 gives what the carts first reported in the
// period (default the last 30 days) did: abandoned, reminded, ordered, recovered, and the
// recovered revenue per currency.
//
// GET /draws lists the prize draws, newest first; GET /draws/{id} gives one (404 if none).
type Reports struct {
	Surveys   *survey.Reporter
	Retention Retention
	Draws     Draws
	Carts     Carts
	Now       func() time.Time
	Log       *slog.Logger
}

// Draws reads the prize draws (the table's; an interface for the same reason as Retention).
type Draws interface {
	DrawList(ctx context.Context) (any, error)
	DrawByID(ctx context.Context, id string) (any, bool, error)
}

// Carts reports what abandoned carts did (cart.Report).
type Carts interface {
	CartNumbers(ctx context.Context, from, to time.Time) (any, error)
}

// Retention reports retention (loyalty.Retentions; an interface here so that the functions
// serving customers' pages, which link this package, do not link the loyalty programme).
type Retention interface {
	Retention(ctx context.Context, from, to time.Time, risk contact.Risk) (any, error)
}

// Invoke implements lambda.Handler.
func (h *Reports) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return Invoke(ctx, h.Serve, payload)
}

// Serve answers one request.
func (h *Reports) Serve(ctx context.Context, r Request) Response {
	switch r.RouteKey {
	case "GET /reports/retention":
		return h.retention(ctx, r)
	case "GET /reports/carts":
		from, to, resp := period(r.QueryStringParameters, h.Now(), 30)
		if resp != nil {
			return *resp
		}
		n, err := h.Carts.CartNumbers(ctx, from, to)
		if err != nil {
			return APIFail(ctx, h.Log, "cart numbers", err)
		}
		return JSON(200, n)
	case "GET /draws":
		ds, err := h.Draws.DrawList(ctx)
		if err != nil {
			return APIFail(ctx, h.Log, "draws", err)
		}
		return JSON(200, map[string]any{"items": ds})
	case "GET /draws/{id}":
		id := r.PathParameters["id"]
		if len(id) != 7 || id[4] != '-' {
			return APIErr(400, "id: a month, YYYY-MM", map[string]string{"id": "a month, YYYY-MM"})
		}
		d, found, err := h.Draws.DrawByID(ctx, id)
		if err != nil {
			return APIFail(ctx, h.Log, "draw", err)
		}
		if !found {
			return APIErr(404, "no draw "+id, nil)
		}
		return JSON(200, d)
	}
	q := r.QueryStringParameters
	from, to, resp := period(q, h.Now(), 30)
	if resp != nil {
		return *resp
	}
	report, err := h.Surveys.Report(ctx, survey.Query{From: from, To: to, Category: q["category"], Locale: q["locale"], Interval: q["interval"]})
	if err != nil {
		return APIFail(ctx, h.Log, "survey results", err)
	}
	return JSON(200, report)
}

func (h *Reports) retention(ctx context.Context, r Request) Response {
	q := r.QueryStringParameters
	from, to, resp := period(q, h.Now(), 365)
	if resp != nil {
		return *resp
	}
	if !to.After(from) {
		return APIErr(400, "to must be after from", map[string]string{"to": "must be after from"})
	}
	risk := contact.DefaultRisk
	for name, lim := range map[string][2]int{"gapFactor": {1, 100}, "oneOrderDays": {1, 3650}} {
		v, ok := q[name]
		if !ok {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lim[0] || n > lim[1] {
			problem := fmt.Sprintf("a whole number from %d to %d", lim[0], lim[1])
			return APIErr(400, name+": "+problem, map[string]string{name: problem})
		}
		if name == "gapFactor" {
			risk.GapFactor = float64(n)
		} else {
			risk.OneOrderDays = n
		}
	}
	report, err := h.Retention.Retention(ctx, from, to, risk)
	if err != nil {
		return APIFail(ctx, h.Log, "retention", err)
	}
	return JSON(200, report)
}

// period is a report's [from, to): whole UTC dates, to exclusive, by default the days days up
// to and including today.
func period(q map[string]string, now time.Time, days int) (time.Time, time.Time, *Response) {
	to := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	from := to.Add(-time.Duration(days) * 24 * time.Hour)
	var err error
	if v := q["to"]; v != "" {
		if to, err = time.Parse(time.DateOnly, v); err != nil {
			resp := APIErr(400, "to: use YYYY-MM-DD", map[string]string{"to": "use YYYY-MM-DD"})
			return from, to, &resp
		}
	}
	if v := q["from"]; v != "" {
		if from, err = time.Parse(time.DateOnly, v); err != nil {
			resp := APIErr(400, "from: use YYYY-MM-DD", map[string]string{"from": "use YYYY-MM-DD"})
			return from, to, &resp
		}
	} else if q["to"] != "" {
		from = to.Add(-time.Duration(days) * 24 * time.Hour)
	}
	return from, to, nil
}

// JSON is an API answer.
func JSON(status int, v any) Response {
	b, err := json.Marshal(v)
	if err != nil {
		return APIErr(503, "the answer could not be written", nil)
	}
	return Response{StatusCode: status, Headers: headers("application/json"), Body: string(b)}
}
