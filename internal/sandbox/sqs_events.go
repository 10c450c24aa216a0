package sandbox

// SQS event sources (a function's Events of Type SQS): Lambda's event source mapping, as its
// guide "Using Lambda with Amazon SQS" tells it. A poller per mapping receives batches and
// invokes the function synchronously with them, at most MaximumConcurrency batches at once;
// a batch that succeeds is deleted; one that fails (an error, a timeout) is left to become
// visible again after the queue's visibility timeout; with ReportBatchItemFailures only the
// messages the function names are left. The queue's RedrivePolicy ends the retries.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// sqsSource is one SQS event source mapping.
type sqsSource struct {
	name           string // the function's event name
	fn             *function
	q              *queue
	batch          int           // BatchSize, default 10
	window         time.Duration // MaximumBatchingWindowInSeconds
	reportFailures bool          // FunctionResponseTypes: [ReportBatchItemFailures]
	slots          chan struct{} // ScalingConfig.MaximumConcurrency: batches under way at once
}

// loadSQSSource reads a function's SQS event source, refusing what Lambda refuses.
func (s *Sandbox) loadSQSSource(fn, name string, p map[string]any) error {
	arn, _ := p["Queue"].(string)
	q := s.queues[arn[strings.LastIndex(arn, ":")+1:]]
	if q == nil {
		return fmt.Errorf("queue %q is not an SQS queue of the template", arn)
	}
	if enabled, ok := p["Enabled"].(bool); ok && !enabled {
		return nil
	}
	f := s.functions[fn]
	src := &sqsSource{name: name, fn: f, q: q, batch: 10}
	if n, ok := intProp(p["BatchSize"]); ok {
		src.batch = n
	}
	window, _ := intProp(p["MaximumBatchingWindowInSeconds"])
	src.window = time.Duration(window) * time.Second
	max := cap(f.slots)
	if n, ok := nested(p, "ScalingConfig", "MaximumConcurrency"); ok {
		max, _ = intProp(n)
		if max < 2 || max > 1000 {
			return fmt.Errorf("ScalingConfig.MaximumConcurrency must be between 2 and 1000")
		}
	}
	switch {
	case src.batch < 1 || src.batch > 10000:
		return fmt.Errorf("BatchSize must be between 1 and 10000")
	case window < 0 || window > 300:
		return fmt.Errorf("MaximumBatchingWindowInSeconds must be between 0 and 300")
	case src.batch > 10 && window == 0:
		return fmt.Errorf("MaximumBatchingWindowInSeconds must be greater than 0 if BatchSize is greater than 10")
	}
	types, _ := p["FunctionResponseTypes"].([]any)
	src.reportFailures = slices.Contains(types, any("ReportBatchItemFailures"))
	src.slots = make(chan struct{}, max)
	q.consumed = true
	s.sqsSources = append(s.sqsSources, src)
	return nil
}

// poll runs a mapping for as long as the sandbox runs: a batch as soon as a slot is free and
// a message visible, each invoked apart.
func (s *Sandbox) poll(src *sqsSource) {
	for {
		src.slots <- struct{}{}
		batch := s.nextBatch(src)
		go func() {
			defer func() { <-src.slots; s.inflight.done() }()
			s.runBatch(src, batch)
		}()
	}
}

// nextBatch waits for messages and receives a batch, counted as work under way (for Idle)
// from before its messages are taken off the queue.
func (s *Sandbox) nextBatch(src *sqsSource) []message {
	for {
		s.inflight.add()
		if got := s.receiveFrom(src.q, min(src.batch, 10), src.q.visibility); len(got) > 0 {
			return s.fillBatch(src, got)
		}
		s.inflight.done()
		src.q.wait(context.Background(), &s.clock, time.Time{})
	}
}

// fillBatch gathers more messages for up to the batching window (sandbox time), as Lambda
// does before invoking with less than a full batch.
func (s *Sandbox) fillBatch(src *sqsSource, got []message) []message {
	if src.window == 0 {
		return got
	}
	until := s.clock.Now().Add(src.window)
	for len(got) < src.batch && s.clock.Now().Before(until) {
		src.q.wait(context.Background(), &s.clock, until)
		got = append(got, s.receiveFrom(src.q, min(src.batch-len(got), 10), src.q.visibility)...)
	}
	return got
}

// runBatch invokes the function with a batch, in one of its concurrency slots, and deletes
// the messages it handled.
func (s *Sandbox) runBatch(src *sqsSource, batch []message) {
	payload, _ := json.Marshal(s.sqsEvent(src.q, batch))
	rid := newID()
	src.fn.slots <- struct{}{}
	out, err := s.call(context.Background(), src.fn, payload, rid, fmt.Sprintf("request %s, %d messages from %s (%s)", rid, len(batch), src.q.name, src.name), true)
	<-src.fn.slots
	failed, err := batchFailures(out, err, src.reportFailures, batch)
	// Lambda's poller receives the batch, and deletes what the function handled, in one
	// request each: billed as the account's SQS requests.
	subject := subjectOf(payload)
	s.meter.charge(subject, "sqs", "ReceiveMessage (Lambda's poller)", "requests", 1, 1, Prices.SQSRequest)
	if err == nil && len(failed) < len(batch) {
		s.meter.charge(subject, "sqs", "DeleteMessageBatch (Lambda's poller)", "requests", 1, 1, Prices.SQSRequest)
	}
	if err != nil {
		s.journal.add(Activity{Kind: "invoke", Source: src.fn.id, Error: err.Error(),
			Summary: fmt.Sprintf("%s: batch of %d from %s failed: visible again after %s", src.fn.id, len(batch), src.q.name, src.q.visibility)})
		return
	}
	for _, m := range batch {
		if !failed[m.id] {
			src.q.remove(m.receipt)
		}
	}
}

// sqsEvent is the event Lambda invokes a function with for a batch.
func (s *Sandbox) sqsEvent(q *queue, batch []message) events.SQSEvent {
	ev := events.SQSEvent{Records: []events.SQSMessage{}}
	for _, m := range batch {
		attrs := map[string]events.SQSMessageAttribute{}
		for k, v := range m.attributes {
			a := events.SQSMessageAttribute{DataType: v.DataType, BinaryValue: v.BinaryValue, StringListValues: []string{}, BinaryListValues: [][]byte{}}
			if v.StringValue != "" {
				a.StringValue = &v.StringValue
			}
			attrs[k] = a
		}
		sys := systemAttributes(m)
		delete(sys, "DeadLetterQueueSourceArn")
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: m.id, ReceiptHandle: m.receipt, Body: m.body, Md5OfBody: m.md5,
			Attributes: sys, MessageAttributes: attrs, EventSource: "aws:sqs", EventSourceARN: q.arn, AWSRegion: s.region})
	}
	return ev
}

// batchFailures reads which messages of a batch failed: all of them (an error) if the
// invocation failed or, with ReportBatchItemFailures, if the response is not one Lambda
// accepts (not JSON, an itemIdentifier empty, misnamed or not of the batch); else those the
// response names.
func batchFailures(out []byte, err error, report bool, batch []message) (map[string]bool, error) {
	if err != nil || !report || len(out) == 0 || string(out) == "null" {
		return nil, err
	}
	var resp map[string]json.RawMessage
	if json.Unmarshal(out, &resp) != nil {
		return nil, errors.New("the function's response is not a batch item failures response: " + string(out))
	}
	var items []map[string]any
	if raw, ok := resp["batchItemFailures"]; ok && json.Unmarshal(raw, &items) != nil {
		return nil, errors.New("batchItemFailures is not a list: " + string(raw))
	}
	failed := map[string]bool{}
	for _, item := range items {
		id, _ := item["itemIdentifier"].(string)
		if id == "" || !slices.ContainsFunc(batch, func(m message) bool { return m.id == id }) {
			return nil, fmt.Errorf("batchItemFailures names %v, not a message of the batch", item)
		}
		failed[id] = true
	}
	return failed, nil
}

// sqsPending reports whether a queue that a function consumes has a visible message, which
// its poller is about to take.
func (s *Sandbox) sqsPending() bool {
	now := s.clock.Now()
	for _, src := range s.sqsSources {
		if visible, _, _ := src.q.counts(now); visible > 0 {
			return true
		}
	}
	return false
}
