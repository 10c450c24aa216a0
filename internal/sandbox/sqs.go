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

// serveSQS serves SQS's SendMessage (AWS JSON 1.0), the only SQS call the functions make.
func (s *Sandbox) serveSQS(w http.ResponseWriter, r *http.Request) {
	if op := r.Header.Get("X-Amz-Target"); op != "AmazonSQS.SendMessage" {
		awsJSONError(w, http.StatusBadRequest, "UnsupportedOperation", fmt.Sprintf("the sandbox does not serve %q", op))
		return
	}
	var in struct {
		QueueURL          string `json:"QueueUrl"`
		MessageBody       string
		MessageAttributes map[string]struct{ DataType, StringValue string }
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 2*maxSQSMessage))
	if err == nil {
		err = json.Unmarshal(body, &in)
	}
	switch {
	case err != nil:
		awsJSONError(w, http.StatusBadRequest, "InvalidParameterValue", "malformed request: "+err.Error())
		return
	case in.QueueURL == "" || in.MessageBody == "":
		awsJSONError(w, http.StatusBadRequest, "MissingParameter", "QueueUrl and MessageBody are required")
		return
	case len(in.MessageBody) > maxSQSMessage:
		awsJSONError(w, http.StatusBadRequest, "InvalidParameterValue", "message must be shorter than 1048576 bytes")
		return
	case s.tmpl.Resources[in.QueueURL[strings.LastIndex(in.QueueURL, "/")+1:]].Type != "AWS::SQS::Queue":
		// SQS's JSON error, with the query protocol's code that the SDK reports (query compatibility).
		w.Header().Set("X-Amzn-Query-Error", "AWS.SimpleQueueService.NonExistentQueue;Sender")
		awsJSONError(w, http.StatusBadRequest, "com.amazonaws.sqs#QueueDoesNotExist", "The specified queue does not exist.")
		return
	}
	dl := DeadLetter{Queue: in.QueueURL, Body: in.MessageBody, Attributes: map[string]string{}, At: s.clock.Now()}
	for k, v := range in.MessageAttributes {
		dl.Attributes[k] = v.StringValue
	}
	dl = s.addDeadLetter(dl)
	sum := md5.Sum([]byte(in.MessageBody))
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	json.NewEncoder(w).Encode(map[string]string{"MessageId": dl.ID, "MD5OfMessageBody": hex.EncodeToString(sum[:])})
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
