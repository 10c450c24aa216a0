package sandbox

// SQS's calls over AWS JSON 1.0, as the SQS API reference gives their requests, answers and
// errors: sending (one or a batch), receiving with long polling, deleting, changing a
// message's visibility, and reading a queue's URL and attributes.

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

type sqsOperation func(s *Sandbox, ctx context.Context, body []byte) (any, *sqsError)

// sqsOperations are the calls the sandbox serves, by their X-Amz-Target name.
var sqsOperations = map[string]sqsOperation{
	"SendMessage":             jsonOp((*Sandbox).sqsSend),
	"SendMessageBatch":        jsonOp((*Sandbox).sqsSendBatch),
	"ReceiveMessage":          jsonOp((*Sandbox).sqsReceive),
	"DeleteMessage":           jsonOp((*Sandbox).sqsDelete),
	"DeleteMessageBatch":      jsonOp((*Sandbox).sqsDeleteBatch),
	"ChangeMessageVisibility": jsonOp((*Sandbox).sqsChangeVisibility),
	"GetQueueUrl":             jsonOp((*Sandbox).sqsQueueURL),
	"GetQueueAttributes":      jsonOp((*Sandbox).sqsQueueAttributes),
}

// jsonOp decodes a call's request into its input type.
func jsonOp[In any](f func(*Sandbox, context.Context, In) (any, *sqsError)) sqsOperation {
	return func(s *Sandbox, ctx context.Context, body []byte) (any, *sqsError) {
		var in In
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, sqsSenderError("InvalidParameterValue", "malformed request: "+err.Error())
		}
		return f(s, ctx, in)
	}
}

func (s *Sandbox) sqsSend(_ context.Context, in sqsInput) (any, *sqsError) {
	id, sum, err := s.sendMessage(in)
	if err != nil {
		return nil, err
	}
	return map[string]string{"MessageId": id, "MD5OfMessageBody": sum}, nil
}

type batchEntry struct {
	ID                string `json:"Id"`
	MessageBody       string
	DelaySeconds      *int
	MessageAttributes map[string]sqsAttribute
	ReceiptHandle     string
}

type batchInput struct {
	QueueURL string `json:"QueueUrl"`
	Entries  []batchEntry
}

type batchFailure struct {
	ID          string `json:"Id"`
	Code        string
	Message     string
	SenderFault bool
}

var batchEntryID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// checkBatch refuses a batch as SQS does: empty, over ten entries, ids repeated or malformed.
func checkBatch(entries []batchEntry) *sqsError {
	switch {
	case len(entries) == 0:
		return sqsErr("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request.")
	case len(entries) > 10:
		return sqsErr("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", fmt.Sprintf("Maximum number of entries per request are 10. You have sent %d.", len(entries)))
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if !batchEntryID.MatchString(e.ID) {
			return sqsErr("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if seen[e.ID] {
			return sqsErr("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id "+e.ID+" repeated.")
		}
		seen[e.ID] = true
	}
	return nil
}

// sqsSendBatch sends up to ten messages, at most the queue's MaximumMessageSize in all; an
// entry that SQS would refuse alone fails alone.
func (s *Sandbox) sqsSendBatch(_ context.Context, in batchInput) (any, *sqsError) {
	q := s.queueByURL(in.QueueURL)
	if q == nil {
		return nil, errNoQueue
	}
	if err := checkBatch(in.Entries); err != nil {
		return nil, err
	}
	total := 0
	for _, e := range in.Entries {
		total += len(e.MessageBody)
		for k, v := range e.MessageAttributes {
			total += len(k) + len(v.DataType) + len(v.StringValue) + len(v.BinaryValue)
		}
	}
	if total > q.maxSize {
		return nil, sqsErr("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", fmt.Sprintf("Batch requests cannot be longer than %d bytes. You have sent %d bytes.", q.maxSize, total))
	}
	type sent struct{ Id, MessageId, MD5OfMessageBody string }
	out := struct {
		Successful []sent
		Failed     []batchFailure
	}{Successful: []sent{}, Failed: []batchFailure{}}
	for _, e := range in.Entries {
		m, delay, err := s.newMessage(q, e.MessageBody, e.DelaySeconds, e.MessageAttributes)
		if err != nil {
			out.Failed = append(out.Failed, batchFailure{ID: e.ID, Code: err.queryCode, Message: err.message, SenderFault: true})
			continue
		}
		s.deliver(q, m, delay, nil)
		out.Successful = append(out.Successful, sent{e.ID, m.id, m.md5})
	}
	return out, nil
}

type receiveInput struct {
	QueueURL                    string `json:"QueueUrl"`
	MaxNumberOfMessages         *int
	VisibilityTimeout           *int
	WaitTimeSeconds             *int
	AttributeNames              []string
	MessageSystemAttributeNames []string
	MessageAttributeNames       []string
}

type receivedMessage struct {
	MessageID         string                  `json:"MessageId"`
	ReceiptHandle     string                  `json:"ReceiptHandle"`
	MD5OfBody         string                  `json:"MD5OfBody"`
	Body              string                  `json:"Body"`
	Attributes        map[string]string       `json:"Attributes,omitempty"`
	MessageAttributes map[string]sqsAttribute `json:"MessageAttributes,omitempty"`
}

// sqsReceive receives up to MaxNumberOfMessages (default 1), waiting up to WaitTimeSeconds
// (long polling) for the first to become visible.
func (s *Sandbox) sqsReceive(ctx context.Context, in receiveInput) (any, *sqsError) {
	q := s.queueByURL(in.QueueURL)
	if q == nil {
		return nil, errNoQueue
	}
	max, vis, wait, err := receiveLimits(in, q)
	if err != nil {
		return nil, err
	}
	until := time.Now().Add(wait)
	var got []message
	for {
		got = s.receiveFrom(q, max, vis)
		if len(got) > 0 || !time.Now().Before(until) || ctx.Err() != nil {
			break
		}
		wctx, cancel := context.WithDeadline(ctx, until)
		q.wait(wctx, &s.clock, time.Time{})
		cancel()
	}
	out := struct{ Messages []receivedMessage }{Messages: []receivedMessage{}}
	system := append(in.AttributeNames, in.MessageSystemAttributeNames...)
	for _, m := range got {
		out.Messages = append(out.Messages, receivedMessage{MessageID: m.id, ReceiptHandle: m.receipt, MD5OfBody: m.md5, Body: m.body,
			Attributes: pickNamed(systemAttributes(m), system), MessageAttributes: pickNamed(m.attributes, in.MessageAttributeNames)})
	}
	return out, nil
}

// receiveLimits reads a ReceiveMessage's numbers, refusing those SQS refuses.
func receiveLimits(in receiveInput, q *queue) (max int, vis, wait time.Duration, err *sqsError) {
	max, vis = 1, q.visibility
	if n := in.MaxNumberOfMessages; n != nil {
		if *n < 1 || *n > 10 {
			return 0, 0, 0, sqsSenderError("InvalidParameterValue", "Value "+strconv.Itoa(*n)+" for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.")
		}
		max = *n
	}
	if n := in.VisibilityTimeout; n != nil {
		if *n < 0 || *n > 43200 {
			return 0, 0, 0, sqsSenderError("InvalidParameterValue", "Value "+strconv.Itoa(*n)+" for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.")
		}
		vis = time.Duration(*n) * time.Second
	}
	if n := in.WaitTimeSeconds; n != nil {
		if *n < 0 || *n > 20 {
			return 0, 0, 0, sqsSenderError("InvalidParameterValue", "Value "+strconv.Itoa(*n)+" for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.")
		}
		wait = time.Duration(*n) * time.Second
	}
	return max, vis, wait, nil
}

// receiveFrom receives from q and moves the messages received too often to its redrive queue.
func (s *Sandbox) receiveFrom(q *queue, max int, visibility time.Duration) []message {
	got, redrive := q.receive(s.clock.Now(), max, visibility)
	for _, m := range redrive {
		dlq := s.queues[q.redriveTo]
		moved := &message{id: m.id, body: m.body, attributes: m.attributes, sent: m.sent, deadLetterOf: q.arn}
		s.journal.add(Activity{Kind: "dead-letter", Source: q.name, Summary: fmt.Sprintf("message %s received %d times from %s: moved to %s", m.id, m.receives, q.name, dlq.name)})
		s.deliver(dlq, moved, 0, map[string]string{"source": q.name, "reason": fmt.Sprintf("received %d times (maxReceiveCount %d)", m.receives, q.maxReceives)})
	}
	return got
}

// systemAttributes are a message's attributes as ReceiveMessage and Lambda give them.
func systemAttributes(m message) map[string]string {
	a := map[string]string{
		"ApproximateReceiveCount":          strconv.Itoa(m.receives),
		"SentTimestamp":                    strconv.FormatInt(m.sent.UnixMilli(), 10),
		"SenderId":                         "AIDASANDBOX",
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.firstReceive.UnixMilli(), 10),
	}
	if m.deadLetterOf != "" {
		a["DeadLetterQueueSourceArn"] = m.deadLetterOf
	}
	return a
}

// pickNamed keeps the entries that names ask for: "All" or ".*" for every one, "prefix.*" for
// those that start with prefix, else by name.
func pickNamed[V any](m map[string]V, names []string) map[string]V {
	out := map[string]V{}
	for k, v := range m {
		if slices.ContainsFunc(names, func(n string) bool {
			prefix, wild := strings.CutSuffix(n, ".*")
			return n == "All" || n == k || (wild && strings.HasPrefix(k, prefix))
		}) {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

type receiptInput struct {
	QueueURL          string `json:"QueueUrl"`
	ReceiptHandle     string
	VisibilityTimeout *int
}

func (s *Sandbox) sqsDelete(_ context.Context, in receiptInput) (any, *sqsError) {
	q := s.queueByURL(in.QueueURL)
	if q == nil {
		return nil, errNoQueue
	}
	return struct{}{}, q.remove(in.ReceiptHandle)
}

func (s *Sandbox) sqsDeleteBatch(_ context.Context, in batchInput) (any, *sqsError) {
	q := s.queueByURL(in.QueueURL)
	if q == nil {
		return nil, errNoQueue
	}
	if err := checkBatch(in.Entries); err != nil {
		return nil, err
	}
	type deleted struct{ Id string }
	out := struct {
		Successful []deleted
		Failed     []batchFailure
	}{Successful: []deleted{}, Failed: []batchFailure{}}
	for _, e := range in.Entries {
		if err := q.remove(e.ReceiptHandle); err != nil {
			out.Failed = append(out.Failed, batchFailure{ID: e.ID, Code: err.queryCode, Message: err.message, SenderFault: true})
			continue
		}
		out.Successful = append(out.Successful, deleted{e.ID})
	}
	return out, nil
}

func (s *Sandbox) sqsChangeVisibility(_ context.Context, in receiptInput) (any, *sqsError) {
	q := s.queueByURL(in.QueueURL)
	if q == nil {
		return nil, errNoQueue
	}
	if in.VisibilityTimeout == nil || *in.VisibilityTimeout < 0 || *in.VisibilityTimeout > 43200 {
		return nil, sqsSenderError("InvalidParameterValue", "VisibilityTimeout must be between 0 and 43200.")
	}
	return struct{}{}, q.changeVisibility(in.ReceiptHandle, s.clock.Now(), time.Duration(*in.VisibilityTimeout)*time.Second)
}

func (s *Sandbox) sqsQueueURL(_ context.Context, in struct{ QueueName string }) (any, *sqsError) {
	q := s.queues[in.QueueName]
	if q == nil {
		return nil, errNoQueue
	}
	return map[string]string{"QueueUrl": q.url}, nil
}

func (s *Sandbox) sqsQueueAttributes(_ context.Context, in struct {
	QueueURL       string `json:"QueueUrl"`
	AttributeNames []string
}) (any, *sqsError) {
	q := s.queueByURL(in.QueueURL)
	if q == nil {
		return nil, errNoQueue
	}
	visible, notVisible, delayed := q.counts(s.clock.Now())
	secs := func(d time.Duration) string { return strconv.Itoa(int(d / time.Second)) }
	a := map[string]string{
		"QueueArn": q.arn, "ApproximateNumberOfMessages": strconv.Itoa(visible),
		"ApproximateNumberOfMessagesNotVisible": strconv.Itoa(notVisible), "ApproximateNumberOfMessagesDelayed": strconv.Itoa(delayed),
		"VisibilityTimeout": secs(q.visibility), "MessageRetentionPeriod": secs(q.retention), "DelaySeconds": secs(q.delay),
		"MaximumMessageSize": strconv.Itoa(q.maxSize), "ReceiveMessageWaitTimeSeconds": "0",
	}
	if q.redriveTo != "" {
		policy, _ := json.Marshal(map[string]any{"deadLetterTargetArn": s.queues[q.redriveTo].arn, "maxReceiveCount": q.maxReceives})
		a["RedrivePolicy"] = string(policy)
	}
	return map[string]map[string]string{"Attributes": pickNamed(a, in.AttributeNames)}, nil
}
