// Package sesevents wires the SES event ingestion function (functions/sesevents): DynamoDB,
// EventBridge and the dead-letter queue.
package sesevents

import (
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/deliverability"
	"shopmail/internal/eventbridge"
	"shopmail/internal/lambdaevent"
	"shopmail/internal/sqs"
	"shopmail/internal/wire"
)

// Build builds the function's handler from its environment.
func Build(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	cfg, err := deliverability.LoadConfig(lookup)
	if err != nil {
		return nil, err
	}
	b, err := wire.New(lookup, cfg.Table)
	if err != nil {
		return nil, err
	}
	return lambdaevent.SESEvents(&deliverability.Ingest{
		Store:     b.Store,
		Publisher: eventbridge.New(b.AWS.For("EVENTBRIDGE"), cfg.EventBus),
		Policy:    cfg.Policy, Retention: cfg.Retention,
		SoftBounceLimit: 3, SoftBounceWindow: 30 * 24 * time.Hour, Now: wire.Now,
	}, sqs.New(b.AWS.For("SQS"), cfg.DeadLetterQueueURL), log), nil
}
