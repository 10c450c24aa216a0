package survey_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"shopmail/internal/render"
	"shopmail/internal/survey"
)

func answers(q string, scores ...int) []survey.Answer {
	var out []survey.Answer
	for i, s := range scores {
		out = append(out, survey.Answer{ContactID: fmt.Sprintf("c-%d", i), SendKey: "survey#o", Question: q, Score: s})
	}
	return out
}

// The aggregates against tables computed by hand.
func TestAggregate(t *testing.T) {
	tests := []struct {
		name    string
		answers []survey.Answer
		sent    int
		want    string
	}{
		{"no answers", nil, 0, `{"surveysSent":0,"surveysAnswered":0,"responseRate":0}`},
		{"sent, none answered", nil, 4, `{"surveysSent":4,"surveysAnswered":0,"responseRate":0}`},
		{"one answer", answers("nps", 10), 1,
			`{"surveysSent":1,"surveysAnswered":1,"responseRate":1,"nps":{"score":100,"promoters":1,"passives":0,"detractors":0,"answers":1}}`},
		{"all passives", answers("nps", 7, 8, 7, 8), 8,
			`{"surveysSent":8,"surveysAnswered":4,"responseRate":0.5,"nps":{"score":0,"promoters":0,"passives":4,"detractors":0,"answers":4}}`},
		// 10 answers: 9,10,10 promoters (3); 7,8 passives (2); 0,3,5,6,6 detractors (5): 30% - 50% = -20.
		{"mixed NPS", answers("nps", 9, 10, 10, 7, 8, 0, 3, 5, 6, 6), 30,
			`{"surveysSent":30,"surveysAnswered":10,"responseRate":0.33,"nps":{"score":-20,"promoters":3,"passives":2,"detractors":5,"answers":10}}`},
		// CSAT 5,4,4,2,1,3: mean 19/6 = 3.1666 -> 3.17; satisfied 3/6 = 50%.
		{"CSAT", answers("csat", 5, 4, 4, 2, 1, 3), 6,
			`{"surveysSent":6,"surveysAnswered":6,"responseRate":1,"csat":{"mean":3.17,"pctSatisfied":50,"answers":6}}`},
		// CES 1,2,7: mean 10/3 = 3.33.
		{"CES", answers("ces", 1, 2, 7), 3,
			`{"surveysSent":3,"surveysAnswered":3,"responseRate":1,"ces":{"mean":3.33,"answers":3}}`},
		// Two questions of the same survey count as one answered survey.
		{"two questions, one survey", []survey.Answer{
			{ContactID: "c-1", SendKey: "survey#o-1", Question: "nps", Score: 6},
			{ContactID: "c-1", SendKey: "survey#o-1", Question: "csat", Score: 2},
		}, 2, `{"surveysSent":2,"surveysAnswered":1,"responseRate":0.5,"nps":{"score":-100,"promoters":0,"passives":0,"detractors":1,"answers":1},"csat":{"mean":2,"pctSatisfied":0,"answers":1}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := json.Marshal(survey.Aggregate(tt.answers, tt.sent))
			if string(b) != tt.want {
				t.Errorf("got  %s\nwant %s", b, tt.want)
			}
		})
	}
}

func TestUnhappy(t *testing.T) {
	ces5 := survey.CES
	ces5.Max = 5
	for _, tt := range []struct {
		q       survey.Question
		unhappy []int
	}{
		{survey.NPS, []int{0, 1, 2, 3, 4, 5, 6}},
		{survey.CSAT, []int{1, 2}},
		{survey.CES, []int{6, 7}},
		{ces5, []int{4, 5}},
	} {
		var got []int
		for _, s := range tt.q.Scores() {
			if tt.q.Unhappy(s) {
				got = append(got, s)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.unhappy) {
			t.Errorf("%s 1-%d: unhappy %v, want %v", tt.q.ID, tt.q.Max, got, tt.unhappy)
		}
	}
}

func TestParseQuestions(t *testing.T) {
	qs, err := survey.ParseQuestions("csat, nps,ces:5")
	if err != nil || len(qs) != 3 || qs[2].Max != 5 || qs[0] != survey.CSAT {
		t.Fatalf("%+v %v", qs, err)
	}
	for _, bad := range []string{"", "nps,nps", "ces:2", "ces:x", "stars"} {
		if _, err := survey.ParseQuestions(bad); err == nil {
			t.Errorf("ParseQuestions(%q) accepted", bad)
		}
	}
}

func TestDueAtIsAReasonableLocalHour(t *testing.T) {
	delivered := time.Date(2026, 11, 22, 15, 30, 0, 0, time.UTC)
	for tz, want := range map[string]string{
		"Asia/Tehran":         "2026-11-26T06:30:00Z", // 19:00 local on the 25th -> 10:00 on the 26th
		"America/Los_Angeles": "2026-11-25T18:00:00Z", // 07:30 local on the 25th -> 10:00 that day
		"":                    "2026-11-26T10:00:00Z",
		"Not/AZone":           "2026-11-26T10:00:00Z",
	} {
		if got := survey.DueAt(delivered, 3*24*time.Hour, tz).Format(time.RFC3339); got != want {
			t.Errorf("%q: %s, want %s", tz, got, want)
		}
	}
}

// Every question renders in every language without a formatting slip, with Persian digits
// and right-to-left in Persian.
func TestSurveyEmailRenders(t *testing.T) {
	ces5 := survey.CES
	ces5.Max = 5
	v := survey.View{FirstName: "Maryam", OrderID: "o-7", Questions: []survey.Question{survey.CSAT, survey.NPS, ces5},
		Link: func(q string, s int) string { return fmt.Sprintf("https://go.shop.example/a/%s-%d", q, s) }}
	b := render.Brand{ShopName: "Tea House", ShopURL: "https://shop.example", PostalAddress: "1 Leaf Street"}
	for _, tag := range []string{"en-US", "fa-IR"} {
		r := render.Render(v, b, render.LocaleFor(tag, "Asia/Tehran"), render.Tracking{})
		for _, part := range []string{r.Subject, r.Text, r.HTML} {
			if strings.Contains(part, "%!") || strings.Contains(part, "survey.") {
				t.Errorf("%s: formatting slip in:\n%s", tag, part)
			}
		}
		if n := strings.Count(r.HTML, `href="https://go.shop.example/a/`); n != 5+11+5 {
			t.Errorf("%s: %d answer links", tag, n)
		}
		if tag == "fa-IR" && (!strings.Contains(r.HTML, `dir="rtl"`) || !strings.Contains(r.HTML, ">۱۰</a>")) {
			t.Errorf("Persian survey is not right-to-left with Persian digits")
		}
	}
}
