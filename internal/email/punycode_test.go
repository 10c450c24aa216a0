package email

import (
	"strings"
	"testing"

	"golang.org/x/net/idna"
)

// The hand-written ASCII form is x/net/idna's (the test links x/net/idna; the functions do
// not), for domains as people type them in many scripts.
func TestASCIIDomainMatchesIDNA(t *testing.T) {
	for _, d := range []string{
		"müller.de", "MÜLLER.de", "bücher.example", "exämple.com", "straße.de", "ñandú.es", "café.fr",
		"مثال.إختبار", "ایران.ایران", "پارسی.example", "例え.テスト", "中国.中国", "пример.рф", "δοκιμή.gr",
		"한국.kr", "ไทย.th", "उदाहरण.भारत", "bad-ü-name.de", "123ü.de", "a.b.c.ü", "ἀθῆναι.gr",
		"üüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüü.de",
	} {
		want, err := idna.Lookup.ToASCII(d)
		if err != nil {
			t.Fatalf("idna %q: %v", d, err)
		}
		got, err := asciiDomain(d)
		if err != nil || got != want {
			t.Errorf("asciiDomain(%q) = %q, %v; idna says %q", d, got, err, want)
		}
	}
	for _, d := range []string{"sn☃w.example", "ü b.de", "ü_x.de", "\u0301a.de"} {
		if got, err := asciiDomain(d); err == nil || !strings.Contains(err.Error(), "no ASCII form") {
			t.Errorf("asciiDomain(%q) = %q, %v; want refused", d, got, err)
		}
	}
}
