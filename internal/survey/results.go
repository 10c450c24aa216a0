package survey

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	"shopmail/internal/web"
)

// ResultsStore reads answers and sent surveys by time, exactly (from the answers themselves,
// not from pre-aggregated windows).
type ResultsStore interface {
	// AnswersBetween returns the answers first given in [from, to).
	AnswersBetween(ctx context.Context, from, to time.Time) ([]Answer, error)
	// SurveysSentBetween returns the surveys sent in [from, to).
	SurveysSentBetween(ctx context.Context, from, to time.Time) ([]Survey, error)
}

// MaxPeriod is the longest period one request may ask for.
const MaxPeriod = 2 * 366 * 24 * time.Hour

// ResultsHandler serves GET /reports/surveys?from=2026-11-01&to=2026-12-01&category=tea&locale=fa
// &interval=month (marketer API, behind the JWT authorizer): the results of the period (to
// exclusive; default the last 30 days), optionally per day or month.
type ResultsHandler struct {
	Store ResultsStore
	Now   func() time.Time
	Log   *slog.Logger
}

// Invoke implements lambda.Handler.
func (h *ResultsHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return web.Invoke(ctx, h.Serve, payload)
}

type period struct {
	From    string  `json:"from"`
	To      string  `json:"to"`
	Results Results `json:"results"`
}

// Serve answers one request.
func (h *ResultsHandler) Serve(ctx context.Context, r web.Request) web.Response {
	q := r.QueryStringParameters
	to := h.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	from := to.Add(-30 * 24 * time.Hour)
	var err error
	if v := q["to"]; v != "" {
		if to, err = time.Parse(time.DateOnly, v); err != nil {
			return jsonError(400, "to: use YYYY-MM-DD")
		}
	}
	if v := q["from"]; v != "" {
		if from, err = time.Parse(time.DateOnly, v); err != nil {
			return jsonError(400, "from: use YYYY-MM-DD")
		}
	} else if q["to"] != "" {
		from = to.Add(-30 * 24 * time.Hour)
	}
	interval := q["interval"]
	switch {
	case !from.Before(to):
		return jsonError(400, "from must be before to")
	case to.Sub(from) > MaxPeriod:
		return jsonError(400, "the period is at most two years")
	case interval != "" && interval != "day" && interval != "month":
		return jsonError(400, "interval: day or month")
	}
	answers, err := h.Store.AnswersBetween(ctx, from, to)
	if err != nil {
		h.Log.ErrorContext(ctx, "survey results failed", "error", err)
		return jsonError(503, "try again in a moment")
	}
	sent, err := h.Store.SurveysSentBetween(ctx, from, to)
	if err != nil {
		h.Log.ErrorContext(ctx, "survey results failed", "error", err)
		return jsonError(503, "try again in a moment")
	}
	category, locale := q["category"], q["locale"]
	answers = slices.DeleteFunc(answers, func(a Answer) bool { return !matches(a.Categories, a.Locale, category, locale) })
	sent = slices.DeleteFunc(sent, func(s Survey) bool { return !matches(s.Categories, s.Locale, category, locale) })
	out := map[string]any{"from": from.Format(time.DateOnly), "to": to.Format(time.DateOnly), "category": category, "locale": locale,
		"results": Aggregate(answers, len(sent))}
	if interval != "" {
		var series []period
		for start := from; start.Before(to); {
			end := start.AddDate(0, 0, 1)
			if interval == "month" {
				end = time.Date(start.Year(), start.Month()+1, 1, 0, 0, 0, 0, time.UTC)
			}
			if to.Before(end) {
				end = to
			}
			in := func(t time.Time) bool { return !t.Before(start) && t.Before(end) }
			var as []Answer
			for _, a := range answers {
				if in(a.At) {
					as = append(as, a)
				}
			}
			n := 0
			for _, s := range sent {
				if in(s.SentAt) {
					n++
				}
			}
			series = append(series, period{From: start.Format(time.DateOnly), To: end.Format(time.DateOnly), Results: Aggregate(as, n)})
			start = end
		}
		out["series"] = series
	}
	b, _ := json.Marshal(out)
	return web.Response{StatusCode: 200, Headers: map[string]string{"content-type": "application/json", "cache-control": "no-store"}, Body: string(b)}
}

// matches filters by category (one of the order's) and locale (a language such as "fa", or a
// full tag such as "fa-IR").
func matches(categories []string, loc, category, locale string) bool {
	if category != "" && !slices.Contains(categories, category) {
		return false
	}
	return locale == "" || strings.EqualFold(loc, locale) || strings.HasPrefix(strings.ToLower(loc), strings.ToLower(locale)+"-")
}

func jsonError(status int, msg string) web.Response {
	b, _ := json.Marshal(map[string]string{"error": msg})
	return web.Response{StatusCode: status, Headers: map[string]string{"content-type": "application/json"}, Body: string(b)}
}

// Results are the aggregates over a set of answers and surveys sent.
type Results struct {
	Sent         int         `json:"surveysSent"`
	Answered     int         `json:"surveysAnswered"` // surveys with at least one answer
	ResponseRate float64     `json:"responseRate"`    // Answered / Sent, 0 when none were sent
	NPS          *NPSResult  `json:"nps,omitempty"`
	CSAT         *MeanResult `json:"csat,omitempty"`
	CES          *MeanResult `json:"ces,omitempty"`
}

// NPSResult is the net promoter score and its counts.
type NPSResult struct {
	Score      float64 `json:"score"` // % promoters - % detractors, -100 to 100
	Promoters  int     `json:"promoters"`
	Passives   int     `json:"passives"`
	Detractors int     `json:"detractors"`
	Answers    int     `json:"answers"`
}

// MeanResult is a mean score; for CSAT also the share of satisfied answers (4-5).
type MeanResult struct {
	Mean         float64  `json:"mean"`
	PctSatisfied *float64 `json:"pctSatisfied,omitempty"`
	Answers      int      `json:"answers"`
}

// Aggregate computes the results of answers to sent surveys. Questions without answers are
// absent (nil), never a misleading zero.
func Aggregate(answers []Answer, sent int) Results {
	r := Results{Sent: sent}
	surveys := map[string]bool{}
	var sums = map[string]int{}
	var counts = map[string]int{}
	satisfied := 0
	for _, a := range answers {
		surveys[a.ContactID+"\x00"+a.SendKey] = true
		sums[a.Question] += a.Score
		counts[a.Question]++
		switch a.Question {
		case NPS.ID:
			if r.NPS == nil {
				r.NPS = &NPSResult{}
			}
			switch {
			case a.Score >= 9:
				r.NPS.Promoters++
			case a.Score >= 7:
				r.NPS.Passives++
			default:
				r.NPS.Detractors++
			}
			r.NPS.Answers++
		case CSAT.ID:
			if a.Score >= 4 {
				satisfied++
			}
		}
	}
	r.Answered = len(surveys)
	if sent > 0 {
		r.ResponseRate = round(float64(r.Answered) / float64(sent))
	}
	if r.NPS != nil {
		r.NPS.Score = round(100 * float64(r.NPS.Promoters-r.NPS.Detractors) / float64(r.NPS.Answers))
	}
	if n := counts[CSAT.ID]; n > 0 {
		pct := round(100 * float64(satisfied) / float64(n))
		r.CSAT = &MeanResult{Mean: round(float64(sums[CSAT.ID]) / float64(n)), PctSatisfied: &pct, Answers: n}
	}
	if n := counts[CES.ID]; n > 0 {
		r.CES = &MeanResult{Mean: round(float64(sums[CES.ID]) / float64(n)), Answers: n}
	}
	return r
}

// round keeps two decimals.
func round(v float64) float64 { return math.Round(v*100) / 100 }
