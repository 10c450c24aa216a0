package dashboard

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"shopmail/internal/calendar"
	"shopmail/internal/survey"
	"shopmail/internal/web"
)

// FollowUps records that a customer was contacted about an unhappy answer.
type FollowUps interface {
	MarkContacted(ctx context.Context, contactID, sendKey, question, by string, at time.Time) (bool, error)
}

// contacted marks an unhappy answer as followed up: it leaves the list, and the customer's
// timeline says who contacted them.
func (d *Dashboard) contacted(rq *request) web.Response {
	if resp := d.need(rq, "contacts:write"); resp != nil {
		return *resp
	}
	f := rq.form
	if _, err := d.FollowUps.MarkContacted(rq.ctx, f.Get("contact"), f.Get("send"), f.Get("question"), rq.s.who, d.Now()); err != nil {
		return d.fail(rq, "mark contacted", err)
	}
	return d.seeOther("/dashboard/surveys?done=surveys.contacted")
}

// Answers reads the answers and suggestions of a period (the survey store's), for what the
// daily aggregates do not keep: the distribution of scores, the comments, the unhappy
// customers, and what customers would like the shop to sell next.
type Answers interface {
	AnswersBetween(ctx context.Context, from, to time.Time) ([]survey.Answer, error)
	SuggestionsBetween(ctx context.Context, from, to time.Time) ([]survey.Suggestion, error)
}

// surveysView is the surveys page.
type surveysView struct {
	From, To, Category, Locale string
	Report                     survey.Report
	NPSScores                  []int64 // answers per score 0-10
	Comments, Unhappy          []survey.Answer
	Suggestions                []survey.CategorySuggestions
	Done                       string
}

// commentsShown is how many comments and unhappy answers the page lists;
// suggestionsShown how many suggestions it shows per category (the newest).
const (
	commentsShown    = 20
	suggestionsShown = 5
)

func (d *Dashboard) surveys(rq *request) web.Response {
	if len(rq.parts) == 2 && rq.parts[1] == "contacted" && rq.method == "POST" {
		return d.contacted(rq)
	}
	if len(rq.parts) != 1 || rq.method != "GET" {
		return d.notFound(rq)
	}
	if resp := d.need(rq, "reports:read"); resp != nil {
		return *resp
	}
	q := rq.QueryStringParameters
	to := d.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	from := to.AddDate(0, 0, -30)
	var err error
	if v := q["to"]; v != "" {
		if to, err = time.Parse(time.DateOnly, v); err != nil {
			return d.page(rq, 400, rq.v.T("error.title"), message("to: YYYY-MM-DD"))
		}
		from = to.AddDate(0, 0, -30)
	}
	if v := q["from"]; v != "" {
		if from, err = time.Parse(time.DateOnly, v); err != nil {
			return d.page(rq, 400, rq.v.T("error.title"), message("from: YYYY-MM-DD"))
		}
	}
	sv := surveysView{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), Category: q["category"], Locale: q["locale"], NPSScores: make([]int64, 11)}
	if q["done"] == "surveys.contacted" {
		sv.Done = rq.v.T("surveys.contacted")
	}
	interval := "month"
	if to.Sub(from) <= 62*24*time.Hour {
		interval = "day"
	}
	if sv.Report, err = d.Surveys.Report(rq.ctx, survey.Query{From: from, To: to, Category: sv.Category, Locale: sv.Locale, Interval: interval}); err != nil {
		return d.fail(rq, "survey results", err)
	}
	if d.Answers != nil {
		answers, err := d.Answers.AnswersBetween(rq.ctx, from, to)
		if err != nil {
			return d.fail(rq, "survey answers", err)
		}
		sort.Slice(answers, func(i, j int) bool { return answers[i].At.After(answers[j].At) })
		for _, a := range answers {
			if !filtered(a.Categories, a.Locale, sv.Category, sv.Locale) {
				continue
			}
			if a.Question == survey.NPS.ID && a.Score >= 0 && a.Score <= 10 {
				sv.NPSScores[a.Score]++
			}
			if a.Comment != "" && len(sv.Comments) < commentsShown {
				sv.Comments = append(sv.Comments, a)
			}
			if q := question(a.Question); q.Unhappy(a.Score) && a.ContactedAt.IsZero() && len(sv.Unhappy) < commentsShown {
				sv.Unhappy = append(sv.Unhappy, a)
			}
		}
		suggestions, err := d.Answers.SuggestionsBetween(rq.ctx, from, to)
		if err != nil {
			return d.fail(rq, "survey suggestions", err)
		}
		suggestions = slices.DeleteFunc(suggestions, func(s survey.Suggestion) bool {
			return !filtered(s.Categories, s.Locale, sv.Category, sv.Locale)
		})
		sv.Suggestions = survey.ByCategory(suggestions)
		if sv.Category != "" { // the category asked for, not the others its orders also had
			sv.Suggestions = slices.DeleteFunc(sv.Suggestions, func(g survey.CategorySuggestions) bool { return g.Category != sv.Category })
		}
	}
	return d.page(rq, 200, rq.v.T("surveys.title"), surveysPage(rq.v, sv))
}

func question(id string) survey.Question {
	for _, q := range []survey.Question{survey.NPS, survey.CSAT, survey.CES} {
		if q.ID == id {
			return q
		}
	}
	return survey.Question{ID: id}
}

// filtered reports whether an answer or a suggestion (of its order's categories, in its
// locale) is in the category and locale asked for.
func filtered(categories []string, loc, category, locale string) bool {
	if locale != "" && loc != locale && (len(loc) < len(locale) || loc[:len(locale)] != locale) {
		return false
	}
	return category == "" || slices.Contains(categories, category)
}

// npsBars are the distribution of NPS scores.
func npsBars(v view, counts []int64) []bar {
	labels := make([]string, len(counts))
	for i := range counts {
		labels[i] = v.N(int64(i))
	}
	bs := bars(v, labels, counts)
	for i := range bs {
		switch {
		case i <= 6:
			bs[i].Class = "bar3"
		case i <= 8:
			bs[i].Class = "bar2"
		default:
			bs[i].Class = "bar"
		}
	}
	return bs
}

// npsSeries are the NPS of each interval, as bars from -100 (the intervals without answers
// show none), each labelled with its first day in the interface's calendar.
func npsSeries(v view, r survey.Report) ([]bar, string) {
	var periods []survey.Period
	var labels, alt []string
	var values []int64
	for _, p := range r.Series {
		if p.Results.NPS == nil {
			continue
		}
		day := p.From
		if d, err := calendar.ParseDate(p.From); err == nil {
			day = v.L.Day(d)
		}
		periods = append(periods, p)
		labels = append(labels, day)
		values = append(values, int64(p.Results.NPS.Score+100))
		alt = append(alt, day+": "+v.F(p.Results.NPS.Score))
	}
	bs := bars(v, labels, values)
	for i, p := range periods {
		bs[i].Value = v.F(p.Results.NPS.Score)
	}
	return bs, v.T("surveys.overtime.alt", strings.Join(alt, ", "))
}
