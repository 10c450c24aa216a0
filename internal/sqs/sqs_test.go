package sqs

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

const queueURL = "https://sqs.eu-west-1.amazonaws.com/123456789012/shopmail-dead-letters"

var receivedAt = time.Date(2026, 11, 22, 10, 15, 0, 0, time.FixedZone("IRST", 12600))

// sendMessage is what the fake SQS receives: a SendMessage request in the AWS JSON 1.0
// protocol.
type sendMessage struct {
	QueueUrl          string
	MessageBody       string
	MessageAttributes map[string]struct{ DataType, StringValue string }
}

// fakeSQS answers SendMessage like SQS, or with fail when it is set.
type fakeSQS struct {
	t    *testing.T
	fail func(w http.ResponseWriter)

	mu       sync.Mutex
	messages []sendMessage
}

func (f *fakeSQS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if got := r.Header.Get("X-Amz-Target"); got != "AmazonSQS.SendMessage" {
		f.t.Errorf("X-Amz-Target = %q, want AmazonSQS.SendMessage", got)
	}
	if got := r.Header.Get("Content-Type"); got != "application/x-amz-json-1.0" {
		f.t.Errorf("Content-Type = %q, want application/x-amz-json-1.0", got)
	}
	var m sendMessage
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		f.t.Errorf("decode SendMessage request: %v", err)
	}
	f.mu.Lock()
	f.messages = append(f.messages, m)
	f.mu.Unlock()
	if f.fail != nil {
		f.fail(w)
		return
	}
	sum := md5.Sum([]byte(m.MessageBody))
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	fmt.Fprintf(w, `{"MessageId":"dl-1","MD5OfMessageBody":%q}`, hex.EncodeToString(sum[:]))
}

func (f *fakeSQS) received(t *testing.T) sendMessage {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.messages) != 1 {
		t.Fatalf("SQS received %d messages, want 1", len(f.messages))
	}
	return f.messages[0]
}

func newTestDeadLetters(t *testing.T, fake *fakeSQS) *DeadLetters {
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	d := New(aws.Config{
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint: aws.String(srv.URL),
	}, queueURL)
	d.now = func() time.Time { return receivedAt }
	return d
}

// body is a dead-letter message body as a consumer reads it.
type body struct {
	Source     string
	Reason     string
	ReceivedAt string
	Event      json.RawMessage
	Truncated  bool
	EventSize  int
}

func decodeBody(t *testing.T, m sendMessage) body {
	t.Helper()
	var b body
	dec := json.NewDecoder(strings.NewReader(m.MessageBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		t.Fatalf("message body %.200s: %v", m.MessageBody, err)
	}
	return b
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// sameJSON reports whether got and want encode the same value.
func sameJSON(t *testing.T, got json.RawMessage, want string) bool {
	t.Helper()
	var g, w any
	for _, v := range []struct {
		s   string
		dst *any
	}{{string(got), &g}, {want, &w}} {
		dec := json.NewDecoder(strings.NewReader(v.s))
		dec.UseNumber()
		if err := dec.Decode(v.dst); err != nil {
			t.Fatalf("decode %q: %v", v.s, err)
		}
	}
	return reflect.DeepEqual(g, w)
}

func TestPut(t *testing.T) {
	longReason := strings.Repeat("ی", 300)
	tests := []struct {
		name       string
		source     string
		reason     error
		event      string
		wantEvent  string // the event field's JSON
		wantReason string // the reason attribute
		noSource   bool   // no source attribute
	}{
		{
			name: "JSON event", source: "order-placed", reason: errors.New("order event: orderId is required"),
			event:     "{\"detail\": {\"orderId\": null,\n \"total\": 129.90}}",
			wantEvent: `{"detail":{"orderId":null,"total":129.90}}`, wantReason: "order event: orderId is required",
		},
		{
			name: "event that is not JSON is kept as a string", source: "order-placed", reason: errors.New("bad"),
			event: `detail=<order & "id">`, wantEvent: jsonString(`detail=<order & "id">`), wantReason: "bad",
		},
		{
			name: "event that is not UTF-8", source: "order-placed", reason: errors.New("bad"),
			event: "{\"a\":\"\xff\"}", wantEvent: jsonString("{\"a\":\"\uFFFD\"}"), wantReason: "bad",
		},
		{
			name: "characters SQS refuses are escaped", source: "order-placed", reason: errors.New("bad\x00"),
			event: "{\"a\":\"x\uFFFEy\uFFFF\"}", wantEvent: `{"a":"x\ufffey\uffff"}`, wantReason: "bad\uFFFD",
		},
		{
			name: "reason attribute keeps 256 characters", source: "order-placed", reason: errors.New(longReason),
			event: `{}`, wantEvent: `{}`, wantReason: strings.Repeat("ی", 256),
		},
		{
			name: "no reason, no source", reason: nil, event: ``, wantEvent: `""`, wantReason: "no reason given", noSource: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeSQS{t: t}

			if err := newTestDeadLetters(t, fake).Put(t.Context(), tt.source, tt.reason, []byte(tt.event)); err != nil {
				t.Fatal(err)
			}

			m := fake.received(t)
			if m.QueueUrl != queueURL {
				t.Errorf("QueueUrl = %q, want %q", m.QueueUrl, queueURL)
			}
			if strings.ContainsAny(m.MessageBody, "\uFFFE\uFFFF") {
				t.Errorf("message body %q has characters SQS refuses", m.MessageBody)
			}
			b := decodeBody(t, m)
			if b.Source != tt.source || b.ReceivedAt != "2026-11-22T06:45:00Z" || b.Truncated || b.EventSize != 0 {
				t.Errorf("body %+v, want source %q, receivedAt 2026-11-22T06:45:00Z, not truncated", b, tt.source)
			}
			if want := reasonText(tt.reason); b.Reason != want {
				t.Errorf("reason %q, want %q", b.Reason, want)
			}
			if !sameJSON(t, b.Event, tt.wantEvent) {
				t.Errorf("event %s, want %s", b.Event, tt.wantEvent)
			}
			wantAttrs := map[string]string{"reason": tt.wantReason, "source": tt.source}
			if tt.noSource {
				delete(wantAttrs, "source")
			}
			if len(m.MessageAttributes) != len(wantAttrs) {
				t.Errorf("attributes %v, want %v", m.MessageAttributes, wantAttrs)
			}
			for name, want := range wantAttrs {
				if a := m.MessageAttributes[name]; a.DataType != "String" || a.StringValue != want {
					t.Errorf("attribute %s = %+v, want String %q", name, a, want)
				}
			}
		})
	}
}

func TestPutTruncates(t *testing.T) {
	tests := []struct {
		name    string
		event   string
		minKept int // bytes of the event the body keeps at least
	}{
		{name: "text", event: strings.Repeat("a", 2<<20), minKept: maxMessageSize - 1024},
		{
			name:    "JSON with escapes and multi-byte characters",
			event:   `[` + strings.Repeat(`"سلام \"x\"",`, 100000) + `"end"]`,
			minKept: maxMessageSize * 2 / 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeSQS{t: t}
			reason := errors.New("order event: too big")

			if err := newTestDeadLetters(t, fake).Put(t.Context(), "order-placed", reason, []byte(tt.event)); err != nil {
				t.Fatal(err)
			}

			m := fake.received(t)
			size := len(m.MessageBody)
			for name, a := range m.MessageAttributes {
				size += len(name) + len(a.DataType) + len(a.StringValue)
			}
			if size > maxMessageSize {
				t.Errorf("message size %d, over SQS's limit %d", size, maxMessageSize)
			}
			b := decodeBody(t, m)
			if !b.Truncated || b.EventSize != len(tt.event) || b.Reason != reason.Error() {
				t.Errorf("truncated %v, eventSize %d, reason %q; want true, %d, %q",
					b.Truncated, b.EventSize, b.Reason, len(tt.event), reason)
			}
			var kept string
			if err := json.Unmarshal(b.Event, &kept); err != nil {
				t.Fatalf("event is not a string: %v", err)
			}
			t.Logf("kept %d bytes; message size %d", len(kept), size)
			if !strings.HasPrefix(tt.event, kept) || !utf8.ValidString(kept) || len(kept) < tt.minKept {
				t.Errorf("kept %d bytes of the event (%.20q...), want a prefix of at least %d bytes",
					len(kept), kept, tt.minKept)
			}
		})
	}
}

func TestPutServerError(t *testing.T) {
	fake := &fakeSQS{t: t, fail: func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("X-Amzn-Query-Error", "AWS.SimpleQueueService.NonExistentQueue;Sender")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}`)
	}}

	err := newTestDeadLetters(t, fake).Put(t.Context(), "order-placed", errors.New("bad"), []byte(`{}`))

	var missing *types.QueueDoesNotExist
	if !errors.As(err, &missing) {
		t.Fatalf("error %v, want QueueDoesNotExist", err)
	}
	for _, s := range []string{"sqs send message to " + queueURL, "SendMessage", "The specified queue does not exist."} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}
