// Package loyalty wires the loyalty function (functions/loyalty): DynamoDB and the dead-letter
// queue.
package loyalty

import (
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/env"
	"shopmail/internal/lambdaevent"
	"shopmail/internal/loyalty"
	"shopmail/internal/sqs"
	"shopmail/internal/wire"
)

// Build builds the function's handler from its environment.
func Build(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	r := env.New(lookup)
	table, dlq := r.String("TABLE_NAME"), r.String("DEAD_LETTER_QUEUE_URL")
	cfg := loyalty.Load(r)
	if err := r.Err(); err != nil {
		return nil, err
	}
	b, err := wire.New(lookup, table)
	if err != nil {
		return nil, err
	}
	svc := &loyalty.Service{Config: cfg, Store: b.Store, Contacts: b.Store, Now: wire.Now}
	return lambdaevent.Loyalty(svc, sqs.New(b.AWS.For("SQS"), dlq), log), nil
}
