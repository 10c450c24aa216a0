package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	shopsqs "shopmail/internal/sqs"
	"shopmail/internal/wire"
)

const queuesTemplate = `
  Outbox:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
      RedrivePolicy: {deadLetterTargetArn: !GetAtt Poison.Arn, maxReceiveCount: 2}
  Poison:
    Type: AWS::SQS::Queue
    Properties: {MessageRetentionPeriod: 1209600}
`

func (r *running) sqs() *sqs.Client { return sqs.NewFromConfig(r.config()) }

func (r *running) queueURL(t *testing.T, name string) string {
	t.Helper()
	out, err := r.sqs().GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("GetQueueUrl %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

// queueCounts reads ApproximateNumberOfMessages and ...NotVisible.
func (r *running) queueCounts(t *testing.T, url string) (visible, notVisible string) {
	t.Helper()
	out, err := r.sqs().GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: &url,
		AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
	if err != nil {
		t.Fatalf("GetQueueAttributes: %v", err)
	}
	return out.Attributes["ApproximateNumberOfMessages"], out.Attributes["ApproximateNumberOfMessagesNotVisible"]
}

// The queues of the template answer the real SDK client: a batch sent with a per-entry
// failure, received with its attributes, hidden for the visibility timeout, deleted.
func TestSQSQueueThroughTheSDK(t *testing.T) {
	r := start(t, parse(t, queuesTemplate), nil)
	ctx, q := context.Background(), r.sqs()
	url := r.queueURL(t, "Outbox")
	entries := []sqstypes.SendMessageBatchRequestEntry{{Id: aws.String("empty"), MessageBody: aws.String("")}}
	for i := range 3 {
		entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("m", i)), MessageBody: aws.String(fmt.Sprint("body ", i)),
			MessageAttributes: map[string]sqstypes.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String("test")}}})
	}
	sent, err := q.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: entries})
	if err != nil || len(sent.Successful) != 3 || len(sent.Failed) != 1 || aws.ToString(sent.Failed[0].Id) != "empty" {
		t.Fatalf("SendMessageBatch: %v %+v", err, sent)
	}
	got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 2,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}, MessageAttributeNames: []string{"All"}})
	if err != nil || len(got.Messages) != 2 {
		t.Fatalf("ReceiveMessage: %v %+v", err, got)
	}
	m := got.Messages[0]
	if aws.ToString(m.Body) != "body 0" || m.Attributes["ApproximateReceiveCount"] != "1" || m.Attributes["SentTimestamp"] == "" ||
		aws.ToString(m.MessageAttributes["kind"].StringValue) != "test" || aws.ToString(m.MessageId) != aws.ToString(sent.Successful[0].MessageId) {
		t.Errorf("received %+v", m)
	}
	if v, nv := r.queueCounts(t, url); v != "1" || nv != "2" {
		t.Errorf("after receiving two of three: %s visible, %s not visible", v, nv)
	}
	if _, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	// The second message comes back once its visibility timeout (60 s) has passed on the clock.
	r.sb.Clock().Advance(61 * time.Second)
	again, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	if err != nil || len(again.Messages) != 2 {
		t.Fatalf("after the timeout: %v %+v", err, again)
	}
	var handles []sqstypes.DeleteMessageBatchRequestEntry
	for i, m := range again.Messages {
		handles = append(handles, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), ReceiptHandle: m.ReceiptHandle})
	}
	if del, err := q.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &url, Entries: handles}); err != nil || len(del.Successful) != 2 {
		t.Fatalf("DeleteMessageBatch: %v %+v", err, del)
	}
	if v, nv := r.queueCounts(t, url); v != "0" || nv != "0" {
		t.Errorf("after deleting all: %s visible, %s not visible", v, nv)
	}
}

// The campaign queue's client delays what is sent for later and defers what is received by
// whole seconds, rounded up: a wait of a fraction of a second is a second, never 0 (which had
// a step due in 300 ms received again and again until its redrive limit).
func TestQueueDelaysAndDefersByWholeSecondsRoundedUp(t *testing.T) {
	r := start(t, parse(t, queuesTemplate), nil)
	ctx, url := context.Background(), r.queueURL(t, "Outbox")
	q := shopsqs.NewQueue(r.config(), url)
	receive := func() []sqstypes.Message {
		t.Helper()
		out, err := r.sqs().ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		return out.Messages
	}
	if err := q.SendAfter(ctx, 1500*time.Millisecond, []string{"later"}); err != nil {
		t.Fatal(err)
	}
	r.sb.Clock().Advance(1900 * time.Millisecond)
	if got := receive(); len(got) != 0 {
		t.Fatalf("a message sent 2 s (1.5 s rounded up) late was received after 1.9 s: %v", aws.ToString(got[0].Body))
	}
	r.sb.Clock().Advance(200 * time.Millisecond)
	got := receive()
	if len(got) != 1 || aws.ToString(got[0].Body) != "later" {
		t.Fatalf("after 2.1 s: %+v", got)
	}
	if err := q.Defer(ctx, aws.ToString(got[0].ReceiptHandle), 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if again := receive(); len(again) != 0 {
		t.Fatal("a message deferred by 300 ms was received again at once")
	}
	r.sb.Clock().Advance(time.Second)
	if again := receive(); len(again) != 1 {
		t.Fatalf("a message deferred by 300 ms (a second) was not back after a second: %+v", again)
	}
}

// Long polling waits for a message, and SQS's refusals come back as the SDK's errors.
func TestSQSLongPollingAndErrors(t *testing.T) {
	r := start(t, parse(t, queuesTemplate), nil)
	ctx, q := context.Background(), r.sqs()
	url := r.queueURL(t, "Poison")
	go func() {
		time.Sleep(300 * time.Millisecond)
		q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("late")})
	}()
	begun := time.Now()
	got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 5})
	if err != nil || len(got.Messages) != 1 || aws.ToString(got.Messages[0].Body) != "late" || time.Since(begun) > 4*time.Second {
		t.Errorf("long poll: %v %+v after %s", err, got, time.Since(begun))
	}
	var many []sqstypes.SendMessageBatchRequestEntry
	for i := range 11 {
		many = append(many, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), MessageBody: aws.String("x")})
	}
	_, err = q.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: many})
	var tooMany *sqstypes.TooManyEntriesInBatchRequest
	if !errors.As(err, &tooMany) {
		t.Errorf("eleven entries: %v", err)
	}
	big := strings.Repeat("x", 200<<10)
	_, err = q.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: []sqstypes.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: &big}, {Id: aws.String("b"), MessageBody: &big}}})
	var tooLong *sqstypes.BatchRequestTooLong
	if !errors.As(err, &tooLong) {
		t.Errorf("400 KB in a batch: %v", err)
	}
	_, err = q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: aws.String("not a handle")})
	var invalid *sqstypes.ReceiptHandleIsInvalid
	if !errors.As(err, &invalid) {
		t.Errorf("a bad receipt handle: %v", err)
	}
	_, err = q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("Elsewhere")})
	var none *sqstypes.QueueDoesNotExist
	if !errors.As(err, &none) {
		t.Errorf("an unknown queue: %v", err)
	}
}

const senderTemplate = queuesTemplate + `
  Sender:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/sender
      Timeout: 5
      Events:
        Outbox:
          Type: SQS
          Properties:
            Queue: !GetAtt Outbox.Arn
            BatchSize: 3
            MaximumBatchingWindowInSeconds: 1
            FunctionResponseTypes: [ReportBatchItemFailures]
            ScalingConfig: {MaximumConcurrency: 2}
`

// sender is a test function consuming the Outbox queue: it records each batch as it came
// and acts on each message's body: "crash" fails the invocation, "crash-once" fails it on the
// message's first receive, "fail" reports the message as a batch item failure, "bad-id"
// reports an id of no message of the batch, "slow" takes 200 ms.
type sender struct {
	mu            sync.Mutex
	batches       []events.SQSEvent
	raw           []string
	running, peak int
}

func (s *sender) build(func(string) (string, bool), *slog.Logger) (lambda.Handler, error) {
	return s, nil
}

func (s *sender) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var ev events.SQSEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.batches, s.raw = append(s.batches, ev), append(s.raw, string(payload))
	s.running++
	s.peak = max(s.peak, s.running)
	s.mu.Unlock()
	defer func() { s.mu.Lock(); s.running--; s.mu.Unlock() }()
	var out events.SQSEventResponse
	for _, m := range ev.Records {
		switch {
		case m.Body == "crash" || m.Body == "crash-once" && m.Attributes["ApproximateReceiveCount"] == "1":
			return nil, errors.New("crashed on " + m.MessageId)
		case m.Body == "fail":
			out.BatchItemFailures = append(out.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		case m.Body == "bad-id":
			out.BatchItemFailures = append(out.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: "not-of-the-batch"})
		case m.Body == "slow":
			time.Sleep(200 * time.Millisecond)
		}
	}
	return json.Marshal(out)
}

// deliveries counts how many times each body was delivered, and the batches' sizes.
func (s *sender) deliveries() (map[string]int, []int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	count, sizes := map[string]int{}, []int{}
	for _, b := range s.batches {
		sizes = append(sizes, len(b.Records))
		for _, m := range b.Records {
			count[m.Body]++
		}
	}
	return count, sizes
}

func startSender(t *testing.T) (*running, *sender, string) {
	f := &sender{}
	r := start(t, parse(t, senderTemplate), map[string]wire.Builder{"sender": f.build})
	return r, f, r.queueURL(t, "Outbox")
}

func (r *running) sendBatch(t *testing.T, url string, bodies ...string) {
	t.Helper()
	var entries []sqstypes.SendMessageBatchRequestEntry
	for i, b := range bodies {
		entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("e", i)), MessageBody: aws.String(b),
			MessageAttributes: map[string]sqstypes.MessageAttributeValue{"campaign": {DataType: aws.String("String"), StringValue: aws.String("c-1")}}})
	}
	out, err := r.sqs().SendMessageBatch(context.Background(), &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: entries})
	if err != nil || len(out.Failed) != 0 {
		t.Fatalf("SendMessageBatch: %v %+v", err, out)
	}
}

// Seven messages reach the function in batches of BatchSize (3, 3, 1: the batching window
// gathers them), in Lambda's SQS event, and are deleted once handled.
func TestSQSEventSourceBatches(t *testing.T) {
	r, f, url := startSender(t)
	r.sendBatch(t, url, "1", "2", "3", "4", "5", "6", "7")
	r.sb.Idle()
	count, sizes := f.deliveries()
	slices.Sort(sizes)
	if len(count) != 7 || !slices.Equal(sizes, []int{1, 3, 3}) {
		t.Errorf("deliveries %v in batches of %v, want each of 7 once in 1, 3, 3", count, sizes)
	}
	m := f.batches[0].Records[0]
	if m.MessageId == "" || m.ReceiptHandle == "" || m.EventSource != "aws:sqs" || m.EventSourceARN != "arn:aws:sqs:us-east-1:000000000000:Outbox" ||
		m.AWSRegion != "us-east-1" || m.Attributes["ApproximateReceiveCount"] != "1" || m.Attributes["SentTimestamp"] == "" ||
		m.MessageAttributes["campaign"].DataType != "String" || aws.ToString(m.MessageAttributes["campaign"].StringValue) != "c-1" {
		t.Errorf("record %+v", m)
	}
	for _, key := range []string{`"messageId"`, `"receiptHandle"`, `"eventSourceARN"`, `"awsRegion"`, `"stringValue":"c-1"`, `"md5OfBody"`} {
		if !strings.Contains(f.raw[0], key) {
			t.Errorf("the event lacks %s: %s", key, f.raw[0])
		}
	}
	if v, nv := r.queueCounts(t, url); v != "0" || nv != "0" {
		t.Errorf("after the batches: %s visible, %s not visible", v, nv)
	}
}

// With ReportBatchItemFailures only the message the function names comes back, after the
// visibility timeout; a response naming no message of the batch fails the whole batch.
func TestSQSPartialBatchFailureRetriesOnlyTheFailed(t *testing.T) {
	r, f, url := startSender(t)
	r.sendBatch(t, url, "ok", "fail", "also ok")
	r.sb.Idle()
	if v, nv := r.queueCounts(t, url); v != "0" || nv != "1" {
		t.Errorf("after the batch: %s visible, %s not visible; want the failed message alone in flight", v, nv)
	}
	r.sb.Advance(context.Background(), 61*time.Second)
	r.sb.Idle()
	count, sizes := f.deliveries()
	if count["ok"] != 1 || count["also ok"] != 1 || count["fail"] != 2 || !slices.Equal(sizes, []int{3, 1}) {
		t.Errorf("deliveries %v in batches %v; want the failed message alone again", count, sizes)
	}
	if got := f.batches[1].Records[0].Attributes["ApproximateReceiveCount"]; got != "2" {
		t.Errorf("the retry's ApproximateReceiveCount is %s", got)
	}

	r.sendBatch(t, url, "bad-id", "fine")
	r.sb.Idle()
	r.sb.Advance(context.Background(), 61*time.Second)
	r.sb.Idle()
	if count, _ := f.deliveries(); count["fine"] != 2 || count["bad-id"] != 2 {
		t.Errorf("deliveries %v; an unknown itemIdentifier must fail (and retry) the whole batch", count)
	}
}

// A function error leaves the whole batch in flight until the visibility timeout (60 s) has
// passed on the clock, then it comes back.
func TestSQSFunctionErrorRetriesTheBatchAfterTheVisibilityTimeout(t *testing.T) {
	r, f, url := startSender(t)
	r.sendBatch(t, url, "crash-once", "ok")
	r.sb.Idle()
	r.sb.Advance(context.Background(), 30*time.Second)
	r.sb.Idle()
	if count, _ := f.deliveries(); count["ok"] != 1 {
		t.Errorf("before the timeout: deliveries %v", count)
	}
	if v, nv := r.queueCounts(t, url); v != "0" || nv != "2" {
		t.Errorf("before the timeout: %s visible, %s not visible", v, nv)
	}
	r.sb.Advance(context.Background(), 31*time.Second)
	r.sb.Idle()
	if count, sizes := f.deliveries(); count["ok"] != 2 || count["crash-once"] != 2 || !slices.Equal(sizes, []int{2, 2}) {
		t.Errorf("after the timeout: deliveries %v in batches %v", count, sizes)
	}
	if v, nv := r.queueCounts(t, url); v != "0" || nv != "0" {
		t.Errorf("after the retry succeeded: %s visible, %s not visible", v, nv)
	}
}

// A message received maxReceiveCount (2) times moves to the redrive queue, body and
// attributes intact.
func TestSQSPoisonMessageMovesToTheDeadLetterQueue(t *testing.T) {
	r, f, url := startSender(t)
	r.sendBatch(t, url, "crash")
	for range 3 {
		r.sb.Idle()
		r.sb.Advance(context.Background(), 61*time.Second)
	}
	r.sb.Idle()
	if count, _ := f.deliveries(); count["crash"] != 2 {
		t.Errorf("delivered %d times, want maxReceiveCount (2)", count["crash"])
	}
	poison := r.queueURL(t, "Poison")
	got, err := r.sqs().ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &poison, MessageAttributeNames: []string{"All"},
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"DeadLetterQueueSourceArn"}})
	if err != nil || len(got.Messages) != 1 {
		t.Fatalf("the redrive queue: %v %+v", err, got)
	}
	m := got.Messages[0]
	if aws.ToString(m.Body) != "crash" || aws.ToString(m.MessageAttributes["campaign"].StringValue) != "c-1" ||
		m.Attributes["DeadLetterQueueSourceArn"] != "arn:aws:sqs:us-east-1:000000000000:Outbox" {
		t.Errorf("on the redrive queue: %+v", m)
	}
	if dl := r.sb.DeadLetters(); len(dl) != 1 || dl[0].Body != "crash" || !strings.HasSuffix(dl[0].Queue, "/Poison") {
		t.Errorf("dead letters: %+v", dl)
	}
	if v, nv := r.queueCounts(t, url); v != "0" || nv != "0" {
		t.Errorf("the source queue: %s visible, %s not visible", v, nv)
	}
}

// No more than MaximumConcurrency (2) batches run at once, though four are ready.
func TestSQSMaximumConcurrencyBoundsInvocations(t *testing.T) {
	r, f, url := startSender(t)
	r.sendBatch(t, url, slices.Repeat([]string{"slow"}, 10)...)
	r.sb.Idle()
	count, sizes := f.deliveries()
	if count["slow"] != 10 || f.peak != 2 {
		t.Errorf("%d deliveries in batches %v, %d at once; want 10, at most (and here exactly) 2 at once", count["slow"], sizes, f.peak)
	}
}
