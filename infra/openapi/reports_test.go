package openapi_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"shopmail/infra/openapi/openapitest"
	"shopmail/internal/contact"
	"shopmail/internal/loyalty"
	"shopmail/internal/survey"
	"shopmail/internal/web"
)

// results is a survey.ResultsStore over fixed answers and surveys.
type results struct {
	answers []survey.Answer
	sent    []survey.Survey
	err     error
}

func (r results) AnswersBetween(_ context.Context, from, to time.Time) ([]survey.Answer, error) {
	var out []survey.Answer
	for _, a := range r.answers {
		if !a.At.Before(from) && a.At.Before(to) {
			out = append(out, a)
		}
	}
	return out, r.err
}

func (r results) SurveysSentBetween(_ context.Context, from, to time.Time) ([]survey.Survey, error) {
	var out []survey.Survey
	for _, s := range r.sent {
		if !s.SentAt.Before(from) && s.SentAt.Before(to) {
			out = append(out, s)
		}
	}
	return out, r.err
}

func (r results) SurveyDays(_ context.Context, from, to time.Time, category string) ([]survey.Day, error) {
	return survey.Days(r.answers, r.sent, from, to, category), r.err
}

// GET /reports/surveys is described as internal/web.Reports answers: the real handler's
// answers, with and without a series, with and without each question, and its errors,
// validate against the document, and the queries it takes are the documented parameters.
func TestReportsHandlerAnswersAsDocumented(t *testing.T) {
	now := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	at := func(days int) time.Time { return now.AddDate(0, 0, -days) }
	store := results{
		sent: []survey.Survey{{OrderID: "o-1", ContactID: "c-1", Locale: "fa-IR", Categories: []string{"tea"}, SentAt: at(20)},
			{OrderID: "o-2", ContactID: "c-2", Locale: "en", Categories: []string{"cups"}, SentAt: at(40)}},
		answers: []survey.Answer{
			{ContactID: "c-1", SendKey: survey.SendKey("o-1"), OrderID: "o-1", Question: survey.NPS.ID, Score: 10, Locale: "fa-IR", Categories: []string{"tea"}, At: at(19)},
			{ContactID: "c-1", SendKey: survey.SendKey("o-1"), OrderID: "o-1", Question: survey.CSAT.ID, Score: 4, Locale: "fa-IR", Categories: []string{"tea"}, At: at(19)},
			{ContactID: "c-1", SendKey: survey.SendKey("o-1"), OrderID: "o-1", Question: survey.CES.ID, Score: 2, Locale: "fa-IR", Categories: []string{"tea"}, At: at(19)},
			// An answer in the period to a survey sent before it: the response rate exceeds 1.
			{ContactID: "c-2", SendKey: survey.SendKey("o-2"), OrderID: "o-2", Question: survey.NPS.ID, Score: 3, Locale: "en", Categories: []string{"cups"}, At: at(10)},
		},
	}
	handler := func(s results) *web.Reports {
		return &web.Reports{Surveys: &survey.Reporter{Store: s}, Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	}
	for _, c := range []struct {
		query  string
		store  results
		status int
	}{
		{"", store, 200},
		{"interval=day", store, 200},
		{"from=2026-09-01&to=2026-12-01&interval=month", store, 200},
		{"category=tea&locale=FA", store, 200},
		{"category=shoes", store, 200},
		{"to=2026-11-20", store, 200},
		{"from=2026-11-01", store, 200},
		{"from=2026-11", store, 400},
		{"to=tomorrow", store, 400},
		{"from=2026-12-01&to=2026-11-01", store, 400},
		{"from=2020-01-01&to=2026-01-01", store, 400},
		{"interval=week", store, 400},
		{"", results{err: errors.New("table unavailable")}, 503},
	} {
		q, _ := url.ParseQuery(c.query)
		params := map[string]string{}
		for k, v := range q {
			params[k] = v[0]
		}
		res := handler(c.store).Serve(context.Background(), web.Request{RawPath: "/reports/surveys", RawQueryString: c.query, QueryStringParameters: params})
		if res.StatusCode != c.status {
			t.Errorf("GET /reports/surveys?%s: %d, want %d: %s", c.query, res.StatusCode, c.status, res.Body)
		}
		openapitest.Check(t, "GET", "/reports/surveys", res.StatusCode, res.Headers["content-type"], []byte(res.Body))
		if c.status == 200 {
			openapitest.CheckRequest(t, "GET", "/reports/surveys?"+c.query, "", nil)
		}
	}
}

// profiles lists fixed contacts.
type profiles struct {
	cs  []*contact.Contact
	err error
}

func (p profiles) EachProfile(_ context.Context, fn func(c *contact.Contact) bool) error {
	for _, c := range p.cs {
		if !fn(c) {
			break
		}
	}
	return p.err
}

// GET /reports/retention answers as documented: the real handler over fixed profiles.
func TestRetentionHandlerAnswersAsDocumented(t *testing.T) {
	now := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	customer := func(orders int, first, last time.Time) *contact.Contact {
		return &contact.Contact{Summary: contact.Summary{Orders: orders, FirstOrderAt: first, SecondOrderAt: last, LastOrderAt: last,
			OrderMonths: []string{first.Format("2006-01"), last.Format("2006-01")}}}
	}
	ps := profiles{cs: []*contact.Contact{customer(2, now.AddDate(0, -3, 0), now.AddDate(0, -1, 0)), customer(1, now.AddDate(0, -5, 0), now.AddDate(0, -5, 0)), {}}}
	handler := func(p profiles) *web.Reports {
		return &web.Reports{Retention: loyalty.Retentions{Profiles: p, Now: func() time.Time { return now }}, Now: func() time.Time { return now },
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	}
	for _, c := range []struct {
		query  string
		store  profiles
		status int
	}{
		{"", ps, 200},
		{"from=2026-01-01&to=2026-07-01&gapFactor=3&oneOrderDays=30", ps, 200},
		{"from=2026-11-30&to=2026-12-01", profiles{}, 200}, // nobody: no median
		{"gapFactor=0", ps, 400},
		{"oneOrderDays=x", ps, 400},
		{"from=2026-12-01&to=2026-11-01", ps, 400},
		{"to=soon", ps, 400},
		{"", profiles{err: errors.New("table unavailable")}, 503},
	} {
		q, _ := url.ParseQuery(c.query)
		params := map[string]string{}
		for k, v := range q {
			params[k] = v[0]
		}
		res := handler(c.store).Serve(context.Background(), web.Request{RouteKey: "GET /reports/retention", RawPath: "/reports/retention",
			RawQueryString: c.query, QueryStringParameters: params})
		if res.StatusCode != c.status {
			t.Errorf("GET /reports/retention?%s: %d, want %d: %s", c.query, res.StatusCode, c.status, res.Body)
		}
		openapitest.Check(t, "GET", "/reports/retention", res.StatusCode, res.Headers["content-type"], []byte(res.Body))
		if c.status == 200 {
			openapitest.CheckRequest(t, "GET", "/reports/retention?"+c.query, "", nil)
		}
	}
}

// drawStore holds fixed draws.
type drawStore struct {
	draws []loyalty.Draw
	err   error
}

func (s drawStore) Draws(context.Context) ([]loyalty.Draw, error) {
	return slices.Clone(s.draws), s.err
}

func (s drawStore) Draw(_ context.Context, id string) (loyalty.Draw, bool, error) {
	for _, d := range s.draws {
		if d.ID == id {
			return d, true, s.err
		}
	}
	return loyalty.Draw{}, false, s.err
}

// GET /draws and GET /draws/{id} answer as documented.
func TestDrawsHandlerAnswersAsDocumented(t *testing.T) {
	seed := strings.Repeat("0f", 32)
	ids := []string{"c-1", "c-2"}
	at := time.Date(2026, 11, 1, 0, 0, 5, 0, time.UTC)
	drawn := loyalty.Draw{ID: "2026-11", From: at.Truncate(time.Hour), To: at.AddDate(0, 1, 0).Truncate(time.Hour), Status: loyalty.DrawDrawn,
		SeedHash: loyalty.SeedHash(seed), Seed: seed, Eligible: ids, ListHash: loyalty.ListHash(ids), OpenedAt: at,
		CommittedAt: at.AddDate(0, 1, 0), DrawnAt: at.AddDate(0, 1, 0).Add(time.Hour), Notified: true}
	drawn.Winner = ids[loyalty.WinnerIndex(seed, drawn.ListHash, 2)]
	open := loyalty.Draw{ID: "2026-12", From: drawn.To, To: drawn.To.AddDate(0, 1, 0), Status: loyalty.DrawOpen, SeedHash: loyalty.SeedHash("x"), OpenedAt: drawn.To}
	store := drawStore{draws: []loyalty.Draw{open, drawn}}
	for _, c := range []struct {
		route, path, id string
		store           drawStore
		status          int
	}{
		{"GET /draws", "/draws", "", store, 200},
		{"GET /draws", "/draws", "", drawStore{}, 200},
		{"GET /draws", "/draws", "", drawStore{err: errors.New("down")}, 503},
		{"GET /draws/{id}", "/draws/2026-11", "2026-11", store, 200},
		{"GET /draws/{id}", "/draws/2026-12", "2026-12", store, 200},
		{"GET /draws/{id}", "/draws/2026-10", "2026-10", store, 404},
		{"GET /draws/{id}", "/draws/november", "november", store, 400},
	} {
		h := &web.Reports{Draws: loyalty.DrawReader{Store: c.store}, Now: time.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		res := h.Serve(context.Background(), web.Request{RouteKey: c.route, RawPath: c.path, PathParameters: map[string]string{"id": c.id}})
		if res.StatusCode != c.status {
			t.Errorf("%s: %d, want %d: %s", c.path, res.StatusCode, c.status, res.Body)
		}
		openapitest.Check(t, "GET", c.path, res.StatusCode, res.Headers["content-type"], []byte(res.Body))
	}
}
