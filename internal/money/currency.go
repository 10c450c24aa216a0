package money

import "strings"

// minorUnits lists the currencies whose amounts are not shown with 2 decimal places.
var minorUnits = map[string]int{
	// No minor unit in use. IRR has 2 in ISO 4217 but the rial is shown without decimals
	// (as CLDR does); IRT, the toman (10 rials), is not an ISO code but is what Iranian shops use.
	"IRR": 0, "IRT": 0, "JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "PYG": 0,
	"UGX": 0, "RWF": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	// Three decimals.
	"KWD": 3, "BHD": 3, "OMR": 3, "JOD": 3, "TND": 3, "IQD": 3, "LYD": 3,
}

// MinorUnits returns how many decimal places amounts in the currency are shown and rounded
// with: 0 for IRR, IRT (toman), JPY, KRW and other zero-decimal currencies, 3 for KWD, BHD,
// OMR, JOD, TND, IQD and LYD, and 2 for every other code (USD, EUR, GBP, CAD, AUD, CHF, SEK,
// NOK, DKK, PLN, TRY, AED, SAR, INR, CNY, ...), unknown ones included. The code is matched
// case-insensitively.
func MinorUnits(code string) int {
	if n, ok := minorUnits[strings.ToUpper(code)]; ok {
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
