package email

import (
	"testing"

	"shopmail/internal/ascii/asciitest"
)

// The hand-written checks accept what the regular expressions they replaced accepted.
func TestChecksMatchTheirExpressions(t *testing.T) {
	asciitest.Compare(t, `^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`, languageShape.Match, "fa-IR", "en-US-x-a1", "tlh")
}
