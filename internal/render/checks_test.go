package render

import (
	"testing"

	"shopmail/internal/ascii/asciitest"
)

// The hand-written checks accept what the regular expressions they replaced accepted.
func TestChecksMatchTheirExpressions(t *testing.T) {
	asciitest.Compare(t, `^#[0-9a-fA-F]{6}$`, hexColor, "#0a7c66", "#FFFFFF")
	asciitest.Compare(t, `^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$`, tagShape.Match, "fa-IR", "zh-Hant-TW", "sl-rozaj-biske-1994")
}
