package email

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"shopmail/internal/ascii"
)

// Line lengths of RFC 5322 section 2.1.1 and RFC 2047 section 2.
const (
	// foldWidth is the longest line fold writes when it can: RFC 5322 asks for at most 78
	// characters, RFC 2047 for at most 76 on a line holding an encoded word; 76 keeps both.
	foldWidth  = 76
	maxLineLen = 998 // a line MUST be at most 998
	// maxWordLen is the longest encoded word (RFC 2047 section 2).
	maxWordLen = 75
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

// languageShape is a Content-Language tag, `^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`, checked
// byte by byte rather than by a regular expression compiled at every function's start.
var languageShape = ascii.Tag{Seps: "-", First: ascii.Part{Min: 2, Max: 8, Class: ascii.Letter},
	Rest: ascii.Part{Min: 1, Max: 8, Class: ascii.Alnum}, MaxRest: -1}

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
	h.line(field+".name", name, mailbox(display, addr, name))
}

// mailbox formats a display name and address for the field name. net/mail's Address.String
// quotes an ASCII name correctly, but it can put a raw backslash into the Q-encoded form of a
// non-ASCII name, which parsers then reject (golang/go#80592). Non-ASCII names are therefore
// encoded here (encodeText), so that the first line, "To: " and a word, fits too.
func mailbox(name, addr, field string) string {
	if isASCII(name) {
		return (&mail.Address{Name: name, Address: addr}).String()
	}
	return encodeText(name, field) + " <" + addr + ">"
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
	h.line("subject", "Subject", encodeText(s, "Subject"))
}

// encodeText returns ASCII text unchanged, and other text as RFC 2047 encoded words separated
// by spaces, in whichever of the Q and B encodings is shorter, for the header field name.
// fold puts each word on a line of its own when two do not fit, so every word is short
// enough for its line to hold at most foldWidth characters: the first, after "Name: ", and
// the others after the space that starts a folded line. A word holds whole characters (RFC
// 2047 section 5: a character is never split between words).
func encodeText(s, field string) string {
	if isASCII(s) {
		return s
	}
	cost, words := bCost, bWord
	if qLen(s) < bLen(len(s)) {
		cost, words = qCost, qWord
	}
	var out []string
	budget := min(maxWordLen, foldWidth-len(field)-2) // "Name: " before the first word
	const prefix = len("=?UTF-8?B?") + len("?=")
	start, n := 0, 0 // the current word's first byte and its encoded length without prefix
	for i, r := range s {
		size := utf8.RuneLen(r)
		if next := cost(s[start:i], n, s[i:i+size]); prefix+next > budget && i > start {
			out = append(out, words(s[start:i]))
			start, budget = i, foldWidth-1 // " " before each further word
			n = cost("", 0, s[i:i+size])
		} else {
			n = next
		}
	}
	return strings.Join(append(out, words(s[start:])), " ")
}

// bLen is the length of n bytes in base64.
func bLen(n int) int { return (n + 2) / 3 * 4 }

// bCost is the base64 length of word + r, where the length of word alone is n.
func bCost(word string, _ int, r string) int { return bLen(len(word) + len(r)) }

func bWord(s string) string {
	return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
}

// qLiteral reports whether the Q encoding writes b as it is: only what RFC 2047 section 5 (3)
// allows in a display name, the strictest of its three places, so one rule fits all.
func qLiteral(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || strings.IndexByte("!*+-/", b) >= 0
}

// qLen is the length of s in the Q encoding.
func qLen(s string) int { return qCost("", 0, s) }

// qCost is the Q length of word + r, where the length of word alone is n.
func qCost(_ string, n int, r string) int {
	for i := 0; i < len(r); i++ {
		if qLiteral(r[i]) || r[i] == ' ' {
			n++
		} else {
			n += 3
		}
	}
	return n
}

func qWord(s string) string {
	var b strings.Builder
	b.WriteString("=?UTF-8?Q?")
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			b.WriteByte('_')
		case qLiteral(c):
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	b.WriteString("?=")
	return b.String()
}

func (h *headerWriter) date(t time.Time) {
	if y := t.Year(); y < 1900 || y > 9999 {
		h.fail("date", fmt.Errorf("has the year %d; RFC 5322 needs 1900 to 9999", y))
	}
	h.line("date", "Date", t.Format(time.RFC1123Z))
}

func (h *headerWriter) language(tag string) {
	if len(tag) > 64 || !languageShape.Match(tag) {
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
