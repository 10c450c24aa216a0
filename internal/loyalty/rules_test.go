package loyalty_test

import (
	"strings"
	"testing"
	"time"

	"shopmail/internal/loyalty"
	"shopmail/internal/money"
)

func dec(s string) money.Decimal { return money.MustParse(s) }

func program(t *testing.T) loyalty.Config {
	t.Helper()
	rates, err := loyalty.ParseRates("USD=1, EUR=1.5,IRR=0.000001")
	if err != nil {
		t.Fatal(err)
	}
	tiers, err := loyalty.ParseTiers("bronze=0,silver=500,gold=2000")
	if err != nil {
		t.Fatal(err)
	}
	return loyalty.Config{Rates: rates, Tiers: tiers}
}

func TestAnOrderEarnsItsTotalTimesTheRateRoundedDown(t *testing.T) {
	c := program(t)
	for _, tc := range []struct {
		total, currency string
		want            int64
	}{
		{"129.90", "USD", 129},
		{"0.99", "USD", 0},
		{"100", "USD", 100},
		{"10.01", "EUR", 15},                        // 15.015
		{"33.34", "EUR", 50},                        // 50.01
		{"12500000", "IRR", 12},                     // 12.5
		{"999999999999999999", "IRR", 999999999999}, // the largest amount an order may carry, exactly
		{"50", "GBP", 0},                            // no rate: nothing
		{"-5", "USD", 0},
	} {
		if got := c.Earned(dec(tc.total), tc.currency); got != tc.want {
			t.Errorf("Earned(%s %s) = %d, want %d", tc.total, tc.currency, got, tc.want)
		}
	}
}

func TestAReversalTakesBackTheRefundedShareAndNeverMoreThanIsLeft(t *testing.T) {
	amount := func(s string) *money.Decimal { d := dec(s); return &d }
	for _, tc := range []struct {
		name             string
		earned, reversed int64
		total            string
		amount           *money.Decimal
		want             int64
	}{
		{"cancelled", 129, 0, "129.90", nil, 129},
		{"a third", 129, 0, "129.90", amount("43.30"), 43},
		{"half rounds up", 5, 0, "10", amount("5"), 3}, // 2.5
		{"just under half rounds down", 5, 0, "10", amount("4.99"), 2},
		{"the whole total", 129, 0, "129.90", amount("129.90"), 129},
		{"more than the total", 129, 0, "129.90", amount("500"), 129},
		{"what is left after another refund", 129, 100, "129.90", amount("129.90"), 29},
		{"a share larger than what is left", 129, 120, "129.90", amount("64.95"), 9},
		{"nothing left", 129, 129, "129.90", nil, 0},
		{"a zero refund", 129, 0, "129.90", amount("0"), 0},
		{"an order that earned nothing", 0, 0, "0.50", nil, 0},
	} {
		if got := loyalty.Reversal(tc.earned, tc.reversed, dec(tc.total), tc.amount); got != tc.want {
			t.Errorf("%s: Reversal = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestTiersCountTheLastTwelveMonthsFromTheThresholdUp(t *testing.T) {
	c := program(t)
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return now.AddDate(-1, 0, 0).Add(d) }
	earn := func(p int64, orderAt time.Time) loyalty.Entry {
		return loyalty.Entry{Kind: loyalty.Earn, Points: p, At: orderAt, OrderAt: orderAt}
	}
	for _, tc := range []struct {
		name    string
		entries []loyalty.Entry
		q       int64
		tier    string
	}{
		{"no orders", nil, 0, "bronze"},
		{"one point short", []loyalty.Entry{earn(499, now)}, 499, "bronze"},
		{"exactly at the threshold", []loyalty.Entry{earn(500, now)}, 500, "silver"},
		{"exactly 12 months ago counts", []loyalty.Entry{earn(500, at(0))}, 500, "silver"},
		{"12 months and one day ago does not", []loyalty.Entry{earn(500, at(-24*time.Hour))}, 0, "bronze"},
		{"a second before the window does not", []loyalty.Entry{earn(2000, at(-time.Second))}, 0, "bronze"},
		{"gold", []loyalty.Entry{earn(1500, now.AddDate(0, -6, 0)), earn(500, now)}, 2000, "gold"},
		{"a refund counts against its order's time", []loyalty.Entry{
			earn(600, at(time.Hour)), {Kind: loyalty.Refund, Points: -200, At: now, OrderAt: at(time.Hour)},
		}, 400, "bronze"},
		{"a refund of an order outside the window counts nothing", []loyalty.Entry{
			earn(600, now), {Kind: loyalty.Refund, Points: -200, At: now, OrderAt: at(-time.Hour)},
		}, 600, "silver"},
		{"never negative", []loyalty.Entry{{Kind: loyalty.Cancel, Points: -50, At: now, OrderAt: now}}, 0, "bronze"},
	} {
		q := loyalty.Qualifying(tc.entries, now)
		if q != tc.q || c.TierFor(q) != tc.tier {
			t.Errorf("%s: %d points, %s; want %d, %s", tc.name, q, c.TierFor(q), tc.q, tc.tier)
		}
	}
	if next, missing, ok := c.Next(499); !ok || next.Name != "silver" || missing != 1 {
		t.Errorf("Next(499) = %v %d %v", next, missing, ok)
	}
	if _, _, ok := c.Next(2000); ok {
		t.Error("Next(2000) names a tier above gold")
	}
}

func TestTheProgrammeIsReadStrictly(t *testing.T) {
	for _, tc := range []struct{ rates, tiers, problem string }{
		{"USD", "", "CURRENCY=rate"},
		{"usd=1", "", "CURRENCY=rate"},
		{"US=1", "", "CURRENCY=rate"},
		{"USD=0", "", "above 0"},
		{"USD=-1", "", "above 0"},
		{"USD=1,USD=2", "", "twice"},
		{"", "silver=500", "start at 0"},
		{"", "bronze=0,silver=500,gold=500", "above that of silver"},
		{"", "bronze=0,Silver=500", "lower-case"},
		{"", "bronze=0,silver=1.5", "whole number"},
		{"", "bronze=0,bronze=5", "twice"},
	} {
		_, errR := loyalty.ParseRates(tc.rates)
		_, errT := loyalty.ParseTiers(tc.tiers)
		err := errR
		if err == nil {
			err = errT
		}
		if err == nil || !strings.Contains(err.Error(), tc.problem) {
			t.Errorf("rates %q tiers %q: %v, want an error saying %q", tc.rates, tc.tiers, err, tc.problem)
		}
	}
	if rates, err := loyalty.ParseRates(""); err != nil || len(rates) != 0 {
		t.Errorf("no rates: %v %v", rates, err)
	}
}

func TestRewardRulesAreReadStrictly(t *testing.T) {
	ok := `{"id": "big", "spend": {"currency": "USD", "over": 100}, "prefix": "BIG", "offer": {"en": "10% off"}}`
	if rs, err := loyalty.ParseRewards("[" + ok + "]"); err != nil || len(rs) != 1 || rs[0].ValidDays != 60 || rs[0].Purpose() != "reward:big" {
		t.Fatalf("%+v %v", rs, err)
	}
	for _, tc := range []struct{ rules, problem string }{
		{`{"id": "big"}`, "not a JSON list"},
		{`[` + ok + `] []`, "data after the list"},
		{`[{"id": "Big", "spend": {"currency": "USD", "over": 1}, "prefix": "B", "offer": {"en": "x"}}]`, "id must be"},
		{`[` + ok + `,` + ok + `]`, "given twice"},
		{`[{"id": "b", "prefix": "B", "offer": {"en": "x"}}]`, "one of the two"},
		{`[{"id": "b", "spend": {"currency": "USD", "over": 1}, "items": {"over": 2}, "prefix": "B", "offer": {"en": "x"}}]`, "one of the two"},
		{`[{"id": "b", "spend": {"currency": "usd", "over": 1}, "prefix": "B", "offer": {"en": "x"}}]`, "ISO 4217"},
		{`[{"id": "b", "items": {"over": 0}, "prefix": "B", "offer": {"en": "x"}}]`, "items.over"},
		{`[{"id": "b", "items": {"over": 2}, "prefix": "b-1", "offer": {"en": "x"}}]`, "prefix"},
		{`[{"id": "b", "items": {"over": 2}, "prefix": "B", "offer": {"fa": "x"}}]`, `"en" text`},
		{`[{"id": "b", "items": {"over": 2}, "prefix": "B", "offer": {"en": "x\nBcc: a@b"}}]`, "one line"},
		{`[{"id": "b", "items": {"over": 2}, "prefix": "B", "offer": {"en": "x"}, "validDays": 0}]`, "validDays"},
		{`[{"id": "b", "items": {"over": 2}, "prefix": "B", "offer": {"en": "x"}, "colour": "red"}]`, "unknown field"},
	} {
		if _, err := loyalty.ParseRewards(tc.rules); err == nil || !strings.Contains(err.Error(), tc.problem) {
			t.Errorf("%s: %v, want an error saying %q", tc.rules, err, tc.problem)
		}
	}
}
