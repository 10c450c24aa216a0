package money

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// nbsp (U+00A0 NO-BREAK SPACE) keeps an amount and its currency on one line.
const nbsp = "\u00a0"

// numberStyle is how a locale writes the digits and separators of a number.
type numberStyle struct {
	zero  rune   // the locale's digit zero; the other digits follow it
	group string // thousands separator; "" for none
	point string // decimal separator
}

var (
	plain   = numberStyle{zero: '0', point: "."}
	english = numberStyle{zero: '0', group: ",", point: "."}
	persian = numberStyle{zero: '۰', group: "٬", point: "٫"} // U+06F0, U+066C, U+066B
)

// englishSymbols are the currencies written with a symbol before the amount in English.
var englishSymbols = map[string]string{
	"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CAD": "CA$", "AUD": "A$",
}

// persianNames are the currencies written with their Persian name after the amount.
var persianNames = map[string]string{
	"IRR": "ریال", "IRT": "تومان", "USD": "دلار", "EUR": "یورو", "GBP": "پوند",
}

// Format writes d as an amount of currency for locale, rounded half away from zero to the
// currency's MinorUnits. Only the locale's language matters: "fa" gets Persian digits and
// separators with the currency name after the number ("۱٬۲۵۰٬۰۰۰ ریال"); any other language
// gets English style with a symbol or the ISO code before it ("$1,234.50", "CHF 1,234.50").
// The space between an amount and a code or name is U+00A0. An amount that rounds to zero has
// no minus sign. The currency code is matched case-insensitively; an empty one is left out.
func Format(d Decimal, currency, locale string) string {
	code := strings.ToUpper(currency)
	places := MinorUnits(code)
	d = d.Round(places)
	var buf [128]byte
	if Language(locale) == "fa" {
		return string(appendPersian(buf[:0], d, code, places))
	}
	return string(appendEnglish(buf[:0], d, code, places))
}

// appendEnglish appends d in English style: -$1,234.50 or -CHF 1,234.50.
func appendEnglish(dst []byte, d Decimal, code string, places int) []byte {
	if d.Sign() < 0 {
		dst = append(dst, '-')
	}
	if sym, ok := englishSymbols[code]; ok {
		dst = append(dst, sym...)
	} else if code != "" {
		dst = append(append(dst, code...), nbsp...)
	}
	return appendNumber(dst, d, places, english)
}

// appendPersian appends d in Persian style: -۱٬۲۳۴٫۵۰ دلار.
func appendPersian(dst []byte, d Decimal, code string, places int) []byte {
	if d.Sign() < 0 {
		dst = append(dst, '-')
	}
	dst = appendNumber(dst, d, places, persian)
	name, ok := persianNames[code]
	if !ok {
		name = code
	}
	if name == "" {
		return dst
	}
	return append(append(dst, nbsp...), name...)
}

// appendNumber appends |d| in style st with exactly places decimals, padding with zeros;
// places must be at least d's scale.
func appendNumber(dst []byte, d Decimal, places int, st numberStyle) []byte {
	p := uint64(pow10[d.scale])
	var tmp [20]byte
	dst = appendGrouped(dst, strconv.AppendUint(tmp[:0], d.abs()/p, 10), st)
	if places == 0 {
		return dst
	}
	dst = append(dst, st.point...)
	// p + fraction has a leading 1 followed by exactly scale digits, zero-padded.
	frac := strconv.AppendUint(tmp[:0], p+d.abs()%p, 10)[1:]
	for _, c := range frac {
		dst = st.appendDigit(dst, c)
	}
	for range places - d.scale {
		dst = st.appendDigit(dst, '0')
	}
	return dst
}

// appendGrouped appends the ASCII digits ds in style st, separating thousands.
func appendGrouped(dst, ds []byte, st numberStyle) []byte {
	for i, c := range ds {
		if i > 0 && st.group != "" && (len(ds)-i)%3 == 0 {
			dst = append(dst, st.group...)
		}
		dst = st.appendDigit(dst, c)
	}
	return dst
}

// appendDigit appends the ASCII digit c as st writes it.
func (st numberStyle) appendDigit(dst []byte, c byte) []byte {
	return utf8.AppendRune(dst, st.zero+rune(c-'0'))
}

// Digits returns s with its ASCII digits turned into Persian digits (U+06F0..U+06F9) when
// locale's language is "fa", for quantities and dates; for any other locale it returns s.
func Digits(s, locale string) string {
	if Language(locale) != "fa" {
		return s
	}
	return strings.Map(func(r rune) rune {
		if '0' <= r && r <= '9' {
			return persian.zero + r - '0'
		}
		return r
	}, s)
}

// Language returns the lower-case primary language subtag of a BCP 47 locale tag: "fa" for
// "fa-IR", "FA_ir" or "fa", "en" for "en-US", "" for "". "_" counts as "-", and a POSIX
// suffix such as ".UTF-8" or "@euro" is ignored.
func Language(locale string) string {
	tag := strings.TrimSpace(locale)
	if i := strings.IndexAny(tag, "-_.@"); i >= 0 {
		tag = tag[:i]
	}
	return strings.ToLower(tag)
}
