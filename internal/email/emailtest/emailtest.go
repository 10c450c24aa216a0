// Package emailtest parses raw messages built by package email, so that tests assert on what
// a mail program would see rather than on the bytes. Parse is strict: it fails on anything
// package email must never produce.
package emailtest

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"
)

// maxLineLen is the line limit of RFC 5322 section 2.1.1, CRLF not counted.
const maxLineLen = 998

// Header fields that must appear exactly once, and at most once (RFC 5322 section 3.6 and
// RFC 2045).
var (
	required   = []string{"From", "To", "Subject", "Mime-Version", "Content-Type"}
	atMostOnce = []string{"Date", "Reply-To", "Sender", "Cc", "Bcc", "Message-Id",
		"In-Reply-To", "References", "Content-Language", "Content-Transfer-Encoding"}
)

// Parsed is a message as a mail program reads it.
type Parsed struct {
	Header   mail.Header   // header fields as net/mail parsed them, not decoded
	From, To *mail.Address // decoded display names
	Subject  string        // RFC 2047 decoded
	// Text and HTML are the decoded bodies of the two parts, with every CRLF turned into
	// "\n". (Package email writes each line break of its input, CRLF, LF or a lone CR, as
	// CRLF, so they equal the input with line breaks normalised to "\n".)
	Text, HTML         string
	TextType, HTMLType string // full Content-Type of each part, parameters included
	Parts              int    // number of parts: always 2 when Parse succeeds
}

// Parse parses a raw message and fails unless it is what package email promises: 7-bit ASCII
// without NUL, lines of at most 998 bytes ending in CRLF (no bare LF or CR anywhere, header
// or body), one From, To, Subject, MIME-Version 1.0 and Content-Type, no other field that
// RFC 5322 allows once appearing twice, and a multipart/alternative body of exactly one
// text/plain part followed by one text/html part, both UTF-8, quoted-printable or 7bit.
func Parse(raw []byte) (*Parsed, error) {
	if err := checkLines(raw); err != nil {
		return nil, err
	}
	if err := checkHeaderLines(raw); err != nil {
		return nil, err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("read message: %w", err)
	}
	if err := checkFields(msg.Header); err != nil {
		return nil, err
	}
	p := &Parsed{Header: msg.Header}
	if p.From, err = oneAddress(msg.Header, "From"); err != nil {
		return nil, err
	}
	if p.To, err = oneAddress(msg.Header, "To"); err != nil {
		return nil, err
	}
	if p.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return nil, fmt.Errorf("decode Subject: %w", err)
	}
	boundary, err := alternativeBoundary(msg.Header)
	if err != nil {
		return nil, err
	}
	if err := p.readParts(multipart.NewReader(msg.Body, boundary)); err != nil {
		return nil, err
	}
	return p, nil
}

// MustParse is Parse that fails the test, showing the start of the message, on an error.
func MustParse(t testing.TB, raw []byte) *Parsed {
	t.Helper()
	p, err := Parse(raw)
	if err != nil {
		const show = 4096
		t.Fatalf("emailtest: %v\nmessage (first %d bytes):\n%s", err, show, raw[:min(len(raw), show)])
	}
	return p
}

func checkLines(raw []byte) error {
	n := 0
	for line := range bytes.Lines(raw) {
		n++
		text, crlf := bytes.CutSuffix(line, []byte("\r\n"))
		switch {
		case !crlf && bytes.HasSuffix(line, []byte("\n")):
			return fmt.Errorf("line %d ends in a bare LF", n)
		case bytes.IndexByte(text, '\r') >= 0:
			return fmt.Errorf("line %d has a bare CR", n)
		case len(text) > maxLineLen:
			return fmt.Errorf("line %d is %d bytes long; at most %d are allowed", n, len(text), maxLineLen)
		}
		if i := bytes.IndexFunc(text, func(r rune) bool { return r == 0 || r >= utf8.RuneSelf }); i >= 0 {
			return fmt.Errorf("line %d has the byte %#02x; the message must be 7-bit without NUL", n, text[i])
		}
	}
	return nil
}

// maxEncodedLine is the longest line holding an encoded word (RFC 2047 section 2). Other
// header lines SHOULD be at most 78 characters (RFC 5322 section 2.1.1), which folding
// cannot always give (a long URL, text without single spaces), so only 998 is checked.
const maxEncodedLine = 76

// checkHeaderLines checks the length of every line of the top-level header that holds an
// encoded word.
func checkHeaderLines(raw []byte) error {
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	for i, line := range strings.Split(string(head), "\r\n") {
		if strings.Contains(line, "=?") && len(line) > maxEncodedLine {
			return fmt.Errorf("header line %d holds an encoded word and has %d characters; at most %d are allowed: %q", i+1, len(line), maxEncodedLine, line)
		}
	}
	return nil
}

func checkFields(h mail.Header) error {
	for _, name := range required {
		if len(h[name]) != 1 {
			return fmt.Errorf("has %d %s fields; want 1", len(h[name]), name)
		}
	}
	for _, name := range atMostOnce {
		if len(h[name]) > 1 {
			return fmt.Errorf("has %d %s fields; want at most 1", len(h[name]), name)
		}
	}
	if v := h.Get("Mime-Version"); v != "1.0" {
		return fmt.Errorf("has MIME-Version %q; want 1.0", v)
	}
	return nil
}

func oneAddress(h mail.Header, name string) (*mail.Address, error) {
	list, err := h.AddressList(name)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	if len(list) != 1 {
		return nil, fmt.Errorf("has %d addresses in %s; want 1", len(list), name)
	}
	return list[0], nil
}

func alternativeBoundary(h mail.Header) (string, error) {
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return "", fmt.Errorf("parse Content-Type: %w", err)
	}
	if mt != "multipart/alternative" || params["boundary"] == "" {
		return "", fmt.Errorf("has Content-Type %q; want multipart/alternative with a boundary", h.Get("Content-Type"))
	}
	return params["boundary"], nil
}

func (p *Parsed) readParts(r *multipart.Reader) error {
	for {
		part, err := r.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read part %d: %w", p.Parts+1, err)
		}
		p.Parts++
		if err := p.readPart(part); err != nil {
			return fmt.Errorf("part %d: %w", p.Parts, err)
		}
	}
	if p.Parts != 2 {
		return fmt.Errorf("has %d parts; want text/plain then text/html", p.Parts)
	}
	return nil
}

// readPart reads the current part, which must be text/plain if it is the first and text/html
// if it is the second.
func (p *Parsed) readPart(part *multipart.Part) error {
	ct := part.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("parse Content-Type: %w", err)
	}
	if !strings.EqualFold(params["charset"], "UTF-8") {
		return fmt.Errorf("has Content-Type %q; want charset=UTF-8", ct)
	}
	body, err := decodeBody(part)
	if err != nil {
		return err
	}
	switch {
	case mt == "text/plain" && p.Parts == 1:
		p.Text, p.TextType = body, ct
	case mt == "text/html" && p.Parts == 2:
		p.HTML, p.HTMLType = body, ct
	default:
		return fmt.Errorf("is %s; want text/plain as part 1 and text/html as part 2", mt)
	}
	return nil
}

// decodeBody decodes a part by its Content-Transfer-Encoding and turns CRLF into "\n".
func decodeBody(part *multipart.Part) (string, error) {
	b, err := io.ReadAll(part)
	if err != nil {
		return "", fmt.Errorf("read body: %w", err)
	}
	switch cte := strings.ToLower(part.Header.Get("Content-Transfer-Encoding")); cte {
	case "quoted-printable":
		if err := checkQuotedPrintable(b); err != nil {
			return "", err
		}
		if b, err = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(b))); err != nil {
			return "", fmt.Errorf("decode quoted-printable: %w", err)
		}
	case "", "7bit":
	default:
		return "", fmt.Errorf("has the Content-Transfer-Encoding %q; want quoted-printable or 7bit", cte)
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("body is not valid UTF-8")
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n"), nil
}

// checkQuotedPrintable holds a body to RFC 2045 section 6.7, which Go's decoder does not:
// lines of at most 76 characters, no white space at the end of a line, and every '=' either
// a soft line break or followed by two upper-case hex digits.
func checkQuotedPrintable(body []byte) error {
	n := 0
	for line := range bytes.Lines(body) {
		n++
		text, crlf := bytes.CutSuffix(line, []byte("\r\n"))
		if len(text) > 76 {
			return fmt.Errorf("quoted-printable line %d has %d characters; at most 76 are allowed", n, len(text))
		}
		if end := len(text) - 1; end >= 0 && (text[end] == ' ' || text[end] == '\t') {
			return fmt.Errorf("quoted-printable line %d ends in white space", n)
		}
		for i := 0; i < len(text); i++ {
			switch {
			case text[i] != '=', i == len(text)-1 && crlf:
			case i+2 < len(text) && isUpperHex(text[i+1]) && isUpperHex(text[i+2]):
				i += 2
			default:
				return fmt.Errorf("quoted-printable line %d has the bad escape %q", n, text[i:min(i+3, len(text))])
			}
		}
	}
	return nil
}

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

// CheckMarketing fails unless the message has what every marketing email must carry (RFC 2369,
// RFC 8058): exactly one List-Unsubscribe field whose first URI is HTTPS (a mailto: URI may
// follow), exactly one List-Unsubscribe-Post field saying "List-Unsubscribe=One-Click", and no
// control characters in either once unfolded. It returns the HTTPS URI. (The local sandbox's
// plain-HTTP loopback app counts as HTTPS.)
func CheckMarketing(p *Parsed) (string, error) {
	lu, post := p.Header["List-Unsubscribe"], p.Header["List-Unsubscribe-Post"]
	if len(lu) != 1 || len(post) != 1 {
		return "", fmt.Errorf("%d List-Unsubscribe and %d List-Unsubscribe-Post fields, want one each", len(lu), len(post))
	}
	if post[0] != "List-Unsubscribe=One-Click" {
		return "", fmt.Errorf("List-Unsubscribe-Post = %q", post[0])
	}
	for _, v := range []string{lu[0], post[0]} {
		if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return "", fmt.Errorf("control character in %q", v)
		}
	}
	var uris []string
	for _, part := range strings.Split(lu[0], ",") {
		part = strings.TrimSpace(part)
		if !strings.HasPrefix(part, "<") || !strings.HasSuffix(part, ">") {
			return "", fmt.Errorf("List-Unsubscribe %q: URIs must be in angle brackets", lu[0])
		}
		uris = append(uris, part[1:len(part)-1])
	}
	if !strings.HasPrefix(uris[0], "https://") && !strings.HasPrefix(uris[0], "http://127.0.0.1:") {
		return "", fmt.Errorf("List-Unsubscribe %q: the first URI is not HTTPS", lu[0])
	}
	for _, u := range uris[1:] {
		if !strings.HasPrefix(u, "mailto:") {
			return "", fmt.Errorf("List-Unsubscribe %q: %q is not a mailto URI", lu[0], u)
		}
	}
	return uris[0], nil
}
