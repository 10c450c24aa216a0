package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"shopmail/internal/survey"
)

// Reports is the marketer API's reports, behind the JWT authorizer:
// GET /reports/surveys?from=2026-11-01&to=2026-12-01&category=tea&locale=fa&interval=month gives
// the survey results of the period (to exclusive; default the last 30 days), optionally per day
// or month.
type Reports struct {
	Surveys *survey.Reporter
	Now     func() time.Time
	Log     *slog.Logger
}

// Invoke implements lambda.Handler.
func (h *Reports) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return Invoke(ctx, h.Serve, payload)
}

// Serve answers one request.
func (h *Reports) Serve(ctx context.Context, r Request) Response {
	q := r.QueryStringParameters
	to := h.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	from := to.Add(-30 * 24 * time.Hour)
	var err error
	if v := q["to"]; v != "" {
		if to, err = time.Parse(time.DateOnly, v); err != nil {
			return APIErr(400, "to: use YYYY-MM-DD", map[string]string{"to": "use YYYY-MM-DD"})
		}
	}
	if v := q["from"]; v != "" {
		if from, err = time.Parse(time.DateOnly, v); err != nil {
			return APIErr(400, "from: use YYYY-MM-DD", map[string]string{"from": "use YYYY-MM-DD"})
		}
	} else if q["to"] != "" {
		from = to.Add(-30 * 24 * time.Hour)
	}
	report, err := h.Surveys.Report(ctx, survey.Query{From: from, To: to, Category: q["category"], Locale: q["locale"], Interval: q["interval"]})
	if err != nil {
		return APIFail(ctx, h.Log, "survey results", err)
	}
	return JSON(200, report)
}

// JSON is an API answer.
func JSON(status int, v any) Response {
	b, err := json.Marshal(v)
	if err != nil {
		return APIErr(503, "the answer could not be written", nil)
	}
	return Response{StatusCode: status, Headers: headers("application/json"), Body: string(b)}
}
