package calendar

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"shopmail/internal/fault"
)

// MonthDay is a day of a month of one of the calendars.
type MonthDay struct {
	Month int `json:"month"`
	Day   int `json:"day"`
}

// Weekday is a day of the week, in JSON by its English name in lower case ("sunday").
type Weekday time.Weekday

// MarshalText writes the weekday's name.
func (w Weekday) MarshalText() ([]byte, error) {
	if w < 0 || w > 6 {
		return nil, fmt.Errorf("weekday %d", int(w))
	}
	return []byte(strings.ToLower(time.Weekday(w).String())), nil
}

// UnmarshalText reads a weekday's name, in any case.
func (w *Weekday) UnmarshalText(b []byte) error {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(string(b), d.String()) {
			*w = Weekday(d)
			return nil
		}
	}
	return fmt.Errorf("%q is not a weekday (sunday to saturday)", b)
}

// WeekdayRule is the nth weekday of a month ("the second Sunday of May"); Nth -1 is the last
// ("the last Tuesday of Esfand"), -2 the one before. The month is Gregorian unless Calendar
// is "persian".
type WeekdayRule struct {
	Calendar string   `json:"calendar,omitempty"`
	Month    int      `json:"month"`
	Weekday  *Weekday `json:"weekday"`
	Nth      int      `json:"nth"`
}

// Rule says on which day an occasion falls each year: exactly one of a fixed Gregorian date,
// a fixed Persian solar date, a fixed lunar Hijri date (from the lunar table) or a weekday
// rule, then OffsetDays later ("the day after the fourth Thursday of November" is the fourth
// Thursday with OffsetDays 1).
type Rule struct {
	Gregorian  *MonthDay    `json:"gregorian,omitempty"`
	Persian    *MonthDay    `json:"persian,omitempty"`
	Lunar      *MonthDay    `json:"lunar,omitempty"`
	Weekday    *WeekdayRule `json:"weekday,omitempty"`
	OffsetDays int          `json:"offsetDays,omitempty"`
}

// MaxOffsetDays bounds a rule's offset.
const MaxOffsetDays = 60

// Validate reports every problem of the rule, as a *fault.FieldError by JSON path.
func (r Rule) Validate() error {
	fe := &fault.FieldError{What: "rule"}
	n := 0
	if r.Gregorian != nil {
		n++
		monthDay(fe, "gregorian", *r.Gregorian, func(m int) int { return [12]int{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1] })
	}
	if r.Persian != nil {
		n++
		monthDay(fe, "persian", *r.Persian, func(m int) int { return [12]int{31, 31, 31, 31, 31, 31, 30, 30, 30, 30, 30, 30}[m-1] })
	}
	if r.Lunar != nil {
		n++
		monthDay(fe, "lunar", *r.Lunar, func(int) int { return 30 })
	}
	if w := r.Weekday; w != nil {
		n++
		if w.Calendar != "" && w.Calendar != Gregorian && w.Calendar != Persian {
			fe.Add("weekday.calendar", "must be gregorian (the default) or persian")
		}
		if w.Month < 1 || w.Month > 12 {
			fe.Add("weekday.month", "must be 1 to 12")
		}
		if w.Weekday == nil {
			fe.Add("weekday.weekday", "is required: sunday to saturday")
		}
		if w.Nth == 0 || w.Nth < -5 || w.Nth > 5 {
			fe.Add("weekday.nth", "must be 1 to 5 (the first to the fifth), or -1 to -5 (the last, the one before...)")
		}
	}
	if n != 1 {
		fe.Add("", "give exactly one of gregorian, persian, lunar or weekday")
	}
	if r.OffsetDays < -MaxOffsetDays || r.OffsetDays > MaxOffsetDays {
		fe.Add("offsetDays", fmt.Sprintf("must be -%d to %d", MaxOffsetDays, MaxOffsetDays))
	}
	if len(fe.Fields) > 0 {
		return fe
	}
	return nil
}

func monthDay(fe *fault.FieldError, path string, md MonthDay, longest func(int) int) {
	if md.Month < 1 || md.Month > 12 {
		fe.Add(path+".month", "must be 1 to 12")
		return
	}
	if n := longest(md.Month); md.Day < 1 || md.Day > n {
		fe.Add(path+".day", fmt.Sprintf("must be 1 to %d in month %d", n, md.Month))
	}
}

// Matches reports whether the rule falls on d. A lunar rule on a day the lunar table does
// not cover is an error wrapping ErrOutsideLunarTable: never a guess.
func (r Rule) Matches(d Date, lunar LunarTable) (bool, error) {
	e := d.AddDays(-r.OffsetDays) // the day the rule names, before its offset
	switch {
	case r.Gregorian != nil:
		return int(e.Month) == r.Gregorian.Month && e.Day == r.Gregorian.Day, nil
	case r.Persian != nil:
		_, m, day := ToPersian(e)
		return m == r.Persian.Month && day == r.Persian.Day, nil
	case r.Lunar != nil:
		_, m, day, err := lunar.ToLunar(e)
		if err != nil {
			return false, err
		}
		return m == r.Lunar.Month && day == r.Lunar.Day, nil
	case r.Weekday != nil:
		w := r.Weekday
		if w.Weekday == nil || e.Weekday() != time.Weekday(*w.Weekday) {
			return false, nil
		}
		m, day, length := int(e.Month), e.Day, 0
		if w.Calendar == Persian {
			var y int
			y, m, day = ToPersian(e)
			length = persianMonthLength(y, m)
		} else {
			length = e.At(12, time.UTC).AddDate(0, 1, -e.Day).Day()
		}
		if m != w.Month {
			return false, nil
		}
		if w.Nth > 0 {
			return (day-1)/7+1 == w.Nth, nil
		}
		return (length-day)/7+1 == -w.Nth, nil
	}
	return false, errors.New("a rule names no day")
}

// MaxSearchDays is how far ahead Next looks: eight years, enough for 29 February.
const MaxSearchDays = 8*366 + 1

// Next is the first day from from (itself included) that the rule falls on. A lunar rule
// stops at the end of the lunar table with ErrOutsideLunarTable.
func (r Rule) Next(from Date, lunar LunarTable) (Date, error) {
	d := from
	for range MaxSearchDays {
		ok, err := r.Matches(d, lunar)
		if err != nil {
			return Date{}, fmt.Errorf("no day found before the end of the lunar table: %w", err)
		}
		if ok {
			return d, nil
		}
		d = d.AddDays(1)
	}
	return Date{}, fmt.Errorf("no day in the %d days from %s", MaxSearchDays, from)
}
