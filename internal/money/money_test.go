package money

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"golang.org/x/text/currency"
)

func TestParseDecimalValid(t *testing.T) {
	tests := []struct {
		in, want string
		scale    int
	}{
		{"0", "0", 0},
		{"-0", "0", 0},
		{"-0.0", "0.0", 1},
		{"3", "3", 0},
		{"-3", "-3", 0},
		{"0.5", "0.5", 1},
		{"-0.5", "-0.5", 1},
		{"129.90", "129.90", 2},
		{"24.95", "24.95", 2},
		{"1e2", "100", 0},
		{"1E+2", "100", 0},
		{"1e002", "100", 0},
		{"1.5e1", "15", 0},
		{"1.50e1", "15.0", 1},
		{"2.5E-1", "0.25", 2},
		{"1e-18", "0.000000000000000001", 18},
		{"0.000000000000000001", "0.000000000000000001", 18},
		{"0e99999999999999999999", "0", 0},
		{"999999999999999999", "999999999999999999", 0},
		{"-999999999999999999", "-999999999999999999", 0},
		{"9.99999999999999999e17", "999999999999999999", 0},
		{"-1.5e17", "-150000000000000000", 0},
	}
	for _, tt := range tests {
		d, err := ParseDecimal(tt.in)
		if err != nil {
			t.Errorf("ParseDecimal(%q): %v", tt.in, err)
			continue
		}
		if got := d.String(); got != tt.want || d.scale != tt.scale {
			t.Errorf("ParseDecimal(%q) = %s (scale %d), want %s (scale %d)", tt.in, got, d.scale, tt.want, tt.scale)
		}
	}
}

func TestParseDecimalInvalid(t *testing.T) {
	long := strings.Repeat("1", 60)
	tests := []struct {
		in, want string // want: the whole error message
	}{
		{"", "money: empty amount"},
		{"NaN", `money: invalid amount "NaN": not a finite number`},
		{"-nan", `money: invalid amount "-nan": not a finite number`},
		{"Inf", `money: invalid amount "Inf": not a finite number`},
		{"-Infinity", `money: invalid amount "-Infinity": not a finite number`},
		{"0x1F", `money: invalid amount "0x1F": hexadecimal is not allowed`},
		{"-0X10", `money: invalid amount "-0X10": hexadecimal is not allowed`},
		{"+5", `money: invalid amount "+5": leading "+" is not allowed`},
		{"007", `money: invalid amount "007": leading zero`},
		{"-01.5", `money: invalid amount "-01.5": leading zero`},
		{"-", `money: invalid amount "-": missing digits`},
		{".5", `money: invalid amount ".5": unexpected "." at offset 0`},
		{"5.", `money: invalid amount "5.": missing digits after "."`},
		{"1e", `money: invalid amount "1e": missing exponent digits`},
		{"1e+", `money: invalid amount "1e+": missing exponent digits`},
		{"1.2.3", `money: invalid amount "1.2.3": unexpected "." at offset 3`},
		{" 1", `money: invalid amount " 1": unexpected " " at offset 0`},
		{"1 ", `money: invalid amount "1 ": unexpected " " at offset 1`},
		{"12,50", `money: invalid amount "12,50": unexpected "," at offset 2`},
		{"۱۲", `money: invalid amount "۱۲": unexpected "۱" at offset 0`},
		{`"5"`, `money: invalid amount "\"5\"": unexpected "\"" at offset 0`},
		{"1234567890123456789", `money: invalid amount "1234567890123456789": more than 18 significant digits`},
		{"0.10000000000000000000", `money: invalid amount "0.10000000000000000000": more than 18 significant digits`},
		{"1e-19", `money: invalid amount "1e-19": more than 18 decimal places`},
		{"0.0000000000000000001", `money: invalid amount "0.0000000000000000001": more than 18 decimal places`},
		{"1e-99999999999", `money: invalid amount "1e-99999999999": more than 18 decimal places`},
		{"1e18", `money: amount out of range (more than 18 digits): "1e18"`},
		{"-9.3e18", `money: amount out of range (more than 18 digits): "-9.3e18"`},
		{"1e19", `money: amount out of range (more than 18 digits): "1e19"`},
		{"1e99999999999", `money: amount out of range (more than 18 digits): "1e99999999999"`},
		{long, `money: invalid amount "` + long[:40] + `"...: more than 18 significant digits`},
	}
	for _, tt := range tests {
		d, err := ParseDecimal(tt.in)
		if err == nil {
			t.Errorf("ParseDecimal(%q) = %s, want error %s", tt.in, d, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("ParseDecimal(%q) error:\n got %s\nwant %s", tt.in, err, tt.want)
		}
	}
}

func TestParseDecimalRangeErrorsWrapErrOverflow(t *testing.T) {
	for _, in := range []string{"1e19", "-1e30"} {
		if _, err := ParseDecimal(in); !errors.Is(err, ErrOverflow) {
			t.Errorf("ParseDecimal(%q) error %v does not wrap ErrOverflow", in, err)
		}
	}
	if _, err := ParseDecimal("1.2.3"); errors.Is(err, ErrOverflow) {
		t.Errorf("a syntax error wraps ErrOverflow: %v", err)
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParse(\"abc\") did not panic")
		}
	}()
	MustParse("abc")
}

func TestExactArithmetic(t *testing.T) {
	sum, err := MustParse("0.1").Add(MustParse("0.2"))
	if err != nil || sum.Cmp(MustParse("0.3")) != 0 || sum.String() != "0.3" {
		t.Errorf("0.1 + 0.2 = %s, %v; want 0.3", sum, err)
	}
	line, err := MustParse("24.95").Mul(3)
	if err != nil || line.String() != "74.85" {
		t.Errorf("24.95 * 3 = %s, %v; want 74.85", line, err)
	}
	total, cent := NewFromInt(0), MustParse("0.01")
	for range 1000 {
		if total, err = total.Add(cent); err != nil {
			t.Fatal(err)
		}
	}
	if total.String() != "10.00" {
		t.Errorf("1,000 × 0.01 = %s, want 10.00", total)
	}
}

func TestAdd(t *testing.T) {
	tests := []struct{ a, b, want string }{
		{"1", "2", "3"},
		{"129.90", "0.1", "130.00"},
		{"1.5", "-1.5", "0.0"},
		{"-0.005", "0.01", "0.005"},
		{"100", "0.001", "100.001"},
		{"999999999999999999", "-999999999999999999", "0"},
		{"999999999999999998", "1", "999999999999999999"},
		{"100000000000000000", "-99999999999999999.9", "0.1"}, // aligned 1e17 has 19 digits
	}
	for _, tt := range tests {
		got, err := MustParse(tt.a).Add(MustParse(tt.b))
		if err != nil || got.String() != tt.want {
			t.Errorf("%s + %s = %s, %v; want %s", tt.a, tt.b, got, err, tt.want)
		}
	}
}

func TestMul(t *testing.T) {
	tests := []struct {
		a    string
		q    int64
		want string
	}{
		{"24.95", 3, "74.85"},
		{"0.10", 0, "0.00"},
		{"-1.5", 2, "-3.0"},
		{"1.5", -2, "-3.0"},
		{"1", 999999999999999999, "999999999999999999"},
		{"-0.000000001", 999999999999999999, "-999999999.999999999"},
		{"-1", -999999999999999999, "999999999999999999"},
	}
	for _, tt := range tests {
		got, err := MustParse(tt.a).Mul(tt.q)
		if err != nil || got.String() != tt.want {
			t.Errorf("%s * %d = %s, %v; want %s", tt.a, tt.q, got, err, tt.want)
		}
	}
}

func TestOverflow(t *testing.T) {
	big, minD := MustParse("999999999999999999"), NewFromInt(math.MinInt64)
	tests := []struct {
		name string
		op   func() (Decimal, error)
		want string // after "money: amount out of range (more than 18 digits): "
	}{
		{"max+1", func() (Decimal, error) { return big.Add(NewFromInt(1)) }, "999999999999999999 + 1"},
		{"-max-1", func() (Decimal, error) { return MustParse("-999999999999999999").Add(NewFromInt(-1)) }, "-999999999999999999 + -1"},
		{"align", func() (Decimal, error) { return big.Add(MustParse("0.01")) }, "999999999999999999 + 0.01"},
		{"align other side", func() (Decimal, error) { return MustParse("0.01").Add(big) }, "0.01 + 999999999999999999"},
		{"align beyond int64", func() (Decimal, error) { return big.Add(MustParse("1e-18")) }, "999999999999999999 + 0.000000000000000001"},
		{"int64 wraps", func() (Decimal, error) { return NewFromInt(math.MaxInt64).Add(NewFromInt(1)) }, "9223372036854775807 + 1"},
		{"huge NewFromInt", func() (Decimal, error) { return NewFromInt(1e18).Add(NewFromInt(0)) }, "1000000000000000000 + 0"},
		{"mul", func() (Decimal, error) { return big.Mul(10) }, "999999999999999999 * 10"},
		{"mul negative", func() (Decimal, error) { return big.Mul(-10) }, "999999999999999999 * -10"},
		{"mul just over", func() (Decimal, error) { return MustParse("500000000000000000").Mul(2) }, "500000000000000000 * 2"},
		{"min * -1", func() (Decimal, error) { return minD.Mul(-1) }, "-9223372036854775808 * -1"},
		{"-1 * min", func() (Decimal, error) { return NewFromInt(-1).Mul(math.MinInt64) }, "-1 * -9223372036854775808"},
		{"mul wraps to zero", func() (Decimal, error) { return NewFromInt(1 << 32).Mul(1 << 32) }, "4294967296 * 4294967296"},
	}
	for _, tt := range tests {
		got, err := tt.op()
		if err == nil {
			t.Errorf("%s = %s, want an error", tt.name, got)
			continue
		}
		want := "money: amount out of range (more than 18 digits): " + tt.want
		if !errors.Is(err, ErrOverflow) || err.Error() != want {
			t.Errorf("%s error = %v, want %s wrapping ErrOverflow", tt.name, err, want)
		}
	}
}

func TestCmpSignIsZero(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1", "1.00", 0},
		{"0", "-0.000", 0},
		{"1.5", "1.49", 1},
		{"-1.5", "-1.49", -1},
		{"-0.5", "0.3", -1},
		{"0.3", "-0.5", 1},
		{"10", "9.99999999999999999", 1},
		{"999999999999999999", "0.000000000000000001", 1},
		{"-2", "-1.99999999999999999", -1},
	}
	for _, tt := range tests {
		a, b := MustParse(tt.a), MustParse(tt.b)
		if got := a.Cmp(b); got != tt.want {
			t.Errorf("Cmp(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := b.Cmp(a); got != -tt.want {
			t.Errorf("Cmp(%s, %s) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
	if NewFromInt(math.MinInt64).Cmp(NewFromInt(math.MaxInt64)) != -1 {
		t.Error("Cmp(MinInt64, MaxInt64) != -1")
	}
	for in, want := range map[string]int{"-0.01": -1, "0.00": 0, "0.01": 1} {
		d := MustParse(in)
		if d.Sign() != want || d.IsZero() != (want == 0) {
			t.Errorf("%s: Sign() = %d, IsZero() = %v", in, d.Sign(), d.IsZero())
		}
	}
	if !(Decimal{}).IsZero() || (Decimal{}).String() != "0" {
		t.Error("the zero Decimal is not 0")
	}
}

func TestRound(t *testing.T) {
	tests := []struct {
		in     string
		places int
		want   string
	}{
		{"1.005", 2, "1.01"},
		{"1.004", 2, "1.00"},
		{"-1.005", 2, "-1.01"},
		{"-1.004", 2, "-1.00"},
		{"2.5", 0, "3"},
		{"-2.5", 0, "-3"},
		{"2.4999", 0, "2"},
		{"-2.4999", 0, "-2"},
		{"0.5", 0, "1"},
		{"-0.5", 0, "-1"},
		{"-0.4", 0, "0"},
		{"1250000.50", 0, "1250001"},
		{"9.999", 2, "10.00"},
		{"129.9", 2, "129.9"}, // fewer places than asked: unchanged
		{"129", 3, "129"},
		{"12.345", -1, "12"}, // negative places count as 0
		{"0.000000000000000005", 17, "0.00000000000000001"},
		{"999999999999999999", 0, "999999999999999999"},
	}
	for _, tt := range tests {
		if got := MustParse(tt.in).Round(tt.places).String(); got != tt.want {
			t.Errorf("Round(%s, %d) = %s, want %s", tt.in, tt.places, got, tt.want)
		}
	}
	minD := Decimal{coef: math.MinInt64, scale: 18}
	if got := minD.Round(0).String(); got != "-9" {
		t.Errorf("Round(%s, 0) = %s, want -9", minD, got)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	type line struct {
		UnitPrice    Decimal  `json:"unitPrice"`
		RegularPrice *Decimal `json:"regularPrice"`
		Quantity     int64    `json:"quantity"`
	}
	type event struct {
		Total Decimal `json:"total"`
		Items []line  `json:"items"`
	}
	in := `{"total":129.90,"items":[{"unitPrice":24.95,"regularPrice":2.995E1,"quantity":3},{"unitPrice":0.5,"regularPrice":null,"quantity":1}]}`
	var ev event
	if err := json.Unmarshal([]byte(in), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Total.String() != "129.90" || ev.Items[0].UnitPrice.String() != "24.95" ||
		ev.Items[0].RegularPrice.String() != "29.95" || ev.Items[1].RegularPrice != nil {
		t.Fatalf("decoded %+v", ev)
	}
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"total":129.90,"items":[{"unitPrice":24.95,"regularPrice":29.95,"quantity":3},{"unitPrice":0.5,"regularPrice":null,"quantity":1}]}`
	if string(out) != want {
		t.Errorf("Marshal:\n got %s\nwant %s", out, want)
	}
	var again event
	if err := json.Unmarshal(out, &again); err != nil || again.Total.Cmp(ev.Total) != 0 || again.Total.String() != "129.90" {
		t.Errorf("second round: %+v, %v", again, err)
	}
}

func TestUnmarshalJSONRejects(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"total":null}`, "money: null amount"},
		{`{"total":"129.90"}`, `money: amount must be a JSON number, not a string: "\"129.90\""`},
		{`{"total":true}`, `money: amount must be a JSON number, not a boolean: "true"`},
		{`{"total":false}`, `money: amount must be a JSON number, not a boolean: "false"`},
		{`{"total":{}}`, `money: amount must be a JSON number, not an object: "{}"`},
		{`{"total":[1]}`, `money: amount must be a JSON number, not an array: "[1]"`},
		{`{"total":1e400}`, `money: amount out of range (more than 18 digits): "1e400"`},
		{`{"total":12345678901234567890}`, `money: invalid amount "12345678901234567890": more than 18 significant digits`},
	}
	for _, tt := range tests {
		var v struct{ Total Decimal }
		err := json.Unmarshal([]byte(tt.in), &v)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Unmarshal(%s) error = %v, want %s", tt.in, err, tt.want)
		}
	}
	var d Decimal
	if err := d.UnmarshalJSON([]byte("null")); err == nil || err.Error() != "money: null amount" {
		t.Errorf("UnmarshalJSON(null) = %v", err)
	}
	if err := d.UnmarshalJSON(nil); err == nil {
		t.Error("UnmarshalJSON(nil) accepted")
	}
}

func TestMinorUnits(t *testing.T) {
	want := map[string]int{
		"USD": 2, "EUR": 2, "GBP": 2, "CAD": 2, "AUD": 2, "CHF": 2, "SEK": 2, "NOK": 2, "DKK": 2,
		"PLN": 2, "TRY": 2, "AED": 2, "SAR": 2, "INR": 2, "CNY": 2, "JPY": 0, "KRW": 0, "IRR": 0,
		"IRT": 0, "KWD": 3, "BHD": 3, "OMR": 3, "JOD": 3, "TND": 3, "XYZ": 2, "": 2, "jpy": 0,
		"IQD": 0, "IDR": 0, "COP": 0, "CLF": 4, "HUF": 2, "TWD": 2,
	}
	for code, n := range want {
		if got := MinorUnits(code); got != n {
			t.Errorf("MinorUnits(%q) = %d, want %d", code, got, n)
		}
	}
}

func TestValidCurrency(t *testing.T) {
	for code, want := range map[string]bool{
		"USD": true, "IRT": true, "XYZ": true, "usd": false, "US": false, "USDT": false,
		"": false, "U$D": false, "ÜSD": false, "US ": false,
	} {
		if got := ValidCurrency(code); got != want {
			t.Errorf("ValidCurrency(%q) = %v, want %v", code, got, want)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct{ amount, currency, locale, want string }{
		// English style.
		{"1234.5", "USD", "en-US", "$1,234.50"},
		{"129.9", "USD", "en", "$129.90"},
		{"0", "USD", "en", "$0.00"},
		{"-5", "USD", "en", "-$5.00"},
		{"-0.004", "USD", "en", "$0.00"},
		{"-0.005", "USD", "en", "-$0.01"},
		{"1.005", "EUR", "de-DE", "€1.01"},
		{"999.995", "GBP", "en-GB", "£1,000.00"},
		{"1234567.891", "INR", "EN_in", "₹1,234,567.89"},
		{"1250.5", "JPY", "en", "¥1,251"},
		{"1250.4", "KRW", "en", "KRW\u00a01,250"},
		{"19.99", "CAD", "en-CA", "CA$19.99"},
		{"19.99", "AUD", "", "A$19.99"},
		{"1234.5", "CHF", "en", "CHF\u00a01,234.50"},
		{"-1234.5", "CHF", "en", "-CHF\u00a01,234.50"},
		{"1250000", "IRR", "en", "IRR\u00a01,250,000"},
		{"125000.6", "IRT", "en", "IRT\u00a0125,001"},
		{"1.2345", "KWD", "en", "KWD\u00a01.235"},
		{"12", "BHD", "en", "BHD\u00a012.000"},
		{"10", "usd", "en", "$10.00"},
		{"10", "", "en", "10.00"},
		{"999999999999999999", "USD", "en", "$999,999,999,999,999,999.00"},
		{"0.000000000000000001", "TND", "en", "TND\u00a00.000"},
		// Persian style.
		{"1250000", "IRR", "fa-IR", "۱٬۲۵۰٬۰۰۰\u00a0ریال"},
		{"129.9", "USD", "fa", "۱۲۹٫۹۰\u00a0دلار"},
		{"125000.5", "IRT", "FA_ir", "۱۲۵٬۰۰۱\u00a0تومان"},
		{"1234.5", "EUR", "fa", "۱٬۲۳۴٫۵۰\u00a0یورو"},
		{"-5", "GBP", "fa", "-۵٫۰۰\u00a0پوند"},
		{"1234.5", "CHF", "fa", "۱٬۲۳۴٫۵۰\u00a0CHF"},
		{"1250", "JPY", "fa", "۱٬۲۵۰\u00a0JPY"},
		{"1.2345", "KWD", "fa-IR", "۱٫۲۳۵\u00a0KWD"},
		{"0", "IRR", "fa", "۰\u00a0ریال"},
		{"10", "", "fa", "۱۰٫۰۰"},
	}
	for _, tt := range tests {
		if got := Format(MustParse(tt.amount), tt.currency, tt.locale); got != tt.want {
			t.Errorf("Format(%s, %q, %q) = %q, want %q", tt.amount, tt.currency, tt.locale, got, tt.want)
		}
	}
	if got := Format(NewFromInt(math.MinInt64), "JPY", "en"); got != "-¥9,223,372,036,854,775,808" {
		t.Errorf("Format(MinInt64) = %q", got)
	}
}

func TestLanguage(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "en": "en", "en-US": "en", "fa-IR": "fa", "FA": "fa", "fa_IR": "fa",
		"Fa-Arab-IR": "fa", " fa ": "fa", "de-DE": "de", "fa_IR.UTF-8": "fa", "fa.UTF-8": "fa",
	} {
		if got := Language(in); got != want {
			t.Errorf("Language(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDigits(t *testing.T) {
	tests := []struct{ in, locale, want string }{
		{"3 × 24", "fa", "۳ × ۲۴"},
		{"1404/01/15", "fa-IR", "۱۴۰۴/۰۱/۱۵"},
		{"0123456789", "FA", "۰۱۲۳۴۵۶۷۸۹"},
		{"no digits", "fa", "no digits"},
		{"3 × 24", "en", "3 × 24"},
		{"3 × 24", "", "3 × 24"},
		{"۱۲", "en", "۱۲"},
	}
	for _, tt := range tests {
		if got := Digits(tt.in, tt.locale); got != tt.want {
			t.Errorf("Digits(%q, %q) = %q, want %q", tt.in, tt.locale, got, tt.want)
		}
	}
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{
		"0", "-0", "129.90", "-3", "0.5", "1e2", "2.5E-1", "1e-18", "999999999999999999",
		"-9.99999999999999999e17", "1e18", "NaN", "+1", "0x10", "", "1.", ".5", "007", "1e99999", "-0.000",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDecimal(s)
		if err != nil {
			return
		}
		text := d.String()
		again, err := ParseDecimal(text)
		if err != nil {
			t.Fatalf("ParseDecimal(%q) = %s, which does not parse: %v", s, text, err)
		}
		if again.Cmp(d) != 0 || again.String() != text || again.scale != d.scale {
			t.Fatalf("ParseDecimal(%q) = %s, round trip gives %s", s, text, again)
		}
		var j Decimal
		if err := j.UnmarshalJSON([]byte(s)); err != nil || j.Cmp(d) != 0 {
			t.Fatalf("UnmarshalJSON(%q) = %s, %v; want %s", s, j, err, d)
		}
		for _, loc := range []string{"en", "fa"} {
			if Format(d, "USD", loc) == "" {
				t.Fatalf("Format(%s, USD, %s) is empty", d, loc)
			}
		}
	})
}

func BenchmarkFormat(b *testing.B) {
	d := MustParse("1234567.891")
	b.ReportAllocs()
	for b.Loop() {
		_ = Format(d, "USD", "en-US")
		_ = Format(d, "IRR", "fa-IR")
	}
}

// TestMinorUnitsMatchCLDR holds the generated table to CLDR's standard rounding, as
// golang.org/x/text/currency carries it, for every ISO code it knows (run go generate after
// updating x/text). The test links x/text; the functions do not.
func TestMinorUnitsMatchCLDR(t *testing.T) {
	known := 0
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			for c := 'A'; c <= 'Z'; c++ {
				code := string([]rune{a, b, c})
				u, err := currency.ParseISO(code)
				if err != nil {
					continue
				}
				known++
				scale, _ := currency.Standard.Rounding(u)
				if got := MinorUnits(code); got != scale {
					t.Errorf("MinorUnits(%q) = %d, CLDR standard rounding %d", code, got, scale)
				}
			}
		}
	}
	if known < 250 {
		t.Fatalf("x/text knows %d currencies", known)
	}
}

// The currencies the review found wrong: no minor unit shown in CLDR.
func TestMinorUnitsZeroDecimalCurrencies(t *testing.T) {
	for _, code := range []string{"BIF", "DJF", "GNF", "KMF", "IDR", "COP", "AFN", "IQD"} {
		if got := MinorUnits(code); got != 0 {
			t.Errorf("MinorUnits(%q) = %d, want 0", code, got)
		}
		if got := Format(MustParse("1234.50"), code, "en"); got != code+"\u00a01,235" {
			t.Errorf("Format(1234.50 %s) = %q", code, got)
		}
	}
}
