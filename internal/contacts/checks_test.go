package contacts

import (
	"testing"

	"shopmail/internal/ascii/asciitest"
)

// The hand-written checks accept what the regular expressions they replaced accepted.
func TestChecksMatchTheirExpressions(t *testing.T) {
	asciitest.Compare(t, `^\d{4}-\d{2}-\d{2}$`, dateShape, "1990-03-21", "2026-11-22")
	asciitest.Compare(t, `^[A-Za-z]{2}$`, countryShape, "IR", "us")
	asciitest.Compare(t, `^seg-[a-z0-9-]{1,64}$`, segmentID, "seg-vip-2026", "seg-a")
}
