package sesevent_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"shopmail/internal/deliverability/sesevent"
	"shopmail/internal/fault"
)

// The samples in testdata are SES event records shaped as the SES Developer Guide documents
// them ("Contents of event data that Amazon SES publishes", "Examples of event data"), in the
// EventBridge envelope SES's EventBridge destination uses.
const (
	mid  = "0100019368f0a2b1-5c8e2d3f-6a1b-4c2d-9e8f-0a1b2c3d4e5f-000000"
	mid2 = "0100019368f0b3c4-7d9e1f20-3a4b-4c5d-8e9f-1a2b3c4d5e6f-000000"
)

var (
	sentAt   = at("2026-11-22T10:15:00.120Z")
	shopTags = map[string]string{
		"ses:configuration-set": "shopmail-ConfigurationSet-AbC123", "ses:source-ip": "192.0.2.10",
		"ses:from-domain": "shop.example", "ses:caller-identity": "shopmail-ThankYouFunction",
		"ses:operation": "SendEmail", "kind": "thankyou", "contact": "c-42", "send_key": "b64-dGhhbmt5b3Ujby0xMDAx",
	}
	sara = []string{"sara@example.com"}
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func sample(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// deleted, as the value of an edit, removes the member.
var deleted = &struct{}{}

// edit returns the sample with changes, given as pairs of a dotted path ("detail.mail.tags",
// "detail.bounce.bouncedRecipients.0.emailAddress") and a value. A path that is not in the
// sample fails the test, so that a typo cannot make a case pass.
func edit(t *testing.T, name string, changes ...any) []byte {
	t.Helper()
	var root any
	if err := json.Unmarshal(sample(t, name), &root); err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(changes); i += 2 {
		path, value := changes[i].(string), changes[i+1]
		keys := strings.Split(path, ".")
		node := root
		for j, k := range keys {
			last := j == len(keys)-1
			switch n := node.(type) {
			case map[string]any:
				_, ok := n[k]
				switch {
				case last && value == deleted && ok:
					delete(n, k)
				case last && value != deleted:
					n[k] = value
				case ok:
					node = n[k]
				default:
					t.Fatalf("%s: %s is not in sample %s", path, k, name)
				}
			case []any:
				idx, err := strconv.Atoi(k)
				if err != nil || idx >= len(n) || (last && value == deleted) {
					t.Fatalf("%s: cannot use %s in sample %s", path, k, name)
				}
				if last {
					n[idx] = value
				}
				node = n[idx]
			default:
				t.Fatalf("%s: %s is not in sample %s", path, k, name)
			}
		}
	}
	raw, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestDecode(t *testing.T) {
	tests := []struct {
		sample string
		want   sesevent.Event
		key    string
	}{
		{"send", sesevent.Event{
			EventID: "a1b2c3d4-0001-4b5a-8c7d-6e5f4a3b2c1d", DetailType: "Email Sent", Type: sesevent.Send,
			MessageID: mid, Sender: "hello@shop.example", SentAt: sentAt, At: sentAt, Tags: shopTags,
			Recipients: sara,
		}, mid + "/Send/2026-11-22T10:15:00.12Z"},
		{"delivery", sesevent.Event{
			EventID: "a1b2c3d4-0002-4b5a-8c7d-6e5f4a3b2c1d", DetailType: "Email Delivered", Type: sesevent.Delivery,
			MessageID: mid, Sender: "hello@shop.example", SentAt: sentAt, At: at("2026-11-22T10:15:01.932Z"),
			Tags: shopTags, Recipients: sara,
		}, mid + "/Delivery/2026-11-22T10:15:01.932Z"},
		{"bounce-permanent", sesevent.Event{
			EventID: "a1b2c3d4-0003-4b5a-8c7d-6e5f4a3b2c1d", DetailType: "Email Bounced", Type: sesevent.Bounce,
			MessageID: mid2, Sender: "hello@shop.example", SentAt: at("2026-11-22T10:16:00.012Z"),
			At: at("2026-11-22T10:16:02.669Z"), Tags: shopTags,
			Recipients: []string{"rahim@example.com", "old.friend@mail.example.org"},
			Bounce: &sesevent.BounceInfo{Type: "Permanent", SubType: "General", FeedbackID: "0100019368f0b3c5-fb-000000",
				Diagnostics: map[string]string{
					"rahim@example.com":           "smtp; 550 5.1.1 user unknown",
					"old.friend@mail.example.org": "5.1.2", // no diagnosticCode: the status
				}},
			Reason: "smtp; 550 5.1.1 user unknown",
		}, mid2 + "/Bounce/2026-11-22T10:16:02.669Z"},
		{"bounce-transient", sesevent.Event{
			EventID: "a1b2c3d4-0004-4b5a-8c7d-6e5f4a3b2c1d", DetailType: "Email Bounced", Type: sesevent.Bounce,
			MessageID: mid, Sender: "hello@shop.example", SentAt: sentAt, At: at("2026-11-22T22:16:04.1Z"),
			Tags: shopTags, Recipients: sara,
			Bounce: &sesevent.BounceInfo{Type: "Transient", SubType: "MailboxFull", FeedbackID: "0100019368f0a2b2-fb-000001",
				Diagnostics: map[string]string{"sara@example.com": "smtp; 452 4.2.2 The email account that you tried to reach is over quota"}},
			Reason: "smtp; 452 4.2.2 The email account that you tried to reach is over quota",
		}, mid + "/Bounce/2026-11-22T22:16:04.1Z"},
		{"bounce-suppressed", sesevent.Event{
			EventID: "a1b2c3d4-0005-4b5a-8c7d-6e5f4a3b2c1d", DetailType: "Email Bounced", Type: sesevent.Bounce,
			MessageID: mid, Sender: "hello@shop.example", SentAt: sentAt, At: at("2026-11-22T10:15:00.51Z"),
			Tags: shopTags, Recipients: []string{"gone@example.net"},
			Bounce: &sesevent.BounceInfo{Type: "Permanent", SubType: "OnAccountSuppressionList", FeedbackID: "0100019368f0a2b2-fb-000002",
				Diagnostics: map[string]string{"gone@example.net": "Amazon SES did not send the message to this address because it is on the suppression list for your account."}},
			Reason: "Amazon SES did not send the message to this address because it is on the suppression list for your account.",
		}, mid + "/Bounce/2026-11-22T10:15:00.51Z"},
		{"complaint", sesevent.Event{
			EventID: "a1b2c3d4-0006-4b5a-8c7d-6e5f4a3b2c1d", DetailType: "Email Complaint Received", Type: sesevent.Complaint,
			MessageID: mid, Sender: "hello@shop.example", SentAt: sentAt, At: at("2026-11-23T08:00:00.25Z"),
			Tags: shopTags, Recipients: sara,
			Complaint: &sesevent.ComplaintInfo{FeedbackType: "abuse"}, // complaintSubType is null
		}, mid + "/Complaint/2026-11-23T08:00:00.25Z"},
		{"complaint-suppressed", sesevent.Event{
			EventID: "a1b2c3d4-0007-4b5a-8c7d-6e5f4a3b2c1d", DetailType: "Email Complaint Received", Type: sesevent.Complaint,
			MessageID: mid, Sender: "hello@shop.example", SentAt: sentAt, At: at("2026-11-22T10:15:00.4Z"),
			Tags: shopTags, Recipients: []string{"angry@example.net"},
			Complaint: &sesevent.ComplaintInfo{SubType: "OnAccountSuppressionList"}, // no feedback report
		}, mid + "/Complaint/2026-11-22T10:15:00.4Z"},
		{"reject", sesevent.Event{
			EventID: "a1b2c3d4-0008-4b5a-8c7d-6e5f4a3b2c1d", DetailType: "Email Rejected", Type: sesevent.Reject,
			MessageID: mid, Sender: "hello@shop.example", SentAt: sentAt, At: sentAt, Tags: shopTags,
			Recipients: sara, Reason: "Bad content",
		}, mid + "/Reject/2026-11-22T10:15:00.12Z"},
		{"rendering-failure", sesevent.Event{
			EventID: "a1b2c3d4-0009-4b5a-8c7d-6e5f4a3b2c1d", DetailType: "Email Rendering Failed", Type: sesevent.RenderingFailure,
			MessageID: mid, Sender: "hello@shop.example", SentAt: sentAt, At: sentAt,
			Tags:       map[string]string{"ses:configuration-set": "shopmail-ConfigurationSet-AbC123", "kind": "thankyou"},
			Recipients: sara, Reason: "Attribute 'firstName' is not present in the rendering data.",
		}, mid + "/Rendering Failure/2026-11-22T10:15:00.12Z"},
		{"delivery-delay", sesevent.Event{
			EventID: "a1b2c3d4-0010-4b5a-8c7d-6e5f4a3b2c1d", DetailType: "Email Delivery Delayed", Type: sesevent.DeliveryDelay,
			MessageID: mid, Sender: "hello@shop.example", SentAt: sentAt, At: at("2026-11-22T10:25:40.095Z"),
			Tags: shopTags, Recipients: sara, Reason: "TransientCommunicationFailure",
		}, mid + "/DeliveryDelay/2026-11-22T10:25:40.095Z"},
		{"open", sesevent.Event{
			EventID: "a1b2c3d4-0011-4b5a-8c7d-6e5f4a3b2c1d", DetailType: "Email Opened", Type: sesevent.Open,
			MessageID: mid, Sender: "hello@shop.example", SentAt: sentAt, At: at("2026-11-22T18:02:10.652Z"),
			Tags: shopTags, Recipients: sara,
			UserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
		}, mid + "/Open/2026-11-22T18:02:10.652Z"},
		{"click", sesevent.Event{
			EventID: "a1b2c3d4-0012-4b5a-8c7d-6e5f4a3b2c1d", DetailType: "Email Clicked", Type: sesevent.Click,
			MessageID: mid, Sender: "hello@shop.example", SentAt: sentAt, At: at("2026-11-22T18:03:25.57Z"),
			Tags: shopTags, Recipients: sara, Link: "https://shop.example/tea-01?utm_source=thankyou",
			UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		}, mid + "/Click/2026-11-22T18:03:25.57Z"},
		{"subscription", sesevent.Event{
			EventID: "a1b2c3d4-0013-4b5a-8c7d-6e5f4a3b2c1d", DetailType: "Email Subscribed", Type: sesevent.Subscription,
			MessageID: mid, Sender: "hello@shop.example", SentAt: sentAt, At: at("2026-11-24T09:00:17.91Z"),
			Tags: shopTags, Recipients: sara,
		}, mid + "/Subscription/2026-11-24T09:00:17.91Z"},
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	if len(files) != len(tests) {
		t.Errorf("%d samples in testdata, %d cases: every sample needs its expected event", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.sample, func(t *testing.T) {
			got, err := sesevent.Decode(sample(t, tt.sample))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%s\nwant\n%s", show(got), show(tt.want))
			}
			if got.Key() != tt.key {
				t.Errorf("Key() = %q, want %q", got.Key(), tt.key)
			}
		})
	}
}

func show(ev sesevent.Event) string {
	return fmt.Sprintf("%+v\nbounce %+v\ncomplaint %+v", ev, ev.Bounce, ev.Complaint)
}

func TestKeyIsUTC(t *testing.T) {
	ev := sesevent.Event{MessageID: "m-1", Type: sesevent.Open, At: time.Date(2026, 11, 22, 13, 45, 0, 5, time.FixedZone("IRST", 3*3600+1800))}
	if got, want := ev.Key(), "m-1/Open/2026-11-22T10:15:00.000000005Z"; got != want {
		t.Errorf("Key() = %q, want %q", got, want)
	}
}

// Every case is refused with fault.ErrInvalid, a message that names the field, and a zero Event.
func TestDecodeRefuses(t *testing.T) {
	tests := []struct {
		name  string
		raw   []byte
		field string
	}{
		{"not JSON", []byte(`{"version":"0","source":"aws.ses",`), "event"},
		{"not an object", []byte(`["aws.ses"]`), "event"},
		{"empty", nil, "event"},
		{"JSON null", []byte(`null`), "source"},
		{"another source", edit(t, "send", "source", "shop.orders"), "source"},
		{"no source", edit(t, "send", "source", deleted), "source"},
		{"no detail", edit(t, "send", "detail", deleted), "detail"},
		{"null detail", edit(t, "send", "detail", nil), "detail"},
		{"detail not an object", edit(t, "send", "detail", `{"eventType":"Send"}`), "detail"},
		{"no eventType", edit(t, "send", "detail.eventType", deleted), "eventType"},
		{"notificationType (SNS notification)", edit(t, "delivery", "detail.eventType", deleted, "detail.notificationType", "Delivery"), "eventType"},
		{"unknown eventType", edit(t, "send", "detail.eventType", "Sent"), "eventType"},
		{"eventType in the wrong case", edit(t, "delivery", "detail.eventType", "delivery"), "eventType"},
		{"Email Bounced with a Delivery", edit(t, "delivery", "detail-type", "Email Bounced"), "detail-type"},
		{"Email Delivered with a Bounce", edit(t, "bounce-permanent", "detail-type", "Email Delivered"), "detail-type"},
		{"Email Subscribed with a Send", edit(t, "send", "detail-type", "Email Subscribed"), "detail-type"},
		{"unknown detail-type", edit(t, "send", "detail-type", "Email Sent Twice"), "detail-type"},
		{"no detail-type", edit(t, "send", "detail-type", deleted), "detail-type"},
		{"no mail", edit(t, "send", "detail.mail", deleted), "mail.messageId"},
		{"no messageId", edit(t, "send", "detail.mail.messageId", deleted), "mail.messageId"},
		{"blank messageId", edit(t, "send", "detail.mail.messageId", "   "), "mail.messageId"},
		{"messageId of 201 characters", edit(t, "send", "detail.mail.messageId", strings.Repeat("a", 201)), "mail.messageId"},
		{"messageId not ASCII", edit(t, "send", "detail.mail.messageId", "0100019368f0-é-000000"), "mail.messageId"},
		{"messageId with a newline", edit(t, "send", "detail.mail.messageId", "0100019368f0\n-000000"), "mail.messageId"},
		{"messageId a number", edit(t, "send", "detail.mail.messageId", 42), "mail.messageId"},
		{"no mail.timestamp", edit(t, "send", "detail.mail.timestamp", deleted), "mail.timestamp"},
		{"mail.timestamp not RFC 3339", edit(t, "send", "detail.mail.timestamp", "2026-11-22 10:15:00"), "mail.timestamp"},
		{"mail.timestamp without zone", edit(t, "send", "detail.mail.timestamp", "2026-11-22T10:15:00.120"), "mail.timestamp"},
		{"mail.timestamp the zero time", edit(t, "send", "detail.mail.timestamp", "0001-01-01T00:00:00Z"), "mail.timestamp"},
		{"no mail.source", edit(t, "send", "detail.mail.source", deleted), "mail.source"},
		{"mail.source not an address", edit(t, "send", "detail.mail.source", "Tea House"), "mail.source"},
		{"destination not a list", edit(t, "send", "detail.mail.destination", "sara@example.com"), "mail.destination"},
		{"destination not an address", edit(t, "send", "detail.mail.destination.0", "sara"), "mail.destination[0]"},
		{"tags not an object", edit(t, "send", "detail.mail.tags", []any{"kind"}), "mail.tags"},
		{"no bounce", edit(t, "bounce-permanent", "detail.bounce", deleted), "bounce"},
		{"null bounce", edit(t, "bounce-permanent", "detail.bounce", nil), "bounce"},
		{"bounce not an object", edit(t, "bounce-permanent", "detail.bounce", "Permanent"), "bounce"},
		{"no bounce.timestamp", edit(t, "bounce-permanent", "detail.bounce.timestamp", deleted), "bounce.timestamp"},
		{"bounce.timestamp malformed", edit(t, "bounce-permanent", "detail.bounce.timestamp", "Sun, 22 Nov 2026 10:16:02 GMT"), "bounce.timestamp"},
		{"no bounceType", edit(t, "bounce-permanent", "detail.bounce.bounceType", deleted), "bounce.bounceType"},
		{"unknown bounceType", edit(t, "bounce-permanent", "detail.bounce.bounceType", "Hard"), "bounce.bounceType"},
		{"no bounced recipients", edit(t, "bounce-permanent", "detail.bounce.bouncedRecipients", []any{}), "bounce.bouncedRecipients"},
		{"bounced recipient not an address", edit(t, "bounce-permanent", "detail.bounce.bouncedRecipients.1.emailAddress", "<>"), "bounce.bouncedRecipients[1].emailAddress"},
		{"bounced recipient without address", edit(t, "bounce-permanent", "detail.bounce.bouncedRecipients.0.emailAddress", deleted), "bounce.bouncedRecipients[0].emailAddress"},
		{"no complaint", edit(t, "complaint", "detail.complaint", deleted), "complaint"},
		{"complaint.timestamp malformed", edit(t, "complaint", "detail.complaint.timestamp", "yesterday"), "complaint.timestamp"},
		{"no complained recipients", edit(t, "complaint", "detail.complaint.complainedRecipients", deleted), "complaint.complainedRecipients"},
		{"no delivery", edit(t, "delivery", "detail.delivery", deleted), "delivery"},
		{"no delivery.timestamp", edit(t, "delivery", "detail.delivery.timestamp", deleted), "delivery.timestamp"},
		{"delivery.timestamp malformed", edit(t, "delivery", "detail.delivery.timestamp", "2026-11-22T25:15:01Z"), "delivery.timestamp"},
		{"delivery.timestamp a number", edit(t, "delivery", "detail.delivery.timestamp", 1795000000), "delivery.timestamp"},
		{"delivered recipient not an address", edit(t, "delivery", "detail.delivery.recipients.0", "sara@"), "delivery.recipients[0]"},
		{"no deliveryDelay", edit(t, "delivery-delay", "detail.deliveryDelay", deleted), "deliveryDelay"},
		{"deliveryDelay.timestamp malformed", edit(t, "delivery-delay", "detail.deliveryDelay.timestamp", "2026-11-22"), "deliveryDelay.timestamp"},
		{"no delayed recipients", edit(t, "delivery-delay", "detail.deliveryDelay.delayedRecipients", nil), "deliveryDelay.delayedRecipients"},
		{"no reject", edit(t, "reject", "detail.reject", deleted), "reject"},
		{"no failure", edit(t, "rendering-failure", "detail.failure", deleted), "failure"},
		{"no open", edit(t, "open", "detail.open", deleted), "open"},
		{"open.timestamp malformed", edit(t, "open", "detail.open.timestamp", "2026-11-22T18:02:10.652+0000"), "open.timestamp"},
		{"no click", edit(t, "click", "detail.click", deleted), "click"},
		{"no click.timestamp", edit(t, "click", "detail.click.timestamp", deleted), "click.timestamp"},
		{"no subscription", edit(t, "subscription", "detail.subscription", deleted), "subscription"},
		{"subscription.timestamp malformed", edit(t, "subscription", "detail.subscription.timestamp", "now"), "subscription.timestamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := sesevent.Decode(tt.raw)
			if !errors.Is(err, fault.ErrInvalid) {
				t.Fatalf("err = %v, want fault.ErrInvalid", err)
			}
			if prefix := "invalid SES event: " + tt.field + ": "; !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("err = %q, want it to start with %q", err, prefix)
			}
			if !reflect.DeepEqual(ev, sesevent.Event{}) {
				t.Errorf("refused, yet returned %+v", ev)
			}
		})
	}
}

// An address leaves out the display name, even one net/mail cannot decode, keeps its local
// part as it is and lower-cases its domain.
func TestAddresses(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"Tea House" <hello@Shop.Example>`, "hello@shop.example"},
		{`Tea House <hello@shop.example>`, "hello@shop.example"},
		{`=?utf-8?B?2obYp9uMINiu2KfZhtmH?= <Hello@SHOP.example>`, "Hello@shop.example"},
		{`=?x-unknown-charset?Q?Tea?= <hello@Shop.Example>`, "hello@shop.example"},
		{`"Tea "House" <hello@Shop.Example>`, "hello@shop.example"},
		{`Sara.Ahmadi+news@Example.COM`, "Sara.Ahmadi+news@example.com"},
		{`  <sara@example.com>  `, "sara@example.com"},
		{`sara@example.com (Sara)`, "sara@example.com"},
		{"", ""},
		{"Sara", ""},
		{"sara@", ""},
		{"@example.com", ""},
		{"<>", ""},
		{"Sara <sara@example.com", ""},
		{`"sara ahmadi"@example.com`, ""},
		{`"a@b"@example.com`, ""},
		{"sara@example.com, rahim@example.com", ""},
		{"sara\x00@example.com", ""},
		{"x <sara@exa\nmple.com>", ""},
		{strings.Repeat("a", 250) + "@example.com", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			// As the sender (mail.source) and as a recipient (delivery.recipients).
			ev, err := sesevent.Decode(edit(t, "delivery", "detail.mail.source", tt.in))
			ev2, err2 := sesevent.Decode(edit(t, "delivery", "detail.delivery.recipients", []any{"rahim@example.com", tt.in}))
			if tt.want == "" {
				if !errors.Is(err, fault.ErrInvalid) || !strings.Contains(err.Error(), "mail.source:") {
					t.Errorf("as mail.source: %v, want invalid", err)
				}
				if !errors.Is(err2, fault.ErrInvalid) || !strings.Contains(err2.Error(), "delivery.recipients[1]:") {
					t.Errorf("as a recipient: %v, want invalid", err2)
				}
				return
			}
			if err != nil || ev.Sender != tt.want {
				t.Errorf("Sender = %q (%v), want %q", ev.Sender, err, tt.want)
			}
			if want := []string{"rahim@example.com", tt.want}; err2 != nil || !reflect.DeepEqual(ev2.Recipients, want) {
				t.Errorf("Recipients = %q (%v), want %q", ev2.Recipients, err2, want)
			}
		})
	}
}

// Each tag keeps its first value when that is a string; the others are left out.
func TestTags(t *testing.T) {
	tests := []struct {
		name string
		tags any
		want map[string]string
	}{
		{"first value", map[string]any{"kind": []any{"campaign", "thankyou"}}, map[string]string{"kind": "campaign"}},
		{"not strings", map[string]any{"n": []any{1.0}, "b": []any{true, "x"}, "o": []any{map[string]any{}}, "null": []any{nil}, "ok": []any{"v"}}, map[string]string{"ok": "v"}},
		{"empty list", map[string]any{"kind": []any{}, "contact": []any{""}}, map[string]string{"contact": ""}},
		{"a string instead of a list", map[string]any{"kind": "thankyou"}, map[string]string{}},
		{"null tags", nil, map[string]string{}},
		{"no tags", deleted, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := sesevent.Decode(edit(t, "send", "detail.mail.tags", tt.tags))
			if err != nil || !reflect.DeepEqual(ev.Tags, tt.want) {
				t.Errorf("Tags = %v (%v), want %v", ev.Tags, err, tt.want)
			}
		})
	}
}

// An event of exactly MaxSize bytes is decoded; one byte more is refused before parsing.
func TestSizeLimit(t *testing.T) {
	base := sample(t, "send")
	base = base[:strings.LastIndexByte(string(base), '}')]
	pad := func(size int) []byte {
		head := string(base) + `,"padding":"`
		return []byte(head + strings.Repeat("x", size-len(head)-2) + `"}`)
	}
	if raw := pad(sesevent.MaxSize); len(raw) != sesevent.MaxSize {
		t.Fatalf("padded to %d bytes", len(raw))
	} else if ev, err := sesevent.Decode(raw); err != nil || ev.MessageID != mid {
		t.Errorf("%d bytes: %v", len(raw), err)
	}
	_, err := sesevent.Decode(pad(sesevent.MaxSize + 1))
	if !errors.Is(err, fault.ErrInvalid) || !strings.HasPrefix(err.Error(), "invalid SES event: event: ") {
		t.Errorf("%d bytes: err = %v, want invalid event", sesevent.MaxSize+1, err)
	}
	// Refused before parsing: even what is not JSON at all gets the size error.
	_, err = sesevent.Decode([]byte(strings.Repeat("{", sesevent.MaxSize+1)))
	if err == nil || !strings.Contains(err.Error(), "bytes") {
		t.Errorf("oversized garbage: err = %v, want the size error", err)
	}
}

// Each recipient list holds at most MaxRecipients (50) addresses.
func TestRecipientLimit(t *testing.T) {
	list := func(n int, object bool) []any {
		out := make([]any, n)
		for i := range out {
			addr := fmt.Sprintf("customer%d@Example.com", i)
			out[i] = addr
			if object {
				out[i] = map[string]any{"emailAddress": addr, "status": "5.1.1"}
			}
		}
		return out
	}
	tests := []struct {
		sample, path, field string
		objects             bool
	}{
		{"send", "detail.mail.destination", "mail.destination", false},
		{"delivery", "detail.delivery.recipients", "delivery.recipients", false},
		{"bounce-permanent", "detail.bounce.bouncedRecipients", "bounce.bouncedRecipients", true},
		{"complaint", "detail.complaint.complainedRecipients", "complaint.complainedRecipients", true},
		{"delivery-delay", "detail.deliveryDelay.delayedRecipients", "deliveryDelay.delayedRecipients", true},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			ev, err := sesevent.Decode(edit(t, tt.sample, tt.path, list(sesevent.MaxRecipients, tt.objects)))
			if err != nil || len(ev.Recipients) != sesevent.MaxRecipients || ev.Recipients[49] != "customer49@example.com" {
				t.Errorf("%d recipients: %d decoded, %v", sesevent.MaxRecipients, len(ev.Recipients), err)
			}
			if ev.Bounce != nil && len(ev.Bounce.Diagnostics) != sesevent.MaxRecipients {
				t.Errorf("%d diagnostics", len(ev.Bounce.Diagnostics))
			}
			_, err = sesevent.Decode(edit(t, tt.sample, tt.path, list(sesevent.MaxRecipients+1, tt.objects)))
			if !errors.Is(err, fault.ErrInvalid) || !strings.HasPrefix(err.Error(), "invalid SES event: "+tt.field+": ") {
				t.Errorf("%d recipients: err = %v, want invalid %s", sesevent.MaxRecipients+1, err, tt.field)
			}
		})
	}
}

// The EventBridge events reference names the Subscription event "Email Subscribed"; the name
// "Email Subscription" is accepted too.
func TestSubscriptionDetailTypes(t *testing.T) {
	for _, dt := range []string{"Email Subscribed", "Email Subscription"} {
		ev, err := sesevent.Decode(edit(t, "subscription", "detail-type", dt))
		if err != nil || ev.Type != sesevent.Subscription || ev.DetailType != dt {
			t.Errorf("%s: %+v, %v", dt, ev, err)
		}
	}
}

// A Send event without its (always empty) send object still decodes.
func TestSendWithoutSendObject(t *testing.T) {
	ev, err := sesevent.Decode(edit(t, "send", "detail.send", deleted))
	if err != nil || ev.Type != sesevent.Send || !ev.At.Equal(sentAt) {
		t.Errorf("%+v, %v", ev, err)
	}
}
