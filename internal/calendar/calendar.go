// Package calendar is the arithmetic of the three calendars a shop's occasions follow: the
// Gregorian, the Persian solar (Solar Hijri, by github.com/jalaali/go-jalaali) and Iran's
// lunar Hijri calendar as observed, which no formula gives and which therefore comes from a
// table of observed month starts (LunarTable). Days are civil days without a time zone
// (Date): which day it is for a customer is their time zone's business (DateOf).
package calendar

import (
	"fmt"
	"time"

	jalaali "github.com/jalaali/go-jalaali"
)

// Date is a civil day of the Gregorian calendar.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads a day as YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("not a date as YYYY-MM-DD: %q", s)
	}
	return DateOf(t), nil
}

// DateOf is the day t falls on in its own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String is the day as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// At is the time at hour:00 of the day in loc.
func (d Date) At(hour int, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, 0, 0, 0, loc)
}

// AddDays is the day n days later (earlier for a negative n).
func (d Date) AddDays(n int) Date { return DateOf(d.At(12, time.UTC).AddDate(0, 0, n)) }

// Weekday is the day of the week of the day.
func (d Date) Weekday() time.Weekday { return d.At(12, time.UTC).Weekday() }

// Sub is the number of days from e to d.
func (d Date) Sub(e Date) int { return int(d.At(12, time.UTC).Sub(e.At(12, time.UTC)).Hours() / 24) }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.Sub(e) < 0 }

// IsLeap reports whether the Gregorian year has a 29 February.
func IsLeap(year int) bool { return year%4 == 0 && (year%100 != 0 || year%400 == 0) }

// The calendars a rule can follow.
const (
	Gregorian = "gregorian"
	Persian   = "persian"
	Lunar     = "lunar"
)

// PersianMonths are the names of the Persian solar months, Farvardin first.
var PersianMonths = [12]string{"فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"}

// ToPersian is the Persian solar date of the day (year, month 1-12, day).
func ToPersian(d Date) (year, month, day int) {
	jy, jm, jd, err := jalaali.ToJalaali(d.Year, d.Month, d.Day)
	if err != nil { // only outside the years -61 to 3177
		return 0, 0, 0
	}
	return jy, int(jm), jd
}

// FromPersian is the day of a Persian solar date; false when there is no such date (30
// Esfand of a common year, 31 Mehr).
func FromPersian(year, month, day int) (Date, bool) {
	if !jalaali.IsValidDate(year, month, day) {
		return Date{}, false
	}
	y, m, d, err := jalaali.ToGregorian(year, jalaali.Month(month), day)
	if err != nil {
		return Date{}, false
	}
	return Date{y, m, d}, true
}

// persianMonthLength is the number of days of a Persian solar month.
func persianMonthLength(year, month int) int {
	n, err := jalaali.MonthLength(year, month)
	if err != nil {
		return 0
	}
	return n
}
