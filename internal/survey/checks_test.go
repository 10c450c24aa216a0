package survey

import (
	"testing"

	"shopmail/internal/ascii/asciitest"
)

// The hand-written checks accept what the regular expressions they replaced accepted.
func TestChecksMatchTheirExpressions(t *testing.T) {
	asciitest.Compare(t, `^[A-Z0-9]{1,20}$`, validPrefix, "SORRY", "A1")
}
