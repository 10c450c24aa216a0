package emailtest_test

import (
	"strings"
	"testing"

	"shopmail/internal/email/emailtest"
)

// good is a hand-written message of the shape package email writes, with LF for line breaks;
// crlf turns them into CRLF.
const good = `From: =?UTF-8?b?2LPYp9ix2Kc=?= <shop@example.com>
To: "Sara Ahmadi" <sara@example.com>
Subject: =?UTF-8?q?caf=C3=A9?= =?UTF-8?q?_au_lait?=
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="=_B"

--=_B
Content-Transfer-Encoding: quoted-printable
Content-Type: text/plain; charset=UTF-8

line one=20
a very long line that goes on and on and on and on and on and on and on and=
 on
--=_B
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 7bit

<p>hi</p>
--=_B--
`

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

func TestParse(t *testing.T) {
	p := emailtest.MustParse(t, crlf(good))
	if p.From.Name != "سارا" || p.From.Address != "shop@example.com" {
		t.Errorf("From = %q <%s>", p.From.Name, p.From.Address)
	}
	if p.To.Name != "Sara Ahmadi" || p.To.Address != "sara@example.com" {
		t.Errorf("To = %q <%s>", p.To.Name, p.To.Address)
	}
	if p.Subject != "café au lait" {
		t.Errorf("Subject = %q", p.Subject)
	}
	wantText := "line one \na very long line that goes on and on and on and on and on and on and on and on"
	if p.Text != wantText || p.HTML != "<p>hi</p>" {
		t.Errorf("bodies = %q, %q; want %q, %q", p.Text, p.HTML, wantText, "<p>hi</p>")
	}
	if p.Parts != 2 || p.TextType != "text/plain; charset=UTF-8" || p.HTMLType != "text/html; charset=utf-8" {
		t.Errorf("parts = %d, %q, %q", p.Parts, p.TextType, p.HTMLType)
	}
	if got := p.Header.Get("Mime-Version"); got != "1.0" {
		t.Errorf("MIME-Version = %q", got)
	}
}

func TestParseRejects(t *testing.T) {
	long := "X-Long: " + strings.Repeat("a", 991)
	tests := []struct {
		name string
		raw  []byte
		want string
	}{
		{"bare LF in header", []byte(strings.Replace(string(crlf(good)), "\r\nTo:", "\nTo:", 1)), "line 1 ends in a bare LF"},
		{"bare LF in body", []byte(strings.Replace(string(crlf(good)), "line one=20\r\n", "line one=20\n", 1)), "bare LF"},
		{"bare CR", []byte(strings.Replace(string(crlf(good)), "Sara Ahmadi", "Sara\rAhmadi", 1)), "line 2 has a bare CR"},
		{"line of 999 bytes", crlf(strings.Replace(good, "MIME-Version", long+"\nMIME-Version", 1)), "line 4 is 999 bytes long"},
		{"encoded word on a line of 77", crlf(strings.Replace(good, "Subject: =?UTF-8?q?caf=C3=A9?=", "Subject: =?UTF-8?q?"+strings.Repeat("a", 26)+"caf=C3=A9?=", 1)), "header line 3 holds an encoded word and has 77 characters"},
		{"8-bit header", crlf(strings.Replace(good, "Sara Ahmadi", "سارا", 1)), "line 2 has the byte 0xd8"},
		{"NUL", crlf(strings.Replace(good, "<p>hi", "<p>\x00hi", 1)), "has the byte 0x00"},
		{"two From fields", crlf(strings.Replace(good, "To:", "From: x@example.com\nTo:", 1)), "has 2 From fields"},
		{"two Bcc fields", crlf(strings.Replace(good, "To:", "Bcc: x@example.com\nBcc: y@example.com\nTo:", 1)), "has 2 Bcc fields"},
		{"no Subject", crlf(strings.Replace(good, "Subject:", "X-Subject:", 1)), "has 0 Subject fields"},
		{"two addresses", crlf(strings.Replace(good, "To: ", "To: a@example.com, ", 1)), "has 2 addresses in To"},
		{"MIME-Version", crlf(strings.Replace(good, "MIME-Version: 1.0", "MIME-Version: 2.0", 1)), `MIME-Version "2.0"`},
		{"not alternative", crlf(strings.Replace(good, "multipart/alternative", "multipart/mixed", 1)), "want multipart/alternative"},
		{"HTML first", crlf(strings.Replace(strings.Replace(good, "text/plain", "text/x", 1), "text/html", "text/plain", 1)), "part 1: is text/x"},
		{"one part", crlf(good[:strings.Index(good, "--=_B\nContent-Type: text/html")] + "--=_B--\n"), "has 1 parts"},
		{"three parts", crlf(strings.Replace(good, "--=_B--", "--=_B\nContent-Type: text/html; charset=UTF-8\n\nagain\n--=_B--", 1)), "part 3: is text/html"},
		{"unterminated", crlf(strings.Replace(good, "--=_B--\n", "", 1)), "part 2: read body"},
		{"latin-1", crlf(strings.Replace(good, "charset=utf-8", "charset=iso-8859-1", 1)), "want charset=UTF-8"},
		{"base64", crlf(strings.Replace(good, "7bit", "base64", 1)), `Content-Transfer-Encoding "base64"`},
		{"bad escape", crlf(strings.Replace(good, "line one=20", "line one=2", 1)), `line 1 has the bad escape "=2"`},
		{"lower-case escape", crlf(strings.Replace(good, "line one=20", "line=3d one", 1)), `bad escape "=3d"`},
		{"raw equals sign", crlf(strings.Replace(good, "line one=20", "a=b", 1)), `bad escape "=b"`},
		{"soft break at end", crlf(strings.Replace(good, "and on and on and=\n on\n", "and on=\n", 1)), `line 2 has the bad escape "="`},
		{"trailing space", crlf(strings.Replace(good, "line one=20", "line one ", 1)), "line 1 ends in white space"},
		{"quoted-printable line of 77", crlf(strings.Replace(good, "line one=20", strings.Repeat("q", 77), 1)), "line 1 has 77 characters"},
		{"body not UTF-8", crlf(strings.Replace(good, "line one=20", "line one=FF", 1)), "not valid UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := emailtest.Parse(tc.raw)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse() = %v, %v; want an error containing %q", p, err, tc.want)
			}
		})
	}
}
