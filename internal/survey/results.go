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

// ResultsStore reads what results are computed from: the daily aggregates of whole UTC days,
// written with the answers and the sent surveys, and the answers and surveys themselves for
// the part of a period that cuts a day.
type ResultsStore interface {
	// SurveyDays returns the aggregates of the UTC days [from, to) (midnights) of the surveys
	// of a category (of all when category is empty): one Day per day and locale at most.
	SurveyDays(ctx context.Context, from, to time.Time, category string) ([]Day, error)
	// AnswersBetween returns the answers first given in [from, to), with their Days.
	AnswersBetween(ctx context.Context, from, to time.Time) ([]Answer, error)
	// SurveysSentBetween returns the surveys sent in [from, to).
	SurveysSentBetween(ctx context.Context, from, to time.Time) ([]Survey, error)
}

// SurveyRef names one survey send: its contact and send key.
type SurveyRef struct{ ContactID, SendKey string }

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

// Reporter computes survey results: the whole UTC days of a period from their daily
// aggregates, and a day that the period's start or end cuts from its answers and surveys.
// The results are exactly those of the answers and surveys of the period (Aggregate), at a
// cost that grows with the days of the period and the answers of the days it cuts, not with
// the answers of the period.
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
	q.From, q.To = q.From.UTC(), q.To.UTC()
	// The whole days [a, b), and the cut days' parts around them, read as they are.
	a, b := StartOfDay(q.From), StartOfDay(q.To)
	if a.Before(q.From) {
		a = a.AddDate(0, 0, 1)
	}
	raw := [][2]time.Time{{q.From, a}, {b, q.To}}
	if !a.Before(b) {
		a, b, raw = q.To, q.To, [][2]time.Time{{q.From, q.To}}
	}
	var answers []Answer
	var sent []Survey
	for _, p := range raw {
		if !p[0].Before(p[1]) {
			continue
		}
		as, err := r.Store.AnswersBetween(ctx, p[0], p[1])
		if err != nil {
			return Report{}, err
		}
		ss, err := r.Store.SurveysSentBetween(ctx, p[0], p[1])
		if err != nil {
			return Report{}, err
		}
		answers = append(answers, slices.DeleteFunc(as, func(a Answer) bool { return !matches(a.Categories, a.Locale, q.Category, q.Locale) })...)
		sent = append(sent, slices.DeleteFunc(ss, func(s Survey) bool { return !matches(s.Categories, s.Locale, q.Category, q.Locale) })...)
	}
	days := map[int]*Day{}
	// The days a survey answered in a cut day's part was answered on: it counts unless the
	// whole days count it.
	answerDays := map[SurveyRef][]time.Time{}
	for _, x := range answers {
		ref := SurveyRef{x.ContactID, x.SendKey}
		answerDays[ref] = append(answerDays[ref], x.Days...)
	}
	if a.Before(b) {
		cells, err := r.Store.SurveyDays(ctx, a, b, q.Category)
		if err != nil {
			return Report{}, err
		}
		for _, c := range cells {
			if !matches(nil, c.Locale, "", q.Locale) {
				continue
			}
			n := dayNumber(c.Day)
			if days[n] == nil {
				days[n] = &Day{Day: c.Day, Answered: map[int]int{}}
			}
			days[n].Add(c.Tally, 1)
			for g, k := range c.Answered {
				days[n].Answered[g] += k
			}
		}
	}
	results := func(from, to time.Time) Results {
		var t Tally
		answered := 0
		w0, w1 := from, to // its whole days
		if w0.Before(a) {
			w0 = a
		}
		if b.Before(w1) {
			w1 = b
		}
		if w0.Before(w1) {
			n0, n1 := dayNumber(w0), dayNumber(w1)
			for n := n0; n < n1; n++ {
				d := days[n]
				if d == nil {
					continue
				}
				t.Add(d.Tally, 1)
				for g, k := range d.Answered {
					if g == 0 || n-g < n0 {
						answered += k
					}
				}
			}
		}
		in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
		for _, s := range sent {
			if in(s.SentAt) {
				t.Sent++
			}
		}
		seen := map[SurveyRef]bool{}
		for _, x := range answers {
			if !in(x.At) {
				continue
			}
			t.Count(x.Question, x.Score, 1)
			ref := SurveyRef{x.ContactID, x.SendKey}
			if seen[ref] {
				continue
			}
			seen[ref] = true
			if !w0.Before(w1) || !slices.ContainsFunc(answerDays[ref], func(d time.Time) bool { return !d.Before(w0) && d.Before(w1) }) {
				answered++
			}
		}
		return t.Results(answered)
	}
	out := Report{From: q.From.Format(time.DateOnly), To: q.To.Format(time.DateOnly), Category: q.Category, Locale: q.Locale,
		Results: results(q.From, q.To)}
	for start := q.From; q.Interval != "" && start.Before(q.To); {
		end := StartOfDay(start).AddDate(0, 0, 1)
		if q.Interval == "month" {
			end = time.Date(start.Year(), start.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		}
		if q.To.Before(end) {
			end = q.To
		}
		out.Series = append(out.Series, Period{From: start.Format(time.DateOnly), To: end.Format(time.DateOnly), Results: results(start, end)})
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

// Aggregate computes the results of answers to sent surveys, straight from the answers (the
// results of a period are these, of the period's answers and surveys). Questions without
// answers are absent (nil), never a misleading zero.
func Aggregate(answers []Answer, sent int) Results {
	t := Tally{Sent: sent}
	surveys := map[SurveyRef]bool{}
	for _, a := range answers {
		surveys[SurveyRef{a.ContactID, a.SendKey}] = true
		t.Count(a.Question, a.Score, 1)
	}
	return t.Results(len(surveys))
}

// round keeps two decimals.
func round(v float64) float64 { return math.Round(v*100) / 100 }
