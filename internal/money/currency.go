package money

import "strings"

//go:generate go run gen_minorunits.go

// MinorUnits returns how many decimal places amounts in the currency are shown and rounded
// with: CLDR's standard rounding (cldrMinorUnits, generated from golang.org/x/text/currency),
// which is what shops and receipts show, not the cash rounding (CHF to 0.05, TWD and HUF without
// decimals in cash). So JPY, KRW, IDR, COP, IQD, IRR and the other zero-decimal currencies get
// 0, KWD, BHD, OMR, JOD, TND and LYD 3, CLF 4, and every other code 2 (USD, EUR, ...), unknown
// ones included. IRT, the toman (10 rials), is not an ISO code but is what Iranian shops use:
// 0. The code is matched case-insensitively.
func MinorUnits(code string) int {
	code = strings.ToUpper(code)
	if code == "IRT" {
		return 0
	}
	if n, ok := cldrMinorUnits[code]; ok {
		return n
	}
	return 2
}

// ValidCurrency reports whether code has the form of an ISO 4217 code: exactly three ASCII
// upper-case letters. It does not check that the code is assigned.
func ValidCurrency(code string) bool {
	if len(code) != 3 {
		return false
	}
	for i := range len(code) {
		if code[i] < 'A' || code[i] > 'Z' {
			return false
		}
	}
	return true
}
