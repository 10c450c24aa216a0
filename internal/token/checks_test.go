package token

import (
	"testing"

	"shopmail/internal/ascii/asciitest"
)

// The hand-written checks accept what the regular expressions they replaced accepted.
func TestChecksMatchTheirExpressions(t *testing.T) {
	asciitest.Compare(t, `^[A-Za-z0-9_-]{1,16}$`, validKeyID, "k1", "key_2-b")
}
