package scheduler

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// The years a cron() expression can name.
const (
	firstYear = 1970
	lastYear  = 2199
)

// cronRule is a parsed cron() expression: the values each field allows, and the zone whose
// wall clock the fields read.
type cronRule struct {
	minutes, hours, months, years values
	day                           dayRule // from the day-of-month or the day-of-week field
	loc                           *time.Location
}

// dayRule tells whether a cron expression allows a date.
type dayRule func(year int, month time.Month, day int) bool

// field describes one field of a cron expression, as
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-cron-expressions
// lists them.
type field struct {
	name     string
	min, max int
	names    []string // names[i] names the value min+i
	step     bool     // accepts '/'
	wrap     bool     // a range may run past max back to min, as 20-2 in the hours
}

var (
	minuteField = field{name: "minutes", min: 0, max: 59, step: true, wrap: true}
	hourField   = field{name: "hours", min: 0, max: 23, step: true, wrap: true}
	dayField    = field{name: "day-of-month", min: 1, max: 31, step: true, wrap: true}
	monthField  = field{name: "month", min: 1, max: 12, step: true, wrap: true,
		names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}}
	weekdayField = field{name: "day-of-week", min: 1, max: 7, wrap: true,
		names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}}
	yearField = field{name: "year", min: firstYear, max: lastYear, step: true}
)

// parseCron parses the six fields of cron(): Minutes Hours Day-of-month Month Day-of-week
// Year, read on loc's wall clock.
func parseCron(args string, loc *time.Location) (*cronRule, error) {
	f := strings.Fields(args)
	if len(f) != 6 {
		return nil, fmt.Errorf("cron() takes 6 fields (minutes hours day-of-month month day-of-week year), not %d", len(f))
	}
	c := &cronRule{loc: loc}
	var errs [6]error
	c.minutes, errs[0] = minuteField.parse(f[0])
	c.hours, errs[1] = hourField.parse(f[1])
	c.months, errs[2] = monthField.parse(f[3])
	c.years, errs[3] = yearField.parse(f[5])
	c.day, errs[4] = parseDays(f[2], f[4])
	return c, errors.Join(errs[:]...)
}

// parseDays parses the day-of-month and day-of-week fields, exactly one of which must be '?'.
func parseDays(monthDay, weekDay string) (dayRule, error) {
	switch {
	case monthDay == "?" && weekDay == "?":
		return nil, errors.New("use ? in one of day-of-month and day-of-week, not both")
	case weekDay == "?":
		return parseMonthDay(monthDay)
	case monthDay == "?":
		return parseWeekDay(weekDay)
	}
	return nil, errors.New("day-of-month and day-of-week cannot both be set: use ? in one of them")
}

// parseMonthDay parses the day-of-month field: L (the last day), nW (the weekday nearest the
// nth) or values.
func parseMonthDay(s string) (dayRule, error) {
	switch {
	case s == "L":
		return func(y int, m time.Month, d int) bool { return d == lastDay(y, m) }, nil
	case strings.HasSuffix(s, "W"):
		n, err := dayField.value(strings.TrimSuffix(s, "W"))
		return func(y int, m time.Month, d int) bool { return d == nearestWeekday(y, m, n) }, err
	}
	set, err := dayField.parse(s)
	return func(_ int, _ time.Month, d int) bool { return set.has(d) }, err
}

// parseWeekDay parses the day-of-week field: L (Saturday, the last day of the week), nL (the
// month's last day n), n#k (the month's kth day n) or values; 1 is Sunday.
func parseWeekDay(s string) (dayRule, error) {
	if s == "L" {
		s = "7"
	}
	if day, nth, ok := strings.Cut(s, "#"); ok {
		if strings.Contains(s, ",") {
			return nil, errors.New("day-of-week: with # the field holds one expression only")
		}
		wd, err := weekdayField.value(day)
		k, kerr := number(nth)
		if err == nil && (kerr != nil || k < 1 || k > 5) {
			err = fmt.Errorf("day-of-week: %q: the instance after # must be from 1 to 5", s)
		}
		return func(y int, m time.Month, d int) bool { return weekday(y, m, d) == wd && (d-1)/7+1 == k }, err
	}
	if day, ok := strings.CutSuffix(s, "L"); ok {
		wd, err := weekdayField.value(day)
		return func(y int, m time.Month, d int) bool { return weekday(y, m, d) == wd && d+7 > lastDay(y, m) }, err
	}
	set, err := weekdayField.parse(s)
	return func(y int, m time.Month, d int) bool { return set.has(weekday(y, m, d)) }, err
}

// parse parses a list of values, ranges and steps: v, a-b, *, with an optional /step.
func (f field) parse(s string) (values, error) {
	set := values{min: f.min}
	for part := range strings.SplitSeq(s, ",") {
		if err := f.add(&set, part); err != nil {
			return set, err
		}
	}
	return set, nil
}

// add adds the values of one part of a list to set.
func (f field) add(set *values, part string) error {
	span, stepText, stepped := strings.Cut(part, "/")
	step := 1
	if stepped {
		n, err := number(stepText)
		if !f.step {
			return fmt.Errorf("%s: / is not allowed in this field", f.name)
		}
		if err != nil || n < 1 || n > f.max {
			return fmt.Errorf("%s: the step in %q must be from 1 to %d", f.name, part, f.max)
		}
		step = n
	}
	lo, hi, err := f.bounds(span, stepped)
	if err != nil {
		return err
	}
	size := f.max - f.min + 1
	for off := 0; off <= (hi-lo+size)%size; off += step {
		set.add(f.min + (lo-f.min+off)%size)
	}
	return nil
}

// bounds reads "*", "v" or "a-b". A stepped single value, v/n, runs from v to the end.
func (f field) bounds(span string, stepped bool) (lo, hi int, err error) {
	if span == "*" {
		return f.min, f.max, nil
	}
	a, b, isRange := strings.Cut(span, "-")
	if lo, err = f.value(a); err != nil {
		return 0, 0, err
	}
	switch {
	case isRange:
		if hi, err = f.value(b); err == nil && hi < lo && !f.wrap {
			err = fmt.Errorf("%s: the range %q runs backwards", f.name, span)
		}
		return lo, hi, err
	case stepped:
		return lo, f.max, nil
	}
	return lo, lo, nil
}

// value reads one value of the field: a number or, where the field has them, a name in any
// case.
func (f field) value(s string) (int, error) {
	for i, name := range f.names {
		if strings.EqualFold(s, name) {
			return f.min + i, nil
		}
	}
	n, err := number(s)
	if err != nil || n < f.min || n > f.max {
		return 0, fmt.Errorf("%s: %q is not a value from %d to %d", f.name, s, f.min, f.max)
	}
	return n, nil
}

// next returns the first occurrence strictly after t, or the zero Time when there is none
// before the end of lastYear.
func (c *cronRule) next(t time.Time) time.Time {
	wall := wallClock(t.In(c.loc)).Truncate(time.Minute).Add(time.Minute)
	for {
		var ok bool
		if wall, ok = c.nextWall(wall); !ok {
			return time.Time{}
		}
		// A reading that the clock skips never fires; one that it passes twice fires once,
		// the first time, which may be at or before t.
		if at, ok := earliest(wall, c.loc); ok && at.After(t) {
			return at
		}
		wall = wall.Add(time.Minute)
	}
}

// nextWall returns the first wall-clock reading at or after wall (a time in UTC, to the
// minute) that the rule matches.
func (c *cronRule) nextWall(wall time.Time) (time.Time, bool) {
	if wall.Year() < firstYear {
		wall = time.Date(firstYear, time.January, 1, 0, 0, 0, 0, time.UTC)
	}
	for wall.Year() <= lastYear {
		y, m, d := wall.Date()
		switch {
		case !c.years.has(y):
			wall = time.Date(y+1, time.January, 1, 0, 0, 0, 0, time.UTC)
		case !c.months.has(int(m)):
			wall = time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
		case !c.day(y, m, d):
			wall = time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
		case !c.hours.has(wall.Hour()):
			wall = time.Date(y, m, d, wall.Hour()+1, 0, 0, 0, time.UTC)
		case !c.minutes.has(wall.Minute()):
			wall = wall.Add(time.Minute)
		default:
			return wall, true
		}
	}
	return time.Time{}, false
}

// lastDay returns the number of days in a month.
func lastDay(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// weekday returns the day of the week of a date, 1 for Sunday to 7 for Saturday.
func weekday(y int, m time.Month, d int) int {
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()) + 1
}

// nearestWeekday returns the day, Monday to Friday and in the same month, nearest to day n:
// a Saturday moves to Friday and a Sunday to Monday, unless that leaves the month. It returns
// 0 when the month has no day n.
func nearestWeekday(y int, m time.Month, n int) int {
	last := lastDay(y, m)
	if n > last {
		return 0
	}
	switch weekday(y, m, n) {
	case 7: // Saturday
		if n == 1 {
			return 3
		}
		return n - 1
	case 1: // Sunday
		if n == last {
			return n - 2
		}
		return n + 1
	}
	return n
}

// values is a set of values of one field, from min to min+255.
type values struct {
	min  int
	bits [4]uint64
}

// add adds v, which must be within the set's range.
func (s *values) add(v int) {
	i := v - s.min
	s.bits[i/64] |= 1 << (i % 64)
}

// has tells whether v is in the set.
func (s values) has(v int) bool {
	i := v - s.min
	return i >= 0 && i < 256 && s.bits[i/64]&(1<<(i%64)) != 0
}
