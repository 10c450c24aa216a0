package sandbox

// SQS standard queues as the template declares them (AWS::SQS::Queue): messages kept in send
// order, each invisible for its visibility timeout once received, dropped after the retention
// period, moved to the redrive queue once received maxReceiveCount times. Times are the
// sandbox clock's, so that moving the clock makes messages visible again.

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sqsAttribute is a message attribute as SQS's JSON protocol carries it.
type sqsAttribute struct {
	DataType    string
	StringValue string `json:",omitempty"`
	BinaryValue []byte `json:",omitempty"`
}

// message is one message on a queue.
type message struct {
	id, body, md5 string
	attributes    map[string]sqsAttribute
	sent          time.Time // SentTimestamp
	visibleAt     time.Time // invisible before (delay, or received and not yet timed out)
	receives      int       // ApproximateReceiveCount
	firstReceive  time.Time
	receipt       string // the latest receive's handle: only it deletes the message
	deadLetterOf  string // the source queue's ARN, once redriven
}

// queue is an SQS standard queue of the template.
type queue struct {
	name, url, arn string
	visibility     time.Duration // VisibilityTimeout, default 30 s
	retention      time.Duration // MessageRetentionPeriod, default 4 days
	delay          time.Duration // DelaySeconds, default 0
	maxSize        int           // MaximumMessageSize, default 256 KiB
	redriveTo      string        // the dead-letter queue's name, if a RedrivePolicy names one
	maxReceives    int           // RedrivePolicy's maxReceiveCount
	consumed       bool          // an event source mapping polls it (Idle waits for it to drain)

	mu       sync.Mutex
	messages []*message
	changed  chan struct{} // closed (and replaced) when a message is added or made visible
}

// loadQueues makes a queue of every AWS::SQS::Queue of the template.
func (s *Sandbox) loadQueues() error {
	s.queues = map[string]*queue{}
	for id, res := range s.tmpl.Resources {
		if res.Type != "AWS::SQS::Queue" {
			continue
		}
		q, err := s.newQueue(id, res.Properties)
		if err != nil {
			return fmt.Errorf("queue %s: %w", id, err)
		}
		s.queues[id] = q
	}
	for id, q := range s.queues {
		if q.redriveTo != "" && s.queues[q.redriveTo] == nil {
			return fmt.Errorf("queue %s: RedrivePolicy names %s, not a queue of the template", id, q.redriveTo)
		}
	}
	return nil
}

func (s *Sandbox) newQueue(id string, props map[string]any) (*queue, error) {
	resolved, err := s.tmpl.Resolve(props, s.resolver())
	if err != nil {
		return nil, err
	}
	p, _ := resolved.(map[string]any)
	if fifo, _ := p["FifoQueue"].(bool); fifo {
		return nil, fmt.Errorf("FIFO queues are not run by the sandbox")
	}
	q := &queue{name: id, url: s.queueURL(id), arn: s.arn("sqs", id), visibility: 30 * time.Second,
		retention: 4 * 24 * time.Hour, maxSize: 256 << 10}
	for key, dst := range map[string]*time.Duration{"VisibilityTimeout": &q.visibility, "MessageRetentionPeriod": &q.retention, "DelaySeconds": &q.delay} {
		if n, ok := intProp(p[key]); ok {
			*dst = time.Duration(n) * time.Second
		}
	}
	if n, ok := intProp(p["MaximumMessageSize"]); ok {
		q.maxSize = n
	}
	return q, q.redrivePolicy(p["RedrivePolicy"])
}

// redrivePolicy reads a RedrivePolicy, an object or (as CloudFormation also takes it) JSON text.
func (q *queue) redrivePolicy(v any) error {
	if text, ok := v.(string); ok {
		if err := json.Unmarshal([]byte(text), &v); err != nil {
			return fmt.Errorf("RedrivePolicy: %w", err)
		}
	}
	p, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	arn, _ := p["deadLetterTargetArn"].(string)
	n, _ := intProp(p["maxReceiveCount"])
	if arn == "" || n < 1 {
		return fmt.Errorf("RedrivePolicy needs deadLetterTargetArn and a maxReceiveCount of 1 or more")
	}
	q.redriveTo, q.maxReceives = arn[strings.LastIndex(arn, ":")+1:], n
	return nil
}

// intProp reads a number of the template, written as a number or as text.
func intProp(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case float64:
		return int(n), true
	case string:
		i, err := strconv.Atoi(n)
		return i, err == nil
	}
	return 0, false
}

// queueByURL finds a queue of the template by its URL (its last path segment is its name).
func (s *Sandbox) queueByURL(url string) *queue {
	return s.queues[url[strings.LastIndex(url, "/")+1:]]
}

// put adds a message, visible after delay.
func (q *queue) put(m *message, delay time.Duration) {
	sum := md5.Sum([]byte(m.body))
	m.md5 = hex.EncodeToString(sum[:])
	m.visibleAt = m.sent.Add(delay)
	q.mu.Lock()
	q.messages = append(q.messages, m)
	q.notify()
	q.mu.Unlock()
}

// notify wakes whoever waits for the queue; q.mu is held.
func (q *queue) notify() {
	if q.changed != nil {
		close(q.changed)
		q.changed = nil
	}
}

// receive takes up to max visible messages, oldest first, and hides each for visibility. A
// message already received maxReceives times is not delivered again but returned in redrive,
// for the caller to put on the dead-letter queue, as SQS moves it when it would be received.
func (q *queue) receive(now time.Time, max int, visibility time.Duration) (got []message, redrive []*message) {
	q.mu.Lock()
	defer q.mu.Unlock()
	kept := q.messages[:0]
	for _, m := range q.messages {
		switch {
		case now.Sub(m.sent) >= q.retention:
			continue // expired: SQS deletes it
		case len(got) == max || m.visibleAt.After(now):
		case q.maxReceives > 0 && m.receives >= q.maxReceives:
			redrive = append(redrive, m)
			continue
		default:
			m.receives++
			if m.receives == 1 {
				m.firstReceive = now
			}
			m.receipt = receiptHandle(m)
			m.visibleAt = now.Add(visibility)
			got = append(got, *m)
		}
		kept = append(kept, m)
	}
	clear(q.messages[len(kept):])
	q.messages = kept
	return got, redrive
}

// receiptHandle names one receive of a message: its id and a random part, so that a handle
// from an earlier receive no longer matches.
func receiptHandle(m *message) string {
	return base64.RawURLEncoding.EncodeToString([]byte(m.id + "#" + strconv.Itoa(m.receives) + "#" + newID()))
}

// receiptID is the message id a receipt handle was made for, or false for no handle of ours.
func receiptID(handle string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(handle)
	id, _, ok := strings.Cut(string(b), "#")
	return id, err == nil && ok
}

// remove deletes the message the receipt handle names. A stale handle (the message was
// received again since) deletes nothing and is no error, as in SQS.
func (q *queue) remove(handle string) *sqsError {
	id, ok := receiptID(handle)
	if !ok {
		return sqsErr("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", fmt.Sprintf("The input receipt handle %q is not a valid receipt handle.", handle))
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, m := range q.messages {
		if m.id == id && m.receipt == handle {
			q.messages = append(q.messages[:i], q.messages[i+1:]...)
			return nil
		}
	}
	return nil
}

// changeVisibility makes a received message visible again after d from now.
func (q *queue) changeVisibility(handle string, now time.Time, d time.Duration) *sqsError {
	if _, ok := receiptID(handle); !ok {
		return sqsErr("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", fmt.Sprintf("The input receipt handle %q is not a valid receipt handle.", handle))
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, m := range q.messages {
		if m.receipt == handle && m.visibleAt.After(now) {
			m.visibleAt = now.Add(d)
			q.notify()
			return nil
		}
	}
	return sqsErr("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", "The message referred to is not in flight.")
}

// counts returns how many messages are visible, received and not yet visible again, and
// delayed (ApproximateNumberOfMessages, ...NotVisible, ...Delayed).
func (q *queue) counts(now time.Time) (visible, notVisible, delayed int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, m := range q.messages {
		switch {
		case now.Sub(m.sent) >= q.retention:
		case !m.visibleAt.After(now):
			visible++
		case m.receives > 0:
			notVisible++
		default:
			delayed++
		}
	}
	return visible, notVisible, delayed
}

// wait returns when a message may have become visible (one was added, one's timeout ran out,
// the clock moved), or when ctx ends or the sandbox time until passes (zero: no limit).
func (q *queue) wait(ctx context.Context, c *Clock, until time.Time) {
	// The clock's channel is taken before the clock is read, and the messages are looked at
	// before waiting: a move or a message that came after the caller last received (and
	// found nothing) is not missed.
	moved := c.Moved()
	now := c.Now()
	q.mu.Lock()
	if q.changed == nil {
		q.changed = make(chan struct{})
	}
	changed, next := q.changed, until
	for _, m := range q.messages {
		if !m.visibleAt.After(now) && now.Sub(m.sent) < q.retention {
			q.mu.Unlock()
			return
		}
		if m.visibleAt.After(now) && (next.IsZero() || m.visibleAt.Before(next)) {
			next = m.visibleAt
		}
	}
	q.mu.Unlock()
	var timeout <-chan time.Time
	if !next.IsZero() {
		t := time.NewTimer(next.Sub(now))
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-changed:
	case <-moved:
	case <-timeout:
	case <-ctx.Done():
	}
}

func sqsErr(shape, queryCode, message string) *sqsError {
	return &sqsError{jsonCode: "com.amazonaws.sqs#" + shape, queryCode: queryCode, fault: "Sender", message: message}
}
