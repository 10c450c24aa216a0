package email

import (
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Line lengths of RFC 5322 section 2.1.1.
const (
	foldWidth  = 78  // a line SHOULD be at most 78 characters
	maxLineLen = 998 // and MUST be at most 998
)

// maxSubjectLen bounds the trimmed subject, in bytes.
const maxSubjectLen = 998

// reserved are the fields, in lower case, that cannot be extra headers: those the builder
// writes itself and those that would change who receives the message. Every Content-* field
// is reserved too, as it would change how the parts are read.
var reserved = map[string]bool{
	"from": true, "to": true, "reply-to": true, "subject": true, "date": true,
	"mime-version": true, "cc": true, "bcc": true, "sender": true,
}

var languageRe = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)

// CheckHeaderValue returns an error wrapping ErrInvalid and naming field when v could break
// out of a header: when it is not valid UTF-8 or contains a control character (CR, LF, NUL,
// any other C0 control except TAB, DEL, or a C1 control).
func CheckHeaderValue(field, v string) error {
	if err := CheckText(v); err != nil {
		return fieldError(field, err)
	}
	return nil
}

// CheckText reports why v cannot be shown as one line of an email (a name, a subject, a
// product name), or nil: invalid UTF-8, line breaks, NUL and other control characters, and
// the bidirectional embedding, override and isolate controls, which can make text read as
// something else (a name "\u202egnp.exe" shows as "exe.png").
func CheckText(v string) error {
	if !utf8.ValidString(v) {
		return errors.New("is not valid UTF-8")
	}
	for _, r := range v {
		switch {
		case r == '\r' || r == '\n':
			return errors.New("contains a line break")
		case r == 0:
			return errors.New("contains a NUL character")
		case r < 0x20 && r != '\t' || r >= 0x7f && r <= 0x9f:
			return fmt.Errorf("contains the control character %U", r)
		case r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
			return fmt.Errorf("contains the bidirectional control character %U", r)
		}
	}
	return nil
}

// CheckDisplayText is CheckText for text that is written into a header as words (display
// names, the subject): it also refuses "=?", which mail programs would decode as an RFC 2047
// encoded word and show as something else.
func CheckDisplayText(v string) error {
	if err := CheckText(v); err != nil {
		return err
	}
	if strings.Contains(v, "=?") {
		return errors.New(`contains "=?", which mail programs would read as the start of an encoded word`)
	}
	return nil
}

// headerText checks a display name or the subject and returns it trimmed. Text containing
// "=?" is rejected, ASCII or not, to keep one simple rule: ASCII text is written as it is,
// and mail programs would decode an "=?...?=" in it as an RFC 2047 encoded word.
func headerText(field, v string) (string, error) {
	if err := CheckDisplayText(v); err != nil {
		return "", fieldError(field, err)
	}
	return strings.TrimSpace(v), nil
}

// header validates the header fields of m and returns the header block, blank line included.
func (m Message) header(boundary string) (string, error) {
	var h headerWriter
	h.address("from", "From", m.From)
	h.address("to", "To", m.To)
	if m.ReplyTo != nil {
		h.address("replyTo", "Reply-To", *m.ReplyTo)
	}
	h.subject(m.Subject)
	if !m.Date.IsZero() {
		h.date(m.Date)
	}
	h.line("MIME-Version", "MIME-Version", "1.0")
	if m.Language != "" {
		h.language(m.Language)
	}
	seen := make(map[string]bool, len(m.Headers))
	for i, x := range m.Headers {
		h.extra(i, x, seen)
	}
	h.line("Content-Type", "Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	h.b.WriteString("\r\n")
	return h.b.String(), h.err
}

// headerWriter builds a header block and keeps the first problem found; once there is one,
// it writes nothing more.
type headerWriter struct {
	b   strings.Builder
	err error
}

// keep records err, which already names its field, unless a problem was found before.
func (h *headerWriter) keep(err error) {
	if h.err == nil {
		h.err = err
	}
}

// fail records a problem with field.
func (h *headerWriter) fail(field string, problem error) { h.keep(fieldError(field, problem)) }

// line writes the field "name: value" folded; field names the Message field for errors.
func (h *headerWriter) line(field, name, value string) {
	if h.err == nil && !fold(&h.b, name, value) {
		h.fail(field, fmt.Errorf("does not fit a header line of %d bytes", maxLineLen))
	}
}

// address writes a mailbox field; fold keeps its lines short.
func (h *headerWriter) address(field, name string, a Address) {
	addr, err := parseAddress(field+".email", a.Email)
	h.keep(err)
	display, err := headerText(field+".name", a.Name)
	h.keep(err)
	h.line(field+".name", name, mailbox(display, addr))
}

// mailbox formats a display name and address. net/mail's Address.String quotes an ASCII
// name correctly, but it can put a raw backslash into the Q-encoded form of a non-ASCII name,
// which parsers then reject (golang/go#80592). Non-ASCII names are therefore B-encoded here,
// which is also the shorter form for Persian.
func mailbox(name, addr string) string {
	if isASCII(name) {
		return (&mail.Address{Name: name, Address: addr}).String()
	}
	return mime.BEncoding.Encode("UTF-8", name) + " <" + addr + ">"
}

func (h *headerWriter) subject(s string) {
	s, err := headerText("subject", s)
	h.keep(err)
	switch {
	case s == "":
		h.fail("subject", errors.New("is empty"))
	case len(s) > maxSubjectLen:
		h.fail("subject", fmt.Errorf("is %d bytes long; at most %d are allowed", len(s), maxSubjectLen))
	}
	h.line("subject", "Subject", encodeText(s))
}

// encodeText returns ASCII text unchanged, and other text as RFC 2047 encoded words of at
// most 75 characters separated by spaces, in whichever of the Q and B encodings is shorter.
func encodeText(s string) string {
	q := mime.QEncoding.Encode("UTF-8", s)
	if b := mime.BEncoding.Encode("UTF-8", s); len(b) < len(q) {
		return b
	}
	return q
}

func (h *headerWriter) date(t time.Time) {
	if y := t.Year(); y < 1900 || y > 9999 {
		h.fail("date", fmt.Errorf("has the year %d; RFC 5322 needs 1900 to 9999", y))
	}
	h.line("date", "Date", t.Format(time.RFC1123Z))
}

func (h *headerWriter) language(tag string) {
	if len(tag) > 64 || !languageRe.MatchString(tag) {
		h.fail("language", fmt.Errorf(`%q is not a BCP 47 language tag such as "fa-IR"`, tag))
	}
	h.line("language", "Content-Language", tag)
}

// extra writes the i-th extra header; seen holds the lower-case names written so far.
func (h *headerWriter) extra(i int, x Header, seen map[string]bool) {
	key := strings.ToLower(x.Name)
	if err := checkFieldName(x.Name, seen[key]); err != nil {
		h.fail(fmt.Sprintf("headers[%d].name", i), err)
	}
	seen[key] = true
	field := "header " + x.Name
	h.keep(CheckHeaderValue(field, x.Value))
	value := strings.TrimSpace(x.Value)
	switch {
	case value == "":
		h.fail(field, errors.New("has an empty value"))
	case !isASCII(value):
		h.fail(field, errors.New("is not ASCII; extra header values are written as they are"))
	}
	h.line(field, x.Name, value)
}

// checkFieldName accepts an RFC 7230 token, the field names that both RFC 5322 and common
// parsers (Go's net/textproto among them) accept, unless it is reserved or a repeat.
func checkFieldName(name string, repeated bool) error {
	key := strings.ToLower(name)
	switch {
	case name == "":
		return errors.New("is empty")
	case strings.IndexFunc(name, notTokenChar) >= 0:
		return fmt.Errorf("%q is not a field name: use letters, digits and !#$%%&'*+-.^_`|~", name)
	case reserved[key] || strings.HasPrefix(key, "content-"):
		return fmt.Errorf("%q is reserved: the builder writes it, or it would change the recipients or the MIME structure", name)
	case repeated:
		return fmt.Errorf("%q appears more than once", name)
	}
	return nil
}

func notTokenChar(r rune) bool {
	return r >= utf8.RuneSelf || !isLetterOrDigit(byte(r)) && !strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// fold writes "name: value" and CRLF to b, starting a new line before a word that would take
// the line past foldWidth. It folds only at a single space between two non-blank characters,
// so unfolding gives back value exactly, even in parsers such as Go's net/textproto that trim
// the white space around a fold. It reports whether every line fits in maxLineLen.
func fold(b *strings.Builder, name, value string) bool {
	b.WriteString(name)
	b.WriteByte(':')
	width, fits := len(name)+1, true
	words := strings.Split(value, " ")
	for i, w := range words {
		if i > 0 && width+1+len(w) > foldWidth && canFoldBetween(words[i-1], w) {
			b.WriteString("\r\n")
			width = 0
		}
		b.WriteByte(' ')
		b.WriteString(w)
		width += 1 + len(w)
		fits = fits && width <= maxLineLen
	}
	b.WriteString("\r\n")
	return fits
}

// canFoldBetween reports whether the space between two words (split at single spaces) is a
// single space between non-blank characters.
func canFoldBetween(prev, next string) bool {
	return prev != "" && next != "" && prev[len(prev)-1] != '\t' && next[0] != '\t'
}
