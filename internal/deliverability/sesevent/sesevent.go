// Package sesevent decodes the events SES's EventBridge destination puts on the default bus
// (source aws.ses): the SES event record in `detail`, reduced to what this system uses.
//
// The record follows the SES Developer Guide, "Contents of event data that Amazon SES
// publishes" and "Examples of event data that Amazon SES publishes"; the detail-types follow
// the EventBridge events reference for SES (events-ref-ses), which names the Subscription
// event "Email Subscribed". "Email Subscription" is accepted for it too. Only event
// publishing records are read: a record with notificationType (SES's feedback notifications
// sent straight to SNS) and no eventType is refused.
package sesevent

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"

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

// typeOf maps each EventBridge detail-type to the event type it carries.
var typeOf = map[string]Type{
	"Email Sent": Send, "Email Delivered": Delivery, "Email Bounced": Bounce,
	"Email Complaint Received": Complaint, "Email Rejected": Reject,
	"Email Delivery Delayed": DeliveryDelay, "Email Rendering Failed": RenderingFailure,
	"Email Opened": Open, "Email Clicked": Click,
	"Email Subscribed": Subscription, "Email Subscription": Subscription,
}

// Limits.
const (
	MaxSize       = 256 << 10 // bytes: EventBridge's largest event
	MaxRecipients = 50        // SES's most recipients per message
	maxMessageID  = 200
	maxAddress    = 254 // RFC 5321
)

// Event is one SES event, reduced to what this system uses.
type Event struct {
	EventID    string // the EventBridge event id
	DetailType string
	Type       Type
	MessageID  string            // mail.messageId
	Sender     string            // mail.source, bare, domain lower-cased
	SentAt     time.Time         // mail.timestamp, UTC
	At         time.Time         // the per-type timestamp; mail.timestamp for Send, Reject and Rendering Failure
	Tags       map[string]string // first value of each mail.tags entry whose first value is a string
	Recipients []string          // bounced, complained, delivered or delayed recipients; else mail.destination. Bare.
	Bounce     *BounceInfo       // Bounce only
	Complaint  *ComplaintInfo    // Complaint only
	Reason     string            // Reject: reason; Rendering Failure: errorMessage; DeliveryDelay: delayType; Bounce: first recipient's diagnostic
	Link       string            // Click only
	UserAgent  string            // Open and Click only: never store it
}

// BounceInfo is what a bounce says.
type BounceInfo struct {
	Type        string            // Permanent, Transient or Undetermined
	SubType     string            // General, NoEmail, Suppressed, OnAccountSuppressionList, MailboxFull, ...
	FeedbackID  string            // bounce.feedbackId
	Diagnostics map[string]string // bare recipient → its diagnosticCode, or its status when it has none
}

// ComplaintInfo is what a complaint says.
type ComplaintInfo struct {
	FeedbackType string // abuse, fraud, not-spam, ... (absent without a feedback report)
	SubType      string // "" or OnAccountSuppressionList
}

// Key identifies the event for deduplication: message id, type and timestamp.
func (e Event) Key() string {
	return e.MessageID + "/" + string(e.Type) + "/" + e.At.UTC().Format(time.RFC3339Nano)
}

type recipient struct {
	EmailAddress   string `json:"emailAddress"`
	Status         string `json:"status"`
	DiagnosticCode string `json:"diagnosticCode"`
}

// object holds the fields of every per-type object; no two of them share a name.
type object struct {
	Timestamp             string      `json:"timestamp"`
	BounceType            string      `json:"bounceType"`
	BounceSubType         string      `json:"bounceSubType"`
	FeedbackID            string      `json:"feedbackId"`
	BouncedRecipients     []recipient `json:"bouncedRecipients"`
	ComplaintFeedbackType string      `json:"complaintFeedbackType"`
	ComplaintSubType      string      `json:"complaintSubType"`
	ComplainedRecipients  []recipient `json:"complainedRecipients"`
	Recipients            []string    `json:"recipients"`
	DelayType             string      `json:"delayType"`
	DelayedRecipients     []recipient `json:"delayedRecipients"`
	Reason                string      `json:"reason"`
	ErrorMessage          string      `json:"errorMessage"`
	UserAgent             string      `json:"userAgent"`
	Link                  string      `json:"link"`
}

type envelope struct {
	ID         string  `json:"id"`
	Source     string  `json:"source"`
	DetailType string  `json:"detail-type"`
	Detail     *detail `json:"detail"`
}

type detail struct {
	EventType        string `json:"eventType"`
	NotificationType string `json:"notificationType"`
	Mail             struct {
		Timestamp   string         `json:"timestamp"`
		Source      string         `json:"source"`
		MessageID   string         `json:"messageId"`
		Destination []string       `json:"destination"`
		Tags        map[string]any `json:"tags"`
	} `json:"mail"`
	Send          *object `json:"send"`
	Bounce        *object `json:"bounce"`
	Complaint     *object `json:"complaint"`
	Delivery      *object `json:"delivery"`
	DeliveryDelay *object `json:"deliveryDelay"`
	Reject        *object `json:"reject"`
	Failure       *object `json:"failure"`
	Open          *object `json:"open"`
	Click         *object `json:"click"`
	Subscription  *object `json:"subscription"`
}

// objectNames names the per-type object of each event type.
var objectNames = map[Type]string{
	Send: "send", Delivery: "delivery", Bounce: "bounce", Complaint: "complaint", Reject: "reject",
	DeliveryDelay: "deliveryDelay", RenderingFailure: "failure", Open: "open", Click: "click", Subscription: "subscription",
}

func (d *detail) object(t Type) *object {
	return map[Type]*object{
		Send: d.Send, Delivery: d.Delivery, Bounce: d.Bounce, Complaint: d.Complaint, Reject: d.Reject,
		DeliveryDelay: d.DeliveryDelay, RenderingFailure: d.Failure, Open: d.Open, Click: d.Click, Subscription: d.Subscription,
	}[t]
}

// Decode decodes a whole EventBridge event (the envelope with id, source, detail-type, time
// and detail) as delivered to a Lambda function. Every problem that makes it unusable is an
// error wrapping fault.ErrInvalid that names the field, with a zero Event.
func Decode(raw []byte) (Event, error) {
	ev, err := decode(raw)
	if err != nil {
		return Event{}, err
	}
	return ev, nil
}

func decode(raw []byte) (ev Event, err error) {
	if len(raw) > MaxSize {
		return ev, invalid("event", "is %d bytes; EventBridge events are at most %d", len(raw), MaxSize)
	}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return ev, jsonError(err)
	}
	d := env.Detail
	switch {
	case env.Source != "aws.ses":
		return ev, invalid("source", "is %s, not aws.ses", short(env.Source))
	case d == nil:
		return ev, invalid("detail", "missing")
	case d.EventType == "" && d.NotificationType != "":
		return ev, invalid("eventType", "missing; notificationType records (SES notifications to SNS) are not event publishing records")
	case d.EventType == "":
		return ev, invalid("eventType", "missing")
	}
	ev = Event{EventID: env.ID, DetailType: env.DetailType, Type: Type(d.EventType), MessageID: d.Mail.MessageID}
	switch t, known := typeOf[env.DetailType]; {
	case objectNames[ev.Type] == "":
		return ev, invalid("eventType", "%s is not an SES event type", short(d.EventType))
	case !known || t != ev.Type:
		return ev, invalid("detail-type", "%s does not go with eventType %s", short(env.DetailType), short(d.EventType))
	case ev.MessageID == "":
		return ev, invalid("mail.messageId", "missing")
	case len(ev.MessageID) > maxMessageID || strings.ContainsFunc(ev.MessageID, func(r rune) bool { return r < '!' || r > '~' }):
		return ev, invalid("mail.messageId", "is not printable ASCII of at most %d characters", maxMessageID)
	}
	if ev.SentAt, err = timestamp("mail.timestamp", d.Mail.Timestamp); err != nil {
		return ev, err
	}
	var ok bool
	if ev.Sender, ok = bare(d.Mail.Source); !ok {
		return ev, invalid("mail.source", "missing or not an email address")
	}
	if ev.Recipients, err = addresses("mail.destination", "", d.Mail.Destination, false); err != nil {
		return ev, err
	}
	ev.Tags = make(map[string]string, len(d.Mail.Tags))
	for name, v := range d.Mail.Tags {
		if list, ok := v.([]any); ok && len(list) > 0 {
			if s, ok := list[0].(string); ok {
				ev.Tags[name] = s
			}
		}
	}
	ev.At = ev.SentAt
	return ev, ev.perType(d)
}

// perType reads the object of the event's type: the time, the recipients and the details.
func (ev *Event) perType(d *detail) (err error) {
	name, o := objectNames[ev.Type], d.object(ev.Type)
	switch {
	case o == nil && ev.Type == Send: // the send object is empty; nothing is lost without it
		return nil
	case o == nil:
		return invalid(name, "missing")
	case ev.Type != Send && ev.Type != Reject && ev.Type != RenderingFailure:
		if ev.At, err = timestamp(name+".timestamp", o.Timestamp); err != nil {
			return err
		}
	}
	switch ev.Type {
	case Bounce:
		if !slices.Contains([]string{"Permanent", "Transient", "Undetermined"}, o.BounceType) {
			return invalid("bounce.bounceType", "is %s, not Permanent, Transient or Undetermined", short(o.BounceType))
		}
		if ev.Recipients, err = addresses("bounce.bouncedRecipients", ".emailAddress", emails(o.BouncedRecipients), true); err != nil {
			return err
		}
		ev.Bounce = &BounceInfo{Type: o.BounceType, SubType: o.BounceSubType, FeedbackID: o.FeedbackID, Diagnostics: map[string]string{}}
		for i, r := range o.BouncedRecipients {
			ev.Bounce.Diagnostics[ev.Recipients[i]] = cmp.Or(r.DiagnosticCode, r.Status)
		}
		ev.Reason = cmp.Or(o.BouncedRecipients[0].DiagnosticCode, o.BouncedRecipients[0].Status)
	case Complaint:
		ev.Complaint = &ComplaintInfo{FeedbackType: o.ComplaintFeedbackType, SubType: o.ComplaintSubType}
		ev.Recipients, err = addresses("complaint.complainedRecipients", ".emailAddress", emails(o.ComplainedRecipients), true)
	case Delivery:
		ev.Recipients, err = addresses("delivery.recipients", "", o.Recipients, true)
	case DeliveryDelay:
		ev.Reason = o.DelayType
		ev.Recipients, err = addresses("deliveryDelay.delayedRecipients", ".emailAddress", emails(o.DelayedRecipients), true)
	case Reject:
		ev.Reason = o.Reason
	case RenderingFailure:
		ev.Reason = o.ErrorMessage
	case Open:
		ev.UserAgent = o.UserAgent
	case Click:
		ev.UserAgent, ev.Link = o.UserAgent, o.Link
	}
	return err
}

func invalid(field, format string, args ...any) error {
	return fmt.Errorf("%w SES event: %s: %s", fault.ErrInvalid, field, fmt.Sprintf(format, args...))
}

// jsonError names the field whose JSON type is wrong, as a path inside detail when it is there.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return invalid(cmp.Or(strings.TrimPrefix(te.Field, "detail."), "event"), "is a JSON %s, not what SES sends", te.Value)
	}
	return invalid("event", "not JSON: %v", err)
}

// short quotes v for an error message, cut to 64 bytes.
func short(v string) string {
	if len(v) > 64 {
		return fmt.Sprintf("%q...", v[:64])
	}
	return fmt.Sprintf("%q", v)
}

func timestamp(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, invalid(field, "missing")
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || t.IsZero() {
		return time.Time{}, invalid(field, "%s is not an RFC 3339 time", short(v))
	}
	return t.UTC(), nil
}

func emails(rs []recipient) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.EmailAddress
	}
	return out
}

// addresses returns the bare addresses of a recipient list, at most MaxRecipients of them.
// Messages name the field and the index, never the address.
func addresses(field, sub string, vs []string, required bool) ([]string, error) {
	switch {
	case len(vs) > MaxRecipients:
		return nil, invalid(field, "has %d recipients; SES sends to at most %d", len(vs), MaxRecipients)
	case len(vs) == 0 && required:
		return nil, invalid(field, "missing")
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		a, ok := bare(v)
		if !ok {
			return nil, invalid(fmt.Sprintf("%s[%d]%s", field, i, sub), "not an email address")
		}
		out[i] = a
	}
	return out, nil
}

// bare returns the address of a mailbox ("Tea House" <hello@Shop.Example> gives
// hello@shop.example): the local part as it is, the domain lower-cased. A display name that
// net/mail cannot decode (an unknown charset) is dropped by taking what is inside <...>. It
// reports false when there is no single address without spaces or control characters.
func bare(v string) (string, bool) {
	addr := strings.TrimSpace(v)
	if a, err := mail.ParseAddress(addr); err == nil {
		addr = a.Address
	} else if i := strings.LastIndexByte(addr, '<'); i >= 0 {
		j := strings.IndexByte(addr[i:], '>')
		if j < 0 {
			return "", false
		}
		addr = strings.TrimSpace(addr[i+1 : i+j])
	}
	at := strings.IndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 || len(addr) > maxAddress || strings.Count(addr, "@") != 1 ||
		strings.ContainsFunc(addr, func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`<>"(),;\`, r)
		}) {
		return "", false
	}
	return addr[:at] + strings.ToLower(addr[at:]), true
}
