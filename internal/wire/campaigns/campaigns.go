// Package campaigns wires the marketer API's campaigns (functions/campaigns): DynamoDB,
// EventBridge Scheduler (the campaigns' start), the campaign queue (resume, retry) and SES
// (test sends only).
package campaigns

import (
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/campaigns"
	"shopmail/internal/dynamo"
	"shopmail/internal/env"
	"shopmail/internal/render"
	"shopmail/internal/schedules"
	"shopmail/internal/ses"
	"shopmail/internal/sqs"
	"shopmail/internal/web/campaignsapi"
	"shopmail/internal/wire"
)

// Build builds the function's handler from its environment.
func Build(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	r := env.New(lookup)
	table := r.String("TABLE_NAME")
	shop, from := render.LoadBrand(r)
	configSet, queue := r.String("SES_CONFIGURATION_SET"), r.String("CAMPAIGN_QUEUE_URL")
	target, role, group := r.String("CAMPAIGN_TARGET_ARN"), r.String("SCHEDULER_ROLE_ARN"), r.Optional("SCHEDULE_GROUP", "default")
	if err := r.Err(); err != nil {
		return nil, err
	}
	b, err := wire.New(lookup, table)
	if err != nil {
		return nil, err
	}
	store := &dynamo.Marketing{Store: b.Store}
	svc := &campaigns.Service{Store: store, Runs: store, Shop: shop, From: from, Now: time.Now,
		Sending: campaigns.Sending{
			Scheduler: schedules.New(b.AWS.For("SCHEDULER"), group, target, role, ""),
			Queue:     sqs.NewQueue(b.AWS.For("SQS"), queue),
			Mailer:    ses.New(b.AWS.For("SESV2"), configSet),
		}}
	return &campaignsapi.Campaigns{Service: svc, Log: log}, nil
}
