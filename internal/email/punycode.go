package email

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// The domain of an international address is sent in its ASCII form (SES v2 takes no other):
// each label with non-ASCII letters becomes "xn--" and its Punycode (RFC 3492). This is
// golang.org/x/net/idna's Lookup.ToASCII for domains of letters, digits and marks in NFC, as
// people type them (TestASCIIDomainMatchesIDNA holds the two together), written here because
// x/net/idna and the Unicode tables it brings would take the thankyou function's binary over
// its 10 MB limit. Labels are lower-cased; nothing else is mapped or normalised, and a label
// with other characters (symbols, punctuation, spaces) is refused.

// asciiDomain returns an international domain name in its ASCII form, an ASCII one as it is.
func asciiDomain(domain string) (string, error) {
	if !hasNonASCII(domain) {
		return domain, nil
	}
	labels := strings.Split(domain, ".")
	for i, l := range labels {
		if !hasNonASCII(l) {
			continue
		}
		a, err := asciiLabel(l)
		if err != nil {
			return "", fmt.Errorf("has the international domain %q, which has no ASCII form: %v", domain, err)
		}
		labels[i] = a
	}
	return strings.Join(labels, "."), nil
}

func asciiLabel(l string) (string, error) {
	runes := []rune(strings.ToLower(l))
	for _, r := range runes {
		if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
			return "", fmt.Errorf("%q is not a letter, digit or hyphen", r)
		}
	}
	if unicode.IsMark(runes[0]) {
		return "", errors.New("a label starts with a combining mark")
	}
	return "xn--" + punycode(runes), nil
}

// Punycode's parameters (RFC 3492 section 5).
const (
	pcBase, pcTMin, pcTMax, pcSkew, pcDamp = 36, 1, 26, 38, 700
	pcInitialBias, pcInitialN              = 72, 128
)

// punycode encodes runes (RFC 3492 section 6.3). The input is at most one label of an address
// of 254 bytes, so no count can overflow.
func punycode(runes []rune) string {
	var out []byte
	for _, r := range runes {
		if r < 0x80 {
			out = append(out, byte(r))
		}
	}
	basic := len(out)
	if basic > 0 {
		out = append(out, '-')
	}
	n, delta, bias := pcInitialN, 0, pcInitialBias
	for h := basic; h < len(runes); {
		m := int(unicode.MaxRune) + 1
		for _, r := range runes {
			if int(r) >= n && int(r) < m {
				m = int(r)
			}
		}
		delta += (m - n) * (h + 1)
		n = m
		for _, r := range runes {
			if int(r) < n {
				delta++
			}
			if int(r) != n {
				continue
			}
			q := delta
			for k := pcBase; ; k += pcBase {
				t := min(max(k-bias, pcTMin), pcTMax)
				if q < t {
					break
				}
				out = append(out, pcDigit(t+(q-t)%(pcBase-t)))
				q = (q - t) / (pcBase - t)
			}
			out = append(out, pcDigit(q))
			bias = pcAdapt(delta, h+1, h == basic)
			delta = 0
			h++
		}
		delta++
		n++
	}
	return string(out)
}

func pcDigit(d int) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}

func pcAdapt(delta, points int, first bool) int {
	if first {
		delta /= pcDamp
	} else {
		delta /= 2
	}
	delta += delta / points
	k := 0
	for delta > (pcBase-pcTMin)*pcTMax/2 {
		delta /= pcBase - pcTMin
		k += pcBase
	}
	return k + (pcBase-pcTMin+1)*delta/(delta+pcSkew)
}
