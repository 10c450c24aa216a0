// Package email builds the raw RFC 5322 MIME messages that are sent through SES v2 SendEmail
// with Raw content. Every message is multipart/alternative with a plain-text and an HTML part.
//
// Names, subjects and addresses come from untrusted order events, so everything that reaches a
// header is checked: CR, LF, NUL and other control characters are rejected (no header
// injection), non-ASCII text is RFC 2047 encoded, and long lines are folded. The output is
// 7-bit ASCII with CRLF line endings.
package email

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrInvalid is wrapped by every validation error of this package; test with errors.Is.
var ErrInvalid = errors.New("invalid email")

// MaxSize is the largest message, in bytes, that Bytes produces (10 MiB). SES v2 accepts raw
// messages up to 40 MB; this is our own ceiling.
const MaxSize = 10 << 20

// errTooLarge reports a message that grew past MaxSize while it was being written.
var errTooLarge = fmt.Errorf("%w: message: is larger than %d bytes", ErrInvalid, MaxSize)

// Address is a mailbox: an optional display name and an email address.
type Address struct {
	Name  string // display name; may be empty, may be non-ASCII
	Email string // bare address, as accepted by ParseAddress
}

// Header is an extra header field, such as List-Unsubscribe. Its value must be ASCII.
type Header struct{ Name, Value string }

// Message is one email with a plain-text and an HTML body.
//
// Bytes writes the subject, the display names and the extra header values with leading and
// trailing white space removed, and the addresses as ParseAddress normalises them.
type Message struct {
	From     Address
	To       Address
	ReplyTo  *Address  // optional
	Subject  string    // required; non-ASCII is RFC 2047 encoded
	Headers  []Header  // extra header fields, written in order
	Text     string    // plain-text part; required
	HTML     string    // HTML part; required
	Date     time.Time // zero: no Date field (SES adds one)
	Language string    // optional BCP 47 tag for Content-Language, e.g. "fa-IR"
}

// Validate reports the first problem that stops Bytes, as an error wrapping ErrInvalid that
// names the field, e.g. "invalid email: subject: contains a line break". A message that may
// come near MaxSize is encoded to measure it, without keeping the result; one sure to fit is
// not: quoted-printable writes a byte as at most three characters, plus a soft line break of
// three every 73, so the parts grow at most 3.2 times (encoding a campaign's email only to
// measure it was 4% of a sender's CPU).
func (m Message) Validate() error {
	head, err := m.header("=_")
	if err != nil {
		return err
	}
	if len(head)+(len(m.Text)+len(m.HTML))*33/10+4096 > MaxSize {
		return m.write(io.Discard)
	}
	if err := checkBody("text", m.Text); err != nil {
		return err
	}
	return checkBody("html", m.HTML)
}

// Bytes validates the message and returns it as a raw MIME message: 7-bit, CRLF line
// endings, at most MaxSize bytes. It fails exactly when Validate does.
func (m Message) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(2*(len(m.Text)+len(m.HTML)) + 4096)
	if err := m.write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// write validates m and writes the message to w. Field problems are found before anything
// is written; the size is checked while writing.
func (m Message) write(w io.Writer) error {
	// The boundary starts with "=_", which quoted-printable output never contains ('=' is
	// always followed by two hex digits or a line break), so it cannot occur in the parts.
	boundary := "=_" + rand.Text()
	head, err := m.header(boundary)
	if err != nil {
		return err
	}
	if err := checkBody("text", m.Text); err != nil {
		return err
	}
	if err := checkBody("html", m.HTML); err != nil {
		return err
	}
	lw := &limitWriter{w: w}
	if _, err := io.WriteString(lw, head); err != nil {
		return err
	}
	return m.writeParts(lw, boundary)
}

// checkBody requires a non-blank body in UTF-8, the charset the parts declare.
func checkBody(field, body string) error {
	if strings.TrimSpace(body) == "" {
		return fieldError(field, errors.New("is empty"))
	}
	if !utf8.ValidString(body) {
		return fieldError(field, errors.New("is not valid UTF-8"))
	}
	return nil
}

// writeParts writes the multipart/alternative body: the text part, then the HTML part, which
// mail programs prefer when they can show it.
func (m Message) writeParts(w io.Writer, boundary string) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(boundary); err != nil {
		return err
	}
	if err := writePart(mw, "text/plain; charset=UTF-8", m.Text); err != nil {
		return err
	}
	if err := writePart(mw, "text/html; charset=UTF-8", m.HTML); err != nil {
		return err
	}
	return mw.Close()
}

// lineBreaks turns CRLF and a lone CR into LF.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// writePart writes one quoted-printable part, every line break of body (CRLF, LF or a lone
// CR) as CRLF, in lines of at most 76 characters. The line breaks are made LF before the
// encoder sees them: given a CR, then a byte it escapes, then LF, it drops the LF.
func writePart(mw *multipart.Writer, contentType, body string) error {
	pw, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {contentType},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return err
	}
	if strings.IndexByte(body, '\r') >= 0 {
		body = lineBreaks.Replace(body)
	}
	// Written in chunks of a buffer on the stack: the replacer's WriteString wrote each run
	// between line breaks on its own, which cost a tenth of an order's handling, and one write
	// of the whole body copied it to bytes first (15 KB a campaign email).
	qw := quotedprintable.NewWriter(pw)
	var chunk [4096]byte
	for body != "" {
		n := copy(chunk[:], body)
		if _, err := qw.Write(chunk[:n]); err != nil {
			return err
		}
		body = body[n:]
	}
	return qw.Close()
}

// limitWriter passes writes on to w until more than MaxSize bytes were written in all.
type limitWriter struct {
	w io.Writer
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	l.n += len(p)
	if l.n > MaxSize {
		return 0, errTooLarge
	}
	return l.w.Write(p)
}

// fieldError is a validation error about one field of a Message.
func fieldError(field string, problem error) error {
	return fmt.Errorf("%w: %s: %w", ErrInvalid, field, problem)
}
