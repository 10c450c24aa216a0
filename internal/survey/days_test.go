package survey_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/dynamo"
	"shopmail/internal/money"
	"shopmail/internal/order"
	"shopmail/internal/survey"
)

// oracle is how results were computed before daily aggregates, and what they must equal: from
// every answer and sent survey of the period, read and filtered one by one.
func oracle(ctx context.Context, st survey.ResultsStore, q survey.Query) (survey.Report, error) {
	answers, err := st.AnswersBetween(ctx, q.From, q.To)
	if err != nil {
		return survey.Report{}, err
	}
	sent, err := st.SurveysSentBetween(ctx, q.From, q.To)
	if err != nil {
		return survey.Report{}, err
	}
	match := func(cats []string, loc string) bool {
		if q.Category != "" && !slices.Contains(cats, q.Category) {
			return false
		}
		return q.Locale == "" || strings.EqualFold(loc, q.Locale) || strings.HasPrefix(strings.ToLower(loc), strings.ToLower(q.Locale)+"-")
	}
	answers = slices.DeleteFunc(answers, func(a survey.Answer) bool { return !match(a.Categories, a.Locale) })
	sent = slices.DeleteFunc(sent, func(s survey.Survey) bool { return !match(s.Categories, s.Locale) })
	out := survey.Report{From: q.From.Format(time.DateOnly), To: q.To.Format(time.DateOnly), Category: q.Category, Locale: q.Locale,
		Results: survey.Aggregate(answers, len(sent))}
	for start := q.From; q.Interval != "" && start.Before(q.To); {
		end := survey.StartOfDay(start).AddDate(0, 0, 1) // UTC days, the first from the period's start
		if q.Interval == "month" {
			end = time.Date(start.Year(), start.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		}
		if q.To.Before(end) {
			end = q.To
		}
		in := func(t time.Time) bool { return !t.Before(start) && t.Before(end) }
		var as []survey.Answer
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
		out.Series = append(out.Series, survey.Period{From: start.Format(time.DateOnly), To: end.Format(time.DateOnly), Results: survey.Aggregate(as, n)})
		start = end
	}
	return out, nil
}

// Results from the daily aggregates equal those computed from the answers themselves, for
// random answers (categories, locales, orders of many categories, scores changed within the
// window or too late, replays, questions of one survey answered on different days and out of
// order, erased contacts) and random queries (periods cut inside a day or not, across months
// and years, filters, series).
func TestResultsFromDailyAggregatesEqualThoseFromTheAnswers(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 14))
	base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	randTime := func(days int) time.Time {
		return base.Add(time.Duration(rng.Int64N(int64(days) * int64(24*time.Hour))))
	}
	cats := []string{"tea", "mugs", "cups", "gifts", "a#b"}
	var many []string
	for i := range 20 {
		many = append(many, fmt.Sprintf("c%02d", i))
	}
	locales := []string{"fa-IR", "fa", "en-US", "en", "", "de-DE"}
	questions := []survey.Question{survey.NPS, survey.CSAT, survey.CES}
	type op struct {
		at time.Time
		do func() error
	}
	var ops []op
	var erase []string
	const surveys = 90
	for i := range surveys {
		cid, oid := fmt.Sprintf("c-%d", i%70), fmt.Sprintf("o-%d", i)
		var sc []string
		switch k := rng.IntN(10); {
		case k == 0:
			sc = append(slices.Clone(many[:17+rng.IntN(3)]), cats[rng.IntN(len(cats))]) // more than 16: a cell of its own
		default:
			for _, c := range cats {
				if rng.IntN(3) == 0 {
					sc = append(sc, c)
				}
			}
		}
		loc := locales[rng.IntN(len(locales))]
		if i%15 == 0 { // contacts erased at the end, with a profile and their orders
			cid = fmt.Sprintf("e-%d", i)
			erase = append(erase, cid)
			if _, err := f.store.UpdateContact(ctx, cid, func(c *contact.Contact) bool { c.Email = cid + "@example.com"; return true }); err != nil {
				t.Fatal(err)
			}
			o := order.Order{ID: oid, PlacedAt: base.AddDate(0, 0, -20), Currency: "EUR", Total: money.MustParse("10"),
				Customer: order.Customer{ID: cid, Email: cid + "@example.com"}}
			if _, err := f.store.PutOrder(ctx, o, "", 0); err != nil {
				t.Fatal(err)
			}
		}
		sentAt := randTime(70)
		if _, err := f.store.RecordSurvey(ctx, survey.Survey{OrderID: oid, ContactID: cid, Categories: sc, Locale: loc}); err != nil {
			t.Fatal(err)
		}
		if rng.IntN(5) > 0 {
			ops = append(ops, op{sentAt, func() error {
				return f.store.FinishSurvey(ctx, survey.Survey{OrderID: oid, Status: survey.Sent, SentAt: sentAt})
			}})
		}
		if rng.IntN(10) < 3 {
			continue
		}
		for _, q := range questions {
			if rng.IntN(3) == 0 {
				continue
			}
			a := survey.Answer{ContactID: cid, SendKey: survey.SendKey(oid), OrderID: oid, Question: q.ID,
				Score: q.Min + rng.IntN(q.Max-q.Min+1), Categories: sc, Locale: loc}
			a.At = sentAt.Add(time.Duration(rng.Int64N(int64(6 * 24 * time.Hour))))
			for range rng.IntN(4) { // changes: within the window or too late, the same score or another
				b := a
				b.At = a.At.Add(time.Duration(rng.Int64N(int64(40 * time.Hour))))
				if rng.IntN(2) == 0 {
					b.Score = q.Min + rng.IntN(q.Max-q.Min+1)
				}
				ops = append(ops, op{b.At, func() error { _, _, err := f.store.SaveAnswer(ctx, b, 24*time.Hour); return err }})
			}
			ops = append(ops, op{a.At, func() error { _, _, err := f.store.SaveAnswer(ctx, a, 24*time.Hour); return err }})
		}
	}
	// Mostly in time order, as answers come; some swapped, as concurrent ones may land.
	slices.SortFunc(ops, func(x, y op) int { return x.at.Compare(y.at) })
	for i := range ops {
		if j := i + 1 + rng.IntN(3); j < len(ops) && rng.IntN(4) == 0 {
			ops[i], ops[j] = ops[j], ops[i]
		}
	}
	for _, o := range ops {
		if err := o.do(); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range erase[:len(erase)/2] {
		if ok, err := (&dynamo.Marketing{Store: f.store}).Erase(ctx, id); err != nil || !ok {
			t.Fatalf("erase %s: %v %v", id, ok, err)
		}
	}
	r := &survey.Reporter{Store: f.store}
	check := func(q survey.Query) {
		t.Helper()
		got, err := r.Report(ctx, q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		want, err := oracle(ctx, f.store, q)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if string(g) != string(w) {
			t.Errorf("%+v:\n got  %s\n want %s", q, g, w)
		}
	}
	check(survey.Query{From: base.AddDate(0, 0, -1), To: base.AddDate(0, 0, 90), Interval: "day"})
	check(survey.Query{From: base.AddDate(0, 0, -1), To: base.AddDate(0, 0, 90), Interval: "month", Category: "c03"})
	for range 80 {
		from := base.AddDate(0, 0, rng.IntN(80)-5)
		if rng.IntN(2) == 0 {
			from = from.Add(time.Duration(rng.Int64N(int64(24 * time.Hour))))
		}
		to := from.Add(time.Duration(rng.Int64N(int64(40*24*time.Hour))) + time.Second)
		if rng.IntN(2) == 0 {
			to = survey.StartOfDay(to).AddDate(0, 0, 1)
		}
		q := survey.Query{From: from, To: to, Interval: []string{"", "day", "month"}[rng.IntN(3)]}
		if rng.IntN(2) == 0 {
			q.Category = append(cats, "c01", "c18", "none")[rng.IntN(len(cats)+3)]
		}
		if rng.IntN(2) == 0 {
			q.Locale = []string{"fa", "fa-IR", "EN-us", "en", "de", "x"}[rng.IntN(6)]
		}
		check(q)
	}
}

// Answers given at the same moment (the questions of one survey, and surveys counted in the
// same day items) all count, once.
func TestConcurrentAnswersCountOnce(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	at := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	const n = 4
	var wg sync.WaitGroup
	errs := make(chan error, 6*n)
	for i := range n {
		for _, q := range []survey.Question{survey.NPS, survey.CSAT, survey.CES} {
			for range 2 { // and each replayed
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, _, err := f.store.SaveAnswer(ctx, survey.Answer{ContactID: fmt.Sprintf("c-%d", i), SendKey: survey.SendKey(fmt.Sprintf("o-%d", i)),
						Question: q.ID, Score: q.Max, Categories: []string{"tea"}, Locale: "fa-IR", At: at}, 24*time.Hour)
					errs <- err
				}()
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	q := survey.Query{From: survey.StartOfDay(at), To: survey.StartOfDay(at).AddDate(0, 0, 1), Category: "tea"}
	got, err := (&survey.Reporter{Store: f.store}).Report(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if r := got.Results; r.Answered != n || r.NPS == nil || r.NPS.Promoters != n || r.CSAT == nil || r.CSAT.Answers != n || r.CES == nil || r.CES.Answers != n {
		b, _ := json.Marshal(r)
		t.Errorf("got %s, want %d surveys, each question answered once", b, n)
	}
}
