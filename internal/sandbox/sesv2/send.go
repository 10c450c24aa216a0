package sesv2

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"time"
)

// SES limits.
const (
	maxRawBytes   = 40 << 20 // a message may be 40 MB after MIME encoding
	maxRecipients = 50       // To, Cc and Bcc together
	// maxRequestBytes bounds the request body: a 40 MB message, base64-encoded, in JSON.
	maxRequestBytes = maxRawBytes/3*4 + 1<<20
)

// sendEmailInput is the SendEmail request body (the members SES v2 defines that the sandbox
// reads; others are ignored).
type sendEmailInput struct {
	FromEmailAddress     string
	Destination          *destination
	ReplyToAddresses     []string
	Content              *emailContent
	ConfigurationSetName string
	EmailTags            []nameValue
}

type destination struct{ ToAddresses, CcAddresses, BccAddresses []string }

type emailContent struct {
	Simple   *simpleMessage
	Raw      *struct{ Data []byte }
	Template *struct{}
}

type simpleMessage struct {
	Subject     *content
	Body        *struct{ Text, Html *content }
	Headers     []nameValue
	Attachments []struct{}
}

// content is a Subject or body part. Its Charset is not read: the sandbox writes the text,
// which JSON carries as Unicode, in UTF-8 whatever the charset.
type content struct{ Data string }

type nameValue struct{ Name, Value string }

// draft is a message that passed the checks and waits for an id.
type draft struct {
	Message
	fromAddr   string   // the bare From address
	recipients []string // bare addresses: To, Cc, Bcc
	headers    []header // the message's top-level header fields, in order
}

// sendEmail handles SendEmail: check, count against rate and quota, store, publish the
// events, answer with the message id.
func (s *Server) sendEmail(w http.ResponseWriter, r *http.Request) {
	in, err := decodeSendEmail(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	if err := s.checkConfigurationSet(in.ConfigurationSetName); err != nil {
		writeError(w, err)
		return
	}
	now := s.opts.Now()
	d, err := compose(in, now)
	if err != nil {
		writeError(w, err)
		return
	}
	d.ID, d.SentAt, d.Region = newMessageID(now), now, region(r)
	if sm := in.Content.Simple; sm != nil {
		d.Body = &Body{}
		if sm.Body.Text != nil {
			d.Body.Text = &sm.Body.Text.Data
		}
		if sm.Body.Html != nil {
			d.Body.HTML = &sm.Body.Html.Data
		}
	}
	recs := d.records(d.Region)
	d.Events = eventTypes(recs)
	if err := s.accept(d); err != nil {
		writeError(w, err)
		return
	}
	if d.ConfigurationSet != "" { // SES publishes through the configuration set's event destinations
		s.publish(context.WithoutCancel(r.Context()), recs)
	}
	writeJSON(w, map[string]string{"MessageId": d.ID})
}

// checkConfigurationSet refuses a configuration set the account does not have, as SES does
// (404 NotFoundException), before anything is stored or published.
func (s *Server) checkConfigurationSet(name string) *apiError {
	if name == "" || s.opts.ConfigurationSets == nil || slices.Contains(s.opts.ConfigurationSets, name) {
		return nil
	}
	return &apiError{http.StatusNotFound, "NotFoundException", fmt.Sprintf("Configuration set <%s> does not exist.", name)}
}

// decodeSendEmail reads the request body. A body that is not JSON of the right shape is a
// SerializationException, as restJson1 services answer (Smithy's malformed-request tests).
func decodeSendEmail(w http.ResponseWriter, r *http.Request) (*sendEmailInput, *apiError) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, badRequest("Message length is more than 40 MB.")
	case err != nil:
		return nil, badRequest("Could not read the request body: " + err.Error())
	}
	var in sendEmailInput
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, &apiError{http.StatusBadRequest, "SerializationException", "Could not parse the request body: " + err.Error()}
	}
	return &in, nil
}

// compose checks the request as SES does and builds the message it describes.
func compose(in *sendEmailInput, now time.Time) (*draft, *apiError) {
	if err := checkTags(in.EmailTags); err != nil {
		return nil, err
	}
	c := in.Content
	if c == nil || count(c.Simple != nil, c.Raw != nil, c.Template != nil) != 1 {
		return nil, badRequest("Content must contain exactly one of Simple, Raw or Template.")
	}
	var d *draft
	var err *apiError
	switch {
	case c.Template != nil:
		return nil, badRequest("Templated email is not supported by the sandbox.")
	case c.Raw != nil:
		d, err = composeRaw(in)
	default:
		d, err = composeSimple(in, now)
	}
	if err != nil {
		return nil, err
	}
	switch n := len(d.recipients); {
	case n == 0:
		return nil, badRequest("Missing required parameter: the message has no recipients.")
	case n > maxRecipients:
		return nil, badRequest(fmt.Sprintf("Recipient count exceeds %d.", maxRecipients))
	}
	d.ConfigurationSet = in.ConfigurationSetName
	d.Tags = tagMap(in.EmailTags)
	return d, nil
}

func count(conds ...bool) int {
	n := 0
	for _, c := range conds {
		if c {
			n++
		}
	}
	return n
}

// tagPattern is what SES accepts as a tag name or value.
var tagPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func checkTags(tags []nameValue) *apiError {
	for _, t := range tags {
		if !tagPattern.MatchString(t.Name) || !tagPattern.MatchString(t.Value) {
			return badRequest(fmt.Sprintf("Invalid tag %q=%q: tag names and values must be 1 to 256 ASCII letters, digits, underscores (_) or dashes (-).", t.Name, t.Value))
		}
	}
	return nil
}

func tagMap(tags []nameValue) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Name] = t.Value
	}
	return m
}

// destinations fills the draft's To, Cc, Bcc and recipients from lists of addresses.
func (d *draft) destinations(to, cc, bcc []string) *apiError {
	d.To, d.Cc, d.Bcc = to, cc, bcc
	for _, list := range [][]string{to, cc, bcc} {
		for _, a := range list {
			addr, err := mail.ParseAddress(a)
			if err != nil {
				return badRequest(fmt.Sprintf("Illegal address %q: %v.", a, err))
			}
			d.recipients = append(d.recipients, addr.Address)
		}
	}
	return nil
}

// sender fills the draft's From and fromAddr.
func (d *draft) sender(from string) *apiError {
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return badRequest(fmt.Sprintf("Illegal address %q in FromEmailAddress or the From header: %v.", from, err))
	}
	d.From, d.fromAddr = from, addr.Address
	return nil
}

// accept counts the draft against the 24-hour quota and the sending rate and, if both allow,
// stores its message.
func (s *Server) accept(d *draft) *apiError {
	quota := quotaCount(d.recipients)
	s.mu.Lock()
	defer s.mu.Unlock()
	if float64(s.sentSince(d.SentAt.Add(-24*time.Hour))+quota) > s.opts.Max24HourSend {
		return &apiError{http.StatusBadRequest, "LimitExceededException", "Daily message quota exceeded."}
	}
	if (s.opts.Throttle > 0 && rand.Float64() < s.opts.Throttle) || !s.bucket.take(float64(len(d.recipients)), time.Now()) {
		return &apiError{http.StatusTooManyRequests, "TooManyRequestsException", "Maximum sending rate exceeded."}
	}
	s.byID[d.ID] = len(s.messages)
	s.messages = append(s.messages, stored{msg: d.Message, quota: quota})
	return nil
}
