// Package sqs puts events that a function rejects without retrying (an invalid order event,
// say) on a dead-letter queue in Amazon SQS, with the reason, so that nothing is lost.
package sqs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

const (
	// maxMessageSize is SQS's limit on one message: the body plus the name, type and value of
	// every message attribute (1 MiB).
	maxMessageSize = 1 << 20
	// maxAttributeRunes is how much of the reason the reason attribute keeps.
	maxAttributeRunes = 256
	// maxFieldBytes caps the source and the reason in the body, so that a truncated event
	// always fits, however much escaping they need.
	maxFieldBytes = 64 << 10
)

// DeadLetters puts rejected events on one SQS queue.
type DeadLetters struct {
	client   *sqs.Client
	queueURL string
	now      func() time.Time
}

// New returns DeadLetters that send to queueURL through the SQS client built from cfg (from
// awsenv, whose For("SQS") applies AWS_ENDPOINT_URL_SQS, then AWS_ENDPOINT_URL).
func New(cfg aws.Config, queueURL string) *DeadLetters {
	return &DeadLetters{client: sqs.NewFromConfig(cfg), queueURL: queueURL, now: time.Now}
}

// letter is the body of a dead-letter message.
type letter struct {
	Source     string          `json:"source"`
	Reason     string          `json:"reason"`
	ReceivedAt string          `json:"receivedAt"`
	Event      json.RawMessage `json:"event"`
	Truncated  bool            `json:"truncated,omitempty"`
	EventSize  int             `json:"eventSize,omitempty"` // the whole event's size in bytes, when truncated
}

// Put sends one message to the queue with a JSON body: source, reason, receivedAt (RFC 3339)
// and the event (as JSON when it is JSON, else as a string), and with the message attributes
// source and reason (its first 256 characters). When the message would exceed SQS's 1 MiB
// limit, the event is cut to the bytes that fit and the body says "truncated": true and the
// event's whole size ("eventSize").
func (d *DeadLetters) Put(ctx context.Context, source string, reason error, event []byte) error {
	why := reasonText(reason)
	attrs := attributes(source, why)
	_, err := d.client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:          aws.String(d.queueURL),
		MessageBody:       aws.String(d.body(source, why, event, maxMessageSize-attributesSize(attrs))),
		MessageAttributes: attrs,
	})
	if err != nil {
		return fmt.Errorf("sqs send message to %s: %w", d.queueURL, err)
	}
	return nil
}

func reasonText(reason error) string {
	if reason == nil || reason.Error() == "" {
		return "no reason given"
	}
	return reason.Error()
}

// body returns the letter as JSON of at most limit bytes, keeping as much of the event as
// fits.
func (d *DeadLetters) body(source, reason string, event []byte, limit int) string {
	l := letter{
		Source:     clip(source, maxFieldBytes),
		Reason:     clip(reason, maxFieldBytes),
		ReceivedAt: d.now().UTC().Format(time.RFC3339),
		Event:      eventValue(event),
	}
	if b := encode(l); len(b) <= limit {
		return string(b)
	}
	l.Truncated, l.EventSize = true, len(event)
	withPrefix := func(n int) []byte {
		l.Event = quote(event[:runeStart(event, n)])
		return encode(l)
	}
	n := sort.Search(len(event)+1, func(n int) bool { return len(withPrefix(n)) > limit }) - 1
	return string(withPrefix(max(n, 0)))
}

// eventValue returns the event itself when it is JSON, else the event as a JSON string.
func eventValue(event []byte) json.RawMessage {
	if utf8.Valid(event) && json.Valid(event) {
		return event
	}
	return quote(event)
}

// quote encodes b as a JSON string; bytes that are not UTF-8 become U+FFFD.
func quote(b []byte) json.RawMessage { return encode(string(b)) }

// sqsUnsafe escapes the two characters that JSON leaves as they are but SQS refuses in a
// message (it accepts #x9, #xA, #xD, #x20-#xD7FF, #xE000-#xFFFD, #x10000-#x10FFFF). In the
// JSON encode writes they can only occur inside strings, where an escape means the same.
var sqsUnsafe = strings.NewReplacer("\uFFFE", `\ufffe`, "\uFFFF", `\uffff`)

// encode is json.Marshal without HTML escaping (which would only make the body bigger) and
// with the characters SQS refuses escaped. It is only given strings and letters whose event
// is valid JSON, which always encode, so it has no error to return.
func encode(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("sqs: encode %T: %v", v, err))
	}
	return []byte(sqsUnsafe.Replace(strings.TrimSuffix(buf.String(), "\n")))
}

// attributes returns the message attributes source and reason. SQS refuses empty values, so
// an empty source is left out.
func attributes(source, reason string) map[string]types.MessageAttributeValue {
	attrs := map[string]types.MessageAttributeValue{"reason": stringAttribute(reason)}
	if source != "" {
		attrs["source"] = stringAttribute(source)
	}
	return attrs
}

// stringAttribute returns a String attribute holding the first 256 characters of s, with any
// character SQS refuses replaced by U+FFFD.
func stringAttribute(s string) types.MessageAttributeValue {
	s = firstRunes(strings.Map(sqsAllowed, strings.ToValidUTF8(s, "\uFFFD")), maxAttributeRunes)
	return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(s)}
}

func firstRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

func sqsAllowed(r rune) rune {
	if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF {
		return utf8.RuneError
	}
	return r
}

// attributesSize is what the attributes count toward the message size limit.
func attributesSize(attrs map[string]types.MessageAttributeValue) int {
	n := 0
	for name, v := range attrs {
		n += len(name) + len(aws.ToString(v.DataType)) + len(aws.ToString(v.StringValue))
	}
	return n
}

// clip returns s cut to at most n bytes, at a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:runeStart(s, n)]
}

// runeStart moves i back to the start of the UTF-8 sequence it falls in.
func runeStart[T string | []byte](b T, i int) int {
	for i > 0 && i < len(b) && !utf8.RuneStart(b[i]) {
		i--
	}
	return i
}
