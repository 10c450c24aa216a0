// Package asciitest gives the strings on which the tests of an ascii check compare it with the
// regular expression it replaced.
package asciitest

import (
	"regexp"
	"strings"
	"testing"
)

// alphabet holds a byte of every class the checks tell apart, and their edges: letters and
// digits at both ends, the separators and punctuation the checks allow or refuse, space and
// controls, the bytes next to each range, a multi-byte letter and an invalid byte.
const alphabet = "aAzZmM09-_/+#!~.@[`{:\x00\n é\xff"

// Inputs returns the strings to compare on: every string of up to three bytes of the
// alphabet, and each seed with every byte replaced by, or followed by, each byte of the
// alphabet, cut at every length, doubled, and repeated up to 300 bytes (past every length
// bound the checks have).
func Inputs(seeds ...string) []string {
	var out []string
	var gen func(prefix string, n int)
	gen = func(prefix string, n int) {
		out = append(out, prefix)
		if n == 0 {
			return
		}
		for i := 0; i < len(alphabet); i++ {
			gen(prefix+alphabet[i:i+1], n-1)
		}
	}
	gen("", 3)
	for _, s := range seeds {
		out = append(out, s+s, s+"-"+s, s+"/"+s, strings.Repeat(s, 300/max(len(s), 1)+1))
		for i := 0; i <= len(s); i++ {
			out = append(out, s[:i], s[i:])
			for j := 0; j < len(alphabet); j++ {
				c := alphabet[j : j+1]
				out = append(out, s[:i]+c+s[i:])
				if i < len(s) {
					out = append(out, s[:i]+c+s[i+1:])
				}
			}
		}
		for n := 1; n <= 300; n++ {
			out = append(out, strings.Repeat("a", n), strings.Repeat("A", n), strings.Repeat("0", n), s+strings.Repeat("a", n))
		}
	}
	return out
}

// Compare fails t for every input on which check and the regular expression expr disagree.
func Compare(t *testing.T, expr string, check func(string) bool, seeds ...string) {
	t.Helper()
	re := regexp.MustCompile(expr)
	inputs := Inputs(seeds...)
	bad := 0
	for _, s := range inputs {
		if want := re.MatchString(s); check(s) != want {
			if bad++; bad <= 10 {
				t.Errorf("%q: the check says %v, %s says %v", s, !want, expr, want)
			}
		}
	}
	if bad > 10 {
		t.Errorf("... %d disagreements in all, of %d inputs", bad, len(inputs))
	}
}
