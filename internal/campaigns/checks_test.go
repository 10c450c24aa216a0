package campaigns

import (
	"testing"

	"shopmail/internal/ascii/asciitest"
)

// The hand-written checks accept what the regular expressions they replaced accepted.
func TestChecksMatchTheirExpressions(t *testing.T) {
	asciitest.Compare(t, `^cmp-[a-z0-9]{1,64}$`, validID, "cmp-01hz8", "cmp-a")
}
