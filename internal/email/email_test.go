package email_test

import (
	"bytes"
	"errors"
	"mime"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"shopmail/internal/email"
	"shopmail/internal/email/emailtest"
)

// valid returns a small message that Bytes accepts; tests change one thing in it.
func valid() email.Message {
	return email.Message{
		From:    email.Address{Name: "Tea Shop", Email: "shop@example.com"},
		To:      email.Address{Name: "Sara Ahmadi", Email: "sara@example.com"},
		Subject: "Thank you for your order",
		Text:    "Thank you.\n",
		HTML:    "<p>Thank you.</p>\n",
	}
}

// normalizeNewlines turns every line break (CRLF, LF, lone CR) into "\n", which is how
// Bytes then emailtest.Parse give a body back.
func normalizeNewlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

func mustBytes(t *testing.T, m email.Message) []byte {
	t.Helper()
	raw, err := m.Bytes()
	if err != nil {
		t.Fatalf("Bytes: %v", err)
	}
	return raw
}

func TestParseAddress(t *testing.T) {
	long := func(n int, c string) string { return strings.Repeat(c, n) }
	accepted := []struct{ in, want string }{
		{"sara@example.com", "sara@example.com"},
		{"Sara.Ahmadi+tea@Shop.Example.COM", "Sara.Ahmadi+tea@shop.example.com"},
		{"a!#$%&'*+-/=?^_`{|}~@example.com", "a!#$%&'*+-/=?^_`{|}~@example.com"},
		{"user@xn--mgbh0fb.xn--kgbechtv", "user@xn--mgbh0fb.xn--kgbechtv"},
		{"x@a-b.example.co.uk", "x@a-b.example.co.uk"},
		// International domains in their ASCII form, which SES v2 requires.
		{"sara@müller.de", "sara@xn--mller-kva.de"},
		{"sara@MÜLLER.de", "sara@xn--mller-kva.de"},
		{"sara@exämple.com", "sara@xn--exmple-cua.com"},
		{"user@مثال.إختبار", "user@xn--mgbh0fb.xn--kgbechtv"},
		{"x@123.example.com4", "x@123.example.com4"},
		{long(64, "l") + "@example.com", long(64, "l") + "@example.com"},
		{"a@" + long(63, "d") + "." + long(63, "d") + "." + long(63, "d") + "." + long(56, "d") + ".com",
			"a@" + long(63, "d") + "." + long(63, "d") + "." + long(63, "d") + "." + long(56, "d") + ".com"},
	}
	for _, tc := range accepted {
		got, err := email.ParseAddress(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseAddress(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}

	rejected := []struct{ in, why string }{
		{"", "is empty"},
		{"Sara <sara@example.com>", "white space; give the bare address"},
		{"<sara@example.com>", "angle brackets"},
		{"sara@example.com ", "white space"},
		{"\tsara@example.com", "white space"},
		{"a@example.com,b@example.com", "comma"},
		{"friends:a@example.com;", "colon; groups"},
		{"a@example.com;b@example.com", "semicolon"},
		{"sara(tea)@example.com", "comments"},
		{`"sara ahmadi"@example.com`, "quoted local parts"},
		{`sa\ra@example.com`, "backslash"},
		{"sara@[192.0.2.1]", "IP-literal"},
		{"sara@192.0.2.1", "all-numeric top-level domain"},
		{"sara@localhost", "has no dot"},
		{"sara@example.com\r\nBcc: x@example.com", "line break"},
		{"sara@example.com\n", "line break"},
		{"sara\x00@example.com", "NUL"},
		{"sara\x7f@example.com", "control character U+007F"},
		{"\xff@example.com", "not valid UTF-8"},
		{"سارا@example.com", "non-ASCII local part; it needs SMTPUTF8"},
		{"sara@sn☃w.example", "no ASCII form"},
		{"sara@exa mple.de", "white space"},
		{"sara", "has no @"},
		{"a@b@example.com", "more than one @"},
		{"@example.com", "nothing before the @"},
		{"sara@", "nothing after the @"},
		{".sara@example.com", "dot"},
		{"sara.@example.com", "dot"},
		{"sa..ra@example.com", "two dots"},
		{"sara@example..com", "empty domain label"},
		{"sara@.example.com", "empty domain label"},
		{"sara@example.com.", "empty domain label"},
		{"sara@-example.com", "hyphen"},
		{"sara@example-.com", "hyphen"},
		{"sara@exa_mple.com", `'_'`},
		{"sara@exa!mple.com", `'!'`},
		{long(65, "l") + "@example.com", "local part of 65 bytes"},
		{"a@" + long(64, "d") + ".com", "domain label of 64 bytes"},
		{long(64, "l") + "@" + long(63, "d") + "." + long(63, "d") + "." + long(63, "d") + ".com", "at most 254"},
	}
	for _, tc := range rejected {
		got, err := email.ParseAddress(tc.in)
		if !errors.Is(err, email.ErrInvalid) || !strings.HasPrefix(err.Error(), "invalid email: address: ") ||
			!strings.Contains(err.Error(), tc.why) {
			t.Errorf("ParseAddress(%q) = %q, %v; want ErrInvalid saying %q", tc.in, got, err, tc.why)
		}
	}
}

// A customer's address whose local part SES cannot send to is kept, and Sendable says why.
func TestParseRecipient(t *testing.T) {
	for in, want := range map[string]string{"سارا@example.com": "سارا@example.com", "سارا@مثال.إختبار": "سارا@xn--mgbh0fb.xn--kgbechtv"} {
		got, err := email.ParseRecipient(in)
		if err != nil || got != want {
			t.Fatalf("ParseRecipient(%q) = %q, %v; want %q", in, got, err, want)
		}
		if err := email.Sendable(got); !errors.Is(err, email.ErrInvalid) || !strings.Contains(err.Error(), "SMTPUTF8") {
			t.Errorf("Sendable(%q) = %v", got, err)
		}
	}
	for _, in := range []string{"سا..را@example.com", "\xff@example.com", "سارا@exa_mple.com"} {
		if got, err := email.ParseRecipient(in); err == nil {
			t.Errorf("ParseRecipient(%q) = %q, accepted", in, got)
		}
	}
	if err := email.Sendable("sara@xn--mller-kva.de"); err != nil {
		t.Errorf("Sendable(ASCII) = %v", err)
	}
}

func TestCheckHeaderValue(t *testing.T) {
	for _, ok := range []string{"", "Sara", "سارا احمدی", "a\tb", "😀 emoji", "<https://shop.example/u?t=1>"} {
		if err := email.CheckHeaderValue("name", ok); err != nil {
			t.Errorf("CheckHeaderValue(%q) = %v; want nil", ok, err)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"a\r\nb", "invalid email: name: contains a line break"},
		{"a\rb", "invalid email: name: contains a line break"},
		{"a\nb", "invalid email: name: contains a line break"},
		{"a\x00b", "invalid email: name: contains a NUL character"},
		{"a\x1bb", "invalid email: name: contains the control character U+001B"},
		{"a\x7fb", "invalid email: name: contains the control character U+007F"},
		{"a\u0085b", "invalid email: name: contains the control character U+0085"},
		{"a\xffb", "invalid email: name: is not valid UTF-8"},
	} {
		err := email.CheckHeaderValue("name", tc.in)
		if !errors.Is(err, email.ErrInvalid) || err.Error() != tc.want {
			t.Errorf("CheckHeaderValue(%q) = %v; want %q", tc.in, err, tc.want)
		}
	}
}

// TestInvalid covers header injection through every field that reaches a header, and the
// other rules of Validate. Validate and Bytes must give the same error.
func TestInvalid(t *testing.T) {
	unsub := func(name, value string) func(*email.Message) {
		return func(m *email.Message) { m.Headers = append(m.Headers, email.Header{Name: name, Value: value}) }
	}
	tests := []struct {
		name   string
		change func(*email.Message)
		want   string
	}{
		{"from name CRLF", func(m *email.Message) { m.From.Name = "Shop\r\nBcc: x@example.com" }, "from.name: contains a line break"},
		{"to name LF", func(m *email.Message) { m.To.Name = "Sara\nBcc: x@example.com" }, "to.name: contains a line break"},
		{"to name NUL", func(m *email.Message) { m.To.Name = "Sara\x00" }, "to.name: contains a NUL character"},
		{"reply-to name CR", func(m *email.Message) {
			m.ReplyTo = &email.Address{Name: "Help\rBcc: x@example.com", Email: "help@example.com"}
		}, "replyTo.name: contains a line break"},
		{"name encoded word", func(m *email.Message) { m.To.Name = "=?utf-8?q?Admin?=" }, `to.name: contains "=?"`},
		{"from email CRLF", func(m *email.Message) { m.From.Email = "shop@example.com\r\nBcc: x@example.com" }, "from.email: contains a line break"},
		{"to email display name", func(m *email.Message) { m.To.Email = "Sara <sara@example.com>" }, "to.email: contains white space"},
		{"to email list", func(m *email.Message) { m.To.Email = "sara@example.com,x@example.com" }, "to.email: has a comma"},
		{"to email empty", func(m *email.Message) { m.To.Email = "" }, "to.email: is empty"},
		{"reply-to email", func(m *email.Message) { m.ReplyTo = &email.Address{Email: "help"} }, "replyTo.email: has no @"},
		{"subject CRLF", func(m *email.Message) { m.Subject = "Hi\r\nBcc: x@example.com" }, "subject: contains a line break"},
		{"subject trailing LF", func(m *email.Message) { m.Subject = "Hi\n" }, "subject: contains a line break"},
		{"subject escape", func(m *email.Message) { m.Subject = "\x1b[31mRed" }, "subject: contains the control character U+001B"},
		{"subject NEL", func(m *email.Message) { m.Subject = "a\u0085b" }, "subject: contains the control character U+0085"},
		{"subject bad UTF-8", func(m *email.Message) { m.Subject = "a\xc0b" }, "subject: is not valid UTF-8"},
		{"subject encoded word", func(m *email.Message) { m.Subject = "=?utf-8?b?SGk=?=" }, `subject: contains "=?"`},
		{"subject empty", func(m *email.Message) { m.Subject = " \t " }, "subject: is empty"},
		{"subject too long", func(m *email.Message) { m.Subject = strings.Repeat("ab ", 333) + "abcd" }, "subject: is 1003 bytes long"},
		{"subject unfoldable", func(m *email.Message) { m.Subject = strings.Repeat("a", 990) }, "subject: does not fit a header line of 998 bytes"},
		{"name unfoldable", func(m *email.Message) { m.To.Name = strings.Repeat("a", 1000) }, "to.name: does not fit"},
		{"header value CRLF", unsub("List-Unsubscribe", "<https://shop.example/u>\r\nBcc: x@example.com"), "header List-Unsubscribe: contains a line break"},
		{"header value LF", unsub("List-Unsubscribe", "<https://shop.example/u>\nBcc: x@example.com"), "header List-Unsubscribe: contains a line break"},
		{"header value non-ASCII", unsub("X-Campaign", "یلدا"), "header X-Campaign: is not ASCII"},
		{"header value empty", unsub("X-Campaign", " "), "header X-Campaign: has an empty value"},
		{"header name CRLF", unsub("X-A\r\nBcc", "x@example.com"), `headers[0].name: "X-A\r\nBcc" is not a field name`},
		{"header name colon", unsub("Bcc: x@example.com\r\nX-A", "b"), "headers[0].name: "},
		{"header name space", unsub("X A", "b"), `headers[0].name: "X A" is not a field name`},
		{"header name empty", unsub("", "b"), "headers[0].name: is empty"},
		{"header name non-ASCII", unsub("X-ی", "b"), `headers[0].name: "X-ی" is not a field name`},
		{"header Bcc", unsub("bcc", "x@example.com"), `headers[0].name: "bcc" is reserved`},
		{"header Cc", unsub("Cc", "x@example.com"), `headers[0].name: "Cc" is reserved`},
		{"header From", unsub("From", "x@example.com"), `headers[0].name: "From" is reserved`},
		{"header To", unsub("TO", "x@example.com"), `headers[0].name: "TO" is reserved`},
		{"header Subject", unsub("Subject", "x"), `headers[0].name: "Subject" is reserved`},
		{"header Reply-To", unsub("Reply-To", "x@example.com"), `headers[0].name: "Reply-To" is reserved`},
		{"header Date", unsub("Date", "x"), `headers[0].name: "Date" is reserved`},
		{"header Sender", unsub("Sender", "x@example.com"), `headers[0].name: "Sender" is reserved`},
		{"header MIME-Version", unsub("MIME-Version", "1.0"), `headers[0].name: "MIME-Version" is reserved`},
		{"header Content-Type", unsub("content-type", "text/html"), `headers[0].name: "content-type" is reserved`},
		{"header Content-Transfer-Encoding", unsub("Content-Transfer-Encoding", "8bit"), `headers[0].name: "Content-Transfer-Encoding" is reserved`},
		{"header repeated", func(m *email.Message) {
			m.Headers = []email.Header{{"X-Campaign", "a"}, {"x-campaign", "b"}}
		}, `headers[1].name: "x-campaign" appears more than once`},
		{"text empty", func(m *email.Message) { m.Text = "" }, "text: is empty"},
		{"html blank", func(m *email.Message) { m.HTML = " \r\n" }, "html: is empty"},
		{"text bad UTF-8", func(m *email.Message) { m.Text = "caf\xe9" }, "text: is not valid UTF-8"},
		{"language underscore", func(m *email.Message) { m.Language = "fa_IR" }, `language: "fa_IR" is not a BCP 47 language tag`},
		{"language CRLF", func(m *email.Message) { m.Language = "fa\r\nBcc: x@example.com" }, "language: "},
		{"date year", func(m *email.Message) { m.Date = time.Date(1066, 10, 14, 0, 0, 0, 0, time.UTC) }, "date: has the year 1066"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := valid()
			tc.change(&m)
			raw, err := m.Bytes()
			if !errors.Is(err, email.ErrInvalid) || !strings.HasPrefix(err.Error(), "invalid email: "+tc.want) {
				t.Fatalf("Bytes() = %d bytes, %v; want ErrInvalid %q", len(raw), err, "invalid email: "+tc.want)
			}
			if raw != nil {
				t.Errorf("Bytes returned %d bytes with its error", len(raw))
			}
			if verr := m.Validate(); verr == nil || verr.Error() != err.Error() {
				t.Errorf("Validate() = %v; want the error of Bytes, %v", verr, err)
			}
		})
	}
}

func TestPersianRoundTrip(t *testing.T) {
	m := valid()
	m.From = email.Address{Name: "فروشگاه چای «برگ سبز»", Email: "Shop@Example.COM"}
	m.To = email.Address{Name: "سارا احمدی", Email: "sara@example.com"}
	m.ReplyTo = &email.Address{Name: "پشتیبانی، فروشگاه", Email: "help@example.com"}
	m.Subject = "سارا جان، از خرید شما سپاسگزاریم 🌿"
	m.Language = "fa-IR"
	p := emailtest.MustParse(t, mustBytes(t, m))
	if p.From.Name != m.From.Name || p.From.Address != "Shop@example.com" {
		t.Errorf("From = %q <%s>; want %q <Shop@example.com>", p.From.Name, p.From.Address, m.From.Name)
	}
	if p.To.Name != m.To.Name || p.To.Address != m.To.Email {
		t.Errorf("To = %q <%s>; want %q <%s>", p.To.Name, p.To.Address, m.To.Name, m.To.Email)
	}
	replyTo, err := p.Header.AddressList("Reply-To")
	if err != nil || len(replyTo) != 1 || replyTo[0].Name != m.ReplyTo.Name || replyTo[0].Address != m.ReplyTo.Email {
		t.Errorf("Reply-To = %v, %v; want %q <%s>", replyTo, err, m.ReplyTo.Name, m.ReplyTo.Email)
	}
	if p.Subject != m.Subject {
		t.Errorf("Subject = %q; want %q", p.Subject, m.Subject)
	}
	if got := p.Header.Get("Content-Language"); got != "fa-IR" {
		t.Errorf("Content-Language = %q; want fa-IR", got)
	}
}

func TestDisplayNamesRoundTrip(t *testing.T) {
	for _, name := range []string{
		"Sara",
		`Sara "Tea" O'Neil, Jr. (VIP) \ <x@example.com>; a:b`,
		"  Sara\tAhmadi  ",
		"سارا احمدی",
		`سارا \ احمدی`, // a backslash broke net/mail's Q encoding (golang/go#80592)
		"José Müller-Lüdenscheidt",
		"Zoë 🌿 <زهره>",
		strings.Repeat("نام خانوادگی بسیار بلند ", 20),
		strings.Repeat("Long Name ", 60),
		"",
	} {
		m := valid()
		m.To.Name = name
		p := emailtest.MustParse(t, mustBytes(t, m))
		if want := strings.TrimSpace(name); p.To.Name != want || p.To.Address != "sara@example.com" {
			t.Errorf("To = %q <%s>; want %q <sara@example.com>", p.To.Name, p.To.Address, want)
		}
	}
}

func TestASCIISubjectRoundTrip(t *testing.T) {
	for _, subject := range []string{
		"  Your order #123:\tthanks  (50% off) a?=b " + strings.Repeat("word ", 150) + "end",
		// Folding next to a tab or another space would lose white space when unfolded.
		strings.Repeat("tab\tand  two  spaces\t then ", 28) + "end",
	} {
		m := valid()
		m.Subject = subject
		raw := mustBytes(t, m)
		if p, want := emailtest.MustParse(t, raw), strings.TrimSpace(subject); p.Subject != want {
			t.Errorf("Subject = %q; want %q\n%s", p.Subject, want, rawField(t, raw, "Subject"))
		}
	}
	m := valid()
	m.Subject = strings.Repeat("word ", 150)
	if field := rawField(t, mustBytes(t, m), "Subject"); !strings.Contains(field, "\r\n word") {
		t.Errorf("long ASCII subject not folded:\n%s", field)
	}
}

var encodedWord = regexp.MustCompile(`=\?[^?]+\?[bBqQ]\?[^?]*\?=`)

// TestLongSubjectFolds checks that a 300-character Persian subject is split into encoded
// words of at most 75 characters, one per line, and comes back whole.
func TestLongSubjectFolds(t *testing.T) {
	m := valid()
	m.Subject = string([]rune(strings.Repeat("سفارش شما ارسال شد ", 20))[:300])
	if n := utf8.RuneCountInString(strings.TrimSpace(m.Subject)); n != 300 {
		t.Fatalf("subject has %d characters; want 300", n)
	}
	raw := mustBytes(t, m)
	field := rawField(t, raw, "Subject")
	lines := strings.Split(field, "\r\n")
	if len(lines) < 10 {
		t.Errorf("Subject is on %d lines; want it folded:\n%s", len(lines), field)
	}
	for i, line := range lines {
		if limit := 76; len(line) > limit { // RFC 2047: a line holding an encoded word, "Subject: " included
			t.Errorf("line %d of Subject has %d characters: %q", i+1, len(line), line)
		}
	}
	words := encodedWord.FindAllString(field, -1)
	if got := strings.Join(words, " "); got != strings.TrimSpace(strings.ReplaceAll(strings.TrimPrefix(field, "Subject:"), "\r\n", "")) {
		t.Errorf("Subject is not only encoded words:\n%s", field)
	}
	for _, w := range words {
		if len(w) > 75 {
			t.Errorf("encoded word of %d characters: %s", len(w), w)
		}
	}
	if p := emailtest.MustParse(t, raw); p.Subject != m.Subject {
		t.Errorf("Subject = %q; want %q", p.Subject, m.Subject)
	}
}

// TestHeaderLinesFit: every header line of a message with long Persian and mixed-script
// subjects and names holds at most 76 characters (RFC 2047 section 2), the message parses
// strictly with net/mail, and each field decodes back to what was given.
func TestHeaderLinesFit(t *testing.T) {
	persian200 := string([]rune(strings.Repeat("از خرید شما از فروشگاه چای سپاسگزاریم ", 6))[:200])
	tests := []struct{ name, subject, from, to string }{
		{"persian 200", persian200, "فروشگاه چای «برگ سبز»", "سارا احمدی"},
		{"mixed", "سارا عزیز، از اولین خرید شما از Green Leaf Tea House سپاسگزاریم! Order #A-1001", "Green Leaf فروشگاه", "Sara احمدی"},
		{"accents", "Merci pour votre commande, Zoë — votre thé arrive bientôt chez vous à Montréal (n° 1001)", "Thé & Café Müller", "José Müller-Lüdenscheidt"},
		{"one long word", strings.Repeat("سپاسگزاریم", 30), strings.Repeat("نام", 40), strings.Repeat("é", 100)},
		{"emoji", strings.Repeat("🌿 چای سبز ", 25), "🌿🌿🌿", "Zoë 🌿 <زهره>"},
		{"ascii", "Thank you for your first order at Green Leaf Tea House, Sara! We are getting it ready", "Green Leaf", "Sara Ahmadi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid()
			m.Subject, m.From.Name, m.To.Name = tt.subject, tt.from, tt.to
			m.ReplyTo = &email.Address{Name: tt.from, Email: "help@example.com"}
			raw := mustBytes(t, m)
			head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
			for i, line := range strings.Split(head, "\r\n") {
				if len(line) > 76 {
					t.Errorf("header line %d has %d characters: %q", i+1, len(line), line)
				}
			}
			p := emailtest.MustParse(t, raw) // net/mail, strictly
			var dec mime.WordDecoder
			if got, err := dec.DecodeHeader(p.Header.Get("Subject")); err != nil || got != strings.TrimSpace(tt.subject) {
				t.Errorf("Subject decodes to %q, %v; want %q", got, err, tt.subject)
			}
			for _, f := range []struct{ field, got, want string }{
				{"From", p.From.Name, tt.from}, {"To", p.To.Name, tt.to},
			} {
				if f.got != strings.TrimSpace(f.want) {
					t.Errorf("%s = %q; want %q", f.field, f.got, f.want)
				}
			}
			if rt, err := p.Header.AddressList("Reply-To"); err != nil || len(rt) != 1 || rt[0].Name != tt.from {
				t.Errorf("Reply-To = %v, %v", rt, err)
			}
		})
	}
}

// rawField returns the named top-level header field as written, folds included, without its
// final CRLF.
func rawField(t *testing.T, raw []byte, name string) string {
	t.Helper()
	head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	lines := strings.Split(head, "\r\n")
	for i, line := range lines {
		if strings.HasPrefix(line, name+":") {
			end := i + 1
			for end < len(lines) && strings.HasPrefix(lines[end], " ") {
				end++
			}
			return strings.Join(lines[i:end], "\r\n")
		}
	}
	t.Fatalf("no %s field in\n%s", name, head)
	return ""
}

func TestBodiesRoundTrip(t *testing.T) {
	m := valid()
	m.Text = "سلام سارا،\r\n\r\nسفارش شما ارسال شد.\nline with trailing spaces   \n" +
		"tab at end\t\r" + strings.Repeat("یک خط بسیار طولانی ", 300) + "\n" +
		". a dot line\nFrom the start\n=3D and = signs ?= =?utf-8?q?x?=\n" +
		strings.Repeat("x", 5000) + "\nno final newline"
	m.HTML = `<!DOCTYPE html><html lang="fa" dir="rtl"><body style="font-family:Tahoma">` +
		strings.Repeat(`<p class="item">چای سبز — ۲۴٫۹۵ تومان</p>`, 200) + "\n</body></html>\n"
	p := emailtest.MustParse(t, mustBytes(t, m))
	if want := normalizeNewlines(m.Text); p.Text != want {
		t.Errorf("Text differs:\n got %q\nwant %q", p.Text, want)
	}
	if p.HTML != m.HTML {
		t.Errorf("HTML differs:\n got %q\nwant %q", p.HTML, m.HTML)
	}
	if p.Parts != 2 || p.TextType != "text/plain; charset=UTF-8" || p.HTMLType != "text/html; charset=UTF-8" {
		t.Errorf("parts = %d, %q, %q; want 2 UTF-8 text/plain then text/html", p.Parts, p.TextType, p.HTMLType)
	}
}

// TestBoundaryNotInContent puts what looks like boundaries, ours included, in both bodies:
// the boundary must occur only in the Content-Type and the three delimiter lines.
func TestBoundaryNotInContent(t *testing.T) {
	first := mustBytes(t, valid())
	_, params, err := mime.ParseMediaType(emailtest.MustParse(t, first).Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	old := params["boundary"]
	m := valid()
	m.Text = "--" + old + "\r\n=_ =_" + old + "\n--" + old + "--\n" + strings.Repeat("=_A", 100)
	m.HTML = "<p>--" + old + "</p>\n--=_\n=_\n"
	raw := mustBytes(t, m)
	_, params, err = mime.ParseMediaType(emailtest.MustParse(t, raw).Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	boundary := params["boundary"]
	if !strings.HasPrefix(boundary, "=_") || boundary == old {
		t.Fatalf("boundary %q; want a new random one starting with =_", boundary)
	}
	if n := bytes.Count(raw, []byte(boundary)); n != 4 {
		t.Errorf("boundary occurs %d times; want 4 (Content-Type and three delimiters)", n)
	}
	if n := bytes.Count(raw, []byte("=_")); n != 4 {
		t.Errorf(`"=_" occurs %d times; want only in the 4 boundaries`, n)
	}
	p := emailtest.MustParse(t, raw)
	if p.Text != normalizeNewlines(m.Text) || p.HTML != m.HTML {
		t.Errorf("bodies differ:\n got %q, %q\nwant %q, %q", p.Text, p.HTML, normalizeNewlines(m.Text), m.HTML)
	}
}

func TestCRLFEverywhere(t *testing.T) {
	m := valid()
	m.To.Name = "سارا احمدی"
	m.Subject = strings.Repeat("A long subject that must be folded ", 5)
	m.Text = "one\ntwo\r\nthree\rfour\n\n\r\r\nfive\r\x1b\nend"
	m.HTML = "<p>\n<b>bold</b>\r</p>"
	m.Headers = []email.Header{{"List-Unsubscribe", "<https://shop.example/u/" + strings.Repeat("t", 80) + ">, <mailto:u@shop.example>"}}
	raw := mustBytes(t, m)
	for i, c := range raw {
		if c == '\n' && (i == 0 || raw[i-1] != '\r') {
			t.Fatalf("bare LF at byte %d: %q", i, raw[max(0, i-40):i+1])
		}
		if c == '\r' && (i+1 == len(raw) || raw[i+1] != '\n') {
			t.Fatalf("bare CR at byte %d: %q", i, raw[max(0, i-40):i+1])
		}
		if c >= 0x80 {
			t.Fatalf("8-bit byte at %d", i)
		}
	}
	if !bytes.HasSuffix(raw, []byte("--\r\n")) {
		t.Errorf("message does not end with the closing delimiter and CRLF: %q", raw[len(raw)-20:])
	}
	p := emailtest.MustParse(t, raw)
	if p.Text != "one\ntwo\nthree\nfour\n\n\n\nfive\n\x1b\nend" || p.HTML != "<p>\n<b>bold</b>\n</p>" {
		t.Errorf("bodies = %q, %q", p.Text, p.HTML)
	}
}

func TestHeaderFields(t *testing.T) {
	m := valid()
	m.ReplyTo = &email.Address{Email: "help@example.com"}
	tehran := time.FixedZone("IRST", 3*3600+1800)
	m.Date = time.Date(2025, 3, 21, 9, 30, 0, 0, tehran)
	m.Language = "fa-IR"
	m.Headers = []email.Header{
		{"List-Unsubscribe", " <https://shop.example/u/abc>, <mailto:unsubscribe@shop.example?subject=abc> "},
		{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
	}
	raw := mustBytes(t, m)
	head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	var names []string
	for _, line := range strings.Split(head, "\r\n") {
		if name, _, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, " ") {
			names = append(names, name)
		}
	}
	want := "From To Reply-To Subject Date MIME-Version Content-Language List-Unsubscribe List-Unsubscribe-Post Content-Type"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("fields = %s\nwant     %s", got, want)
	}
	p := emailtest.MustParse(t, raw)
	if got := rawField(t, raw, "Date"); got != "Date: Fri, 21 Mar 2025 09:30:00 +0330" {
		t.Errorf("%s; want Date: Fri, 21 Mar 2025 09:30:00 +0330", got)
	}
	if d, err := p.Header.Date(); err != nil || !d.Equal(m.Date) {
		t.Errorf("Date = %v, %v; want %v", d, err, m.Date)
	}
	if got := p.Header.Get("List-Unsubscribe"); got != strings.TrimSpace(m.Headers[0].Value) {
		t.Errorf("List-Unsubscribe = %q", got)
	}
	if got := p.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q", got)
	}
	if p.From.Name != "Tea Shop" || p.To.Address != "sara@example.com" {
		t.Errorf("From = %v, To = %v", p.From, p.To)
	}

	m.Date, m.Language, m.ReplyTo = time.Time{}, "", nil
	h := emailtest.MustParse(t, mustBytes(t, m)).Header
	for _, name := range []string{"Date", "Content-Language", "Reply-To"} {
		if _, ok := h[name]; ok {
			t.Errorf("%s written although not set", name)
		}
	}
}

func TestOversize(t *testing.T) {
	tests := map[string]func(*email.Message){
		"text over MaxSize": func(m *email.Message) { m.Text = strings.Repeat("a", email.MaxSize) },
		// Each Persian letter is 2 bytes that quoted-printable writes as 6: 4 MiB of text
		// becomes about 12 MiB.
		"encoded over MaxSize": func(m *email.Message) { m.HTML = strings.Repeat("س", 2<<20) },
	}
	for name, change := range tests {
		t.Run(name, func(t *testing.T) {
			m := valid()
			change(&m)
			raw, err := m.Bytes()
			if !errors.Is(err, email.ErrInvalid) || !strings.Contains(err.Error(), "invalid email: message: is larger than") || raw != nil {
				t.Errorf("Bytes() = %d bytes, %v; want ErrInvalid about the size", len(raw), err)
			}
			if err := m.Validate(); !errors.Is(err, email.ErrInvalid) {
				t.Errorf("Validate() = %v; want ErrInvalid", err)
			}
		})
	}

	m := valid()
	m.Text = strings.Repeat("a", email.MaxSize/2)
	raw := mustBytes(t, m)
	if len(raw) > email.MaxSize {
		t.Errorf("message of %d bytes; want at most %d", len(raw), email.MaxSize)
	}
	if err := m.Validate(); err != nil {
		t.Errorf("Validate() = %v; want nil", err)
	}

	// Validate lets the largest message it does not encode through (every byte of it escaped
	// by quoted-printable, the densest encoding) only if Bytes writes it.
	m = valid()
	m.HTML = strings.Repeat("س", (email.MaxSize-16<<10)*10/66)
	if err := m.Validate(); err != nil {
		t.Fatalf("Validate() = %v; want nil", err)
	}
	if raw, err := m.Bytes(); err != nil || len(raw) > email.MaxSize {
		t.Errorf("Bytes() = %d bytes, %v, of a message Validate passed", len(raw), err)
	}
}

// FuzzBytes: whatever the subject, display name and text, Bytes either rejects the message
// with ErrInvalid or writes one that parses back to the same subject, name and text.
func FuzzBytes(f *testing.F) {
	f.Add("Thank you for your order", "Sara Ahmadi", "Thanks!\n")
	f.Add("سپاس از خرید شما 🌿", "سارا احمدی", "سلام\r\nخط دوم")
	f.Add(strings.Repeat("سلام ", 200), strings.Repeat("نام ", 50), strings.Repeat("x", 3000))
	f.Add("a\r\nBcc: x@example.com", "Sara\nBcc: y@example.com", "\r")
	f.Add("=?utf-8?q?hi?=", `"quoted" \ (name) <x>`, "=_--=_\r\n--")
	f.Add("  spaced\t\tsubject  ", " \t", "\x00\x01")
	f.Add("0", "\u0345\\", "\r\x1b\n")
	f.Fuzz(func(t *testing.T, subject, name, text string) {
		m := valid()
		m.Subject, m.To.Name, m.Text = subject, name, text
		raw, err := m.Bytes()
		if err != nil {
			if !errors.Is(err, email.ErrInvalid) {
				t.Fatalf("Bytes() error %v does not wrap ErrInvalid", err)
			}
			return
		}
		p, err := emailtest.Parse(raw)
		if err != nil {
			t.Fatalf("Parse: %v\n%s", err, raw)
		}
		if want := strings.TrimSpace(subject); p.Subject != want {
			t.Errorf("Subject = %q; want %q", p.Subject, want)
		}
		if want := strings.TrimSpace(name); p.To.Name != want {
			t.Errorf("To name = %q; want %q", p.To.Name, want)
		}
		if want := normalizeNewlines(text); p.Text != want {
			t.Errorf("Text = %q; want %q", p.Text, want)
		}
	})
}

// BenchmarkBytes builds a typical thank-you email: about 8 KB of HTML, part of it Persian.
func BenchmarkBytes(b *testing.B) {
	m := valid()
	m.To.Name = "سارا احمدی"
	m.Subject = "سارا جان، از خرید شما سپاسگزاریم"
	m.Language = "fa-IR"
	m.Date = time.Date(2025, 3, 21, 9, 30, 0, 0, time.UTC)
	m.Headers = []email.Header{
		{"List-Unsubscribe", "<https://shop.example/u/0123456789abcdef>, <mailto:u@shop.example?subject=0123456789abcdef>"},
		{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
	}
	item := `<tr><td style="padding:8px;border-bottom:1px solid #eee"><a href="https://shop.example/p/tea-01?utm_source=email">` +
		`چای سبز ممتاز</a></td><td style="padding:8px;text-align:left">2 × 24.95</td></tr>` + "\n"
	var html strings.Builder
	html.WriteString(`<!DOCTYPE html><html lang="fa" dir="rtl"><head><meta charset="utf-8"></head><body>` + "\n")
	for html.Len() < 8<<10 {
		html.WriteString(item)
	}
	html.WriteString("</body></html>\n")
	m.HTML = html.String()
	m.Text = strings.Repeat("چای سبز ممتاز: 2 × 24.95\nhttps://shop.example/p/tea-01\n", 30)
	b.ReportAllocs()
	b.SetBytes(int64(len(m.HTML) + len(m.Text)))
	for b.Loop() {
		if _, err := m.Bytes(); err != nil {
			b.Fatal(err)
		}
	}
}
