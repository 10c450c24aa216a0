package segment_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"shopmail/internal/money"
	"shopmail/internal/segment"
)

var now = time.Date(2026, 5, 15, 12, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

func ago(d time.Duration) time.Time { return now.Add(-d) }

func TestMatch(t *testing.T) {
	tehran := time.FixedZone("IRST", 7*3600/2)
	tests := []struct {
		name string
		rule string
		p    segment.Profile
		want bool
	}{
		{"consent given", `{"consent":"sales"}`, segment.Profile{Consent: map[string]bool{"sales": true}}, true},
		{"consent refused", `{"consent":"sales"}`, segment.Profile{Consent: map[string]bool{"sales": false, "news": true}}, false},
		{"consent unknown", `{"consent":"sales"}`, segment.Profile{}, false},

		{"not suppressed", `{"suppressed":false}`, segment.Profile{}, true},
		{"suppressed, want not", `{"suppressed":false}`, segment.Profile{Suppressed: true}, false},
		{"suppressed", `{"suppressed":true}`, segment.Profile{Suppressed: true}, true},
		{"not suppressed, want suppressed", `{"suppressed":true}`, segment.Profile{}, false},

		{"language, same", `{"locale":"fa"}`, segment.Profile{Locale: "fa"}, true},
		{"language, with region", `{"locale":"fa"}`, segment.Profile{Locale: "fa-IR"}, true},
		{"language, other region", `{"locale":"fa"}`, segment.Profile{Locale: "fa-AF"}, true},
		{"language, profile in other case and underscore", `{"locale":"fa"}`, segment.Profile{Locale: "FA_ir"}, true},
		{"language, other language", `{"locale":"fa"}`, segment.Profile{Locale: "en-US"}, false},
		{"language, unknown locale", `{"locale":"fa"}`, segment.Profile{}, false},
		{"language, locale not a tag", `{"locale":"fa"}`, segment.Profile{Locale: "fa IR"}, false},
		{"language, deprecated code", `{"locale":"he"}`, segment.Profile{Locale: "iw-IL"}, true},
		{"full tag, same", `{"locale":"fa-IR"}`, segment.Profile{Locale: "fa-IR"}, true},
		{"full tag, other case", `{"locale":"FA_ir"}`, segment.Profile{Locale: "fa-ir"}, true},
		{"full tag, language alone", `{"locale":"fa-IR"}`, segment.Profile{Locale: "fa"}, false},
		{"full tag, other region", `{"locale":"fa-IR"}`, segment.Profile{Locale: "fa-AF"}, false},

		{"country", `{"country":"ir"}`, segment.Profile{Country: "IR"}, true},
		{"country, profile in lower case", `{"country":"IR"}`, segment.Profile{Country: "ir"}, true},
		{"other country", `{"country":"IR"}`, segment.Profile{Country: "AF"}, false},
		{"country unknown", `{"country":"IR"}`, segment.Profile{}, false},

		{"timezone", `{"timezone":"Asia/Tehran"}`, segment.Profile{Timezone: "Asia/Tehran"}, true},
		{"other timezone", `{"timezone":"Asia/Tehran"}`, segment.Profile{Timezone: "Asia/Kabul"}, false},
		{"timezone is exact", `{"timezone":"Asia/Tehran"}`, segment.Profile{Timezone: "asia/tehran"}, false},

		{"tag, any case", `{"tag":"VIP"}`, segment.Profile{Tags: []string{"new", "vip"}}, true},
		{"tag, profile in upper case", `{"tag":"vip"}`, segment.Profile{Tags: []string{"VIP"}}, true},
		{"tag missing", `{"tag":"vip"}`, segment.Profile{Tags: []string{"vip-gold"}}, false},
		{"no tags", `{"tag":"vip"}`, segment.Profile{}, false},

		{"attribute equals", `{"attribute":{"name":"plan","equals":"pro"}}`, segment.Profile{Attributes: map[string]string{"plan": "pro"}}, true},
		{"attribute differs in case", `{"attribute":{"name":"plan","equals":"pro"}}`, segment.Profile{Attributes: map[string]string{"plan": "Pro"}}, false},
		{"attribute absent", `{"attribute":{"name":"plan","equals":"pro"}}`, segment.Profile{}, false},
		{"attribute absent is not empty", `{"attribute":{"name":"plan","equals":""}}`, segment.Profile{}, false},
		{"attribute empty", `{"attribute":{"name":"plan","equals":""}}`, segment.Profile{Attributes: map[string]string{"plan": ""}}, true},
		{"attribute exists", `{"attribute":{"name":"plan","exists":true}}`, segment.Profile{Attributes: map[string]string{"plan": ""}}, true},
		{"attribute does not exist", `{"attribute":{"name":"plan","exists":true}}`, segment.Profile{Attributes: map[string]string{"size": "m"}}, false},
		{"attribute exists false, absent", `{"attribute":{"name":"plan","exists":false}}`, segment.Profile{}, true},
		{"attribute exists false, present", `{"attribute":{"name":"plan","exists":false}}`, segment.Profile{Attributes: map[string]string{"plan": "pro"}}, false},

		{"orders at min", `{"orders":{"min":2,"max":10}}`, segment.Profile{Orders: 2}, true},
		{"orders at max", `{"orders":{"min":2,"max":10}}`, segment.Profile{Orders: 10}, true},
		{"orders below min", `{"orders":{"min":2,"max":10}}`, segment.Profile{Orders: 1}, false},
		{"orders above max", `{"orders":{"min":2,"max":10}}`, segment.Profile{Orders: 11}, false},
		{"no orders, max 0", `{"orders":{"max":0}}`, segment.Profile{}, true},
		{"an order, max 0", `{"orders":{"max":0}}`, segment.Profile{Orders: 1}, false},

		{"spent at min", `{"spent":{"currency":"USD","min":"100.00"}}`, segment.Profile{Spent: map[string]money.Decimal{"USD": money.MustParse("100")}}, true},
		{"spent below min", `{"spent":{"currency":"USD","min":"100.00"}}`, segment.Profile{Spent: map[string]money.Decimal{"USD": money.MustParse("99.99")}}, false},
		{"spent in another currency", `{"spent":{"currency":"USD","min":"100"}}`, segment.Profile{Spent: map[string]money.Decimal{"EUR": money.MustParse("500")}}, false},
		{"nothing spent, under max", `{"spent":{"currency":"USD","max":"50"}}`, segment.Profile{}, true},
		{"spent at max", `{"spent":{"currency":"IRR","min":"1","max":"5000000"}}`, segment.Profile{Spent: map[string]money.Decimal{"IRR": money.MustParse("5000000")}}, true},
		{"spent above max", `{"spent":{"currency":"USD","max":"50"}}`, segment.Profile{Spent: map[string]money.Decimal{"USD": money.MustParse("50.01")}}, false},

		{"first order at the window's edge", `{"firstOrder":{"withinDays":30}}`, segment.Profile{FirstOrderAt: ago(30 * day)}, true},
		{"first order just before the window", `{"firstOrder":{"withinDays":30}}`, segment.Profile{FirstOrderAt: ago(30*day + time.Nanosecond)}, false},
		{"no first order", `{"firstOrder":{"withinDays":30}}`, segment.Profile{}, false},
		{"first order at after", `{"firstOrder":{"after":"2026-01-01"}}`, segment.Profile{FirstOrderAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}, true},
		{"first order before after, in UTC", `{"firstOrder":{"after":"2026-01-01"}}`, segment.Profile{FirstOrderAt: time.Date(2026, 1, 1, 2, 0, 0, 0, tehran)}, false},
		{"first order just before before", `{"firstOrder":{"before":"2026-07-01"}}`, segment.Profile{FirstOrderAt: time.Date(2026, 6, 30, 23, 59, 59, 0, time.UTC)}, true},
		{"first order at before", `{"firstOrder":{"before":"2026-07-01"}}`, segment.Profile{FirstOrderAt: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}, false},
		{"no first order, before", `{"firstOrder":{"before":"2026-07-01"}}`, segment.Profile{}, false},
		{"first order in the range", `{"firstOrder":{"after":"2026-01-01","before":"2026-07-01"}}`, segment.Profile{FirstOrderAt: ago(10 * day)}, true},
		{"first order after the range", `{"firstOrder":{"after":"2026-01-01","before":"2026-02-01"}}`, segment.Profile{FirstOrderAt: ago(10 * day)}, false},
		{"last order in the window", `{"lastOrder":{"withinDays":7}}`, segment.Profile{FirstOrderAt: ago(100 * day), LastOrderAt: ago(7 * day)}, true},
		{"last order is not the first", `{"lastOrder":{"withinDays":7}}`, segment.Profile{FirstOrderAt: ago(day), LastOrderAt: ago(8 * day)}, false},
		{"last order at after", `{"lastOrder":{"after":"2026-05-15"}}`, segment.Profile{FirstOrderAt: ago(100 * day), LastOrderAt: now}, true},

		{"bought tea at the window's edge", `{"ordered":{"category":"tea","withinDays":90}}`, segment.Profile{Bought: map[string]time.Time{"category:tea": ago(90 * day)}}, true},
		{"bought tea before the window", `{"ordered":{"category":"tea","withinDays":90}}`, segment.Profile{Bought: map[string]time.Time{"category:tea": ago(90*day + time.Second)}}, false},
		{"never bought tea", `{"ordered":{"category":"tea","withinDays":90}}`, segment.Profile{Bought: map[string]time.Time{"category:coffee": now}}, false},
		{"category in any case", `{"ordered":{"category":"Tea"}}`, segment.Profile{Bought: map[string]time.Time{"category:tea": ago(1000 * day)}}, true},
		{"sku ever", `{"ordered":{"sku":"T-100"}}`, segment.Profile{Bought: map[string]time.Time{"sku:T-100": ago(3000 * day)}}, true},
		{"sku is exact", `{"ordered":{"sku":"T-100"}}`, segment.Profile{Bought: map[string]time.Time{"sku:t-100": now}}, false},
		{"sku is not a category", `{"ordered":{"sku":"tea"}}`, segment.Profile{Bought: map[string]time.Time{"category:tea": now}}, false},

		{"engaged at the window's edge", `{"engaged":{"withinDays":30}}`, segment.Profile{EngagedAt: ago(30 * day)}, true},
		{"engaged before the window", `{"engaged":{"withinDays":30}}`, segment.Profile{EngagedAt: ago(31 * day)}, false},
		{"never engaged", `{"engaged":{"withinDays":30}}`, segment.Profile{}, false},
		{"engaged ever", `{"engaged":{}}`, segment.Profile{EngagedAt: ago(3000 * day)}, true},
		{"never engaged, ever", `{"engaged":{}}`, segment.Profile{}, false},

		{"received one", `{"received":{"withinDays":7,"min":1,"max":3}}`, segment.Profile{Received: []time.Time{ago(8 * day), ago(day)}}, true},
		{"received three", `{"received":{"withinDays":7,"min":1,"max":3}}`, segment.Profile{Received: []time.Time{ago(day), ago(7 * day), ago(2 * day)}}, true},
		{"received four", `{"received":{"withinDays":7,"min":1,"max":3}}`, segment.Profile{Received: []time.Time{ago(day), ago(3 * day), ago(2 * day), now}}, false},
		{"received none in the window", `{"received":{"withinDays":7,"min":1,"max":3}}`, segment.Profile{Received: []time.Time{ago(8 * day)}}, false},
		{"received, default min, at the edge", `{"received":{"withinDays":7}}`, segment.Profile{Received: []time.Time{ago(7 * day)}}, true},
		{"received, default min, just before", `{"received":{"withinDays":7}}`, segment.Profile{Received: []time.Time{ago(7*day + time.Second)}}, false},
		{"received nothing, max 0", `{"received":{"withinDays":7,"max":0}}`, segment.Profile{}, true},
		{"received one, max 0", `{"received":{"withinDays":7,"max":0}}`, segment.Profile{Received: []time.Time{ago(day)}}, false},

		{"promoter", `{"nps":"promoter"}`, segment.Profile{NPS: "promoter"}, true},
		{"passive, want promoter", `{"nps":"promoter"}`, segment.Profile{NPS: "passive"}, false},
		{"no nps", `{"nps":"detractor"}`, segment.Profile{}, false},

		{"csat at min", `{"csat":{"min":4}}`, segment.Profile{CSAT: 4}, true},
		{"csat top", `{"csat":{"min":4}}`, segment.Profile{CSAT: 5}, true},
		{"csat below min", `{"csat":{"min":4}}`, segment.Profile{CSAT: 3}, false},
		{"csat at max", `{"csat":{"max":2}}`, segment.Profile{CSAT: 2}, true},
		{"csat above max", `{"csat":{"max":2}}`, segment.Profile{CSAT: 3}, false},
		{"no csat is not low", `{"csat":{"max":2}}`, segment.Profile{}, false},
		{"tier", `{"tier":"Gold"}`, segment.Profile{Tier: "gold"}, true},
		{"another tier", `{"tier":"gold"}`, segment.Profile{Tier: "silver"}, false},
		{"no tier", `{"tier":"gold"}`, segment.Profile{}, false},
		{"points at min", `{"points":{"min":500}}`, segment.Profile{Points: 500}, true},
		{"points below min", `{"points":{"min":500}}`, segment.Profile{Points: 499}, false},
		{"no points are under a max", `{"points":{"max":0}}`, segment.Profile{}, true},
		{"one order 91 days ago is at risk", `{"atRisk":{}}`, segment.Profile{Orders: 1, FirstOrderAt: now.AddDate(0, 0, -91), LastOrderAt: now.AddDate(0, 0, -91)}, true},
		{"one order 89 days ago is not", `{"atRisk":{}}`, segment.Profile{Orders: 1, FirstOrderAt: now.AddDate(0, 0, -89), LastOrderAt: now.AddDate(0, 0, -89)}, false},
		{"past twice the usual gap", `{"atRisk":{}}`, segment.Profile{Orders: 3, FirstOrderAt: now.AddDate(0, 0, -100), LastOrderAt: now.AddDate(0, 0, -60)}, true},
		{"within twice the usual gap", `{"atRisk":{}}`, segment.Profile{Orders: 3, FirstOrderAt: now.AddDate(0, 0, -60), LastOrderAt: now.AddDate(0, 0, -19)}, false},
		{"a factor of its own", `{"atRisk":{"gapFactor":4}}`, segment.Profile{Orders: 3, FirstOrderAt: now.AddDate(0, 0, -100), LastOrderAt: now.AddDate(0, 0, -60)}, false},
		{"no order is no risk", `{"atRisk":{"oneOrderDays":1}}`, segment.Profile{}, false},

		{"answered at the window's edge", `{"answered":{"withinDays":60}}`, segment.Profile{AnsweredAt: ago(60 * day)}, true},
		{"answered before the window", `{"answered":{"withinDays":60}}`, segment.Profile{AnsweredAt: ago(61 * day)}, false},
		{"answered ever", `{"answered":{}}`, segment.Profile{AnsweredAt: ago(2000 * day)}, true},
		{"never answered", `{"answered":{}}`, segment.Profile{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustParse(t, tt.rule)
			if got := r.Match(tt.p, now); got != tt.want {
				t.Errorf("%s matches %+v: %v, want %v", tt.rule, tt.p, got, tt.want)
			}
		})
	}
}

func TestMatchCombined(t *testing.T) {
	// The example: Persian speakers who consented to sales and bought tea in the last
	// 90 days.
	const persianTea = `{"all": [{"locale": "fa"}, {"consent": "sales"}, {"ordered": {"category": "tea", "withinDays": 90}}]}`
	buyer := segment.Profile{Locale: "fa-IR", Consent: map[string]bool{"sales": true},
		Bought: map[string]time.Time{"category:tea": ago(10 * day)}}
	with := func(f func(p *segment.Profile)) segment.Profile {
		p := buyer
		p.Consent = map[string]bool{"sales": true}
		f(&p)
		return p
	}
	const vipOrLoyal = `{"any": [{"tag": "vip"}, {"orders": {"min": 5}}]}`
	const nested = `{"all": [{"any": [{"country": "IR"}, {"country": "AF"}]}, {"not": {"suppressed": true}}, {"not": {"not": {"consent": "news"}}}]}`
	tests := []struct {
		name string
		rule string
		p    segment.Profile
		want bool
	}{
		{"persian tea buyer", persianTea, buyer, true},
		{"english tea buyer", persianTea, with(func(p *segment.Profile) { p.Locale = "en-US" }), false},
		{"no consent to sales", persianTea, with(func(p *segment.Profile) { p.Consent["sales"] = false }), false},
		{"tea too long ago", persianTea, with(func(p *segment.Profile) { p.Bought = map[string]time.Time{"category:tea": ago(91 * day)} }), false},
		{"vip only", vipOrLoyal, segment.Profile{Tags: []string{"vip"}, Orders: 1}, true},
		{"loyal only", vipOrLoyal, segment.Profile{Orders: 5}, true},
		{"neither vip nor loyal", vipOrLoyal, segment.Profile{Orders: 4, Tags: []string{"new"}}, false},
		{"nested, all true", nested, segment.Profile{Country: "AF", Consent: map[string]bool{"news": true}}, true},
		{"nested, other country", nested, segment.Profile{Country: "DE", Consent: map[string]bool{"news": true}}, false},
		{"nested, suppressed", nested, segment.Profile{Country: "IR", Suppressed: true, Consent: map[string]bool{"news": true}}, false},
		{"nested, no consent", nested, segment.Profile{Country: "IR"}, false},
		{"not", `{"not": {"tag": "staff"}}`, segment.Profile{Tags: []string{"staff"}}, false},
		{"not, without the tag", `{"not": {"tag": "staff"}}`, segment.Profile{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustParse(t, tt.rule).Match(tt.p, now); got != tt.want {
				t.Errorf("%s matches %+v: %v, want %v", tt.rule, tt.p, got, tt.want)
			}
		})
	}
}

// TestZeroRule: a rule that was never parsed matches nobody, not everybody.
func TestZeroRule(t *testing.T) {
	var r segment.Rule
	if !r.IsZero() || r.Conditions() != 0 || r.Match(segment.Profile{}, now) {
		t.Errorf("zero rule: IsZero %v, Conditions %d, Match %v", r.IsZero(), r.Conditions(), r.Match(segment.Profile{}, now))
	}
	if p := mustParse(t, `{"not":{"tag":"x"}}`); p.IsZero() || !p.Match(segment.Profile{}, now) {
		t.Errorf("parsed rule: IsZero %v, Match %v", p.IsZero(), p.Match(segment.Profile{}, now))
	}
}

func mustParse(t testing.TB, rule string) segment.Rule {
	t.Helper()
	r, err := segment.Parse([]byte(rule))
	if err != nil {
		t.Fatalf("Parse(%s): %v", rule, err)
	}
	return r
}

// BenchmarkMatch evaluates a realistic five-condition rule over 100,000 profiles.
func BenchmarkMatch(b *testing.B) {
	r := mustParse(b, `{"all": [{"locale": "fa"}, {"consent": "sales"},
		{"ordered": {"category": "tea", "withinDays": 90}}, {"not": {"tag": "staff"}},
		{"received": {"withinDays": 7, "max": 2}}]}`)
	rnd := rand.New(rand.NewPCG(1, 2))
	locales := []string{"fa-IR", "fa", "en-US", "de-DE", "ar-AE", "fa-AF", "en"}
	profiles := make([]segment.Profile, 100_000)
	for i := range profiles {
		p := segment.Profile{
			ContactID: fmt.Sprintf("c-%d", i),
			Locale:    locales[rnd.IntN(len(locales))],
			Consent:   map[string]bool{"sales": rnd.IntN(3) > 0, "news": rnd.IntN(2) > 0},
			Tags:      []string{"new"},
			Bought: map[string]time.Time{
				"category:tea":    ago(time.Duration(rnd.IntN(200)) * day),
				"category:coffee": ago(time.Duration(rnd.IntN(200)) * day),
				"sku:T-100":       ago(time.Duration(rnd.IntN(200)) * day),
			},
		}
		if rnd.IntN(50) == 0 {
			p.Tags = append(p.Tags, "staff")
		}
		for range rnd.IntN(5) {
			p.Received = append(p.Received, ago(time.Duration(rnd.IntN(14*24))*time.Hour))
		}
		profiles[i] = p
	}
	matched := 0
	for b.Loop() {
		matched = 0
		for i := range profiles {
			if r.Match(profiles[i], now) {
				matched++
			}
		}
	}
	if matched == 0 || matched == len(profiles) {
		b.Fatalf("%d of %d profiles match: not a realistic rule", matched, len(profiles))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(profiles)), "ns/profile")
}
