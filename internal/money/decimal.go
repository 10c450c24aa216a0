// Package money holds exact decimal amounts of money and formats them for the locales the
// emails are rendered in (English and Persian). Amounts never go through float arithmetic.
package money

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxDigits is the most digits an amount's coefficient may have, so that every amount
// fits an int64 and its String parses back.
const maxDigits = 18

// maxCoef is the largest coefficient with maxDigits digits.
const maxCoef = 1e18 - 1

// maxScale is the most digits an amount may have after the decimal point.
const maxScale = 18

// maxQuoted is how many characters of a rejected input an error message quotes.
const maxQuoted = 40

// pow10[i] is 10 to the i-th power, for every scale a Decimal can have.
var pow10 = [maxScale + 1]int64{
	1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
}

// ErrOverflow is wrapped by every error about an amount too large to be held exactly: one
// whose coefficient (its digits without the decimal point) has more than 18 digits.
var ErrOverflow = errors.New("money: amount out of range (more than 18 digits)")

// Decimal is an exact decimal number: coef × 10^-scale. It remembers its scale, so "129.90"
// stays "129.90". Its coefficient has at most 18 digits, except after NewFromInt of a larger
// integer. The zero value is 0.
type Decimal struct {
	coef  int64
	scale int // 0..maxScale
}

// NewFromInt returns the integer i as a Decimal with scale 0. An i of more than 18 digits is
// kept, but Add and Mul report results that large as overflow and ParseDecimal rejects its
// String.
func NewFromInt(i int64) Decimal { return Decimal{coef: i} }

// MustParse is ParseDecimal for constants and tests: it panics when s is not a valid amount.
func MustParse(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

// ParseDecimal parses the text of a JSON number ("129.90", "-3", "1e2", "2.5E-1") exactly,
// keeping the scale it is written with. It rejects anything that is not a JSON number (empty
// text, NaN, Inf, hexadecimal, a leading "+" or zero, stray characters), more than 18
// significant digits, more than 18 decimal places and values of more than 18 digits ("1e18"),
// the last wrapping ErrOverflow.
func ParseDecimal(s string) (Decimal, error) {
	if s == "" {
		return Decimal{}, errors.New("money: empty amount")
	}
	if why := notDecimal(s); why != "" {
		return Decimal{}, invalid(s, why)
	}
	n, why := scan(s)
	if why != "" {
		return Decimal{}, invalid(s, why)
	}
	return n.decimal(s)
}

// notDecimal names the common non-JSON spellings of a number that s uses, or returns "".
func notDecimal(s string) string {
	body := strings.TrimPrefix(s, "-")
	switch {
	case s[0] == '+':
		return `leading "+" is not allowed`
	case strings.EqualFold(body, "nan"), strings.EqualFold(body, "inf"), strings.EqualFold(body, "infinity"):
		return "not a finite number"
	case len(body) > 1 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X'):
		return "hexadecimal is not allowed"
	}
	return ""
}

// number is the parts of a JSON number: -?int(.frac)?([eE][+-]?exp)?
type number struct {
	neg           bool
	integer, frac string
	expNeg        bool
	exp           string
}

// scan splits s into the parts of a JSON number, or says why it is not one.
func scan(s string) (number, string) {
	var n number
	i := 0
	if s[i] == '-' {
		n.neg, i = true, 1
	}
	n.integer, i = digitsAt(s, i)
	switch {
	case n.integer == "":
		return n, unexpected(s, i)
	case len(n.integer) > 1 && n.integer[0] == '0':
		return n, "leading zero"
	}
	if i < len(s) && s[i] == '.' {
		if n.frac, i = digitsAt(s, i+1); n.frac == "" {
			return n, `missing digits after "."`
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			n.expNeg, i = s[i] == '-', i+1
		}
		if n.exp, i = digitsAt(s, i); n.exp == "" {
			return n, "missing exponent digits"
		}
	}
	if i < len(s) {
		return n, unexpected(s, i)
	}
	return n, ""
}

// digitsAt returns the run of ASCII digits in s starting at i, and the index after it.
func digitsAt(s string, i int) (string, int) {
	j := i
	for j < len(s) && '0' <= s[j] && s[j] <= '9' {
		j++
	}
	return s[i:j], j
}

// unexpected describes the character at s[i], or the end of s.
func unexpected(s string, i int) string {
	if i >= len(s) {
		return "missing digits"
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return fmt.Sprintf("unexpected %q at offset %d", string(r), i)
}

// decimal converts the parts of the number s into a Decimal.
func (n number) decimal(s string) (Decimal, error) {
	digits := strings.TrimLeft(n.integer+n.frac, "0")
	if len(digits) > maxDigits {
		return Decimal{}, invalid(s, fmt.Sprintf("more than %d significant digits", maxDigits))
	}
	coef, _ := strconv.ParseInt("0"+digits, 10, 64) // at most 18 digits: cannot fail
	if n.neg {
		coef = -coef
	}
	scale := len(n.frac) - n.exponent()
	switch {
	case scale > maxScale:
		return Decimal{}, invalid(s, fmt.Sprintf("more than %d decimal places", maxScale))
	case scale >= 0:
		return Decimal{coef: coef, scale: scale}, nil
	case coef == 0:
		return Decimal{}, nil
	case -scale > maxScale:
		return Decimal{}, fmt.Errorf("%w: %s", ErrOverflow, quote(s))
	}
	c, ok := checked(mul64(coef, pow10[-scale]))
	if !ok {
		return Decimal{}, fmt.Errorf("%w: %s", ErrOverflow, quote(s))
	}
	return Decimal{coef: c}, nil
}

// exponent is the value of the exponent, clamped to ±99999 (far beyond any valid amount).
func (n number) exponent() int {
	e := 99999
	if digits := strings.TrimLeft(n.exp, "0"); len(digits) < 5 {
		e, _ = strconv.Atoi("0" + digits)
	}
	if n.expNeg {
		return -e
	}
	return e
}

// invalid is the error for the text s that is not a valid amount, for the reason why.
func invalid(s, why string) error {
	return fmt.Errorf("money: invalid amount %s: %s", quote(s), why)
}

// quote quotes s for an error message, cut to maxQuoted characters.
func quote(s string) string {
	n := 0
	for i := range s {
		if n == maxQuoted {
			return strconv.Quote(s[:i]) + "..."
		}
		n++
	}
	return strconv.Quote(s)
}

// String returns d in its canonical form, keeping its scale: "129.90", "-0.5", "100".
func (d Decimal) String() string {
	var buf [24]byte
	dst := buf[:0]
	if d.coef < 0 {
		dst = append(dst, '-')
	}
	return string(appendNumber(dst, d, d.scale, plain))
}

// Sign returns -1, 0 or +1 as d is negative, zero or positive.
func (d Decimal) Sign() int { return cmp.Compare(d.coef, 0) }

// IsZero reports whether d is zero, whatever its scale.
func (d Decimal) IsZero() bool { return d.coef == 0 }

// Cmp compares d and o by value, ignoring scale: -1 if d < o, 0 if d == o, +1 if d > o.
func (d Decimal) Cmp(o Decimal) int {
	di, df := d.split()
	oi, of := o.split()
	if c := cmp.Compare(di, oi); c != 0 {
		return c
	}
	// Both fractions are below 10^scale in magnitude, so aligning them cannot overflow.
	s := max(d.scale, o.scale)
	return cmp.Compare(df*pow10[s-d.scale], of*pow10[s-o.scale])
}

// split returns the integer part of d and its fraction in units of 10^-scale, both with d's sign.
func (d Decimal) split() (int64, int64) {
	p := pow10[d.scale]
	return d.coef / p, d.coef % p
}

// Add returns d + o exactly, with the larger of the two scales. It fails with an error
// wrapping ErrOverflow when the sum has more than 18 digits.
func (d Decimal) Add(o Decimal) (Decimal, error) {
	s := max(d.scale, o.scale)
	a, okA := d.rescale(s)
	b, okB := o.rescale(s)
	if sum, ok := checked(add64(a, b)); ok && okA && okB {
		return Decimal{coef: sum, scale: s}, nil
	}
	return Decimal{}, fmt.Errorf("%w: %s + %s", ErrOverflow, d, o)
}

// Mul returns d × q exactly, with d's scale (a unit price times a quantity). It fails with an
// error wrapping ErrOverflow when the product has more than 18 digits.
func (d Decimal) Mul(q int64) (Decimal, error) {
	c, ok := checked(mul64(d.coef, q))
	if !ok {
		return Decimal{}, fmt.Errorf("%w: %s * %d", ErrOverflow, d, q)
	}
	return Decimal{coef: c, scale: d.scale}, nil
}

// Round returns d rounded half away from zero to the given number of decimal places (negative
// places count as 0). A d with no more places than that is returned unchanged, scale included.
func (d Decimal) Round(places int) Decimal {
	places = max(places, 0)
	if places >= d.scale {
		return d
	}
	p := pow10[d.scale-places]
	q, r := d.coef/p, d.coef%p
	if r < 0 {
		r = -r
	}
	if 2*r >= p { // |r| < p <= 10^18, so 2*r cannot overflow
		q += int64(d.Sign())
	}
	return Decimal{coef: q, scale: places}
}

// rescale returns d's coefficient at the larger scale s, or false if it does not fit.
// Units returns d in units of 10^-places (e.g. cents for places 2), rounded as Round does;
// ok is false on overflow.
func (d Decimal) Units(places int) (int64, bool) {
	r := d.Round(places)
	if r.scale > places {
		return 0, false
	}
	return r.rescale(places)
}

func (d Decimal) rescale(s int) (int64, bool) { return mul64(d.coef, pow10[s-d.scale]) }

// abs returns |coef|, which fits a uint64 even for math.MinInt64.
func (d Decimal) abs() uint64 {
	if d.coef < 0 {
		return uint64(-(d.coef + 1)) + 1
	}
	return uint64(d.coef)
}

// checked passes on the result c of an operation that succeeded (ok) if c has at most
// maxDigits digits.
func checked(c int64, ok bool) (int64, bool) {
	return c, ok && -maxCoef <= c && c <= maxCoef
}

// add64 returns a + b, or false if it overflows.
func add64(a, b int64) (int64, bool) {
	c := a + b
	return c, (c > a) == (b > 0)
}

// mul64 returns a × b, or false if it overflows.
func mul64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	c := a * b
	if (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) || c/b != a {
		return 0, false
	}
	return c, true
}

// FromMinor is an amount counted in a currency's minor units (cents), e.g. 12990 USD is 129.90.
func FromMinor(units int64, currency string) Decimal {
	return Decimal{coef: units, scale: MinorUnits(currency)}
}
