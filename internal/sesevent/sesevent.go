// Package sesevent decodes the events SES's EventBridge destination puts on the default bus
// (source aws.ses): the SES event record in `detail`, reduced to what this system uses.
package sesevent

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"shopmail/internal/fault"
)

// Type is the SES event type (detail.eventType).
type Type string

// SES event types.
const (
	Send             Type = "Send"
	Delivery         Type = "Delivery"
	Bounce           Type = "Bounce"
	Complaint        Type = "Complaint"
	Reject           Type = "Reject"
	DeliveryDelay    Type = "DeliveryDelay"
	RenderingFailure Type = "Rendering Failure"
	Open             Type = "Open"
	Click            Type = "Click"
	Subscription     Type = "Subscription"
)

// detailTypes are the EventBridge detail-types of each event type.
var detailTypes = map[Type]string{
	Send: "Email Sent", Delivery: "Email Delivered", Bounce: "Email Bounced", Complaint: "Email Complaint Received",
	Reject: "Email Rejected", DeliveryDelay: "Email Delivery Delayed", RenderingFailure: "Email Rendering Failed",
	Open: "Email Opened", Click: "Email Clicked", Subscription: "Email Subscription",
}

// Limits.
const (
	MaxSize       = 256 << 10 // EventBridge's largest event
	maxRecipients = 50        // SES's most recipients per message
	maxMessageID  = 200
)

// Event is one SES event.
type Event struct {
	EventID    string
	DetailType string
	Type       Type
	MessageID  string
	Sender     string            // mail.source, bare, domain lower-cased
	SentAt     time.Time         // mail.timestamp
	At         time.Time         // the event's own timestamp (mail.timestamp for Send, Reject, Rendering Failure, Subscription)
	Tags       map[string]string // first value of each mail.tags entry
	Recipients []string          // the addresses the event is about, bare
	Bounce     *BounceInfo
	Complaint  *ComplaintInfo
	Reason     string // reject reason, rendering error, delay type, first bounce diagnostic
	Link       string // Click
	UserAgent  string // Open, Click: never store it
}

// BounceInfo is what a bounce says.
type BounceInfo struct {
	Type       string // Permanent, Transient, Undetermined
	SubType    string // General, NoEmail, Suppressed, OnAccountSuppressionList, MailboxFull...
	FeedbackID string
}

// ComplaintInfo is what a complaint says.
type ComplaintInfo struct {
	FeedbackType string // abuse, fraud, not-spam... (absent for some providers)
	SubType      string
}

// Key identifies the event for deduplication: message id, type and timestamp.
func (e Event) Key() string {
	return e.MessageID + "/" + string(e.Type) + "/" + e.At.UTC().Format(time.RFC3339Nano)
}

type recipient struct {
	EmailAddress   string `json:"emailAddress"`
	DiagnosticCode string `json:"diagnosticCode"`
	Status         string `json:"status"`
}

type wire struct {
	ID         string `json:"id"`
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
	Detail     *struct {
		EventType string `json:"eventType"`
		Mail      struct {
			Timestamp   string         `json:"timestamp"`
			Source      string         `json:"source"`
			MessageID   string         `json:"messageId"`
			Destination []string       `json:"destination"`
			Tags        map[string]any `json:"tags"`
		} `json:"mail"`
		Bounce *struct {
			BounceType        string      `json:"bounceType"`
			BounceSubType     string      `json:"bounceSubType"`
			BouncedRecipients []recipient `json:"bouncedRecipients"`
			Timestamp         string      `json:"timestamp"`
			FeedbackID        string      `json:"feedbackId"`
		} `json:"bounce"`
		Complaint *struct {
			ComplainedRecipients  []recipient `json:"complainedRecipients"`
			Timestamp             string      `json:"timestamp"`
			ComplaintFeedbackType string      `json:"complaintFeedbackType"`
			ComplaintSubType      *string     `json:"complaintSubType"`
		} `json:"complaint"`
		Delivery *struct {
			Timestamp  string   `json:"timestamp"`
			Recipients []string `json:"recipients"`
		} `json:"delivery"`
		DeliveryDelay *struct {
			Timestamp         string      `json:"timestamp"`
			DelayType         string      `json:"delayType"`
			DelayedRecipients []recipient `json:"delayedRecipients"`
		} `json:"deliveryDelay"`
		Reject *struct {
			Reason string `json:"reason"`
		} `json:"reject"`
		Failure *struct {
			ErrorMessage string `json:"errorMessage"`
		} `json:"failure"`
		Open *struct {
			Timestamp string `json:"timestamp"`
			UserAgent string `json:"userAgent"`
		} `json:"open"`
		Click *struct {
			Timestamp string `json:"timestamp"`
			UserAgent string `json:"userAgent"`
			Link      string `json:"link"`
		} `json:"click"`
	} `json:"detail"`
}

func invalid(field, format string, args ...any) error {
	return fmt.Errorf("%w SES event: %s: %s", fault.ErrInvalid, field, fmt.Sprintf(format, args...))
}

// Decode decodes a whole EventBridge event as delivered to a Lambda function. Every problem
// that makes it unusable is an error wrapping fault.ErrInvalid, naming the field.
func Decode(raw []byte) (Event, error) {
	if len(raw) > MaxSize {
		return Event{}, invalid("event", "larger than %d bytes", MaxSize)
	}
	var w wire
	if err := json.Unmarshal(raw, &w); err != nil {
		return Event{}, invalid("event", "not an EventBridge event: %v", err)
	}
	d := w.Detail
	switch {
	case w.Source != "aws.ses":
		return Event{}, invalid("source", "%q is not aws.ses", w.Source)
	case d == nil:
		return Event{}, invalid("detail", "missing")
	}
	ev := Event{EventID: w.ID, DetailType: w.DetailType, Type: Type(d.EventType), MessageID: d.Mail.MessageID}
	want, known := detailTypes[ev.Type]
	switch {
	case !known:
		return Event{}, invalid("detail.eventType", "%q is not an SES event type", d.EventType)
	case want != w.DetailType:
		return Event{}, invalid("detail-type", "%q does not go with eventType %q", w.DetailType, d.EventType)
	case ev.MessageID == "" || len(ev.MessageID) > maxMessageID || strings.ContainsFunc(ev.MessageID, func(r rune) bool { return r <= ' ' || r > '~' }):
		return Event{}, invalid("detail.mail.messageId", "missing or not a message id")
	case len(d.Mail.Destination) > maxRecipients:
		return Event{}, invalid("detail.mail.destination", "more than %d recipients", maxRecipients)
	}
	var err error
	if ev.SentAt, err = parseTime("detail.mail.timestamp", d.Mail.Timestamp); err != nil {
		return Event{}, err
	}
	ev.At = ev.SentAt
	ev.Sender = bare(d.Mail.Source)
	ev.Tags = map[string]string{}
	for k, v := range d.Mail.Tags {
		if l, ok := v.([]any); ok && len(l) > 0 {
			if s, ok := l[0].(string); ok {
				ev.Tags[k] = s
			}
		}
	}
	ev.Recipients = bareAll(d.Mail.Destination)
	stamp := ""
	switch ev.Type {
	case Bounce:
		b := d.Bounce
		if b == nil {
			return Event{}, invalid("detail.bounce", "missing")
		}
		ev.Bounce = &BounceInfo{Type: b.BounceType, SubType: b.BounceSubType, FeedbackID: b.FeedbackID}
		stamp, ev.Recipients = b.Timestamp, addresses(b.BouncedRecipients)
		if len(b.BouncedRecipients) > 0 {
			ev.Reason = firstNonEmpty(b.BouncedRecipients[0].DiagnosticCode, b.BouncedRecipients[0].Status)
		}
	case Complaint:
		c := d.Complaint
		if c == nil {
			return Event{}, invalid("detail.complaint", "missing")
		}
		ev.Complaint = &ComplaintInfo{FeedbackType: c.ComplaintFeedbackType}
		if c.ComplaintSubType != nil {
			ev.Complaint.SubType = *c.ComplaintSubType
		}
		stamp, ev.Recipients = c.Timestamp, addresses(c.ComplainedRecipients)
	case Delivery:
		if d.Delivery == nil {
			return Event{}, invalid("detail.delivery", "missing")
		}
		stamp, ev.Recipients = d.Delivery.Timestamp, bareAll(d.Delivery.Recipients)
	case DeliveryDelay:
		dd := d.DeliveryDelay
		if dd == nil {
			return Event{}, invalid("detail.deliveryDelay", "missing")
		}
		stamp, ev.Reason, ev.Recipients = dd.Timestamp, dd.DelayType, addresses(dd.DelayedRecipients)
	case Reject:
		if d.Reject == nil {
			return Event{}, invalid("detail.reject", "missing")
		}
		ev.Reason = d.Reject.Reason
	case RenderingFailure:
		if d.Failure == nil {
			return Event{}, invalid("detail.failure", "missing")
		}
		ev.Reason = d.Failure.ErrorMessage
	case Open:
		if d.Open == nil {
			return Event{}, invalid("detail.open", "missing")
		}
		stamp, ev.UserAgent = d.Open.Timestamp, d.Open.UserAgent
	case Click:
		if d.Click == nil {
			return Event{}, invalid("detail.click", "missing")
		}
		stamp, ev.UserAgent, ev.Link = d.Click.Timestamp, d.Click.UserAgent, d.Click.Link
	}
	if len(ev.Recipients) > maxRecipients {
		return Event{}, invalid("detail."+strings.ToLower(string(ev.Type[:1]))+string(ev.Type[1:]), "more than %d recipients", maxRecipients)
	}
	if stamp != "" {
		if ev.At, err = parseTime("detail timestamp", stamp); err != nil {
			return Event{}, err
		}
	}
	return ev, nil
}

func parseTime(field, v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, invalid(field, "%q is not an RFC 3339 time", v)
	}
	return t.UTC(), nil
}

// bare returns the address of a mailbox ("Name <a@B.example>" → "a@b.example"), domain
// lower-cased; what cannot be parsed is returned trimmed.
func bare(v string) string {
	addr := strings.TrimSpace(v)
	if a, err := mail.ParseAddress(addr); err == nil {
		addr = a.Address
	} else if i, j := strings.LastIndex(addr, "<"), strings.LastIndex(addr, ">"); i >= 0 && j > i {
		addr = addr[i+1 : j]
	}
	if at := strings.LastIndex(addr, "@"); at >= 0 {
		addr = addr[:at] + strings.ToLower(addr[at:])
	}
	return addr
}

func bareAll(vs []string) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, bare(v))
	}
	return out
}

func addresses(rs []recipient) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, bare(r.EmailAddress))
	}
	return out
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
