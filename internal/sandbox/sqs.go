package sandbox

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// DeadLetter is a message on a local queue: the functions' dead-letter queue.
type DeadLetter struct {
	Queue      string
	ID         string
	Body       string
	Attributes map[string]string
	At         time.Time
}

const maxSQSMessage = 1 << 20

// sqsInput is a SendMessage request, from either protocol.
type sqsInput struct {
	QueueURL          string `json:"QueueUrl"`
	MessageBody       string
	MessageAttributes map[string]struct{ DataType, StringValue string }
}

// sqsError is an SQS error: its JSON code and the query protocol's code and fault type.
type sqsError struct{ jsonCode, queryCode, fault, message string }

func (e *sqsError) Error() string { return e.queryCode + ": " + e.message }

func sqsSenderError(code, message string) *sqsError {
	return &sqsError{jsonCode: code, queryCode: code, fault: "Sender", message: message}
}

var errNoQueue = &sqsError{jsonCode: "com.amazonaws.sqs#QueueDoesNotExist", queryCode: "AWS.SimpleQueueService.NonExistentQueue",
	fault: "Sender", message: "The specified queue does not exist."}

// serveSQS serves SQS's SendMessage, the only SQS call the functions make, over both protocols
// SQS speaks: AWS JSON 1.0 (X-Amz-Target, what the AWS SDKs send now) and the query protocol
// (a form with Action and Version, XML answers, what older clients such as the AWS CLI v2 that
// Debian ships send).
func (s *Sandbox) serveSQS(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Amz-Target") == "" && isForm(r) {
		s.serveSQSQuery(w, r)
		return
	}
	if op := r.Header.Get("X-Amz-Target"); op != "AmazonSQS.SendMessage" {
		awsJSONError(w, http.StatusBadRequest, "UnsupportedOperation", fmt.Sprintf("the sandbox does not serve %q", op))
		return
	}
	var in sqsInput
	body, err := io.ReadAll(io.LimitReader(r.Body, 2*maxSQSMessage))
	if err == nil {
		err = json.Unmarshal(body, &in)
	}
	if err != nil {
		awsJSONError(w, http.StatusBadRequest, "InvalidParameterValue", "malformed request: "+err.Error())
		return
	}
	id, md5sum, e := s.sendMessage(in)
	if e != nil {
		// SQS's JSON error, with the query protocol's code that the SDK reports (query compatibility).
		w.Header().Set("X-Amzn-Query-Error", e.queryCode+";"+e.fault)
		awsJSONError(w, http.StatusBadRequest, e.jsonCode, e.message)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	json.NewEncoder(w).Encode(map[string]string{"MessageId": id, "MD5OfMessageBody": md5sum})
}

// sendMessage checks a SendMessage request as SQS does and puts the message on its queue.
func (s *Sandbox) sendMessage(in sqsInput) (id, md5sum string, err *sqsError) {
	switch {
	case in.QueueURL == "" || in.MessageBody == "":
		return "", "", sqsSenderError("MissingParameter", "QueueUrl and MessageBody are required")
	case len(in.MessageBody) > maxSQSMessage:
		return "", "", sqsSenderError("InvalidParameterValue", "message must be shorter than 1048576 bytes")
	case s.tmpl.Resources[in.QueueURL[strings.LastIndex(in.QueueURL, "/")+1:]].Type != "AWS::SQS::Queue":
		return "", "", errNoQueue
	}
	dl := DeadLetter{Queue: in.QueueURL, Body: in.MessageBody, Attributes: map[string]string{}, At: s.clock.Now()}
	for k, v := range in.MessageAttributes {
		dl.Attributes[k] = v.StringValue
	}
	dl = s.addDeadLetter(dl)
	sum := md5.Sum([]byte(in.MessageBody))
	return dl.ID, hex.EncodeToString(sum[:]), nil
}

func (s *Sandbox) addDeadLetter(dl DeadLetter) DeadLetter {
	s.mu.Lock()
	dl.ID = fmt.Sprintf("dl-%d", len(s.deadLetters)+1)
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
