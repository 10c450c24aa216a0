package send

import (
	"testing"

	"shopmail/internal/ascii/asciitest"
)

// The hand-written check accepts what the regular expression it replaced accepted.
func TestTagSafeMatchesItsExpression(t *testing.T) {
	asciitest.Compare(t, `^[A-Za-z0-9_\-]{1,256}$`, tagSafe, "c-42", "o-1001#thankyou", "b64-abc_d")
}
