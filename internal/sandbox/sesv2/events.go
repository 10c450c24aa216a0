package sesv2

import (
	"cmp"
	"context"
	"encoding/json"
	"net/mail"
	"strings"
	"time"
)

// sendingAccount is the AWS account id the sandbox's SES events carry.
const sendingAccount = "000000000000"

// What the SES mailbox simulator reports (SES Developer Guide, "Using the mailbox simulator";
// the records follow "Examples of event data that Amazon SES publishes").
const (
	simulatorDomain   = "simulator.amazonses.com"
	smtpResponse      = "250 2.6.0 Message received"
	sendingMTA        = "a8-70.smtp-out.amazonses.com"
	userUnknown       = "smtp; 550 5.1.1 user unknown"
	suppressedMessage = "Amazon SES did not send the message to this address because it is on the suppression list for your account. For more information about removing addresses from the suppression list, see the Amazon SES Developer Guide at https://docs.aws.amazon.com/ses/latest/DeveloperGuide/sending-email-suppression-list.html"
	simulatorAgent    = "Amazon SES Mailbox Simulator"
	maxHeaderBytes    = 10 << 10 // SES truncates the headers of an event record beyond 10 KB
)

// How long after the send each simulated outcome happens.
const (
	deliveryDelay  = 1200 * time.Millisecond
	bounceDelay    = 1500 * time.Millisecond
	complaintDelay = 2500 * time.Millisecond
)

// detailTypes maps an SES event type to the detail-type of its EventBridge event.
var detailTypes = map[string]string{
	"Send":      "Email Sent",
	"Delivery":  "Email Delivered",
	"Bounce":    "Email Bounced",
	"Complaint": "Email Complaint Received",
}

// record is an SES event record.
type record struct {
	EventType string     `json:"eventType"`
	Mail      mailObject `json:"mail"`
	Send      *struct{}  `json:"send,omitempty"`
	Delivery  *delivery  `json:"delivery,omitempty"`
	Bounce    *bounce    `json:"bounce,omitempty"`
	Complaint *complaint `json:"complaint,omitempty"`
}

type mailObject struct {
	Timestamp        string              `json:"timestamp"`
	Source           string              `json:"source"`
	SourceArn        string              `json:"sourceArn"`
	SendingAccountID string              `json:"sendingAccountId"`
	MessageID        string              `json:"messageId"`
	Destination      []string            `json:"destination"`
	HeadersTruncated bool                `json:"headersTruncated"`
	Headers          []header            `json:"headers"`
	CommonHeaders    commonHeaders       `json:"commonHeaders"`
	Tags             map[string][]string `json:"tags"`
}

type commonHeaders struct {
	From      []string `json:"from"`
	ReplyTo   []string `json:"replyTo,omitempty"`
	Date      string   `json:"date,omitempty"`
	To        []string `json:"to,omitempty"`
	Cc        []string `json:"cc,omitempty"`
	MessageID string   `json:"messageId"`
	Subject   string   `json:"subject"`
}

type delivery struct {
	Timestamp            string   `json:"timestamp"`
	ProcessingTimeMillis int64    `json:"processingTimeMillis"`
	Recipients           []string `json:"recipients"`
	SMTPResponse         string   `json:"smtpResponse"`
	ReportingMTA         string   `json:"reportingMTA"`
}

type bounce struct {
	BounceType        string             `json:"bounceType"`
	BounceSubType     string             `json:"bounceSubType"`
	BouncedRecipients []bouncedRecipient `json:"bouncedRecipients"`
	Timestamp         string             `json:"timestamp"`
	FeedbackID        string             `json:"feedbackId"`
	ReportingMTA      string             `json:"reportingMTA"`
}

type bouncedRecipient struct {
	EmailAddress   string `json:"emailAddress"`
	Action         string `json:"action"`
	Status         string `json:"status"`
	DiagnosticCode string `json:"diagnosticCode"`
}

type complaint struct {
	ComplaintSubType      *string               `json:"complaintSubType"` // null, but for complaints SES suppressed
	ComplainedRecipients  []complainedRecipient `json:"complainedRecipients"`
	Timestamp             string                `json:"timestamp"`
	FeedbackID            string                `json:"feedbackId"`
	UserAgent             string                `json:"userAgent"`
	ComplaintFeedbackType string                `json:"complaintFeedbackType"`
	ArrivalDate           string                `json:"arrivalDate"`
}

type complainedRecipient struct {
	EmailAddress string `json:"emailAddress"`
}

// outcome sorts recipients by what the mailbox simulator does with them. Complained
// recipients were delivered too.
type outcome struct{ delivered, bounced, suppressed, complained []string }

func simulate(recipients []string) outcome {
	var o outcome
	for _, r := range recipients {
		switch box, _ := simulatorBox(r); box {
		case "bounce":
			o.bounced = append(o.bounced, r)
		case "suppressionlist":
			o.suppressed = append(o.suppressed, r)
		case "complaint":
			o.delivered = append(o.delivered, r)
			o.complained = append(o.complained, r)
		default: // success, ooto (the auto-reply goes to the sender's mailbox), and real addresses
			o.delivered = append(o.delivered, r)
		}
	}
	return o
}

// simulatorBox returns the mailbox simulator scenario of a bare address, without its label
// ("bounce+label1@simulator.amazonses.com" is "bounce"), and whether it is a simulator address.
func simulatorBox(addr string) (string, bool) {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || !strings.EqualFold(addr[at+1:], simulatorDomain) {
		return "", false
	}
	box, _, _ := strings.Cut(strings.ToLower(addr[:at]), "+")
	return box, true
}

// quotaCount returns how many recipients count against the 24-hour quota: all but the
// mailbox simulator's.
func quotaCount(recipients []string) int {
	n := 0
	for _, r := range recipients {
		if _, sim := simulatorBox(r); !sim {
			n++
		}
	}
	return n
}

// records returns the SES event records of the draft, which has its id and send time, in the
// order SES produces them: Send, then Delivery and Bounce, then Complaint.
func (d *draft) records(region string) []record {
	mo := d.mailObject(region)
	o := simulate(d.recipients)
	recs := []record{{EventType: "Send", Mail: mo, Send: &struct{}{}}}
	if len(o.delivered) > 0 {
		recs = append(recs, record{EventType: "Delivery", Mail: mo, Delivery: &delivery{
			Timestamp:            timestamp(d.SentAt.Add(deliveryDelay)),
			ProcessingTimeMillis: deliveryDelay.Milliseconds(),
			Recipients:           o.delivered,
			SMTPResponse:         smtpResponse,
			ReportingMTA:         sendingMTA,
		}})
	}
	if len(o.bounced) > 0 {
		recs = append(recs, record{EventType: "Bounce", Mail: mo, Bounce: d.bounce(
			"General", o.bounced, userUnknown, d.SentAt.Add(bounceDelay), "dsn; "+sendingMTA)})
	}
	if len(o.suppressed) > 0 {
		recs = append(recs, record{EventType: "Bounce", Mail: mo, Bounce: d.bounce(
			"OnAccountSuppressionList", o.suppressed, suppressedMessage, d.SentAt, "dns; amazonses.com")})
	}
	if len(o.complained) > 0 {
		at := d.SentAt.Add(complaintDelay)
		c := &complaint{
			Timestamp:             timestamp(at),
			FeedbackID:            newMessageID(at),
			UserAgent:             simulatorAgent,
			ComplaintFeedbackType: "abuse",
			ArrivalDate:           timestamp(at),
		}
		for _, r := range o.complained {
			c.ComplainedRecipients = append(c.ComplainedRecipients, complainedRecipient{r})
		}
		recs = append(recs, record{EventType: "Complaint", Mail: mo, Complaint: c})
	}
	return recs
}

// bounce returns a permanent bounce of recipients.
func (d *draft) bounce(subType string, recipients []string, diagnostic string, at time.Time, mta string) *bounce {
	b := &bounce{
		BounceType:    "Permanent",
		BounceSubType: subType,
		Timestamp:     timestamp(at),
		FeedbackID:    newMessageID(at),
		ReportingMTA:  mta,
	}
	for _, r := range recipients {
		b.BouncedRecipients = append(b.BouncedRecipients, bouncedRecipient{
			EmailAddress: r, Action: "failed", Status: "5.1.1", DiagnosticCode: diagnostic})
	}
	return b
}

// mailObject returns the "mail" object shared by the draft's event records.
func (d *draft) mailObject(region string) mailObject {
	domain := d.fromAddr[strings.LastIndexByte(d.fromAddr, '@')+1:]
	tags := map[string][]string{
		"ses:configuration-set": {d.ConfigurationSet},
		"ses:from-domain":       {domain},
	}
	for name, value := range d.Tags {
		tags[name] = []string{value}
	}
	headers, truncated := truncateHeaders(d.headers)
	return mailObject{
		Timestamp:        timestamp(d.SentAt),
		Source:           d.From,
		SourceArn:        "arn:aws:ses:" + region + ":" + sendingAccount + ":identity/" + domain,
		SendingAccountID: sendingAccount,
		MessageID:        d.ID,
		Destination:      d.recipients,
		HeadersTruncated: truncated,
		Headers:          headers,
		CommonHeaders: commonHeaders{
			From:      plainAddresses(get(d.headers, "From"), d.From),
			ReplyTo:   plainAddresses(get(d.headers, "Reply-To"), ""),
			Date:      get(d.headers, "Date"),
			To:        plainAddresses(get(d.headers, "To"), ""),
			Cc:        plainAddresses(get(d.headers, "Cc"), ""),
			MessageID: cmp.Or(get(d.headers, "Message-ID"), d.ID),
			Subject:   d.Subject,
		},
		Tags: tags,
	}
}

// truncateHeaders keeps the header fields that fit in maxHeaderBytes and reports whether
// some were left out.
func truncateHeaders(hs []header) ([]header, bool) {
	size := 0
	for i, h := range hs {
		if size += len(h.Name) + len(h.Value); size > maxHeaderBytes {
			return hs[:i], true
		}
	}
	return hs, false
}

// plainAddresses lists the addresses of a header value as "Name <address>" or "address", as
// SES's commonHeaders do; a value that does not parse is listed as it is. An empty value gives
// fallback, if any.
func plainAddresses(value, fallback string) []string {
	value = cmp.Or(value, fallback)
	if value == "" {
		return nil
	}
	addrs, err := mail.ParseAddressList(value)
	if err != nil {
		return []string{value}
	}
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.Address
		if a.Name != "" {
			out[i] = a.Name + " <" + a.Address + ">"
		}
	}
	return out
}

// eventTypes lists the event types of recs.
func eventTypes(recs []record) []string {
	types := make([]string, len(recs))
	for i, r := range recs {
		types[i] = r.EventType
	}
	return types
}

// publish hands each record to Options.Publish, in order.
func (s *Server) publish(ctx context.Context, recs []record) {
	if s.opts.Publish == nil {
		return
	}
	for _, r := range recs {
		detail, _ := json.Marshal(r) // cannot fail: strings, numbers, slices and maps of them
		s.opts.Publish(ctx, detailTypes[r.EventType], detail)
	}
}

// timestamp formats t as SES event records do: ISO 8601, UTC, milliseconds.
func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
