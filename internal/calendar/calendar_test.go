package calendar

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func rule(t *testing.T, js string) Rule {
	t.Helper()
	var r Rule
	dec := json.NewDecoder(strings.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("decode %s: %v", js, err)
	}
	if err := r.Validate(); err != nil {
		t.Fatalf("validate %s: %v", js, err)
	}
	return r
}

// next returns the first day from the first of month the rule falls on.
func next(t *testing.T, r Rule, year int, month time.Month) string {
	t.Helper()
	d, err := r.Next(Date{year, month, 1}, DefaultLunar())
	if err != nil {
		t.Fatalf("next in %d: %v", year, err)
	}
	return d.String()
}

func TestKnownDates(t *testing.T) {
	cases := []struct {
		name, rule string
		want       []string // the first day from the first of its month
	}{
		{"Nowruz", `{"persian": {"month": 1, "day": 1}}`,
			[]string{"2024-03-20", "2025-03-21", "2026-03-21", "2027-03-21", "2028-03-20", "2029-03-20", "2030-03-21"}},
		{"Yalda", `{"persian": {"month": 9, "day": 30}}`,
			[]string{"2024-12-20", "2025-12-21", "2026-12-21", "2027-12-21"}},
		{"Black Friday", `{"weekday": {"month": 11, "weekday": "thursday", "nth": 4}, "offsetDays": 1}`,
			[]string{"2026-11-27", "2029-11-23"}},
		{"Mother's Day (US, UK differs)", `{"weekday": {"month": 5, "weekday": "sunday", "nth": 2}}`,
			[]string{"2026-05-10", "2027-05-09"}},
		{"Chaharshanbe Suri's eve (last Tuesday of Esfand)", `{"weekday": {"calendar": "persian", "month": 12, "weekday": "tuesday", "nth": -1}}`,
			[]string{"2025-03-18", "2026-03-17"}},
		{"Sizdah Bedar", `{"persian": {"month": 1, "day": 13}}`, []string{"2026-04-02"}},
		{"Christmas", `{"gregorian": {"month": 12, "day": 25}}`, []string{"2026-12-25"}},
		{"Iranian Mother's Day (20 Jumada II)", `{"lunar": {"month": 6, "day": 20}}`, []string{"2024-12-22", "2025-12-11"}},
		{"Eid al-Fitr 1447", `{"lunar": {"month": 10, "day": 1}}`, []string{"2026-03-21"}},
		{"1 Muharram 1448", `{"lunar": {"month": 1, "day": 1}}`, []string{"2026-06-16"}},
		{"Ashura 1448", `{"lunar": {"month": 1, "day": 10}}`, []string{"2026-06-25"}},
	}
	for _, c := range cases {
		r := rule(t, c.rule)
		for _, want := range c.want {
			d, _ := ParseDate(want)
			if got := next(t, r, d.Year, d.Month); got != want {
				t.Errorf("%s in %d: %s, want %s", c.name, d.Year, got, want)
			}
		}
	}
}

// "The last Friday of November" is a plausible rule for Black Friday that is wrong in the
// years November has five Thursdays.
func TestLastFridayOfNovemberIsNotBlackFriday(t *testing.T) {
	r := rule(t, `{"weekday": {"month": 11, "weekday": "friday", "nth": -1}}`)
	if got := next(t, r, 2029, time.January); got != "2029-11-30" {
		t.Errorf("last Friday of November 2029: %s", got)
	}
}

func TestTwoOccasionsOnOneDay(t *testing.T) {
	d := Date{2026, time.March, 21}
	for _, js := range []string{`{"persian": {"month": 1, "day": 1}}`, `{"lunar": {"month": 10, "day": 1}}`} {
		if ok, err := rule(t, js).Matches(d, DefaultLunar()); !ok || err != nil {
			t.Errorf("%s on %s: %v %v", js, d, ok, err)
		}
	}
}

func TestTwentyNinthOfFebruary(t *testing.T) {
	r := rule(t, `{"gregorian": {"month": 2, "day": 29}}`)
	if got := next(t, r, 2025, time.January); got != "2028-02-29" {
		t.Errorf("next 29 February from 2025: %s", got)
	}
	if !IsLeap(2000) || IsLeap(1900) || IsLeap(2026) || !IsLeap(2028) {
		t.Error("IsLeap")
	}
	if d := (Date{2028, time.February, 28}).AddDays(1); d.String() != "2028-02-29" {
		t.Errorf("AddDays: %s", d)
	}
}

func TestPersianConversion(t *testing.T) {
	cases := map[string][3]int{
		"2026-12-02": {1405, 9, 11},
		"2025-03-20": {1403, 12, 30}, // 1403 is a leap year: 30 Esfand
		"2026-03-20": {1404, 12, 29},
		"1979-02-11": {1357, 11, 22},
		"2026-03-21": {1405, 1, 1},
		"2026-11-22": {1405, 9, 1},
		"2024-12-21": {1403, 10, 1}, // 1 Dey, the day after Yalda
		"1990-03-21": {1369, 1, 1},
	}
	for s, want := range cases {
		d, _ := ParseDate(s)
		y, m, day := ToPersian(d)
		if [3]int{y, m, day} != want {
			t.Errorf("%s: %d/%d/%d, want %v", s, y, m, day, want)
		}
		back, ok := FromPersian(want[0], want[1], want[2])
		if !ok || back != d {
			t.Errorf("back from %v: %s %v", want, back, ok)
		}
	}
	if _, ok := FromPersian(1404, 12, 30); ok {
		t.Error("30 Esfand 1404 does not exist")
	}
}

func TestLunarDatesOutsideTheTableAreRefused(t *testing.T) {
	lunar := DefaultLunar()
	first, last := lunar.Range()
	r := rule(t, `{"lunar": {"month": 1, "day": 10}}`)
	for _, d := range []Date{first.AddDays(-1), last.AddDays(1), {2040, time.January, 1}} {
		if _, err := r.Matches(d, lunar); !errors.Is(err, ErrOutsideLunarTable) {
			t.Errorf("%s: %v, want outside the table", d, err)
		}
	}
	if _, err := r.Next(last.AddDays(-5), lunar); !errors.Is(err, ErrOutsideLunarTable) {
		t.Errorf("next Ashura after the table: %v", err)
	}
	// The last start's month is known for 29 days, no more.
	y, m, day, err := lunar.ToLunar(last)
	if err != nil || day != 29 {
		t.Errorf("last covered day %s: %d/%d/%d %v", last, y, m, day, err)
	}
}

func TestLunarTableValidation(t *testing.T) {
	cases := map[string]string{
		`[{"year":1448,"month":1,"start":"2026-06-16"},{"year":1448,"month":2,"start":"2026-07-17"}]`:  "31 days",
		`[{"year":1448,"month":1,"start":"2026-06-16"},{"year":1448,"month":3,"start":"2026-07-16"}]`:  "does not follow",
		`[{"year":1447,"month":12,"start":"2026-05-18"},{"year":1448,"month":1,"start":"2026-06-16"}]`: "",
		`[{"year":1448,"month":1,"start":"16/06/2026"},{"year":1448,"month":2,"start":"2026-07-16"}]`:  "YYYY-MM-DD",
		`[{"year":1448,"month":1,"start":"2026-06-16"}]`:                                               "at least two",
		`[{"year":1448,"month":13,"start":"2026-06-16"},{"year":1449,"month":1,"start":"2026-07-16"}]`: "month must be",
	}
	for js, want := range cases {
		var months []MonthStart
		if err := json.Unmarshal([]byte(js), &months); err != nil {
			t.Fatal(err)
		}
		tab := LunarTable{Months: months}
		err := tab.Validate()
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", js, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: %v, want %q", js, err, want)
		}
	}
	if DefaultLunar().Source == "" {
		t.Error("the lunar table that ships names no source")
	}
}

func TestRuleValidation(t *testing.T) {
	cases := map[string]string{
		`{}`:                                                       "",
		`{"gregorian": {"month": 2, "day": 30}}`:                   "gregorian.day",
		`{"persian": {"month": 7, "day": 31}}`:                     "persian.day",
		`{"lunar": {"month": 13, "day": 1}}`:                       "lunar.month",
		`{"weekday": {"month": 5, "nth": 2}}`:                      "weekday.weekday",
		`{"weekday": {"month": 5, "weekday": "sunday", "nth": 0}}`: "weekday.nth",
		`{"weekday": {"calendar": "hebrew", "month": 5, "weekday": "sunday", "nth": 1}}`: "weekday.calendar",
		`{"gregorian": {"month": 1, "day": 1}, "persian": {"month": 1, "day": 1}}`:       "",
		`{"gregorian": {"month": 1, "day": 1}, "offsetDays": 400}`:                       "offsetDays",
	}
	for js, field := range cases {
		var r Rule
		if err := json.Unmarshal([]byte(js), &r); err != nil {
			t.Fatal(js, err)
		}
		err := r.Validate()
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v, want a problem with %q", js, err, field)
		}
	}
	var r Rule
	if err := json.Unmarshal([]byte(`{"weekday": {"month": 5, "weekday": "someday", "nth": 2}}`), &r); err == nil {
		t.Error("an unknown weekday was read")
	}
	b, _ := json.Marshal(rule(t, `{"weekday": {"month": 5, "weekday": "Sunday", "nth": 2}}`))
	if string(b) != `{"weekday":{"month":5,"weekday":"sunday","nth":2}}` {
		t.Errorf("marshalled: %s", b)
	}
}

// A customer's day is their time zone's: the same instant is three different days.
func TestTimeZonesEitherSideOfMidnight(t *testing.T) {
	at := time.Date(2026, time.March, 20, 21, 0, 0, 0, time.UTC) // Nowruz 1405 begins in Tehran
	nowruz := rule(t, `{"persian": {"month": 1, "day": 1}}`)
	for zone, want := range map[string]bool{"Asia/Tehran": true, "America/Los_Angeles": false, "Pacific/Kiritimati": true, "UTC": false} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		d := DateOf(at.In(loc))
		if ok, _ := nowruz.Matches(d, DefaultLunar()); ok != want {
			t.Errorf("%s (%s): Nowruz %v, want %v", zone, d, ok, want)
		}
	}
	if got := (Date{2026, time.March, 21}).At(9, mustZone(t, "Pacific/Kiritimati")).UTC(); got.Format(time.RFC3339) != "2026-03-20T19:00:00Z" {
		t.Errorf("09:00 in Kiritimati: %s", got)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
