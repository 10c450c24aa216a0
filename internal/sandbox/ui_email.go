package sandbox

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// shownEmail is an email as the inbox shows it.
type shownEmail struct {
	Headers []headerLine
	Subject string
	Text    string
	HTML    string
}

type headerLine struct{ Name, Value string }

var wordDecoder = &mime.WordDecoder{}

// readEmail parses a MIME message leniently for display: headers decoded, the first
// text/plain and text/html parts found at any depth.
func readEmail(raw []byte) shownEmail {
	var e shownEmail
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		e.Text = string(raw)
		return e
	}
	for _, name := range []string{"From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID", "Content-Language", "List-Unsubscribe", "List-Unsubscribe-Post"} {
		for _, v := range m.Header[name] {
			if d, err := wordDecoder.DecodeHeader(v); err == nil {
				v = d
			}
			e.Headers = append(e.Headers, headerLine{name, v})
		}
	}
	e.Subject, _ = wordDecoder.DecodeHeader(m.Header.Get("Subject"))
	e.walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body)
	return e
}

func (e *shownEmail) walk(contentType, encoding string, body io.Reader) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return
			}
			e.walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p)
		}
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, _ := io.ReadAll(io.LimitReader(body, 10<<20))
	switch {
	case mt == "text/html" && e.HTML == "":
		e.HTML = string(b)
	case mt == "text/plain" && e.Text == "":
		e.Text = string(b)
	}
}
