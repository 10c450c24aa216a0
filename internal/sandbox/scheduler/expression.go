package scheduler

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
)

// expression is a parsed ScheduleExpression: the instant of at(), or the rule that gives the
// occurrences of rate() and cron().
type expression struct {
	at    time.Time     // at(): when it fires
	every time.Duration // rate(): the interval
	cron  *cronRule     // cron(): the calendar rule
}

// recurring tells rate() and cron() from at().
func (e expression) recurring() bool { return e.every > 0 || e.cron != nil }

// next returns the first occurrence of a recurring expression strictly after t, or the zero
// Time when there is none. The occurrences of rate() are anchor + k×interval, k ≥ 0.
func (e expression) next(t, anchor time.Time) time.Time {
	if e.cron != nil {
		return e.cron.next(t)
	}
	if t.Before(anchor) {
		return anchor
	}
	return anchor.Add((t.Sub(anchor)/e.every + 1) * e.every)
}

// errExpressionForm is the error for an expression that is none of the three kinds.
var errExpressionForm = errors.New("the expression must be at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields)")

// parseExpression parses a ScheduleExpression whose wall-clock times are in loc.
func parseExpression(s string, loc *time.Location) (expression, error) {
	kind, args, ok := strings.Cut(s, "(")
	if !ok || !strings.HasSuffix(args, ")") {
		return expression{}, errExpressionForm
	}
	args = strings.TrimSuffix(args, ")")
	switch kind {
	case "at":
		return parseAt(args, loc)
	case "rate":
		return parseRate(args)
	case "cron":
		rule, err := parseCron(args, loc)
		return expression{cron: rule}, err
	}
	return expression{}, errExpressionForm
}

// atPattern is the form of an at() argument; time.Parse alone would also take one-digit hours
// and fractions of a second.
var atPattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$`)

// parseAt parses the argument of at(), a wall-clock time in loc.
func parseAt(arg string, loc *time.Location) (expression, error) {
	wall, err := time.Parse("2006-01-02T15:04:05", arg)
	if !atPattern.MatchString(arg) || err != nil {
		return expression{}, fmt.Errorf("at() takes a date and time as yyyy-mm-ddThh:mm:ss, not %q", arg)
	}
	if wall.Year() < firstYear || wall.Year() > lastYear {
		return expression{}, fmt.Errorf("at(): the year must be from %d to %d", firstYear, lastYear)
	}
	return expression{at: instant(wall, loc)}, nil
}

// rateUnits are the units of rate() and their length; a day is 24 hours.
var rateUnits = map[string]time.Duration{
	"minute": time.Minute, "minutes": time.Minute,
	"hour": time.Hour, "hours": time.Hour,
	"day": 24 * time.Hour, "days": 24 * time.Hour,
}

// parseRate parses the argument of rate(): a positive whole number, one space and a unit,
// singular for 1 and plural otherwise, as
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-rate-expressions
// requires.
func parseRate(arg string) (expression, error) {
	value, unit, _ := strings.Cut(arg, " ")
	n, err := number(value)
	if err != nil || n < 1 {
		return expression{}, fmt.Errorf("rate() takes a positive whole number, not %q", value)
	}
	length, ok := rateUnits[unit]
	if !ok {
		return expression{}, fmt.Errorf("rate() takes the unit minute, minutes, hour, hours, day or days, not %q", unit)
	}
	if plural := strings.HasSuffix(unit, "s"); plural == (n == 1) {
		return expression{}, fmt.Errorf("rate(%d %s): the unit must be singular for 1 and plural for more", n, unit)
	}
	if int64(n) > math.MaxInt64/int64(length) {
		return expression{}, fmt.Errorf("rate(%d %s) is too long an interval", n, unit)
	}
	return expression{every: time.Duration(n) * length}, nil
}

// instant returns when the wall clock in loc first reads wall. A time that the clock skips
// (when daylight saving time starts) is read as time.Date reads it, an hour later.
func instant(wall time.Time, loc *time.Location) time.Time {
	if t, ok := earliest(wall, loc); ok {
		return t
	}
	return time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), 0, loc)
}

// earliest returns the first instant whose wall clock in loc reads wall (a time in UTC that
// stands for a wall-clock reading), and false when that reading never happens. When daylight
// saving time ends, a reading happens twice and earliest returns the first.
func earliest(wall time.Time, loc *time.Location) (time.Time, bool) {
	var first time.Time
	found := false
	// The offsets in force a day before, at and a day after the reading cover any one
	// transition near it.
	for _, probe := range [...]time.Duration{-24 * time.Hour, 0, 24 * time.Hour} {
		_, offset := wall.Add(probe).In(loc).Zone()
		t := wall.Add(-time.Duration(offset) * time.Second)
		if wallClock(t.In(loc)).Equal(wall) && (!found || t.Before(first)) {
			first, found = t, true
		}
	}
	return first, found
}

// wallClock returns t's wall-clock reading as a time in UTC.
func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// number parses a whole number written with digits only, no sign.
func number(s string) (int, error) {
	if s == "" || len(s) > 9 || strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n, nil
}
