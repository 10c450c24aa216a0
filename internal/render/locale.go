package render

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"shopmail/internal/ascii"
	"shopmail/internal/calendar"
	"shopmail/internal/money"
)

// Locale is the language an email or page is written in and how it shows numbers, money and
// dates. Email templates reach it as e.L (see Email), page templates take it as a parameter;
// its methods return plain text, which templ then escapes like any other string.
type Locale struct {
	Tag  string // BCP 47 tag of the contact, e.g. "fa-IR"; "en" when unknown
	Lang string // the language the email is written in: "en" or "fa"
	Dir  string // "ltr" or "rtl"
	tz   *time.Location
}

// LocaleFor chooses the email language from the contact's locale, English when there is no
// translation, and the time zone used for dates (UTC when unknown).
func LocaleFor(tag, timezone string) Locale {
	tag = NormalizeTag(tag)
	l := Locale{Tag: tag, Lang: "en", Dir: "ltr", tz: time.UTC}
	if _, ok := catalog[money.Language(tag)]; ok {
		l.Lang = money.Language(tag)
	}
	if l.Lang == "fa" {
		l.Dir = "rtl"
	}
	if l.Tag == "" {
		l.Tag = l.Lang
	}
	if loc, err := location(timezone); err == nil && timezone != "" {
		l.tz = loc
	}
	return l
}

// tagShape is a BCP 47 tag as far as emails and pages need one: a language, then up to three
// subtags (script, region, variant), e.g. "fa-IR", "zh-Hant-TW":
// `^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$`, checked byte by byte rather than by a regular
// expression compiled at every function's start.
var tagShape = ascii.Tag{Seps: "-", First: ascii.Part{Min: 2, Max: 3, Class: ascii.Letter},
	Rest: ascii.Part{Min: 2, Max: 8, Class: ascii.Alnum}, MaxRest: 3}

// NormalizeTag returns tag as a well-formed BCP 47 tag in its canonical case ("fa-IR"), or ""
// when it is not one. POSIX style ("fa_IR"), as some shops send it, is accepted. Every locale
// that comes from outside (a form, an order event) goes through it, and so does every locale
// read back, so that nothing stored can become a header the email builder refuses.
func NormalizeTag(tag string) string {
	tag = strings.ReplaceAll(strings.TrimSpace(tag), "_", "-")
	if len(tag) > 35 || !tagShape.Match(tag) {
		return ""
	}
	parts := strings.Split(tag, "-")
	parts[0] = strings.ToLower(parts[0])
	for i, p := range parts[1:] {
		switch {
		case len(p) == 2:
			parts[i+1] = strings.ToUpper(p)
		case len(p) == 4:
			parts[i+1] = strings.ToUpper(p[:1]) + strings.ToLower(p[1:])
		default:
			parts[i+1] = strings.ToLower(p)
		}
	}
	return strings.Join(parts, "-")
}

// locations keeps the time zones loaded: time.LoadLocation reads and parses the zone's file
// each time, a thirteenth of an order's handling.
var locations sync.Map // name → *time.Location

func location(name string) (*time.Location, error) {
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	locations.Store(name, loc)
	return loc, nil
}

// Start is the side text starts on: "left" for ltr, "right" for rtl (for inline styles,
// which many mail clients need instead of logical properties).
func (l Locale) Start() string {
	if l.Dir == "rtl" {
		return "right"
	}
	return "left"
}

// End is the side opposite Start.
func (l Locale) End() string {
	if l.Dir == "rtl" {
		return "left"
	}
	return "right"
}

// T returns the translation of key, formatted with args. Integer arguments are shown with the
// locale's digits, so translations take every argument as %s.
func (l Locale) T(key string, args ...any) string {
	s, ok := catalog[l.Lang][key]
	if !ok {
		s, ok = catalog["en"][key]
	}
	if !ok {
		return key
	}
	for i, a := range args {
		switch v := a.(type) {
		case int:
			args[i] = l.Number(int64(v))
		case int64:
			args[i] = l.Number(v)
		}
	}
	return fmt.Sprintf(s, args...)
}

// Money formats an amount in a currency for the locale.
func (l Locale) Money(d money.Decimal, currency string) string {
	return money.Format(d, currency, l.Lang)
}

// Number shows an integer with the locale's digits.
func (l Locale) Number(n int64) string { return money.Digits(strconv.FormatInt(n, 10), l.Lang) }

// Date shows the calendar day of t in the contact's time zone: "22 November 2026" in English,
// the Solar Hijri date with Persian digits ("۱ آذر ۱۴۰۵") in Persian.
func (l Locale) Date(t time.Time) string { return l.Day(calendar.DateOf(t.In(l.tz))) }

// Day shows a calendar day in the contact's calendar, as Date does: a day is the same
// everywhere (a greeting card's), so no time zone moves it.
func (l Locale) Day(d calendar.Date) string {
	if l.Lang == "fa" {
		y, m, day := calendar.ToPersian(d)
		return money.Digits(fmt.Sprintf("%d %s %d", day, calendar.PersianMonths[m-1], y), "fa")
	}
	return fmt.Sprintf("%d %s %d", d.Day, d.Month, d.Year)
}

// DateTime is Date with the time of day in the contact's time zone, for what starts or ends
// at an hour (a sale): "19 December 2026, 18:00", "۲۸ آذر ۱۴۰۵، ساعت ۱۸:۰۰".
func (l Locale) DateTime(t time.Time) string {
	return l.T("datetime", l.Date(t), money.Digits(t.In(l.tz).Format("15:04"), l.Lang))
}

// Percent shows a whole percentage with the locale's digits and percent sign: "30%", "۳۰٪".
func (l Locale) Percent(n int64) string {
	if l.Lang == "fa" {
		return l.Number(n) + "٪"
	}
	return l.Number(n) + "%"
}

// Hello is the greeting of an email: by first name, or a plain one without it.
func (l Locale) Hello(firstName string) string {
	if firstName == "" {
		return l.T("hello.anon")
	}
	return l.T("hello", firstName)
}

// Location returns the IANA time zone of the name (cached; an error for an unknown one).
func Location(name string) (*time.Location, error) { return location(name) }
