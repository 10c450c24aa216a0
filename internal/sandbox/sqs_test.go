package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
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
