package calendar

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// MonthStart is the observed first day of a lunar Hijri month.
type MonthStart struct {
	Year  int    `json:"year"`
	Month int    `json:"month"`
	Start string `json:"start"` // YYYY-MM-DD
}

// LunarTable is Iran's lunar Hijri calendar as observed: consecutive month starts, in order,
// and where they come from. It covers the days from its first start to 28 days after its
// last (every lunar month has at least 29 days); a day outside is ErrOutsideLunarTable,
// never guessed.
type LunarTable struct {
	Source string       `json:"source"`
	Months []MonthStart `json:"months"`

	starts []Date // Months' starts, parsed (by index)
}

// ErrOutsideLunarTable is a lunar date, or a day, the table does not cover.
var ErrOutsideLunarTable = errors.New("outside the lunar table")

// Limits of a lunar table.
const (
	MaxLunarMonths = 1200 // a century
	MaxSourceLen   = 1000
)

//go:embed lunar.json
var lunarJSON []byte

var defaultLunar = sync.OnceValue(func() LunarTable {
	var t LunarTable
	if err := json.Unmarshal(lunarJSON, &t); err != nil {
		panic("calendar: the lunar table that ships is not JSON: " + err.Error())
	}
	if err := t.Validate(); err != nil {
		panic("calendar: the lunar table that ships is invalid: " + err.Error())
	}
	return t
})

// DefaultLunar is the lunar table that ships with the project (lunar.json, with its source).
func DefaultLunar() LunarTable { return defaultLunar() }

// Validate checks that the months follow each other (month 12 then month 1 of the next
// year) and last 29 or 30 days, and parses the starts for the lookups.
func (t *LunarTable) Validate() error {
	switch {
	case len(t.Months) < 2:
		return errors.New("at least two consecutive month starts are needed")
	case len(t.Months) > MaxLunarMonths:
		return fmt.Errorf("at most %d months", MaxLunarMonths)
	case len(t.Source) > MaxSourceLen:
		return fmt.Errorf("source: at most %d bytes", MaxSourceLen)
	}
	starts := make([]Date, len(t.Months))
	for i, m := range t.Months {
		d, err := ParseDate(m.Start)
		if err != nil {
			return fmt.Errorf("months[%d].start: %v", i, err)
		}
		if m.Month < 1 || m.Month > 12 || m.Year < 1 || m.Year > 9999 {
			return fmt.Errorf("months[%d]: month must be 1 to 12 and year 1 to 9999", i)
		}
		starts[i] = d
		if i == 0 {
			continue
		}
		p := t.Months[i-1]
		if !(m.Year == p.Year && m.Month == p.Month+1 || m.Year == p.Year+1 && m.Month == 1 && p.Month == 12) {
			return fmt.Errorf("months[%d]: %d/%d does not follow %d/%d", i, m.Year, m.Month, p.Year, p.Month)
		}
		if n := d.Sub(starts[i-1]); n != 29 && n != 30 {
			return fmt.Errorf("months[%d]: %d/%d would last %d days; a lunar month lasts 29 or 30", i-1, p.Year, p.Month, n)
		}
	}
	t.starts = starts
	return nil
}

func (t *LunarTable) parsed() []Date {
	if t.starts == nil && t.Validate() != nil {
		return nil
	}
	return t.starts
}

// Range is the first and last day the table covers.
func (t LunarTable) Range() (first, last Date) {
	s := t.parsed()
	if len(s) == 0 {
		return Date{}, Date{}
	}
	return s[0], s[len(s)-1].AddDays(28)
}

// ToLunar is the lunar date of the day (year, month 1-12, day 1-30).
func (t LunarTable) ToLunar(d Date) (year, month, day int, err error) {
	s := t.parsed()
	first, last := t.Range()
	if len(s) == 0 || d.Before(first) || last.Before(d) {
		return 0, 0, 0, fmt.Errorf("%s is %w", d, ErrOutsideLunarTable)
	}
	// The month is the last whose start is not after d: a binary search over the starts.
	lo, hi := 0, len(s)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if d.Before(s[mid]) {
			hi = mid - 1
		} else {
			lo = mid
		}
	}
	return t.Months[lo].Year, t.Months[lo].Month, d.Sub(s[lo]) + 1, nil
}
