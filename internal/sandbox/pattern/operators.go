package pattern

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// operators compile the argument of each operator but exists, which the leaf handles itself.
var operators = map[string]func(arg any) (condition, error){
	"prefix":             compilePrefix,
	"suffix":             compileSuffix,
	"equals-ignore-case": compileEqualsIgnoreCase,
	"wildcard":           compileWildcard,
	"anything-but":       compileAnythingBut,
	"numeric":            compileNumeric,
	"cidr":               compileCIDR,
}

// compilePrefix compiles {"prefix": "s"} and {"prefix": {"equals-ignore-case": "s"}}.
func compilePrefix(arg any) (condition, error) {
	s, fold, err := affix(arg)
	switch {
	case err != nil:
		return nil, err
	case fold:
		return prefixFold(s), nil
	default:
		return prefix(s), nil
	}
}

// compileSuffix compiles {"suffix": "s"} and {"suffix": {"equals-ignore-case": "s"}}.
func compileSuffix(arg any) (condition, error) {
	s, fold, err := affix(arg)
	switch {
	case err != nil:
		return nil, err
	case fold:
		return suffixFold(s), nil
	default:
		return suffix(s), nil
	}
}

// affix returns the string of a prefix or suffix argument, and whether it ignores case.
func affix(arg any) (s string, fold bool, err error) {
	switch a := arg.(type) {
	case string:
		return a, false, nil
	case map[string]any:
		name, inner, err := single(a)
		if err != nil {
			return "", false, err
		}
		if name != "equals-ignore-case" {
			return "", false, fmt.Errorf("unsupported operator %q", name)
		}
		s, ok := inner.(string)
		if !ok {
			return "", false, fmt.Errorf("equals-ignore-case: must be a string, not %s", describe(inner))
		}
		return s, true, nil
	}
	return "", false, fmt.Errorf(`must be a string or {"equals-ignore-case": string}, not %s`, describe(arg))
}

// compileEqualsIgnoreCase compiles {"equals-ignore-case": "s"}.
func compileEqualsIgnoreCase(arg any) (condition, error) {
	s, ok := arg.(string)
	if !ok {
		return nil, fmt.Errorf("must be a string, not %s", describe(arg))
	}
	return equalsFold(s), nil
}

// compileCIDR compiles {"cidr": "10.0.0.0/24"}, IPv4 or IPv6.
func compileCIDR(arg any) (condition, error) {
	s, ok := arg.(string)
	if !ok {
		return nil, fmt.Errorf("must be a string, not %s", describe(arg))
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return nil, fmt.Errorf("not an IPv4 or IPv6 CIDR block: %w", err)
	}
	return cidr(p.Masked()), nil
}

// prefix matches a string that begins with it.
type prefix string

func (c prefix) match(v any) bool {
	s, ok := v.(string)
	return ok && strings.HasPrefix(s, string(c))
}

// prefixFold matches a string that begins with it, ignoring case.
type prefixFold string

func (c prefixFold) match(v any) bool {
	s, ok := v.(string)
	return ok && hasPrefixFold(s, string(c))
}

// suffix matches a string that ends with it.
type suffix string

func (c suffix) match(v any) bool {
	s, ok := v.(string)
	return ok && strings.HasSuffix(s, string(c))
}

// suffixFold matches a string that ends with it, ignoring case.
type suffixFold string

func (c suffixFold) match(v any) bool {
	s, ok := v.(string)
	return ok && hasSuffixFold(s, string(c))
}

// equalsFold matches a string equal to it, ignoring case.
type equalsFold string

func (c equalsFold) match(v any) bool {
	s, ok := v.(string)
	return ok && equalFold(s, string(c))
}

// cidr matches a string holding an IP address inside the prefix.
type cidr netip.Prefix

func (c cidr) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	addr, err := netip.ParseAddr(s)
	return err == nil && netip.Prefix(c).Contains(addr)
}

// hasPrefixFold is strings.HasPrefix under Unicode simple case folding.
func hasPrefixFold(s, prefix string) bool {
	_, ok := foldPrefix(s, prefix)
	return ok
}

// equalFold is strings.EqualFold, except that bytes that are not UTF-8 only equal themselves.
func equalFold(s, t string) bool {
	n, ok := foldPrefix(s, t)
	return ok && n == len(s)
}

// foldPrefix reports whether s begins with prefix under Unicode simple case folding, and how many
// bytes of s that beginning spans.
func foldPrefix(s, prefix string) (int, bool) {
	i := 0
	for prefix != "" {
		if i == len(s) {
			return 0, false
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		p, m := utf8.DecodeRuneInString(prefix)
		if !sameFold(r, p, s[i:i+n], prefix[:m]) {
			return 0, false
		}
		i, prefix = i+n, prefix[m:]
	}
	return i, true
}

// hasSuffixFold is strings.HasSuffix under Unicode simple case folding.
func hasSuffixFold(s, suffix string) bool {
	for suffix != "" {
		if s == "" {
			return false
		}
		r, n := utf8.DecodeLastRuneInString(s)
		p, m := utf8.DecodeLastRuneInString(suffix)
		if !sameFold(r, p, s[len(s)-n:], suffix[len(suffix)-m:]) {
			return false
		}
		s, suffix = s[:len(s)-n], suffix[:len(suffix)-m]
	}
	return true
}

// sameFold reports whether the runes r and p, encoded as a and b, are equal under Unicode simple
// case folding. Bytes that are not UTF-8 only equal themselves.
func sameFold(r, p rune, a, b string) bool {
	if r == utf8.RuneError || p == utf8.RuneError {
		return a == b
	}
	return equalFoldRune(r, p)
}

// equalFoldRune reports whether two runes are equal under Unicode simple case folding.
func equalFoldRune(a, b rune) bool {
	if a == b {
		return true
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}
