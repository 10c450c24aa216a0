// Package ascii checks short ASCII identifiers (codes, ids, language tags, time zone names)
// byte by byte. These checks were package-level regular expressions, each compiled when a
// binary starts whether or not it is ever used: every function paid for all of them at init
// (`^[A-Za-z0-9_\-]{1,256}$` alone compiled to 241 KB and about 3 ms). A loop over bytes costs
// nothing at start; each check's tests compare it with the expression it replaced.
//
// Like those expressions, the checks accept ASCII only: a byte of a multi-byte UTF-8 sequence
// (or of invalid UTF-8) is in no class.
package ascii

import "strings"

// Letter reports whether c is A-Z or a-z.
func Letter(c byte) bool { return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' }

// Digit reports whether c is 0-9.
func Digit(c byte) bool { return '0' <= c && c <= '9' }

// Lower reports whether c is a-z.
func Lower(c byte) bool { return 'a' <= c && c <= 'z' }

// Upper reports whether c is A-Z.
func Upper(c byte) bool { return 'A' <= c && c <= 'Z' }

// Alnum reports whether c is a letter or a digit.
func Alnum(c byte) bool { return Letter(c) || Digit(c) }

// Hex reports whether c is a hexadecimal digit, in either case.
func Hex(c byte) bool { return Digit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// Graphic reports whether c is printable and not a space: '!' to '~'.
func Graphic(c byte) bool { return '!' <= c && c <= '~' }

// Word reports whether c is a letter, a digit, '_' or '-'.
func Word(c byte) bool { return Alnum(c) || c == '_' || c == '-' }

// All reports whether s is min to max bytes long and every byte is of class: what
// `^[class]{min,max}$` matched.
func All(s string, minLen, maxLen int, class func(byte) bool) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !class(s[i]) {
			return false
		}
	}
	return true
}

// Part is one subtag's shape in a Tag: Min to Max bytes of Class.
type Part struct {
	Min, Max int
	Class    func(byte) bool
}

// Tag is the shape of subtags separated by single bytes, as in "zh-Hant-TW" or
// "America/Argentina/Buenos_Aires": what `^first([seps]rest){0,MaxRest}$` matched.
type Tag struct {
	Seps        string // the bytes that may separate two subtags
	First, Rest Part   // the first subtag, and each one after it
	MaxRest     int    // the most subtags after the first; negative: any number
}

// Match reports whether s has the shape t.
func (t Tag) Match(s string) bool {
	p := t.First
	for n := 0; ; n++ {
		if t.MaxRest >= 0 && n > t.MaxRest {
			return false
		}
		i := strings.IndexAny(s, t.Seps)
		if i < 0 {
			return All(s, p.Min, p.Max, p.Class)
		}
		if !All(s[:i], p.Min, p.Max, p.Class) {
			return false
		}
		s, p = s[i+1:], t.Rest
	}
}
