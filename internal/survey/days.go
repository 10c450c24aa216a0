package survey

import (
	"maps"
	"slices"
	"time"
)

// Daily aggregates. Results are sums and counts, except one: a survey answered in a period
// counts once however many of its questions were answered there, and on whichever days. So
// that any period can still be summed from whole days, each day a survey was answered on is
// recorded with the days since its previous answer day (0: its first); a period [A, B) counts
// the answer days d in it whose previous answer day is before A (or that have none), which is
// each survey answered in the period exactly once, on its first answer day inside it.

// Tally is the additive part of results: counts and sums that add up across days and cells.
type Tally struct {
	Sent                                int
	Promoters, Passives, Detractors     int
	CSATAnswers, CSATSum, CSATSatisfied int
	CESAnswers, CESSum                  int
}

// Count adds (sign 1) or removes (sign -1) one answer.
func (t *Tally) Count(question string, score, sign int) {
	switch question {
	case NPS.ID:
		switch {
		case score >= 9:
			t.Promoters += sign
		case score >= 7:
			t.Passives += sign
		default:
			t.Detractors += sign
		}
	case CSAT.ID:
		t.CSATAnswers += sign
		t.CSATSum += sign * score
		if score >= 4 {
			t.CSATSatisfied += sign
		}
	case CES.ID:
		t.CESAnswers += sign
		t.CESSum += sign * score
	}
}

// Add adds o times sign.
func (t *Tally) Add(o Tally, sign int) {
	t.Sent += sign * o.Sent
	t.Promoters += sign * o.Promoters
	t.Passives += sign * o.Passives
	t.Detractors += sign * o.Detractors
	t.CSATAnswers += sign * o.CSATAnswers
	t.CSATSum += sign * o.CSATSum
	t.CSATSatisfied += sign * o.CSATSatisfied
	t.CESAnswers += sign * o.CESAnswers
	t.CESSum += sign * o.CESSum
}

// Results are the results of the tally with answered surveys answered. Questions without
// answers are absent (nil), never a misleading zero.
func (t Tally) Results(answered int) Results {
	r := Results{Sent: t.Sent, Answered: answered}
	if t.Sent > 0 {
		r.ResponseRate = round(float64(answered) / float64(t.Sent))
	}
	if n := t.Promoters + t.Passives + t.Detractors; n > 0 {
		r.NPS = &NPSResult{Promoters: t.Promoters, Passives: t.Passives, Detractors: t.Detractors, Answers: n,
			Score: round(100 * float64(t.Promoters-t.Detractors) / float64(n))}
	}
	if n := t.CSATAnswers; n > 0 {
		pct := round(100 * float64(t.CSATSatisfied) / float64(n))
		r.CSAT = &MeanResult{Mean: round(float64(t.CSATSum) / float64(n)), PctSatisfied: &pct, Answers: n}
	}
	if n := t.CESAnswers; n > 0 {
		r.CES = &MeanResult{Mean: round(float64(t.CESSum) / float64(n)), Answers: n}
	}
	return r
}

// Day is what one UTC day holds of the surveys of one locale (and category): the tally of the
// surveys sent and the answers first given that day, and the surveys answered that day.
type Day struct {
	Day    time.Time // midnight UTC
	Locale string
	Tally
	// Answered counts the surveys answered this day by the days since the survey's previous
	// answer day (0: none before).
	Answered map[int]int
}

func (d *Day) zero() bool {
	if d.Tally != (Tally{}) {
		return false
	}
	for _, n := range d.Answered {
		if n != 0 {
			return false
		}
	}
	return true
}

// StartOfDay is the UTC midnight that begins t's day.
func StartOfDay(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// dayNumber is the number of t's UTC day since 1970-01-01.
func dayNumber(t time.Time) int {
	u := t.Unix()
	if u < 0 {
		return int((u - 86399) / 86400)
	}
	return int(u / 86400)
}

// Contribution is what the answers of one survey add to the daily aggregates: each answer on
// the day it was first given, and each day the survey was answered on, with the days since
// its previous answer day.
func Contribution(answers []Answer) map[time.Time]*Day {
	out := map[time.Time]*Day{}
	at := func(t time.Time) *Day {
		k := StartOfDay(t)
		if out[k] == nil {
			out[k] = &Day{Day: k, Answered: map[int]int{}}
		}
		return out[k]
	}
	for _, a := range answers {
		at(a.At).Count(a.Question, a.Score, 1)
	}
	days := slices.SortedFunc(maps.Keys(out), time.Time.Compare)
	for i, d := range days {
		gap := 0
		if i > 0 {
			gap = dayNumber(d) - dayNumber(days[i-1])
		}
		out[d].Answered[gap]++
	}
	return out
}

// Delta is what changes in the daily aggregates when a survey's answers go from before to
// after (either may be empty), by day, without the days that do not change.
func Delta(before, after []Answer) []Day {
	sum := Contribution(after)
	for k, d := range Contribution(before) {
		if sum[k] == nil {
			sum[k] = &Day{Day: k, Answered: map[int]int{}}
		}
		sum[k].Add(d.Tally, -1)
		for g, n := range d.Answered {
			sum[k].Answered[g] -= n
		}
	}
	var out []Day
	for _, k := range slices.SortedFunc(maps.Keys(sum), time.Time.Compare) {
		d := sum[k]
		maps.DeleteFunc(d.Answered, func(_ int, n int) bool { return n == 0 })
		if !d.zero() {
			out = append(out, *d)
		}
	}
	return out
}

// Days computes, from all the answers and sent surveys there are, the aggregates of the UTC
// days [from, to) that a ResultsStore keeps: one Day per day and locale of the surveys of
// category (of all when it is empty). (For stores kept in memory, and to rebuild aggregates.)
func Days(answers []Answer, sent []Survey, from, to time.Time, category string) []Day {
	type cell struct {
		day    time.Time
		locale string
	}
	sum := map[cell]*Day{}
	at := func(day time.Time, locale string) *Day {
		c := cell{day, locale}
		if sum[c] == nil {
			sum[c] = &Day{Day: day, Locale: locale, Answered: map[int]int{}}
		}
		return sum[c]
	}
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	for _, s := range sent {
		if in(s.SentAt) && matches(s.Categories, "", category, "") {
			at(StartOfDay(s.SentAt), s.Locale).Sent++
		}
	}
	bySurvey := map[SurveyRef][]Answer{}
	var refs []SurveyRef
	for _, a := range answers {
		ref := SurveyRef{a.ContactID, a.SendKey}
		if bySurvey[ref] == nil {
			refs = append(refs, ref)
		}
		bySurvey[ref] = append(bySurvey[ref], a)
	}
	for _, ref := range refs {
		as := bySurvey[ref]
		if !matches(as[0].Categories, "", category, "") {
			continue
		}
		for k, d := range Contribution(as) {
			if in(k) {
				x := at(k, as[0].Locale)
				x.Add(d.Tally, 1)
				for g, n := range d.Answered {
					x.Answered[g] += n
				}
			}
		}
	}
	out := make([]Day, 0, len(sum))
	for _, d := range sum {
		out = append(out, *d)
	}
	slices.SortFunc(out, func(x, y Day) int { return x.Day.Compare(y.Day) })
	return out
}
