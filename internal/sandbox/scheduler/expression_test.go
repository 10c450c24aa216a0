package scheduler

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests' zones must not depend on the machine's zoneinfo
)

// mustZone loads a time zone or fails the test.
func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// utc parses an RFC 3339 time or panics: the tests' literals are fixed.
func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// occurrences returns the next n occurrences of a recurring expression after from; a zero
// Time ends the list early.
func occurrences(e expression, from time.Time, n int) []time.Time {
	var got []time.Time
	for t := from; len(got) < n; {
		if t = e.next(t, from); t.IsZero() {
			break
		}
		got = append(got, t)
	}
	return got
}

// none ends a list of expected occurrences that no other follows.
const none = "none"

// checkTimes compares occurrences with RFC 3339 expectations, the last of which may be none.
func checkTimes(t *testing.T, got []time.Time, want ...string) {
	t.Helper()
	if len(want) > 0 && want[len(want)-1] == none {
		want = want[:len(want)-1]
	}
	if len(got) != len(want) {
		t.Errorf("got %d occurrences %v, want %d %v", len(got), got, len(want), want)
		return
	}
	for i := range want {
		if !got[i].Equal(utc(want[i])) {
			t.Errorf("occurrence %d = %s, want %s", i, got[i].UTC().Format(time.RFC3339), want[i])
		}
	}
}

// TestCronNext checks the next firing times of the cron examples of the EventBridge user
// guide (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-cron-expressions,
// the table "Examples" and the put-rule examples) and of its wildcards L, W and #, in UTC.
// The dates' weekdays were checked with GNU date.
func TestCronNext(t *testing.T) {
	tests := []struct {
		expr, from string
		want       []string
	}{
		{ // Run at 10:00 am (UTC+0) every day; an occurrence at "from" itself is not next.
			"cron(0 10 * * ? *)", "2026-03-04T10:00:00Z",
			[]string{"2026-03-05T10:00:00Z", "2026-03-06T10:00:00Z", "2026-03-07T10:00:00Z"},
		},
		{ // Run at 12:15 pm (UTC+0) every day
			"cron(15 12 * * ? *)", "2026-03-04T12:14:59Z",
			[]string{"2026-03-04T12:15:00Z", "2026-03-05T12:15:00Z"},
		},
		{ // Run at 6:00 pm (UTC+0) every Monday through Friday; 2026-03-06 is a Friday.
			"cron(0 18 ? * MON-FRI *)", "2026-03-06T18:00:00Z",
			[]string{"2026-03-09T18:00:00Z", "2026-03-10T18:00:00Z", "2026-03-11T18:00:00Z"},
		},
		{ // Run at 8:00 am (UTC+0) every 1st day of the month
			"cron(0 8 1 * ? *)", "2026-01-15T00:00:00Z",
			[]string{"2026-02-01T08:00:00Z", "2026-03-01T08:00:00Z", "2026-04-01T08:00:00Z"},
		},
		{ // Run every 15 minutes
			"cron(0/15 * * * ? *)", "2026-03-04T10:07:00Z",
			[]string{"2026-03-04T10:15:00Z", "2026-03-04T10:30:00Z", "2026-03-04T10:45:00Z", "2026-03-04T11:00:00Z"},
		},
		{ // Run every 10 minutes Monday through Friday
			"cron(0/10 * ? * MON-FRI *)", "2026-03-06T23:45:00Z",
			[]string{"2026-03-06T23:50:00Z", "2026-03-09T00:00:00Z", "2026-03-09T00:10:00Z"},
		},
		{ // Run every 5 minutes Monday through Friday between 8:00 am and 5:55 pm (UTC+0)
			"cron(0/5 8-17 ? * MON-FRI *)", "2026-03-06T17:52:00Z",
			[]string{"2026-03-06T17:55:00Z", "2026-03-09T08:00:00Z", "2026-03-09T08:05:00Z"},
		},
		{ // Every 30 minutes Monday through Friday, hours 20-2 wrapping past midnight; each
			// firing's own day must be Monday to Friday, so Saturday 00:00-02:30 is out.
			"cron(0/30 20-2 ? * MON-FRI *)", "2026-03-06T23:15:00Z",
			[]string{"2026-03-06T23:30:00Z", "2026-03-09T00:00:00Z", "2026-03-09T00:30:00Z", "2026-03-09T01:00:00Z"},
		},
		{ // put-rule: every day at 12:00pm UTC+0
			"cron(0 12 * * ? *)", "2026-03-04T12:00:00Z",
			[]string{"2026-03-05T12:00:00Z"},
		},
		{ // put-rule: every day, at 2:05pm and 2:35pm UTC+0
			"cron(5,35 14 * * ? *)", "2026-03-04T14:05:00Z",
			[]string{"2026-03-04T14:35:00Z", "2026-03-05T14:05:00Z"},
		},
		{ // put-rule: 10:15am UTC+0 on the last Friday of each month during the years 2019
			// to 2022; none after 2022. Friday 30 September 2022 is the month's last day.
			"cron(15 10 ? * 6L 2019-2022)", "2022-09-01T00:00:00Z",
			[]string{"2022-09-30T10:15:00Z", "2022-10-28T10:15:00Z", "2022-11-25T10:15:00Z", "2022-12-30T10:15:00Z", none},
		},
		{ // "3#2 would be the second Tuesday of the month"
			"cron(0 10 ? * 3#2 *)", "2026-01-01T00:00:00Z",
			[]string{"2026-01-13T10:00:00Z", "2026-02-10T10:00:00Z", "2026-03-10T10:00:00Z"},
		},
		{ // "3W specifies the weekday closest to the third day of the month": Saturday
			// 2026-01-03 moves to Friday the 2nd, Sunday 2026-05-03 to Monday the 4th.
			"cron(0 9 3W * ? *)", "2026-01-01T00:00:00Z",
			[]string{"2026-01-02T09:00:00Z", "2026-02-03T09:00:00Z", "2026-03-03T09:00:00Z", "2026-04-03T09:00:00Z", "2026-05-04T09:00:00Z"},
		},
		{ // W never leaves the month: Saturday 2026-08-01 moves to Monday the 3rd.
			"cron(0 0 1W * ? 2026)", "2026-07-15T00:00:00Z",
			[]string{"2026-08-03T00:00:00Z", "2026-09-01T00:00:00Z", "2026-10-01T00:00:00Z"},
		},
		{ // L in day-of-month: the last day, 29 February in a leap year
			"cron(0 12 L * ? *)", "2028-01-15T00:00:00Z",
			[]string{"2028-01-31T12:00:00Z", "2028-02-29T12:00:00Z", "2028-03-31T12:00:00Z", "2028-04-30T12:00:00Z"},
		},
		{ // L alone in day-of-week: the last day of the week, Saturday
			"cron(0 12 ? * L *)", "2026-03-01T00:00:00Z",
			[]string{"2026-03-07T12:00:00Z", "2026-03-14T12:00:00Z"},
		},
		{ // names in any case, lists of them, and a month list
			"cron(0 7 ? jan,Jul sun-mon 2026)", "2026-01-01T00:00:00Z",
			[]string{"2026-01-04T07:00:00Z", "2026-01-05T07:00:00Z", "2026-01-11T07:00:00Z"},
		},
		{ // a rule that names only past years never fires again
			"cron(0 0 1 1 ? 2020)", "2026-01-01T00:00:00Z", []string{none},
		},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			e, err := parseExpression(tt.expr, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			checkTimes(t, occurrences(e, utc(tt.from), len(tt.want)), tt.want...)
		})
	}
}

// TestCronDaylightSaving checks cron() in America/New_York across both changes of 2026
// (clocks go forward at 02:00 on 8 March and back at 02:00 on 1 November), as
// https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#daylist-savings-time
// and https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst describe them: a
// time that does not exist is skipped, a time that happens twice runs once. The UTC times
// were computed with GNU date and zdump.
func TestCronDaylightSaving(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	tests := []struct {
		name, expr, from string
		want             []string
	}{
		{
			"9:00 stays 9:00 local, an hour earlier in UTC", "cron(0 9 * * ? *)", "2026-03-07T00:00:00Z",
			[]string{"2026-03-07T14:00:00Z", "2026-03-08T13:00:00Z", "2026-03-09T13:00:00Z"},
		},
		{
			"2:30 does not exist on 8 March and is skipped", "cron(30 2 * * ? *)", "2026-03-06T12:00:00Z",
			[]string{"2026-03-07T07:30:00Z", "2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z"},
		},
		{
			"1:30 happens twice on 1 November and runs once, the first time", "cron(30 1 * * ? *)", "2026-10-31T12:00:00Z",
			[]string{"2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"},
		},
		{
			"hourly runs once in the repeated hour", "cron(0 * * * ? *)", "2026-11-01T04:30:00Z",
			[]string{"2026-11-01T05:00:00Z", "2026-11-01T07:00:00Z", "2026-11-01T08:00:00Z"},
		},
		{
			"first Sunday of November at 1:00 local (MON#1 style with a name)", "cron(0 1 ? NOV SUN#1 2026)", "2026-10-01T00:00:00Z",
			[]string{"2026-11-01T05:00:00Z", none},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := parseExpression(tt.expr, ny)
			if err != nil {
				t.Fatal(err)
			}
			checkTimes(t, occurrences(e, utc(tt.from), len(tt.want)), tt.want...)
		})
	}
}

// TestCronStartingInRepeatedHour checks that a rule read from the second pass of the repeated
// hour does not fire the readings that already happened in the first.
func TestCronStartingInRepeatedHour(t *testing.T) {
	e, err := parseExpression("cron(0/15 * * * ? *)", mustZone(t, "America/New_York"))
	if err != nil {
		t.Fatal(err)
	}
	// 06:10Z is 01:10 EST, the second 01:10 of 1 November; 01:15 to 01:45 happened in EDT.
	checkTimes(t, occurrences(e, utc("2026-11-01T06:10:00Z"), 2), "2026-11-01T07:00:00Z", "2026-11-01T07:15:00Z")
}

// TestRateNext checks that rate() counts elapsed time from its anchor: a day is 24 hours,
// also across the start of daylight saving time
// (https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst).
func TestRateNext(t *testing.T) {
	e, err := parseExpression("rate(1 day)", mustZone(t, "America/New_York"))
	if err != nil {
		t.Fatal(err)
	}
	anchor := utc("2026-03-07T14:00:00Z") // 09:00 EST
	if got := e.next(anchor.Add(-time.Second), anchor); !got.Equal(anchor) {
		t.Errorf("first occurrence = %s, want the anchor %s", got, anchor)
	}
	checkTimes(t, []time.Time{e.next(anchor, anchor), e.next(utc("2026-03-09T13:59:59Z"), anchor)},
		"2026-03-08T14:00:00Z", "2026-03-09T14:00:00Z") // 10:00 EDT: 24 hours, not 9:00
}

// TestAtInTimeZone checks that at() reads its time on the schedule's wall clock.
func TestAtInTimeZone(t *testing.T) {
	e, err := parseExpression("at(2026-05-01T10:00:00)", mustZone(t, "Asia/Tehran"))
	if err != nil {
		t.Fatal(err)
	}
	if want := utc("2026-05-01T06:30:00Z"); !e.at.Equal(want) || e.recurring() {
		t.Errorf("at = %s (recurring %v), want %s, one-time", e.at, e.recurring(), want)
	}
}

// TestParseExpressionAccepts checks expressions that AWS accepts, beyond the documented
// examples above: range and step combinations that a user confirmed against AWS in
// https://github.com/localstack/localstack/issues/13572.
func TestParseExpressionAccepts(t *testing.T) {
	for _, s := range []string{
		"cron(0-15/1 8-8 ? * 2,3,4,5,6,7 *)",
		"cron(30-30 13-13 ? * 2,4,6 *)",
		"cron(1-31/30 1-1 ? * 1,7 *)",
		"cron(0 0 L * ? *)",
		"cron(0 0 ? * FRI#3 *)",
		"cron(0 0 ? DEC-FEB * 2026-2030/2)",
		"rate(1 minute)", "rate(5 minutes)", "rate(1 hour)", "rate(12 hours)", "rate(1 day)", "rate(7 days)",
		"at(2026-12-31T23:59:59)",
	} {
		if _, err := parseExpression(s, time.UTC); err != nil {
			t.Errorf("parseExpression(%q): %v", s, err)
		}
	}
}

// TestParseExpressionRejects checks expressions that break the documented syntax, and that
// the error says what is wrong.
func TestParseExpressionRejects(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"", "must be at("},
		{"every(5 minutes)", "must be at("},
		{"cron(0 10 * * ? *", "must be at("},
		{"cron(0 10 * * ?)", "takes 6 fields"},
		{"cron(0 10 * * * *)", "cannot both be set"},          // * in both day fields
		{"cron(0 10 ? * ? *)", "not both"},                    // ? in both
		{"cron(60 * * * ? *)", "minutes"},                     // out of range
		{"cron(0 24 * * ? *)", "hours"},                       //
		{"cron(0 0 32 * ? *)", "day-of-month"},                //
		{"cron(0 0 ? 13 * *)", "month"},                       //
		{"cron(0 0 ? * 8 *)", "day-of-week"},                  //
		{"cron(0 0 * * ? 1969)", "year"},                      // before 1970
		{"cron(0 0 * * ? 2200)", "year"},                      // after 2199
		{"cron(0 0 * * ? 2030-2020)", "runs backwards"},       // years do not wrap
		{"cron(*/60 * * * ? *)", "step"},                      // a step longer than the field
		{"cron(0/0 * * * ? *)", "step"},                       //
		{"cron(0 0 ? * 1/2 *)", "/ is not allowed"},           // no / in day-of-week
		{"cron(0 0 ? * 3#1,6#3 *)", "one expression"},         // the documented invalid example
		{"cron(0 0 ? * 2#6 *)", "from 1 to 5"},                //
		{"cron(0 0 ? * FOO *)", "day-of-week"},                //
		{"cron(0 0 W * ? *)", "day-of-month"},                 //
		{"cron(0 0 1,,2 * ? *)", "day-of-month"},              // empty list item
		{"cron(-1 0 * * ? *)", "minutes"},                     // no signs
		{"cron(? 0 * * ? *)", "minutes"},                      // ? only in the day fields
		{"rate(0 minutes)", "positive"},                       //
		{"rate(-5 minutes)", "positive"},                      //
		{"rate(1 minutes)", "singular for 1"},                 //
		{"rate(5 minute)", "plural"},                          //
		{"rate(5 weeks)", "unit"},                             //
		{"rate(5)", "unit"},                                   //
		{"rate(5  minutes)", "unit"},                          // one space only
		{"rate(999999999 days)", "too long"},                  //
		{"at(2026-02-30T10:00:00)", "yyyy-mm-ddThh:mm:ss"},    // no such day
		{"at(2026-01-01 10:00:00)", "yyyy-mm-ddThh:mm:ss"},    //
		{"at(2026-01-01T9:00:00)", "yyyy-mm-ddThh:mm:ss"},     //
		{"at(2026-01-01T10:00:00.5)", "yyyy-mm-ddThh:mm:ss"},  //
		{"at(2026-01-01T10:00:00Z)", "yyyy-mm-ddThh:mm:ss"},   // the zone is a separate member
		{"at(1969-12-31T23:59:59)", "year must be from 1970"}, //
		{"AT(2026-01-01T10:00:00)", "must be at("},            // kinds are lower case
		{"cron(0 10 * * ? *) ", "must be at("},                //
		{"cron(0 10 * * ? *))", "year"},                       //
		{"rate(5 minutes)rate(5 minutes)", "unit"},            //
		{"cron(0 0 L-2 * ? *)", "day-of-month"},               // not in the EventBridge syntax
		{"cron(0 0 LW * ? *)", "day-of-month"},                //
		{"cron(0 0 ? * 8L *)", "day-of-week"},                 //
		{"cron(0 0 ? * 2#x *)", "from 1 to 5"},                //
		{"cron(0 0 ? JAN-XYZ ? *)", "not both"},               //
		{"cron(0 0 ? JAN-XYZ * *)", "month"},                  //
		{"cron(0 0 ? * * 2026/0)", "step"},                    //
		{"cron(0 0 ? * * 999999999999)", "year"},              //
		{"cron(0 0 ? * * *) extra", "must be at("},            //
		{"cron(0\t0 ? * * *)x", "must be at("},                //
		{"cron(0 0 ? * MON-FRI,SAT#1 *)", "one expression"},   //
		{"cron(0 0 ? * # *)", "day-of-week"},                  //
		{"cron(0 0 ? * 1# *)", "from 1 to 5"},                 //
		{"cron(0 0 ? * L# *)", "day-of-week"},                 //
		{"cron(0 0 ? * -1 *)", "day-of-week"},                 //
		{"cron(0 0 ? * 1- *)", "day-of-week"},                 //
		{"cron(0 0 ? * 1-2-3 *)", "day-of-week"},              //
		{"cron(0 0 31W * ? *)", ""},                           // valid: see below
	}
	for _, tt := range tests {
		_, err := parseExpression(tt.expr, time.UTC)
		if tt.want == "" {
			if err != nil {
				t.Errorf("parseExpression(%q): %v, want it accepted", tt.expr, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseExpression(%q) = %v, want an error containing %q", tt.expr, err, tt.want)
		}
	}
}

// FuzzParseExpression checks that the parser never panics and that the occurrences of what it
// accepts only move forward.
func FuzzParseExpression(f *testing.F) {
	for _, s := range []string{
		"cron(0 10 * * ? *)", "cron(0/30 20-2 ? * MON-FRI *)", "cron(15 10 ? * 6L 2019-2022)",
		"cron(0 9 3W * ? *)", "cron(0 10 ? * 3#2 *)", "cron(0 12 L * ? *)", "cron(1-31/30 1-1 ? * 1,7 *)",
		"rate(1 hour)", "rate(5 minutes)", "at(2026-05-01T10:00:00)", "cron(0 0 31 2 ? *)",
	} {
		f.Add(s)
	}
	zones := []*time.Location{time.UTC, mustZone(f, "America/New_York"), mustZone(f, "Asia/Tehran")}
	from := utc("2026-03-07T12:00:00Z")
	f.Fuzz(func(t *testing.T, s string) {
		for _, loc := range zones {
			e, err := parseExpression(s, loc)
			if err != nil || !e.recurring() {
				continue
			}
			for i, prev := 0, from; i < 3; i++ {
				next := e.next(prev, from)
				if next.IsZero() {
					break
				}
				if !next.After(prev) {
					t.Fatalf("%q in %s: next after %s is %s", s, loc, prev, next)
				}
				prev = next
			}
		}
	})
}
