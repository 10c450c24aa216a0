package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// DeadLetter is a message on a queue no function consumes: the functions' dead-letter queue,
// an on-failure destination, a redrive target.
type DeadLetter struct {
	Queue      string
	ID         string
	Body       string
	Attributes map[string]string
	At         time.Time
}

// maxSQSMessage bounds a request's body: a queue's MaximumMessageSize is at most 1 MiB.
const maxSQSMessage = 1 << 20

// sqsInput is a SendMessage request, from either protocol.
type sqsInput struct {
	QueueURL          string `json:"QueueUrl"`
	MessageBody       string
	DelaySeconds      *int
	MessageAttributes map[string]sqsAttribute
}

// sqsError is an SQS error: its JSON code and the query protocol's code and fault type.
type sqsError struct{ jsonCode, queryCode, fault, message string }

func (e *sqsError) Error() string { return e.queryCode + ": " + e.message }

func sqsSenderError(code, message string) *sqsError {
	return &sqsError{jsonCode: code, queryCode: code, fault: "Sender", message: message}
}

var errNoQueue = &sqsError{jsonCode: "com.amazonaws.sqs#QueueDoesNotExist", queryCode: "AWS.SimpleQueueService.NonExistentQueue",
	fault: "Sender", message: "The specified queue does not exist."}

// serveSQS serves SQS over both protocols SQS speaks: AWS JSON 1.0 (X-Amz-Target, what the
// AWS SDKs send now; every call of sqs_api.go) and the query protocol (a form with Action and
// Version, XML answers, what older clients such as the AWS CLI v2 that Debian ships send;
// SendMessage only).
func (s *Sandbox) serveSQS(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Amz-Target") == "" && isForm(r) {
		s.serveSQSQuery(w, r)
		return
	}
	op, ok := sqsOperations[strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")]
	if !ok {
		awsJSONError(w, http.StatusBadRequest, "UnsupportedOperation", fmt.Sprintf("the sandbox does not serve %q", r.Header.Get("X-Amz-Target")))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 2*maxSQSMessage))
	if err != nil {
		awsJSONError(w, http.StatusBadRequest, "InvalidParameterValue", "malformed request: "+err.Error())
		return
	}
	out, e := op(s, r.Context(), body)
	if e != nil {
		// SQS's JSON error, with the query protocol's code that the SDK reports (query compatibility).
		w.Header().Set("X-Amzn-Query-Error", e.queryCode+";"+e.fault)
		awsJSONError(w, http.StatusBadRequest, e.jsonCode, e.message)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	json.NewEncoder(w).Encode(out)
}

// sendMessage checks a SendMessage request as SQS does and puts the message on its queue.
func (s *Sandbox) sendMessage(in sqsInput) (id, md5sum string, err *sqsError) {
	if in.QueueURL == "" {
		return "", "", sqsSenderError("MissingParameter", "QueueUrl and MessageBody are required")
	}
	q := s.queueByURL(in.QueueURL)
	if q == nil {
		return "", "", errNoQueue
	}
	m, delay, err := s.newMessage(q, in.MessageBody, in.DelaySeconds, in.MessageAttributes)
	if err != nil {
		return "", "", err
	}
	s.deliver(q, m, delay, nil)
	return m.id, m.md5, nil
}

// newMessage checks a message for q as SQS does: a body of at most the queue's
// MaximumMessageSize, attributes included, and a delay of at most 15 minutes.
func (s *Sandbox) newMessage(q *queue, body string, delaySeconds *int, attrs map[string]sqsAttribute) (*message, time.Duration, *sqsError) {
	size := len(body)
	for k, v := range attrs {
		size += len(k) + len(v.DataType) + len(v.StringValue) + len(v.BinaryValue)
	}
	delay := q.delay
	switch {
	case body == "":
		return nil, 0, sqsSenderError("MissingParameter", "The request must contain the parameter MessageBody.")
	case size > q.maxSize:
		return nil, 0, sqsSenderError("InvalidParameterValue", fmt.Sprintf("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", q.maxSize))
	case delaySeconds != nil && (*delaySeconds < 0 || *delaySeconds > 900):
		return nil, 0, sqsSenderError("InvalidParameterValue", "Value for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.")
	case delaySeconds != nil:
		delay = time.Duration(*delaySeconds) * time.Second
	}
	return &message{id: newUUID(), body: body, attributes: attrs, sent: s.clock.Now()}, delay, nil
}

// deliver puts m on q. A queue that no function consumes is where failures end (the
// dead-letter queue, on-failure destinations, redrive targets): its messages are also shown in
// the event log and kept for DeadLetters, with note as their attributes (default: m's).
func (s *Sandbox) deliver(q *queue, m *message, delay time.Duration, note map[string]string) {
	q.put(m, delay)
	if q.consumed {
		return
	}
	if note == nil {
		note = map[string]string{}
		for k, v := range m.attributes {
			note[k] = v.StringValue
		}
	}
	s.addDeadLetter(DeadLetter{Queue: q.url, ID: m.id, Body: m.body, Attributes: note, At: m.sent})
}

func (s *Sandbox) addDeadLetter(dl DeadLetter) DeadLetter {
	s.mu.Lock()
	if dl.ID == "" {
		dl.ID = fmt.Sprintf("dl-%d", len(s.deadLetters)+1)
	}
	s.deadLetters = append(s.deadLetters, dl)
	s.mu.Unlock()
	s.journal.add(Activity{Kind: "dead-letter", Summary: "dead letter on " + dl.Queue, Source: dl.Attributes["source"],
		Error: dl.Attributes["reason"], Body: pretty([]byte(dl.Body))})
	return dl
}

// DeadLetters returns the messages on the local queues, oldest first.
func (s *Sandbox) DeadLetters() []DeadLetter {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]DeadLetter(nil), s.deadLetters...)
}

// pretty indents JSON for display, or returns the text as it is.
func pretty(b []byte) string {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return string(b)
	}
	out, _ := json.MarshalIndent(v, "", "  ")
	return string(out)
}
