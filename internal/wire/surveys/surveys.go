// Package surveys wires the function that plans surveys from order events
// (functions/surveys): DynamoDB, EventBridge Scheduler and the dead-letter queue.
package surveys

import (
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/lambdaevent"
	"shopmail/internal/schedules"
	"shopmail/internal/sqs"
	"shopmail/internal/survey"
	"shopmail/internal/wire"
)

// Build builds the function's handler from its environment.
func Build(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	cfg, err := survey.LoadConfig(lookup, "DEAD_LETTER_QUEUE_URL", "SURVEY_TARGET_ARN")
	if err != nil {
		return nil, err
	}
	b, err := wire.New(lookup, cfg.Table)
	if err != nil {
		return nil, err
	}
	return lambdaevent.Surveys(&survey.Planner{
		Config: cfg.Config, Store: b.Store,
		Scheduler: schedules.New(b.AWS.For("SCHEDULER"), cfg.ScheduleGroup, cfg.TargetARN, cfg.RoleARN, ""), Now: wire.Now,
	}, sqs.New(b.AWS.For("SQS"), cfg.DeadLetterQueueURL), log), nil
}
