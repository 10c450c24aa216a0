package sesv2

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"time"
)

// header is one header field of a message, unfolded.
type header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// composeRaw checks Content.Raw and takes the sender, recipients and subject from the
// request or, where the request has none, from the message's headers.
func composeRaw(in *sendEmailInput) (*draft, *apiError) {
	raw := in.Content.Raw.Data
	switch {
	case len(raw) == 0:
		return nil, badRequest("Missing required parameter: Content.Raw.Data is empty.")
	case len(raw) > maxRawBytes:
		return nil, badRequest("Message length is more than 40 MB.")
	}
	hs, err := parseHeaders(raw)
	if err != nil {
		return nil, badRequest("The raw message is not a valid MIME message: " + err.Error() + ".")
	}
	d := &draft{Message: Message{Raw: raw, Subject: decodeWords(get(hs, "Subject"))}, headers: hs}
	from := cmp.Or(in.FromEmailAddress, get(hs, "From"))
	if from == "" {
		return nil, badRequest("Missing required parameter: FromEmailAddress, or a From header in the raw message.")
	}
	if err := d.sender(from); err != nil {
		return nil, err
	}
	if dst := in.Destination; dst != nil && len(dst.ToAddresses)+len(dst.CcAddresses)+len(dst.BccAddresses) > 0 {
		return d, d.destinations(dst.ToAddresses, dst.CcAddresses, dst.BccAddresses)
	}
	var lists [3][]string
	for i, name := range []string{"To", "Cc", "Bcc"} {
		addrs, err := addressList(get(hs, name))
		if err != nil {
			return nil, badRequest(fmt.Sprintf("Illegal address in the %s header: %v.", name, err))
		}
		for _, a := range addrs {
			lists[i] = append(lists[i], formatAddress(a))
		}
	}
	return d, d.destinations(lists[0], lists[1], lists[2])
}

// composeSimple checks Content.Simple and builds its MIME message: multipart/alternative
// with a quoted-printable part for each of Text and Html, lines ending in CRLF.
func composeSimple(in *sendEmailInput, now time.Time) (*draft, *apiError) {
	sm := in.Content.Simple
	switch {
	case in.FromEmailAddress == "":
		return nil, badRequest("Missing required parameter: FromEmailAddress.")
	case sm.Subject == nil:
		return nil, badRequest("Missing required parameter: Content.Simple.Subject.")
	case sm.Body == nil || sm.Body.Text == nil && sm.Body.Html == nil:
		return nil, badRequest("Missing required parameter: Content.Simple.Body must contain Text or Html.")
	case len(sm.Attachments) > 0:
		return nil, badRequest("Attachments are not supported by the sandbox.")
	}
	if err := checkHeaders(sm.Headers); err != nil {
		return nil, err
	}
	d := &draft{Message: Message{Subject: sm.Subject.Data}}
	if err := d.sender(in.FromEmailAddress); err != nil {
		return nil, err
	}
	dst := cmp.Or(in.Destination, &destination{})
	if err := d.destinations(dst.ToAddresses, dst.CcAddresses, dst.BccAddresses); err != nil {
		return nil, err
	}
	for _, a := range in.ReplyToAddresses {
		if _, err := mail.ParseAddress(a); err != nil {
			return nil, badRequest(fmt.Sprintf("Illegal address %q in ReplyToAddresses: %v.", a, err))
		}
	}
	var err error
	if d.Raw, d.headers, err = buildMIME(d, in.ReplyToAddresses, sm, now); err != nil {
		return nil, &apiError{http.StatusInternalServerError, "InternalFailure", "Could not build the message: " + err.Error()}
	}
	return d, nil
}

// Headers the sandbox writes itself for Simple content; Content.Simple.Headers may not set them.
var ownHeaders = map[string]bool{
	"From": true, "To": true, "Cc": true, "Bcc": true, "Reply-To": true, "Subject": true, "Date": true,
	"Mime-Version": true, "Content-Type": true, "Content-Transfer-Encoding": true,
}

// headerName and headerValue are what SES accepts in Content.Simple.Headers: printable ASCII,
// names without a colon and at most 126 characters, values at most 870.
var (
	headerName  = regexp.MustCompile(`^[!-9;-~]{1,126}$`)
	headerValue = regexp.MustCompile(`^[ -~]{0,870}$`)
)

func checkHeaders(hs []nameValue) *apiError {
	for _, h := range hs {
		switch {
		case !headerName.MatchString(h.Name) || !headerValue.MatchString(h.Value):
			return badRequest(fmt.Sprintf("Invalid header %q: names and values must be printable ASCII (names without ':', at most 126 characters; values at most 870).", h.Name))
		case ownHeaders[textproto.CanonicalMIMEHeaderKey(h.Name)]:
			return badRequest(fmt.Sprintf("Header %q cannot be set in Content.Simple.Headers.", h.Name))
		}
	}
	return nil
}

// buildMIME writes the message for Simple content and returns it with its header fields.
func buildMIME(d *draft, replyTo []string, sm *simpleMessage, date time.Time) ([]byte, []header, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, p := range []struct {
		mediaType string
		c         *content
	}{{"text/plain", sm.Body.Text}, {"text/html", sm.Body.Html}} {
		if p.c == nil {
			continue
		}
		if err := writePart(mw, p.mediaType, p.c.Data); err != nil {
			return nil, nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, nil, err
	}
	var h headerWriter
	h.addresses("From", []string{d.From})
	h.addresses("Reply-To", replyTo)
	h.addresses("To", d.To)
	h.addresses("Cc", d.Cc)
	h.add("Subject", strings.ReplaceAll(mime.QEncoding.Encode("UTF-8", d.Subject), "?= =?", "?=\r\n =?"))
	h.add("Date", date.Format(time.RFC1123Z))
	h.add("MIME-Version", "1.0")
	for _, x := range sm.Headers {
		h.add(x.Name, x.Value)
	}
	h.add("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	h.buf.WriteString("\r\n")
	h.buf.Write(body.Bytes())
	return h.buf.Bytes(), h.list, nil
}

// writePart adds a quoted-printable UTF-8 part to mw.
func writePart(mw *multipart.Writer, mediaType, text string) error {
	pw, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {mime.FormatMediaType(mediaType, map[string]string{"charset": "UTF-8"})},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return err
	}
	qw := quotedprintable.NewWriter(pw)
	if _, err := qw.Write([]byte(text)); err != nil {
		return err
	}
	return qw.Close()
}

// headerWriter writes header fields, folded with CRLF, and keeps them unfolded in a list.
type headerWriter struct {
	buf  bytes.Buffer
	list []header
}

func (h *headerWriter) add(name, value string) {
	fmt.Fprintf(&h.buf, "%s: %s\r\n", name, value)
	h.list = append(h.list, header{name, strings.ReplaceAll(value, "\r\n", "")})
}

// addresses adds a field listing addrs (already checked), one address a line; none, no field.
func (h *headerWriter) addresses(name string, addrs []string) {
	if len(addrs) == 0 {
		return
	}
	formatted := make([]string, len(addrs))
	for i, a := range addrs {
		addr, _ := mail.ParseAddress(a) // checked by compose
		formatted[i] = formatAddress(addr)
	}
	h.add(name, strings.Join(formatted, ",\r\n "))
}

// parseHeaders returns the top-level header fields of a MIME message, in order, unfolded.
func parseHeaders(raw []byte) ([]header, error) {
	var hs []header
	for len(raw) > 0 {
		var line []byte
		line, raw, _ = bytes.Cut(raw, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		switch {
		case len(line) == 0:
			raw = nil // the body starts
		case line[0] == ' ' || line[0] == '\t':
			if len(hs) == 0 {
				return nil, errors.New("the message starts with a continuation line")
			}
			hs[len(hs)-1].Value = strings.TrimSpace(hs[len(hs)-1].Value + string(line))
		default:
			name, value, ok := strings.Cut(string(line), ":")
			if !ok || name == "" || strings.ContainsAny(name, " \t") {
				return nil, fmt.Errorf("malformed header line %q", truncate(string(line), 80))
			}
			hs = append(hs, header{name, strings.TrimSpace(value)})
		}
	}
	if len(hs) == 0 {
		return nil, errors.New("the message has no header")
	}
	return hs, nil
}

// get returns the value of the first field named name, or "".
func get(hs []header, name string) string {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// addressList parses an address header's value; an empty value has no addresses.
func addressList(value string) ([]*mail.Address, error) {
	if strings.TrimSpace(value) == "" {
		return nil, nil
	}
	return mail.ParseAddressList(value)
}

// formatAddress formats a as a header would show it: a bare address, or a quoted and if need
// be encoded name with the address in angle brackets.
func formatAddress(a *mail.Address) string {
	if a.Name == "" {
		return a.Address
	}
	return a.String()
}

// decodeWords decodes RFC 2047 encoded words, leaving a value it cannot decode as it is.
func decodeWords(s string) string {
	if d, err := new(mime.WordDecoder).DecodeHeader(s); err == nil {
		return d
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
