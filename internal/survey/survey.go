// Package survey asks customers after their order arrives how it went (NPS, CSAT, CES), in
// one click from the email, and computes the numbers marketers steer by: NPS = % promoters
// (9-10) - % detractors (0-6), CSAT mean and % satisfied (4-5), CES mean (effort: lower is
// better), and the response rate (DESIGN.md section 3).
package survey

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Question is one survey question with its scale.
type Question struct {
	ID       string // "nps", "csat", "ces"
	Min, Max int
}

// The questions. CES's scale is configurable (1-7 by default).
var (
	NPS  = Question{ID: "nps", Min: 0, Max: 10}
	CSAT = Question{ID: "csat", Min: 1, Max: 5}
	CES  = Question{ID: "ces", Min: 1, Max: 7}
)

// Scores returns the question's scores in order.
func (q Question) Scores() []int {
	out := make([]int, 0, q.Max-q.Min+1)
	for s := q.Min; s <= q.Max; s++ {
		out = append(out, s)
	}
	return out
}

// Unhappy reports whether a score tells of an unhappy customer: an NPS detractor (0-6), CSAT
// 1-2, or a CES at or above Max - (Max-Min)/4 in whole points: 6-7 of 1-7, 4-5 of 1-5.
func (q Question) Unhappy(score int) bool {
	switch q.ID {
	case NPS.ID:
		return score <= 6
	case CSAT.ID:
		return score <= 2
	case CES.ID:
		return score >= q.Max-(q.Max-q.Min)/4
	}
	return false
}

// Happy reports whether a score is a promoter's (NPS 9-10) or a very satisfied one (CSAT 5).
func (q Question) Happy(score int) bool {
	return (q.ID == NPS.ID && score >= 9) || (q.ID == CSAT.ID && score == 5)
}

// ParseQuestions reads a list such as "csat,nps,ces:5" (CES with a 1-5 scale).
func ParseQuestions(v string) ([]Question, error) {
	var qs []Question
	seen := map[string]bool{}
	for _, part := range strings.Split(v, ",") {
		id, scale, _ := strings.Cut(strings.TrimSpace(part), ":")
		var q Question
		switch id {
		case "nps":
			q = NPS
		case "csat":
			q = CSAT
		case "ces":
			q = CES
			if scale != "" {
				n, err := strconv.Atoi(scale)
				if err != nil || n < 3 || n > 10 {
					return nil, fmt.Errorf("question %q: the CES scale is 1 to 3-10", part)
				}
				q.Max = n
			}
		default:
			return nil, fmt.Errorf("question %q: use nps, csat or ces", part)
		}
		if seen[id] {
			return nil, fmt.Errorf("question %q twice", id)
		}
		seen[id] = true
		qs = append(qs, q)
	}
	return qs, nil
}

// Find returns the question with the id among qs.
func Find(qs []Question, id string) (Question, bool) {
	for _, q := range qs {
		if q.ID == id {
			return q, true
		}
	}
	return Question{}, false
}

// Answer is one answer to one question of one survey.
type Answer struct {
	ContactID  string
	SendKey    string // the survey's send
	OrderID    string
	Question   string
	Score      int
	Comment    string
	Categories []string // of the order's items
	Locale     string
	At         time.Time // when the score was (last) given
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

// DueAt is when a survey planned `after` the base time goes out: that day at 10:00 in the
// customer's time zone (UTC when unknown), so that it arrives at a reasonable local hour; the
// next day's 10:00 if that is already past.
func DueAt(base time.Time, after time.Duration, timezone string) time.Time {
	loc, err := time.LoadLocation(timezone)
	if err != nil || timezone == "" {
		loc = time.UTC
	}
	t := base.Add(after).In(loc)
	due := time.Date(t.Year(), t.Month(), t.Day(), 10, 0, 0, 0, loc)
	if due.Before(t) {
		due = due.AddDate(0, 0, 1)
	}
	return due.UTC()
}
