// Package carts wires the function that plans cart reminders from the shop's cart and order
// events (functions/carts): DynamoDB, EventBridge Scheduler and the dead-letter queue.
package carts

import (
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/cart"
	"shopmail/internal/lambdaevent"
	"shopmail/internal/schedules"
	"shopmail/internal/sqs"
	"shopmail/internal/wire"
)

// Build builds the function's handler from its environment.
func Build(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	cfg, err := cart.LoadConfig(lookup, false)
	if err != nil {
		return nil, err
	}
	b, err := wire.New(lookup, cfg.Table)
	if err != nil {
		return nil, err
	}
	return lambdaevent.Carts(&cart.Planner{
		Config: cfg.Config, Store: b.Store, Now: wire.Now,
		Scheduler: schedules.New(b.AWS.For("SCHEDULER"), cfg.ScheduleGroup, cfg.TargetARN, cfg.RoleARN, ""),
	}, sqs.New(b.AWS.For("SQS"), cfg.DeadLetterQueueURL), log), nil
}
