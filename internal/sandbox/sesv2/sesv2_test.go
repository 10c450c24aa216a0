package sesv2

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"shopmail/internal/send"
	"shopmail/internal/ses"
)

var start = time.Date(2026, 11, 22, 10, 15, 0, 0, time.UTC)

// clock is the sandbox's movable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// published is an event handed to Options.Publish, its detail decoded.
type published struct {
	detailType string
	detail     map[string]any
}

// bus records published events.
type bus struct {
	t      *testing.T
	mu     sync.Mutex
	events []published
}

func (b *bus) publish(_ context.Context, detailType string, detail []byte) {
	var d map[string]any
	if err := json.Unmarshal(detail, &d); err != nil {
		b.t.Errorf("published %s detail is not JSON: %v\n%s", detailType, err, detail)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.events = append(b.events, published{detailType, d})
}

// of returns the events published for message id, in order.
func (b *bus) of(id string) []published {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []published
	for _, e := range b.events {
		if m, ok := e.detail["mail"].(map[string]any); ok && m["messageId"] == id {
			out = append(out, e)
		}
	}
	return out
}

func (b *bus) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.events)
}

type fixture struct {
	srv    *Server
	url    string
	clock  *clock
	bus    *bus
	cfg    aws.Config
	client *sesv2.Client // retries nothing
}

// newFixture serves a Server with o (its clock and Publish replaced) through httptest, wrapped
// by wrap if not nil.
func newFixture(t *testing.T, o Options, wrap func(http.Handler) http.Handler) *fixture {
	t.Helper()
	f := &fixture{clock: &clock{t: start}, bus: &bus{t: t}}
	o.Now, o.Publish = f.clock.Now, f.bus.publish
	f.srv = New(o)
	var h http.Handler = f.srv
	if wrap != nil {
		h = wrap(h)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	f.url = hs.URL
	f.cfg = aws.Config{
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint: aws.String(hs.URL),
	}
	f.client = sesv2.NewFromConfig(f.cfg, func(o *sesv2.Options) { o.Retryer = aws.NopRetryer{} })
	return f
}

const testRaw = "From: Shop <shop@example.com>\r\n" +
	"To: Sara <sara@example.com>, ali@example.com\r\n" +
	"Cc: cc@example.com\r\n" +
	"Subject: =?UTF-8?Q?Merci_=C3=A0_vous?=\r\n" +
	"Message-ID: <o-1001@shop.example>\r\n" +
	"Date: Sun, 22 Nov 2026 10:15:00 +0000\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=ISO-8859-1\r\n" +
	"Content-Transfer-Encoding: 8bit\r\n" +
	"\r\n" +
	"Caf\xe9 au lait\r\n"

var messageIDPattern = regexp.MustCompile(`^0100([0-9a-f]{12})-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-000000$`)

// checkMessageID fails unless id is shaped like an SES message id stamped at.
func checkMessageID(t *testing.T, id string, at time.Time) {
	t.Helper()
	m := messageIDPattern.FindStringSubmatch(id)
	if m == nil {
		t.Fatalf("message id %q is not shaped like an SES message id", id)
	}
	if ms, _ := strconv.ParseInt(m[1], 16, 64); ms != at.UnixMilli() {
		t.Errorf("message id %q stamps %d ms, want %d", id, ms, at.UnixMilli())
	}
}

func tags(kv ...string) []types.MessageTag {
	var out []types.MessageTag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.MessageTag{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func rawInput(raw string, configurationSet string) *sesv2.SendEmailInput {
	in := &sesv2.SendEmailInput{Content: &types.EmailContent{Raw: &types.RawMessage{Data: []byte(raw)}}}
	if configurationSet != "" {
		in.ConfigurationSetName = aws.String(configurationSet)
	}
	return in
}

func simpleInput(configurationSet string, to ...string) *sesv2.SendEmailInput {
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String("Shop <shop@example.com>"),
		Destination:      &types.Destination{ToAddresses: to},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String("Your order o-1001")},
			Body:    &types.Body{Text: &types.Content{Data: aws.String("Thank you.")}},
		}},
		EmailTags: tags("kind", "test"),
	}
	if configurationSet != "" {
		in.ConfigurationSetName = aws.String(configurationSet)
	}
	return in
}

func TestSendRaw(t *testing.T) {
	for _, tc := range []struct {
		name            string
		destination     *types.Destination
		wantTo, wantCc  []string
		wantBcc         []string
		wantDestination []any
	}{{
		name:            "recipients from the headers",
		wantTo:          []string{`"Sara" <sara@example.com>`, "ali@example.com"},
		wantCc:          []string{"cc@example.com"},
		wantDestination: []any{"sara@example.com", "ali@example.com", "cc@example.com"},
	}, {
		name:            "recipients from Destination",
		destination:     &types.Destination{ToAddresses: []string{"ali@example.com"}, BccAddresses: []string{"Audit <audit@example.com>"}},
		wantTo:          []string{"ali@example.com"},
		wantBcc:         []string{"Audit <audit@example.com>"},
		wantDestination: []any{"ali@example.com", "audit@example.com"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, Options{MaxSendRate: 100}, nil)
			in := rawInput(testRaw, "shop-events")
			in.Destination = tc.destination
			in.EmailTags = tags("kind", "thankyou", "send_key", "b64-dGhhbmt5b3Uj")
			out, err := f.client.SendEmail(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			id := aws.ToString(out.MessageId)
			checkMessageID(t, id, start)
			m, ok := f.srv.Message(id)
			if !ok {
				t.Fatalf("Message(%q) not found", id)
			}
			want := Message{
				ID: id, Raw: []byte(testRaw), From: "Shop <shop@example.com>",
				To: tc.wantTo, Cc: tc.wantCc, Bcc: tc.wantBcc, Subject: "Merci à vous",
				ConfigurationSet: "shop-events",
				Tags:             map[string]string{"kind": "thankyou", "send_key": "b64-dGhhbmt5b3Uj"},
				SentAt:           start, Events: []string{"Send", "Delivery"}, Region: "eu-west-1",
			}
			if !reflect.DeepEqual(m, want) {
				t.Errorf("stored message\n%+v\nwant\n%+v", m, want)
			}
			if all := f.srv.Messages(); len(all) != 1 || all[0].ID != id {
				t.Errorf("Messages() = %v, want just %s", all, id)
			}
			evs := f.bus.of(id)
			if len(evs) != 2 {
				t.Fatalf("published %d events, want 2", len(evs))
			}
			for _, e := range evs {
				mailObj := e.detail["mail"]
				if got := at(t, mailObj, "destination"); !reflect.DeepEqual(got, tc.wantDestination) {
					t.Errorf("%s mail.destination = %v, want %v", e.detailType, got, tc.wantDestination)
				}
				if got := at(t, mailObj, "commonHeaders.messageId"); got != "<o-1001@shop.example>" {
					t.Errorf("%s mail.commonHeaders.messageId = %v, want the message's Message-ID", e.detailType, got)
				}
				if got := at(t, mailObj, "tags.send_key.0"); got != "b64-dGhhbmt5b3Uj" {
					t.Errorf("%s mail.tags.send_key = %v", e.detailType, got)
				}
			}
		})
	}
}

func TestSendSimpleBuildsMIME(t *testing.T) {
	f := newFixture(t, Options{MaxSendRate: 100}, nil)
	text := "Hello Sara,\nthank you for your order o-1001: 2 × Green tea. A line long enough to need a soft line break in quoted-printable.\n"
	html := "<p>Hello <b>Sara</b>, thank you — <a href=\"https://shop.example/o?id=1001\">your order</a></p>"
	out, err := f.client.SendEmail(context.Background(), &sesv2.SendEmailInput{
		FromEmailAddress: aws.String("Shop <shop@example.com>"),
		Destination: &types.Destination{
			ToAddresses:  []string{"Sara Ahmadi <sara@example.com>"},
			CcAddresses:  []string{"cc@example.com"},
			BccAddresses: []string{"hidden@example.com"},
		},
		ReplyToAddresses: []string{"help@example.com"},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String("Thank you, Sara — order o-1001")},
			Body: &types.Body{
				Text: &types.Content{Data: aws.String(text)},
				Html: &types.Content{Data: aws.String(html), Charset: aws.String("UTF-8")},
			},
			Headers: []types.MessageHeader{
				{Name: aws.String("List-Unsubscribe"), Value: aws.String("<https://shop.example/u/abc>")},
				{Name: aws.String("List-Unsubscribe-Post"), Value: aws.String("List-Unsubscribe=One-Click")},
			},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	m, ok := f.srv.Message(aws.ToString(out.MessageId))
	if !ok {
		t.Fatal("message not stored")
	}
	if m.Subject != "Thank you, Sara — order o-1001" || m.From != "Shop <shop@example.com>" ||
		!reflect.DeepEqual(m.To, []string{"Sara Ahmadi <sara@example.com>"}) ||
		!reflect.DeepEqual(m.Cc, []string{"cc@example.com"}) || !reflect.DeepEqual(m.Bcc, []string{"hidden@example.com"}) {
		t.Errorf("stored message fields: %+v", m)
	}
	if n, crlf := bytes.Count(m.Raw, []byte("\n")), bytes.Count(m.Raw, []byte("\r\n")); n != crlf {
		t.Errorf("%d of %d line breaks are bare LF; want CRLF only", n-crlf, n)
	}

	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		t.Fatalf("the built message does not parse: %v\n%s", err, m.Raw)
	}
	h := msg.Header
	checkAddresses(t, h, "From", "shop@example.com")
	checkAddresses(t, h, "To", "sara@example.com")
	checkAddresses(t, h, "Cc", "cc@example.com")
	checkAddresses(t, h, "Reply-To", "help@example.com")
	if h.Get("Bcc") != "" {
		t.Errorf("Bcc header %q: Bcc recipients must not be shown", h.Get("Bcc"))
	}
	if subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject")); err != nil || subject != m.Subject {
		t.Errorf("Subject %q decodes to %q (%v), want %q", h.Get("Subject"), subject, err, m.Subject)
	}
	if date, err := h.Date(); err != nil || !date.Equal(start) {
		t.Errorf("Date %q = %v (%v), want %v", h.Get("Date"), date, err, start)
	}
	for name, want := range map[string]string{
		"MIME-Version":          "1.0",
		"List-Unsubscribe":      "<https://shop.example/u/abc>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" || params["boundary"] == "" {
		t.Fatalf("Content-Type %q: %s %v %v, want multipart/alternative with a boundary", h.Get("Content-Type"), mediaType, params, err)
	}
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for _, want := range []struct{ mediaType, body string }{
		{"text/plain", strings.ReplaceAll(text, "\n", "\r\n")},
		{"text/html", html},
	} {
		p, err := parts.NextRawPart()
		if err != nil {
			t.Fatalf("%s part: %v", want.mediaType, err)
		}
		if mt, ps, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); mt != want.mediaType || !strings.EqualFold(ps["charset"], "UTF-8") {
			t.Errorf("part Content-Type %q, want %s; charset=UTF-8", p.Header.Get("Content-Type"), want.mediaType)
		}
		if cte := p.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
			t.Errorf("%s part Content-Transfer-Encoding %q, want quoted-printable", want.mediaType, cte)
		}
		encoded, _ := io.ReadAll(p)
		for _, line := range strings.Split(string(encoded), "\r\n") {
			if len(line) > 76 {
				t.Errorf("%s part line of %d characters, want at most 76: %q", want.mediaType, len(line), line)
			}
		}
		body, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(encoded)))
		if err != nil || string(body) != want.body {
			t.Errorf("%s part decodes to %q (%v), want %q", want.mediaType, body, err, want.body)
		}
	}
	if _, err := parts.NextRawPart(); err != io.EOF {
		t.Errorf("after the two parts: %v, want io.EOF", err)
	}
}

func checkAddresses(t *testing.T, h mail.Header, name string, want ...string) {
	t.Helper()
	list, err := h.AddressList(name)
	if err != nil {
		t.Errorf("%s header %q: %v", name, h.Get(name), err)
		return
	}
	var got []string
	for _, a := range list {
		got = append(got, a.Address)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s addresses %v, want %v", name, got, want)
	}
}

func TestGetAccount(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		f := newFixture(t, Options{}, nil)
		checkQuota(t, f, DefaultMax24HourSend, DefaultMaxSendRate, 0)
	})
	t.Run("counts recipients over 24 hours of the sandbox clock", func(t *testing.T) {
		f := newFixture(t, Options{MaxSendRate: 50, Max24HourSend: 200}, nil)
		for _, to := range [][]string{
			{"sara@example.com", "ali@example.com"},
			{"success@simulator.amazonses.com"}, // the mailbox simulator does not count
		} {
			if _, err := f.client.SendEmail(context.Background(), simpleInput("", to...)); err != nil {
				t.Fatal(err)
			}
		}
		checkQuota(t, f, 200, 50, 2)
		f.clock.Advance(24*time.Hour + time.Second)
		checkQuota(t, f, 200, 50, 0)
	})
}

func checkQuota(t *testing.T, f *fixture, max24, rate, sent float64) {
	t.Helper()
	out, err := f.client.GetAccount(context.Background(), &sesv2.GetAccountInput{})
	if err != nil {
		t.Fatal(err)
	}
	q := out.SendQuota
	if q == nil || q.Max24HourSend != max24 || q.MaxSendRate != rate || q.SentLast24Hours != sent {
		t.Errorf("SendQuota = %+v, want Max24HourSend %v, MaxSendRate %v, SentLast24Hours %v", q, max24, rate, sent)
	}
	if !out.SendingEnabled || !out.ProductionAccessEnabled {
		t.Errorf("SendingEnabled %v, ProductionAccessEnabled %v, want both true", out.SendingEnabled, out.ProductionAccessEnabled)
	}
}

// wantEvent is an event the mailbox simulator should produce, and its recipients.
type wantEvent struct {
	detailType string
	recipients []any
	subType    string // of a bounce
}

func TestMailboxSimulator(t *testing.T) {
	const (
		success    = "success@simulator.amazonses.com"
		bounceAddr = "bounce@simulator.amazonses.com"
		complaint  = "complaint@simulator.amazonses.com"
		suppressed = "suppressionlist@simulator.amazonses.com"
		ooto       = "ooto@simulator.amazonses.com"
		labelled   = "Bounce+order-1001@Simulator.AmazonSES.com"
		real       = "sara@example.com"
	)
	sent := wantEvent{detailType: "Email Sent"}
	delivered := func(to ...any) wantEvent { return wantEvent{"Email Delivered", to, ""} }
	bounced := func(sub string, to ...any) wantEvent { return wantEvent{"Email Bounced", to, sub} }
	for _, tc := range []struct {
		to   []string
		want []wantEvent
	}{
		{[]string{success}, []wantEvent{sent, delivered(success)}},
		{[]string{ooto}, []wantEvent{sent, delivered(ooto)}},
		{[]string{real}, []wantEvent{sent, delivered(real)}},
		{[]string{bounceAddr}, []wantEvent{sent, bounced("General", bounceAddr)}},
		{[]string{labelled}, []wantEvent{sent, bounced("General", labelled)}},
		{[]string{suppressed}, []wantEvent{sent, bounced("OnAccountSuppressionList", suppressed)}},
		{[]string{complaint}, []wantEvent{sent, delivered(complaint), {"Email Complaint Received", []any{complaint}, ""}}},
		{[]string{success, bounceAddr, complaint}, []wantEvent{
			sent, delivered(success, complaint), bounced("General", bounceAddr),
			{"Email Complaint Received", []any{complaint}, ""},
		}},
	} {
		t.Run(strings.Join(tc.to, ","), func(t *testing.T) {
			f := newFixture(t, Options{MaxSendRate: 100}, nil)
			out, err := f.client.SendEmail(context.Background(), simpleInput("shop-events", tc.to...))
			if err != nil {
				t.Fatal(err)
			}
			id := aws.ToString(out.MessageId)
			evs := f.bus.of(id)
			var gotTypes, wantTypes, eventTypes []string
			for _, e := range evs {
				gotTypes = append(gotTypes, e.detailType)
				eventTypes = append(eventTypes, fmt.Sprint(e.detail["eventType"]))
			}
			for _, w := range tc.want {
				wantTypes = append(wantTypes, w.detailType)
			}
			if !reflect.DeepEqual(gotTypes, wantTypes) {
				t.Fatalf("published %v, want %v", gotTypes, wantTypes)
			}
			if m, _ := f.srv.Message(id); !reflect.DeepEqual(m.Events, eventTypes) {
				t.Errorf("Message.Events = %v, want the published event types %v", m.Events, eventTypes)
			}
			for i, e := range evs {
				checkMail(t, e, id, tc.to)
				checkRecord(t, e, tc.want[i])
			}
		})
	}
}

// checkMail checks the "mail" object of an event record against SES's documented examples.
func checkMail(t *testing.T, e published, id string, to []string) {
	t.Helper()
	m := e.detail["mail"]
	var destination []any
	for _, a := range to {
		destination = append(destination, a)
	}
	for path, want := range map[string]any{
		"timestamp":                  "2026-11-22T10:15:00.000Z",
		"source":                     "Shop <shop@example.com>",
		"sourceArn":                  "arn:aws:ses:eu-west-1:000000000000:identity/example.com",
		"sendingAccountId":           "000000000000",
		"messageId":                  id,
		"destination":                destination,
		"headersTruncated":           false,
		"headers.0":                  map[string]any{"name": "From", "value": `"Shop" <shop@example.com>`},
		"commonHeaders.from":         []any{"Shop <shop@example.com>"},
		"commonHeaders.to":           destination,
		"commonHeaders.messageId":    id,
		"commonHeaders.subject":      "Your order o-1001",
		"commonHeaders.date":         "Sun, 22 Nov 2026 10:15:00 +0000",
		"tags.ses:configuration-set": []any{"shop-events"},
		"tags.ses:from-domain":       []any{"example.com"},
		"tags.kind":                  []any{"test"},
	} {
		if got := at(t, m, path); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: mail.%s = %#v, want %#v", e.detailType, path, got, want)
		}
	}
	if common, _ := at(t, m, "commonHeaders").(map[string]any); common["replyTo"] != nil {
		t.Errorf("%s: mail.commonHeaders.replyTo %v without a Reply-To header", e.detailType, common["replyTo"])
	}
}

// checkRecord checks the event type and the per-type object of an event record.
func checkRecord(t *testing.T, e published, want wantEvent) {
	t.Helper()
	d := e.detail
	switch e.detailType {
	case "Email Sent":
		expect(t, d, map[string]any{"eventType": "Send", "send": map[string]any{}})
	case "Email Delivered":
		expect(t, d, map[string]any{
			"eventType":                     "Delivery",
			"delivery.timestamp":            "2026-11-22T10:15:01.200Z",
			"delivery.processingTimeMillis": 1200.0,
			"delivery.recipients":           want.recipients,
			"delivery.smtpResponse":         "250 2.6.0 Message received",
			"delivery.reportingMTA":         "a8-70.smtp-out.amazonses.com",
		})
	case "Email Bounced":
		diagnostic, mta := "smtp; 550 5.1.1 user unknown", "dsn; a8-70.smtp-out.amazonses.com"
		if want.subType == "OnAccountSuppressionList" {
			diagnostic, mta = suppressedMessage, "dns; amazonses.com"
		}
		var recipients []any
		for _, r := range want.recipients {
			recipients = append(recipients, map[string]any{
				"emailAddress": r, "action": "failed", "status": "5.1.1", "diagnosticCode": diagnostic})
		}
		expect(t, d, map[string]any{
			"eventType":                "Bounce",
			"bounce.bounceType":        "Permanent",
			"bounce.bounceSubType":     want.subType,
			"bounce.bouncedRecipients": recipients,
			"bounce.reportingMTA":      mta,
		})
		checkFeedback(t, d, "bounce")
	case "Email Complaint Received":
		var recipients []any
		for _, r := range want.recipients {
			recipients = append(recipients, map[string]any{"emailAddress": r})
		}
		expect(t, d, map[string]any{
			"eventType":                       "Complaint",
			"complaint.complainedRecipients":  recipients,
			"complaint.complaintFeedbackType": "abuse",
			"complaint.userAgent":             "Amazon SES Mailbox Simulator",
			"complaint.arrivalDate":           "2026-11-22T10:15:02.500Z",
			"complaint.complaintSubType":      nil,
		})
		checkFeedback(t, d, "complaint")
	}
	for _, other := range []string{"send", "delivery", "bounce", "complaint"} {
		if _, ok := d[other]; ok && !strings.EqualFold(other, fmt.Sprint(d["eventType"])) {
			t.Errorf("%s record has a %q object", e.detailType, other)
		}
	}
}

// checkFeedback checks the feedbackId and timestamp of a bounce or complaint object.
func checkFeedback(t *testing.T, d map[string]any, object string) {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, fmt.Sprint(at(t, d, object+".timestamp")))
	if err != nil || ts.Before(start) {
		t.Errorf("%s.timestamp %v (%v), want a time from the send on", object, at(t, d, object+".timestamp"), err)
	}
	checkMessageID(t, fmt.Sprint(at(t, d, object+".feedbackId")), ts)
}

func expect(t *testing.T, d map[string]any, fields map[string]any) {
	t.Helper()
	for path, want := range fields {
		if got := at(t, d, path); !reflect.DeepEqual(got, want) {
			t.Errorf("%v: %s = %#v, want %#v", d["eventType"], path, got, want)
		}
	}
}

// at returns the value at a dotted path in decoded JSON ("bounce.bouncedRecipients.0").
func at(t *testing.T, v any, path string) any {
	t.Helper()
	for _, key := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[key]; !ok {
				t.Fatalf("%s: no %q in %v", path, key, x)
			}
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i >= len(x) {
				t.Fatalf("%s: no element %q in %v", path, key, x)
			}
			v = x[i]
		default:
			t.Fatalf("%s: %q of a %T", path, key, v)
		}
	}
	return v
}

// A configuration set the account does not have is refused as SES refuses it (404
// NotFoundException): nothing stored, nothing published.
func TestUnknownConfigurationSetIsNotFound(t *testing.T) {
	f := newFixture(t, Options{MaxSendRate: 100, ConfigurationSets: []string{"shop-events"}}, nil)
	_, err := f.client.SendEmail(context.Background(), simpleInput("other-events", "sara@example.com"))
	var nf *types.NotFoundException
	if !errors.As(err, &nf) || aws.ToString(nf.Message) != "Configuration set <other-events> does not exist." {
		t.Fatalf("SendEmail: %v, want NotFoundException", err)
	}
	if n, m := f.bus.count(), len(f.srv.Messages()); n != 0 || m != 0 {
		t.Errorf("%d events published, %d messages stored, want none", n, m)
	}
	if _, err := f.client.SendEmail(context.Background(), simpleInput("shop-events", "sara@example.com")); err != nil {
		t.Errorf("SendEmail with the account's configuration set: %v", err)
	}
	if _, err := f.client.SendEmail(context.Background(), simpleInput("", "sara@example.com")); err != nil {
		t.Errorf("SendEmail without a configuration set: %v", err)
	}
}

// Delete forgets one message or all, but what was sent still counts against the quota.
func TestDeleteKeepsTheQuota(t *testing.T) {
	f := newFixture(t, Options{MaxSendRate: 100, Max24HourSend: 2}, nil)
	var ids []string
	for range 2 {
		out, err := f.client.SendEmail(context.Background(), simpleInput("", "sara@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.MessageId))
	}
	f.srv.Delete(ids[0])
	if all := f.srv.Messages(); len(all) != 1 || all[0].ID != ids[1] {
		t.Errorf("after Delete(%s): %v", ids[0], all)
	}
	if _, ok := f.srv.Message(ids[0]); ok {
		t.Errorf("Message(%s) found after Delete", ids[0])
	}
	f.srv.Delete("")
	if all := f.srv.Messages(); len(all) != 0 {
		t.Errorf("after Delete(\"\"): %v", all)
	}
	var lim *types.LimitExceededException
	if _, err := f.client.SendEmail(context.Background(), simpleInput("", "sara@example.com")); !errors.As(err, &lim) {
		t.Errorf("a third send over a quota of 2 after Delete: %v, want LimitExceededException", err)
	}
}

func TestNoEventsWithoutConfigurationSet(t *testing.T) {
	f := newFixture(t, Options{MaxSendRate: 100}, nil)
	out, err := f.client.SendEmail(context.Background(), rawInput(
		"From: shop@example.com\r\nTo: bounce@simulator.amazonses.com\r\nSubject: x\r\n\r\nbody\r\n", ""))
	if err != nil {
		t.Fatal(err)
	}
	if n := f.bus.count(); n != 0 {
		t.Errorf("published %d events for a message without a configuration set, want none", n)
	}
	if m, _ := f.srv.Message(aws.ToString(out.MessageId)); !reflect.DeepEqual(m.Events, []string{"Send", "Bounce"}) {
		t.Errorf("Message.Events = %v, want [Send Bounce]", m.Events)
	}
}

func TestRejectsInvalidRequests(t *testing.T) {
	var fifty []string
	for i := range 51 {
		fifty = append(fifty, fmt.Sprintf("r%d@example.com", i))
	}
	huge := "From: shop@example.com\r\nTo: sara@example.com\r\n\r\n" + strings.Repeat("x", 40<<20)
	for _, tc := range []struct {
		name string
		in   *sesv2.SendEmailInput
	}{
		{"tag name with a space", withTags(simpleInput("set", "a@example.com"), "send key", "v")},
		{"tag value with a colon", withTags(simpleInput("set", "a@example.com"), "kind", "a:b")},
		{"tag name over 256 characters", withTags(simpleInput("set", "a@example.com"), strings.Repeat("n", 257), "v")},
		{"empty tag value", withTags(simpleInput("set", "a@example.com"), "kind", "")},
		{"51 recipients", simpleInput("set", fifty...)},
		{"Simple without FromEmailAddress", func() *sesv2.SendEmailInput {
			in := simpleInput("set", "a@example.com")
			in.FromEmailAddress = nil
			return in
		}()},
		{"Simple without recipients", simpleInput("set")},
		{"illegal address", simpleInput("set", "not an address")},
		{"Raw without a From", rawInput("To: a@example.com\r\nSubject: x\r\n\r\nbody\r\n", "")},
		{"Raw that is not MIME", rawInput("just some text\r\n", "")},
		{"Raw over 40 MB", rawInput(huge, "")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, Options{MaxSendRate: 100}, nil)
			_, err := f.client.SendEmail(context.Background(), tc.in)
			checkAPIError(t, err, http.StatusBadRequest, "BadRequestException", "")
			var typed *types.BadRequestException
			if !errors.As(err, &typed) {
				t.Errorf("%v is not a *types.BadRequestException", err)
			}
			if n := len(f.srv.Messages()); n != 0 {
				t.Errorf("%d messages stored, want none", n)
			}
		})
	}
}

func withTags(in *sesv2.SendEmailInput, kv ...string) *sesv2.SendEmailInput {
	in.EmailTags = tags(kv...)
	return in
}

// checkAPIError fails unless err is an AWS API error with code, HTTP status and, if not
// empty, message.
func checkAPIError(t *testing.T, err error, status int, code, message string) {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("error %v, want an API error %s", err, code)
	}
	if api.ErrorCode() != code || message != "" && api.ErrorMessage() != message {
		t.Errorf("error %s %q, want %s %q", api.ErrorCode(), api.ErrorMessage(), code, message)
	}
	var resp *smithyhttp.ResponseError
	if !errors.As(err, &resp) || resp.HTTPStatusCode() != status {
		t.Errorf("error %v: want HTTP status %d", err, status)
	}
}

func TestRateLimit(t *testing.T) {
	f := newFixture(t, Options{MaxSendRate: 2}, nil)
	send := func() error {
		_, err := f.client.SendEmail(context.Background(), simpleInput("", "sara@example.com"))
		return err
	}
	for i := range 2 {
		if err := send(); err != nil {
			t.Fatalf("send %d: %v", i+1, err)
		}
	}
	checkAPIError(t, send(), http.StatusTooManyRequests, "TooManyRequestsException", "Maximum sending rate exceeded.")

	f.clock.Advance(time.Hour) // the sandbox clock does not refill the bucket
	checkAPIError(t, send(), http.StatusTooManyRequests, "TooManyRequestsException", "Maximum sending rate exceeded.")

	time.Sleep(600 * time.Millisecond) // wall time does: one recipient per 500 ms
	if err := send(); err != nil {
		t.Fatalf("send after 600 ms: %v", err)
	}
	if n := len(f.srv.Messages()); n != 3 {
		t.Errorf("%d messages stored, want the 3 accepted", n)
	}
}

// statusCounter counts the responses with each HTTP status.
type statusCounter struct {
	mu     sync.Mutex
	counts map[int]int
}

func (c *statusCounter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		c.mu.Lock()
		c.counts[rec.Code]++
		c.mu.Unlock()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

func (c *statusCounter) count(status int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[status]
}

func TestProductionAdapterRetriesThrottling(t *testing.T) {
	counter := &statusCounter{counts: map[int]int{}}
	f := newFixture(t, Options{MaxSendRate: 2}, counter.wrap)
	mailer := ses.New(f.cfg, "shop-events", ses.WithBackoff(100*time.Millisecond, time.Second))
	const burst = 5
	for i := range burst {
		raw := fmt.Sprintf("From: shop@example.com\r\nTo: sara@example.com\r\nSubject: burst %d\r\n\r\nbody\r\n", i)
		id, err := mailer.SendRaw(context.Background(), []byte(raw), []send.Tag{{Name: "send_key", Value: fmt.Sprint(i)}})
		if err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		if m, ok := f.srv.Message(id); !ok || m.Subject != fmt.Sprintf("burst %d", i) || m.Tags["send_key"] != fmt.Sprint(i) {
			t.Errorf("send %d: stored %+v (found %v)", i, m, ok)
		}
	}
	if n := counter.count(http.StatusTooManyRequests); n == 0 {
		t.Error("no send was throttled: the burst did not exceed the rate")
	}
	if n := len(f.srv.Messages()); n != burst {
		t.Errorf("%d messages stored, want %d", n, burst)
	}
}

func TestDailyQuota(t *testing.T) {
	f := newFixture(t, Options{MaxSendRate: 100, Max24HourSend: 3}, nil)
	for _, to := range [][]string{{"a@example.com", "b@example.com"}, {"c@example.com"}} {
		if _, err := f.client.SendEmail(context.Background(), simpleInput("", to...)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.client.SendEmail(context.Background(), simpleInput("", "d@example.com"))
	checkAPIError(t, err, http.StatusBadRequest, "LimitExceededException", "Daily message quota exceeded.")

	mailer := ses.New(f.cfg, "")
	_, err = mailer.SendRaw(context.Background(), []byte("From: shop@example.com\r\nTo: d@example.com\r\n\r\nx\r\n"), nil)
	if !errors.Is(err, send.ErrThrottled) {
		t.Errorf("production adapter: %v, want send.ErrThrottled", err)
	}
	if _, err := f.client.SendEmail(context.Background(), simpleInput("", "success@simulator.amazonses.com")); err != nil {
		t.Errorf("the mailbox simulator does not count against the quota: %v", err)
	}
	f.clock.Advance(24 * time.Hour)
	if _, err := f.client.SendEmail(context.Background(), simpleInput("", "d@example.com")); err != nil {
		t.Errorf("24 hours later: %v", err)
	}
}

func TestMalformedRequests(t *testing.T) {
	f := newFixture(t, Options{}, nil)
	for _, tc := range []struct {
		method, path, body string
		status             int
		code               string
	}{
		{"POST", "/v2/email/outbound-emails", `{"Content":`, 400, "SerializationException"},
		{"POST", "/v2/email/outbound-emails", `{"Content": 5}`, 400, "SerializationException"},
		{"POST", "/v2/email/outbound-emails", `{"Content":{"Raw":{"Data":"!not base64!"}}}`, 400, "SerializationException"},
		{"POST", "/v2/email/outbound-emails", `{"Content":{}} trailing`, 400, "SerializationException"},
		{"POST", "/v2/email/outbound-emails", ``, 400, "SerializationException"},
		{"POST", "/v2/email/outbound-emails", `{}`, 400, "BadRequestException"},
		{"POST", "/v2/email/outbound-emails", `{"Content":{"Simple":{},"Raw":{"Data":"eA=="}}}`, 400, "BadRequestException"},
		{"DELETE", "/v2/email/outbound-emails", ``, 404, "UnknownOperationException"},
		{"GET", "/v2/email/templates", ``, 404, "UnknownOperationException"},
		{"GET", "/", ``, 404, "UnknownOperationException"},
	} {
		t.Run(tc.method+" "+tc.path+" "+tc.body, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, f.url+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			decodeErr := json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != tc.status || resp.Header.Get("X-Amzn-ErrorType") != tc.code {
				t.Errorf("%d %s, want %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), tc.status, tc.code)
			}
			if msg, _ := body["message"].(string); decodeErr != nil || msg == "" {
				t.Errorf("body %v (%v), want JSON with a message", body, decodeErr)
			}
		})
	}
	checkQuota(t, f, DefaultMax24HourSend, DefaultMaxSendRate, 0) // still serving
}
