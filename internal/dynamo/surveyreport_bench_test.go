package dynamo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/survey"
	"shopmail/internal/web"
)

// reads sums the read units DynamoDB reports, asking every read for them.
type reads struct {
	mu    sync.Mutex
	units float64
	calls int
}

func (c *reads) client(base *dynamodb.Client) *dynamodb.Client {
	return dynamodb.New(base.Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Initialize.Add(middleware.InitializeMiddlewareFunc("reads", c.handle), middleware.After)
		})
	})
}

func (c *reads) handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	total := types.ReturnConsumedCapacityTotal
	switch p := in.Parameters.(type) {
	case *dynamodb.GetItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.QueryInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.BatchGetItemInput:
		p.ReturnConsumedCapacity = total
	}
	out, md, err := next.HandleInitialize(ctx, in)
	var units float64
	var cc []types.ConsumedCapacity
	switch r := out.Result.(type) {
	case *dynamodb.GetItemOutput:
		if r.ConsumedCapacity != nil {
			cc = append(cc, *r.ConsumedCapacity)
		}
	case *dynamodb.QueryOutput:
		if r.ConsumedCapacity != nil {
			cc = append(cc, *r.ConsumedCapacity)
		}
	case *dynamodb.BatchGetItemOutput:
		cc = r.ConsumedCapacity
	}
	for _, x := range cc {
		if x.CapacityUnits != nil {
			units += *x.CapacityUnits
		}
	}
	c.mu.Lock()
	c.calls++
	c.units += units
	c.mu.Unlock()
	return out, md, err
}

// BenchmarkSurveyReport1M asks the reports function's handler for a year's survey results over
// DynamoDB Local, the year holding 1,000,000 answers to 400,000 of 800,000 surveys sent (and
// the year before 100,000 answers), in 4 locales and 8 categories: whole, by category, by
// locale, per day and per month, over two years, and cut inside its first and last day (whose
// 2,740 answers are then read one by one). The day items are seeded as the answers would have
// left them. Reported: the time and memory of a request, and the read units and calls it cost.
func BenchmarkSurveyReport1M(b *testing.B) {
	client, table := dynamotest.NewTable(b)
	ctx := context.Background()
	seed := dynamo.New(client, table, time.Now)
	y2026 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	reqs := seedYear(seed, y2026, 1_000_000)
	reqs = append(reqs, seedYear(seed, y2026.AddDate(-1, 0, 0), 100_000)...)
	// The answers of the cut days' halves: 12:00 Jan 1 - Jan 2 and Dec 31 - 12:00 Dec 31.
	rng := rand.New(rand.NewPCG(2, 2))
	for i := range 2740 {
		at := y2026.Add(12*time.Hour + time.Duration(rng.Int64N(int64(12*time.Hour))))
		if i%2 == 1 {
			at = at.AddDate(0, 0, 364).Add(-12 * time.Hour)
		}
		reqs = append(reqs, seed.SeedAnswer(survey.Answer{ContactID: fmt.Sprintf("c-%d", i), SendKey: survey.SendKey(fmt.Sprintf("o-%d", i)),
			OrderID: fmt.Sprintf("o-%d", i), Question: survey.NPS.ID, Score: rng.IntN(11), Categories: []string{"tea"}, Locale: "fa-IR", At: at})...)
	}
	if err := seed.BatchWrite(ctx, reqs); err != nil {
		b.Fatal(err)
	}
	cost := &reads{}
	st := dynamo.New(cost.client(client), table, time.Now)
	h := &web.Reports{Surveys: &survey.Reporter{Store: st}, Now: time.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, c := range []string{
		"from=2026-01-01&to=2027-01-01",
		"from=2026-01-01&to=2027-01-01&category=tea",
		"from=2026-01-01&to=2027-01-01&locale=fa",
		"from=2026-01-01&to=2027-01-01&interval=day",
		"from=2026-01-01&to=2027-01-01&interval=month&category=tea&locale=en",
		"from=2025-01-01&to=2027-01-01",
	} {
		q, _ := url.ParseQuery(c)
		r := web.Request{RawPath: "/reports/surveys", RawQueryString: c, QueryStringParameters: map[string]string{}}
		for k := range q {
			r.QueryStringParameters[k] = q.Get(k)
		}
		r.RequestContext.HTTP.Method = "GET"
		payload, _ := json.Marshal(r)
		b.Run(c, func(b *testing.B) {
			*cost = reads{}
			for b.Loop() {
				out, err := h.Invoke(ctx, payload)
				var res web.Response
				if err != nil || json.Unmarshal(out, &res) != nil || res.StatusCode != 200 {
					b.Fatalf("%v %s", err, out)
				}
			}
			b.ReportMetric(cost.units/float64(b.N), "RCU/op")
			b.ReportMetric(float64(cost.calls)/float64(b.N), "calls/op")
		})
	}
	b.Run("cut days=2026-01-01T12:00Z..2026-12-31T12:00Z", func(b *testing.B) {
		*cost = reads{}
		q := survey.Query{From: y2026.Add(12 * time.Hour), To: y2026.AddDate(0, 0, 364).Add(12 * time.Hour)}
		for b.Loop() {
			rep, err := h.Surveys.Report(ctx, q)
			if err != nil || rep.Results.NPS == nil || rep.Results.NPS.Answers < 300_000 {
				b.Fatalf("%v %+v", err, rep.Results)
			}
		}
		b.ReportMetric(cost.units/float64(b.N), "RCU/op")
		b.ReportMetric(float64(cost.calls)/float64(b.N), "calls/op")
	})
}

// seedYear returns the day items of a year of surveys with n answers: surveys in 4 locales
// and of 1-3 of 8 categories, half of them answered, 2.5 questions each, a fifth of them on
// two days.
func seedYear(st *dynamo.Store, year time.Time, n int) []types.WriteRequest {
	type cell struct {
		category, locale string
		day              int
	}
	days := map[cell]*survey.Day{}
	at := func(c cell) *survey.Day {
		if days[c] == nil {
			days[c] = &survey.Day{Day: year.AddDate(0, 0, c.day), Locale: c.locale, Answered: map[int]int{}}
		}
		return days[c]
	}
	rng := rand.New(rand.NewPCG(uint64(year.Year()), 1))
	locales := []string{"fa-IR", "fa-IR", "en-US", "en-US", "en-GB", "de-DE"}
	categories := []string{"tea", "coffee", "mugs", "cups", "gifts", "books", "sweets", "spices"}
	questions := []survey.Question{survey.NPS, survey.CSAT, survey.CES}
	for answers := 0; answers < n; {
		locale, day := locales[rng.IntN(len(locales))], rng.IntN(365)
		var cats []string
		for range 1 + rng.IntN(3) {
			cats = append(cats, categories[rng.IntN(len(categories))])
		}
		slices.Sort(cats)
		cats = append([]string{""}, slices.Compact(cats)...) // "": all surveys
		// sent, answered or not
		for _, c := range cats {
			at(cell{c, locale, day}).Sent++
		}
		if rng.IntN(2) == 0 {
			continue
		}
		later := day + 1 + rng.IntN(3)
		if rng.IntN(5) > 0 || later >= 365 {
			later = day
		}
		k := 2 + rng.IntN(2)
		if answers%2 == 0 {
			k = 2
		}
		for j, q := range questions[:k] {
			d := day
			if j == k-1 {
				d = later
			}
			score := q.Min + rng.IntN(q.Max-q.Min+1)
			for _, c := range cats {
				at(cell{c, locale, d}).Count(q.ID, score, 1)
			}
			answers++
		}
		for _, c := range cats {
			at(cell{c, locale, day}).Answered[0]++
			if later != day {
				at(cell{c, locale, later}).Answered[later-day]++
			}
		}
	}
	var out []types.WriteRequest
	for c, d := range days {
		out = append(out, st.SeedSurveyDay(c.category, *d))
	}
	return out
}
