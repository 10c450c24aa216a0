package ascii_test

import (
	"math"
	"testing"

	"shopmail/internal/ascii"
	"shopmail/internal/ascii/asciitest"
)

func TestClasses(t *testing.T) {
	for _, tc := range []struct {
		expr  string
		class func(byte) bool
	}{
		{`^[A-Za-z]$`, ascii.Letter}, {`^[0-9]$`, ascii.Digit}, {`^[a-z]$`, ascii.Lower},
		{`^[A-Z]$`, ascii.Upper}, {`^[A-Za-z0-9]$`, ascii.Alnum}, {`^[0-9a-fA-F]$`, ascii.Hex},
		{`^[!-~]$`, ascii.Graphic}, {`^[A-Za-z0-9_\-]$`, ascii.Word},
	} {
		asciitest.Compare(t, tc.expr, func(s string) bool { return ascii.All(s, 1, 1, tc.class) })
	}
	// Every byte, not only the alphabet's.
	for c := 0; c < 256; c++ {
		if ascii.Alnum(byte(c)) != (ascii.Letter(byte(c)) || ascii.Digit(byte(c))) || ascii.Graphic(byte(c)) != (c > ' ' && c < 0x7f) {
			t.Errorf("byte %#x", c)
		}
		if ascii.Letter(byte(c)) != (ascii.Upper(byte(c)) || ascii.Lower(byte(c))) {
			t.Errorf("byte %#x", c)
		}
	}
}

func TestAll(t *testing.T) {
	asciitest.Compare(t, `^[A-Za-z0-9_\-]{1,16}$`, func(s string) bool { return ascii.All(s, 1, 16, ascii.Word) }, "k1", "key_2-b")
	asciitest.Compare(t, `^[a-z]{2,3}$`, func(s string) bool { return ascii.All(s, 2, 3, ascii.Lower) }, "fa", "fil")
}

func TestTag(t *testing.T) {
	bcp := ascii.Tag{Seps: "-", First: ascii.Part{Min: 2, Max: 3, Class: ascii.Letter}, Rest: ascii.Part{Min: 2, Max: 8, Class: ascii.Alnum}, MaxRest: 3}
	asciitest.Compare(t, `^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$`, bcp.Match, "fa-IR", "zh-Hant-TW", "sl-rozaj-biske-1994", "en-US-x")
	posix := ascii.Tag{Seps: "-_", First: ascii.Part{Min: 2, Max: 3, Class: ascii.Letter}, Rest: ascii.Part{Min: 2, Max: 8, Class: ascii.Alnum}, MaxRest: -1}
	asciitest.Compare(t, `^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$`, posix.Match, "fa_IR", "zh-Hant_TW-x1-y2")
	zone := ascii.Tag{Seps: "/", First: ascii.Part{Min: 1, Max: math.MaxInt, Class: ascii.Word}, Rest: ascii.Part{Min: 1, Max: math.MaxInt, Class: ascii.Word}, MaxRest: -1}
	asciitest.Compare(t, `^[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)*$`, zone.Match, "America/Argentina/Buenos_Aires", "Etc/GMT-3")
}
