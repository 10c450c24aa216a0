package order

import (
	"testing"

	"shopmail/internal/ascii/asciitest"
)

// The hand-written checks accept what the regular expressions they replaced accepted.
func TestChecksMatchTheirExpressions(t *testing.T) {
	asciitest.Compare(t, `^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$`, validLocale, "fa-IR", "fa_IR", "zh-Hant-TW", "en-US-POSIX-x1")
	asciitest.Compare(t, `^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$`, validTimezone,
		"Asia/Tehran", "America/Argentina/Buenos_Aires", "Etc/GMT+3", "Etc/GMT-14", "UTC")
	asciitest.Compare(t, `^[A-Za-z0-9_\-]{1,64}$`, validCoupon, "THANKS-8F2K", "a_b")
}
