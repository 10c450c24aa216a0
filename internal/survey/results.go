package survey

import (
	"context"
	"fmt"
	"math"
	"shopmail/internal/fault"
	"slices"
	"strings"
	"time"
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

// Query asks for the results of a period [From, To), optionally of one category and one
// locale, and optionally per "day" or "month" (Interval).
type Query struct {
	From, To         time.Time
	Category, Locale string
	Interval         string
}

// Period is the results of one interval of a Report.
type Period struct {
	From    string  `json:"from"`
	To      string  `json:"to"`
	Results Results `json:"results"`
}

// Report is the results of a period, and of each of its intervals when asked for.
type Report struct {
	From     string   `json:"from"`
	To       string   `json:"to"`
	Category string   `json:"category"`
	Locale   string   `json:"locale"`
	Results  Results  `json:"results"`
	Series   []Period `json:"series,omitempty"`
}

// Reporter computes survey results from the stored answers.
type Reporter struct {
	Store ResultsStore
}

// Report computes the results q asks for. A query that cannot be answered (an empty or
// too long period, an unknown interval) is an error of kind fault.ErrInvalid.
func (r *Reporter) Report(ctx context.Context, q Query) (Report, error) {
	switch {
	case !q.From.Before(q.To):
		return Report{}, fmt.Errorf("%w query: from must be before to", fault.ErrInvalid)
	case q.To.Sub(q.From) > MaxPeriod:
		return Report{}, fmt.Errorf("%w query: the period is at most two years", fault.ErrInvalid)
	case q.Interval != "" && q.Interval != "day" && q.Interval != "month":
		return Report{}, fmt.Errorf("%w query: interval: day or month", fault.ErrInvalid)
	}
	answers, err := r.Store.AnswersBetween(ctx, q.From, q.To)
	if err != nil {
		return Report{}, err
	}
	sent, err := r.Store.SurveysSentBetween(ctx, q.From, q.To)
	if err != nil {
		return Report{}, err
	}
	answers = slices.DeleteFunc(answers, func(a Answer) bool { return !matches(a.Categories, a.Locale, q.Category, q.Locale) })
	sent = slices.DeleteFunc(sent, func(s Survey) bool { return !matches(s.Categories, s.Locale, q.Category, q.Locale) })
	out := Report{From: q.From.Format(time.DateOnly), To: q.To.Format(time.DateOnly), Category: q.Category, Locale: q.Locale,
		Results: Aggregate(answers, len(sent))}
	for start := q.From; q.Interval != "" && start.Before(q.To); {
		end := start.AddDate(0, 0, 1)
		if q.Interval == "month" {
			end = time.Date(start.Year(), start.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		}
		if q.To.Before(end) {
			end = q.To
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
		out.Series = append(out.Series, Period{From: start.Format(time.DateOnly), To: end.Format(time.DateOnly), Results: Aggregate(as, n)})
		start = end
	}
	return out, nil
}

// matches filters by category (one of the order's) and locale (a language such as "fa", or a
// full tag such as "fa-IR").
func matches(categories []string, loc, category, locale string) bool {
	if category != "" && !slices.Contains(categories, category) {
		return false
	}
	return locale == "" || strings.EqualFold(loc, locale) || strings.HasPrefix(strings.ToLower(loc), strings.ToLower(locale)+"-")
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
