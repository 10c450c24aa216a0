// Package sesv2 serves, offline, the part of the Amazon SES v2 API that the functions use:
// SendEmail and GetAccount, over the same REST-JSON wire protocol as AWS, so the production
// adapter (internal/ses) talks to it through the real AWS SDK. It keeps every accepted message,
// enforces SES's checks, sending rate and 24-hour quota, plays the SES mailbox simulator, and
// turns each message into the SES event records SES publishes to EventBridge
// (DESIGN.md sections 5 and 6).
package sesv2

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Defaults for Options.
const (
	DefaultMaxSendRate   = 14
	DefaultMax24HourSend = 50000
)

// Options configures a Server. As SES does, the server counts both limits in recipients, not
// messages, and counts mailbox simulator recipients against the rate but not the 24-hour quota.
type Options struct {
	Now           func() time.Time // the sandbox's movable clock
	MaxSendRate   float64          // messages per second (GetAccount SendQuota.MaxSendRate); default 14
	Max24HourSend float64          // default 50000
	// Publish puts an SES event on the local event bus: detailType is e.g. "Email Sent", detail the
	// SES event record (JSON) exactly as SES publishes it to EventBridge as the event's "detail".
	Publish func(ctx context.Context, detailType string, detail []byte)
	// ConfigurationSets are the configuration sets of the account: SendEmail naming another is
	// refused with NotFoundException, as SES refuses it. Nil accepts any name.
	ConfigurationSets []string
	// Throttle is the share of SendEmail calls (0 to 1) refused as over the sending rate
	// whatever the rate, at random: SES under a burst of other senders' mail, for tests.
	Throttle float64
}

// Message is an email the server accepted.
type Message struct {
	ID               string            // SES-style message id
	Raw              []byte            // the MIME message as sent (for Simple content, the MIME built from it)
	From             string            // FromEmailAddress, else the From header, as given
	To, Cc, Bcc      []string          // destination addresses: the Destination field if given, else the To/Cc/Bcc headers
	Subject          string            // decoded
	ConfigurationSet string            // ConfigurationSetName, empty when none
	Tags             map[string]string // EmailTags
	SentAt           time.Time         // on the sandbox clock
	Events           []string          // SES event types it produced, in order ("Send", "Delivery", "Bounce", "Complaint"), published or not
	Region           string            // of the request's signature
	Body             *Body             `json:",omitempty"` // Content.Simple's body; nil for raw content
}

// Body is the text and HTML of a message sent with Content.Simple, as given.
type Body struct{ Text, HTML *string }

// Server serves the SES v2 API. Its methods are safe for concurrent use.
type Server struct {
	opts Options

	mu       sync.Mutex // guards what follows
	bucket   bucket
	messages []stored
	byID     map[string]int
}

// stored is an accepted message and how many of its recipients count against the 24-hour
// quota (mailbox simulator addresses do not).
type stored struct {
	msg     Message
	quota   int
	deleted bool // by Delete: no longer listed, still counted against the quota
}

// New returns a Server with o's settings; zero values get the defaults, and a nil Now is
// time.Now.
func New(o Options) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxSendRate <= 0 {
		o.MaxSendRate = DefaultMaxSendRate
	}
	if o.Max24HourSend <= 0 {
		o.Max24HourSend = DefaultMax24HourSend
	}
	return &Server{opts: o, bucket: newBucket(o.MaxSendRate), byID: map[string]int{}}
}

// ServeHTTP handles POST /v2/email/outbound-emails (SendEmail) and GET /v2/email/account
// (GetAccount). Anything else gets a 404 UnknownOperationException in AWS's error shape.
//
// SendEmail stores the message, then, if it names a configuration set, hands its event
// records to Options.Publish, and only then answers: a caller that has the message id can
// find its events published, and a Publish that runs handlers at once lets them see the
// events before the caller sees its answer, as can happen with SES.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v2/email/outbound-emails":
		s.sendEmail(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/v2/email/account":
		s.getAccount(w)
	default:
		writeError(w, &apiError{http.StatusNotFound, "UnknownOperationException",
			"No operation matches " + r.Method + " " + r.URL.Path + "."})
	}
}

// Restore puts back messages kept from an earlier run (make run DATA=...), oldest first. They
// do not count against the 24-hour quota.
func (s *Server) Restore(msgs []Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range msgs {
		if _, dup := s.byID[m.ID]; dup {
			continue
		}
		s.byID[m.ID] = len(s.messages)
		s.messages = append(s.messages, stored{msg: m})
	}
}

// Messages returns every accepted message not deleted, newest last.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.messages))
	for _, m := range s.messages {
		if !m.deleted {
			out = append(out, m.msg)
		}
	}
	return out
}

// Message returns the message with SES message id id, unless deleted.
func (s *Server) Message(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.byID[id]
	if !ok || s.messages[i].deleted {
		return Message{}, false
	}
	return s.messages[i].msg, true
}

// Delete forgets the message with SES message id id, or every message when id is empty. What
// was sent still counts against the 24-hour quota.
func (s *Server) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.messages {
		if id == "" || s.messages[i].msg.ID == id {
			s.messages[i].deleted = true
		}
	}
}

// getAccount answers GetAccount with the sending quota and the recipients counted in the
// last 24 hours of the sandbox clock.
func (s *Server) getAccount(w http.ResponseWriter) {
	s.mu.Lock()
	sent := s.sentSince(s.opts.Now().Add(-24 * time.Hour))
	s.mu.Unlock()
	writeJSON(w, map[string]any{
		"EnforcementStatus":       "HEALTHY",
		"ProductionAccessEnabled": true,
		"SendingEnabled":          true,
		"SendQuota": map[string]float64{
			"Max24HourSend":   s.opts.Max24HourSend,
			"MaxSendRate":     s.opts.MaxSendRate,
			"SentLast24Hours": float64(sent),
		},
	})
}

// sentSince returns how many quota-counted recipients were sent to after since. s.mu is held.
func (s *Server) sentSince(since time.Time) int {
	n := 0
	for _, m := range s.messages {
		if m.msg.SentAt.After(since) {
			n += m.quota
		}
	}
	return n
}

// apiError is an error as an AWS REST-JSON service reports it.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func badRequest(message string) *apiError {
	return &apiError{http.StatusBadRequest, "BadRequestException", message}
}

// writeError answers with e in the REST-JSON error shape: the code in X-Amzn-ErrorType and
// {"message": ...} in the body.
func writeError(w http.ResponseWriter, e *apiError) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-ErrorType", e.code)
	h.Set("X-Amzn-RequestId", newUUID())
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": e.message})
}

// writeJSON answers 200 with v as the JSON body.
func writeJSON(w http.ResponseWriter, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-RequestId", newUUID())
	_ = json.NewEncoder(w).Encode(v)
}

// region returns the region in the request's SigV4 credential scope
// ("Credential=AKID/20260101/eu-west-1/ses/aws4_request"), or us-east-1.
func region(r *http.Request) string {
	_, cred, ok := strings.Cut(r.Header.Get("Authorization"), "Credential=")
	if parts := strings.Split(cred, "/"); ok && len(parts) >= 3 && parts[2] != "" {
		return parts[2]
	}
	return "us-east-1"
}
