package campaign

import (
	"testing"

	"shopmail/internal/ascii/asciitest"
)

// The hand-written checks accept what the regular expressions they replaced accepted.
func TestChecksMatchTheirExpressions(t *testing.T) {
	asciitest.Compare(t, `^[a-z]{2,3}$`, validLang, "fa", "en", "fil")
	asciitest.Compare(t, `^[!-~]{1,64}$`, validCoupon, "YALDA-20", "NOWRUZ!1")
}
