package coupon_test

import (
	"regexp"
	"testing"

	"shopmail/internal/coupon"
)

func TestNewCode(t *testing.T) {
	format := regexp.MustCompile(`^THANKS-[23456789ABCDEFGHJKMNPQRSTWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTWXYZ]{4}$`)
	seen := map[string]bool{}
	counts := map[rune]int{}
	const n = 5000
	for i := 0; i < n; i++ {
		c := coupon.NewCode("THANKS")
		if !format.MatchString(c) {
			t.Fatalf("code %q has the wrong form or a confusable character", c)
		}
		if seen[c] {
			t.Fatalf("code %q issued twice in %d", c, i)
		}
		seen[c] = true
		for _, r := range c[len("THANKS-"):] {
			counts[r]++
		}
	}
	// Every character equally likely (no modulo bias): each of the 29 should appear about
	// n*8/29 ≈ 1379 times (σ ≈ 36); the bounds are ±5σ so that the test does not flake.
	for r, k := range counts {
		if r != '-' && (k < 1200 || k > 1560) {
			t.Errorf("%c appears %d times", r, k)
		}
	}
}
