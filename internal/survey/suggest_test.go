package survey_test

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"shopmail/internal/email/emailtest"
	"shopmail/internal/order"
	"shopmail/internal/survey"
)

// "What should we sell next?": the survey email's link opens the question alone, the page after
// a score asks it beside the comment; the text is kept clean, changed by a later answer, never
// counted as a score, and a cancelled order's survey takes none.
func TestSuggestions(t *testing.T) {
	f := setup(t)
	sendSurvey(t, f)
	ctx := context.Background()
	m := emailtest.MustParse(t, f.outbox.Messages()[0].Raw)
	found := regexp.MustCompile(`<p[^>]*>What should we sell next\?</p>\s*<p[^>]*><a href="(https://go.shop.example/a/[^"]+)"[^>]*>Tell us in a sentence \(if you like\)</a>`).FindStringSubmatch(m.HTML)
	if found == nil {
		t.Fatalf("the survey email does not ask what to sell next:\n%s", m.HTML)
	}
	next := html.UnescapeString(found[1])
	if !strings.Contains(m.Text, "What should we sell next?\nTell us in a sentence (if you like) "+next) {
		t.Errorf("the text part does not ask what to sell next:\n%s", m.Text)
	}
	stored := func() []survey.Suggestion {
		t.Helper()
		ss, err := f.store.SuggestionsBetween(ctx, t0, t0.Add(60*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return ss
	}
	// GET asks and stores nothing; an empty answer stores nothing and asks again.
	for _, tc := range []struct {
		method string
		form   url.Values
	}{{"GET", nil}, {"POST", url.Values{"next": {"  \n "}}}} {
		res := f.answer(tc.method, next, tc.form)
		if res.StatusCode != 200 || !strings.Contains(res.Body, `name="next"`) || !strings.Contains(res.Body, "<h1>What should we sell next?</h1>") {
			t.Fatalf("%s %v: %d\n%s", tc.method, tc.form, res.StatusCode, res.Body)
		}
	}
	if ss := stored(); len(ss) != 0 || len(f.bus.Events()) != 0 {
		t.Fatalf("nothing answered, yet stored %+v, published %v", ss, f.bus.Events())
	}
	// An answer: kept as text without control characters, with the order's categories; the
	// same answer again (a double submit) changes and publishes nothing.
	for range 2 {
		res := f.answer("POST", next, url.Values{"next": {"Green tea <b>from Gilan</b>\x00, please"}})
		if res.StatusCode != 200 || !strings.Contains(res.Body, "We read every idea") || strings.Contains(res.Body, `name="next"`) {
			t.Fatalf("POST: %d\n%s", res.StatusCode, res.Body)
		}
	}
	ss := stored()
	if len(ss) != 1 || ss[0].Text != "Green tea <b>from Gilan</b>, please" || strings.Join(ss[0].Categories, ",") != "tea,teaware" ||
		ss[0].OrderID != "o-1001" || ss[0].ContactID != "c-42" || !ss[0].At.Equal(f.now) {
		t.Fatalf("suggestions = %+v", ss)
	}
	if f.bus.Count(survey.EventSuggested) != 1 || !strings.Contains(f.bus.Events()[0], `"text":"Green tea \u003cb\u003efrom Gilan\u003c/b\u003e, please"`) {
		t.Errorf("events: %v", f.bus.Events())
	}
	// After a score the page asks it again beside the comment; a new text replaces the old one
	// and keeps its time; the comment goes to the score's answer.
	first := f.now
	f.now = f.now.Add(time.Hour)
	csat5 := f.link("csat", 5)
	if res := f.answer("POST", csat5, url.Values{}); res.StatusCode != 200 || !strings.Contains(res.Body, `name="comment"`) || !strings.Contains(res.Body, `name="next"`) {
		t.Fatalf("the page after a score: %d\n%s", res.StatusCode, res.Body)
	}
	res := f.answer("POST", csat5, url.Values{"comment": {"Lovely"}, "next": {"Oolong"}})
	if res.StatusCode != 200 || !strings.Contains(res.Body, "We read every comment") {
		t.Fatalf("comment and suggestion: %d\n%s", res.StatusCode, res.Body)
	}
	if ss := stored(); len(ss) != 1 || ss[0].Text != "Oolong" || !ss[0].At.Equal(first) || f.bus.Count(survey.EventSuggested) != 2 {
		t.Errorf("after a new text: %+v, %v", ss, f.bus.Events())
	}
	as, _ := f.store.AnswersBetween(ctx, t0, t0.Add(60*24*time.Hour))
	if len(as) != 1 || as[0].Question != "csat" || as[0].Comment != "Lovely" {
		t.Errorf("answers = %+v, want only the CSAT, with its comment", as)
	}
	// A suggestion is no score: the results count one answered survey, the CSAT.
	rep, err := (&survey.Reporter{Store: f.store}).Report(ctx, survey.Query{From: t0, To: f.now.Add(time.Hour)})
	if err != nil || rep.Results.Answered != 1 || rep.Results.CSAT == nil || rep.Results.CSAT.Answers != 1 {
		t.Errorf("results = %+v, %v", rep.Results, err)
	}
	// Too long a body, then a cancelled order: nothing changes.
	if res := f.answer("POST", next, url.Values{"next": {strings.Repeat("x", 10<<20)}}); res.StatusCode != 413 {
		t.Errorf("huge suggestion: %d", res.StatusCode)
	}
	f.handle(t, event(t, order.Cancelled, `{"orderId":"o-1001"}`))
	if res := f.answer("POST", next, url.Values{"next": {"Matcha"}}); res.StatusCode != 410 || !strings.Contains(html.UnescapeString(res.Body), "cancelled") {
		t.Errorf("after the cancellation: %d %.300s", res.StatusCode, res.Body)
	}
	if ss := stored(); len(ss) != 1 || ss[0].Text != "Oolong" || f.bus.Count(survey.EventSuggested) != 2 {
		t.Errorf("after the cancellation: %+v, %v", ss, f.bus.Events())
	}
}

// A suggestion longer than 500 characters is cut at 500 characters, not bytes.
func TestSuggestionIsCut(t *testing.T) {
	f := setup(t)
	sendSurvey(t, f)
	f.answer("POST", f.link("nps", 9), url.Values{})
	f.answer("POST", f.link("nps", 9), url.Values{"comment": {""}, "next": {strings.Repeat("چای", 300)}})
	ss, _ := f.store.SuggestionsBetween(context.Background(), t0, t0.Add(60*24*time.Hour))
	if len(ss) != 1 || len([]rune(ss[0].Text)) != survey.MaxSuggestion || !strings.HasPrefix(ss[0].Text, "چایچای") {
		t.Errorf("suggestions = %+v", ss)
	}
}

// Suggestions per category: one of an order of two categories counts in both, the categories
// with the most first (then by name), the newest first in each.
func TestByCategory(t *testing.T) {
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	got := survey.ByCategory([]survey.Suggestion{
		{Text: "a", Categories: []string{"tea", "teaware"}, At: at(1)},
		{Text: "b", Categories: []string{"tea"}, At: at(3)},
		{Text: "c", At: at(2)},
		{Text: "d", Categories: []string{"teaware", "teaware"}, At: at(4)},
		{Text: "e", Categories: []string{"tea"}, At: at(0)},
	})
	var b strings.Builder
	for _, g := range got {
		b.WriteString(g.Category + ":")
		for _, s := range g.Suggestions {
			b.WriteString(s.Text)
		}
		b.WriteString(" ")
	}
	if want := "tea:bae teaware:da :c "; b.String() != want {
		t.Errorf("ByCategory = %q, want %q", b.String(), want)
	}
}
