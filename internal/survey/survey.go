// Package survey asks customers after their order arrives how it went (NPS, CSAT, CES), in
// one click from the email, and computes the numbers marketers steer by: NPS = % promoters
// (9-10) - % detractors (0-6), CSAT mean and % satisfied (4-5), CES mean (effort: lower is
// better), and the response rate (DESIGN.md section 3).
package survey

import (
	"fmt"
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
	// ContactedAt and ContactedBy say when and by whom the customer was contacted about it
	// (an unhappy answer followed up from the dashboard).
	ContactedAt time.Time
	ContactedBy string
	// Days are the UTC days (midnights) its survey was answered on, as stored: how results
	// tell whether a survey answered in a day cut by the period was also answered in the
	// period's whole days.
	Days []time.Time
}

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
