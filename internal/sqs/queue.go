package sqs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Queue is a work queue: messages sent in batches of ten (SendMessageBatch), and received ones
// deferred (ChangeMessageVisibility).
type Queue struct {
	client *sqs.Client
	url    string
}

// NewQueue returns the queue at url, through the SQS client built from cfg.
func NewQueue(cfg aws.Config, url string) *Queue {
	return &Queue{client: sqs.NewFromConfig(cfg), url: url}
}

// sendWorkers is how many batches are sent at once.
const sendWorkers = 8

// Send puts every body on the queue, ten to a request, several requests at once; entries the
// queue failed are sent again (three times), then reported.
func (q *Queue) Send(ctx context.Context, bodies []string) error {
	return q.SendAfter(ctx, 0, bodies)
}

// SendAfter is Send with each message hidden from receivers for d (whole seconds, rounded up;
// SQS allows 15 minutes at most).
func (q *Queue) SendAfter(ctx context.Context, d time.Duration, bodies []string) error {
	delay := seconds(min(d, 15*time.Minute))
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, sendWorkers)
	)
	for start := 0; start < len(bodies); start += 10 {
		batch := bodies[start:min(start+10, len(bodies))]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := q.sendBatch(ctx, batch, delay); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (q *Queue) sendBatch(ctx context.Context, batch []string, delay int32) error {
	for attempt := 0; len(batch) > 0; attempt++ {
		if attempt == 3 {
			return fmt.Errorf("sqs send to %s: %d messages refused", q.url, len(batch))
		}
		entries := make([]types.SendMessageBatchRequestEntry, len(batch))
		for i, b := range batch {
			entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(b), DelaySeconds: delay}
		}
		res, err := q.client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &q.url, Entries: entries})
		if err != nil {
			return fmt.Errorf("sqs send to %s: %w", q.url, err)
		}
		var left []string
		for _, f := range res.Failed {
			if i, err := strconv.Atoi(aws.ToString(f.Id)); err == nil && i < len(batch) {
				if f.SenderFault {
					return fmt.Errorf("sqs send to %s: %s: %s", q.url, aws.ToString(f.Code), aws.ToString(f.Message))
				}
				left = append(left, batch[i])
			}
		}
		batch = left
	}
	return nil
}

// Defer makes a received message visible again after d (SQS allows 12 hours at most).
func (q *Queue) Defer(ctx context.Context, receipt string, d time.Duration) error {
	_, err := q.client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: &q.url, ReceiptHandle: &receipt, VisibilityTimeout: seconds(min(d, 12*time.Hour))})
	if err != nil {
		return fmt.Errorf("sqs change visibility on %s: %w", q.url, err)
	}
	return nil
}

// seconds is d in whole seconds, rounded up: a wait of a fraction of a second made 0 would have
// the message received again at once, over and over until its time (each time counting
// towards the redrive's limit).
func seconds(d time.Duration) int32 {
	if d <= 0 {
		return 0
	}
	return int32((d + time.Second - 1) / time.Second)
}
