package survey_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"shopmail/internal/survey"
	"shopmail/internal/web"
)

// Results are computed from the stored answers for exactly the period, category and locale
// asked, across month boundaries.
func TestResultsByPeriodCategoryAndLocale(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2026, 10, 30, 12, 0, 0, 0, time.UTC).AddDate(0, 0, d) }
	type row struct {
		day    int
		cat    string
		locale string
		q      string
		score  int
	}
	rows := []row{
		{0, "tea", "fa-IR", "nps", 10}, // Oct 30
		{1, "tea", "en-US", "nps", 6},  // Oct 31
		{2, "tea", "fa-IR", "nps", 9},  // Nov 1
		{2, "tea", "fa-IR", "csat", 5}, // Nov 1, same survey as the one above
		{3, "mugs", "en-US", "nps", 3}, // Nov 2
		{40, "tea", "en-US", "nps", 8}, // Dec 9
	}
	for i, r := range rows {
		key := survey.SendKey(fmt.Sprintf("o-%d", i))
		if r.q == "csat" {
			key = survey.SendKey(fmt.Sprintf("o-%d", i-1))
		}
		a := survey.Answer{ContactID: fmt.Sprintf("c-%d", i), SendKey: key, OrderID: "o", Question: r.q, Score: r.score,
			Categories: []string{r.cat}, Locale: r.locale, At: day(r.day)}
		if r.q == "csat" {
			a.ContactID = fmt.Sprintf("c-%d", i-1)
		}
		if _, _, err := f.store.SaveAnswer(ctx, a, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 8 { // surveys sent: 4 in October (tea, fa), 4 in November (tea, en)
		s := survey.Survey{OrderID: fmt.Sprintf("s-%d", i), Categories: []string{"tea"}, Locale: "fa-IR", SentAt: day(0)}
		if i >= 4 {
			s.Locale, s.SentAt = "en-US", day(5)
		}
		f.store.RecordSurvey(ctx, s)
		s.Status = survey.Sent
		if err := f.store.FinishSurvey(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	h := &web.Reports{Surveys: &survey.Reporter{Store: f.store}, Now: func() time.Time { return day(50) }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	get := func(q map[string]string) (int, map[string]any) {
		var r web.Request
		r.QueryStringParameters = q
		res := h.Serve(ctx, r)
		var out map[string]any
		json.Unmarshal([]byte(res.Body), &out)
		return res.StatusCode, out
	}
	results := func(out map[string]any) string { // in the field order of survey.Results
		b, _ := json.Marshal(out["results"])
		var r survey.Results
		json.Unmarshal(b, &r)
		b, _ = json.Marshal(r)
		return string(b)
	}
	for _, tt := range []struct {
		q    map[string]string
		want string
	}{
		// Oct 30 - Nov 2 (exclusive): 10, 6, 9 (+ csat 5): NPS (2-1)/3 = 33.33; 3 surveys answered of 4 sent.
		{map[string]string{"from": "2026-10-30", "to": "2026-11-02"},
			`{"surveysSent":4,"surveysAnswered":3,"responseRate":0.75,"nps":{"score":33.33,"promoters":2,"passives":0,"detractors":1,"answers":3},"csat":{"mean":5,"pctSatisfied":100,"answers":1}}`},
		// November only, all: 9, 3 (+ csat 5).
		{map[string]string{"from": "2026-11-01", "to": "2026-12-01"},
			`{"surveysSent":4,"surveysAnswered":2,"responseRate":0.5,"nps":{"score":0,"promoters":1,"passives":0,"detractors":1,"answers":2},"csat":{"mean":5,"pctSatisfied":100,"answers":1}}`},
		// Persian only, any time: 10, 9.
		{map[string]string{"from": "2026-10-01", "to": "2027-01-01", "locale": "fa"},
			`{"surveysSent":4,"surveysAnswered":2,"responseRate":0.5,"nps":{"score":100,"promoters":2,"passives":0,"detractors":0,"answers":2},"csat":{"mean":5,"pctSatisfied":100,"answers":1}}`},
		// Mugs: one detractor, no mug surveys recorded as sent.
		{map[string]string{"from": "2026-10-01", "to": "2027-01-01", "category": "mugs"},
			`{"surveysSent":0,"surveysAnswered":1,"responseRate":0,"nps":{"score":-100,"promoters":0,"passives":0,"detractors":1,"answers":1}}`},
		// A period with nothing.
		{map[string]string{"from": "2025-01-01", "to": "2025-02-01"}, `{"surveysSent":0,"surveysAnswered":0,"responseRate":0}`},
	} {
		status, out := get(tt.q)
		if status != 200 || results(out) != tt.want {
			t.Errorf("%v: %d\n got  %s\n want %s", tt.q, status, results(out), tt.want)
		}
	}
	// Per month.
	_, out := get(map[string]string{"from": "2026-10-01", "to": "2027-01-01", "interval": "month"})
	series, _ := out["series"].([]any)
	if len(series) != 3 {
		t.Fatalf("series: %v", out["series"])
	}
	for _, bad := range []map[string]string{{"from": "2026-13-01"}, {"from": "2026-11-02", "to": "2026-11-01"}, {"from": "2020-01-01", "to": "2026-01-01"}, {"interval": "hour"}} {
		if status, _ := get(bad); status != 400 {
			t.Errorf("%v: %d, want 400", bad, status)
		}
	}
}
