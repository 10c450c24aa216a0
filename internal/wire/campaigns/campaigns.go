// Package campaigns wires the marketer API's campaigns and occasion calendar (functions/campaigns): DynamoDB,
// EventBridge Scheduler (the campaigns' start), the campaign queue (resume, retry) and SES
// (test sends only).
package campaigns

import (
	"context"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/campaigns"
	"shopmail/internal/dynamo"
	"shopmail/internal/env"
	"shopmail/internal/occasions"
	"shopmail/internal/render"
	"shopmail/internal/schedules"
	"shopmail/internal/ses"
	"shopmail/internal/sqs"
	"shopmail/internal/web"
	"shopmail/internal/web/campaignsapi"
	"shopmail/internal/web/occasionsapi"
	"shopmail/internal/wire"
)

// Build builds the function's handler from its environment.
func Build(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	r := env.New(lookup)
	table := r.String("TABLE_NAME")
	shop, from := render.LoadBrand(r)
	configSet, queue := r.String("SES_CONFIGURATION_SET"), r.String("CAMPAIGN_QUEUE_URL")
	target, role, group := r.String("CAMPAIGN_TARGET_ARN"), r.String("SCHEDULER_ROLE_ARN"), r.Optional("SCHEDULE_GROUP", "default")
	tzName := r.Optional("SHOP_TIMEZONE", "UTC")
	tz, tzErr := render.Location(tzName)
	r.Check(tzErr == nil, "SHOP_TIMEZONE", "is not an IANA time zone, e.g. Asia/Tehran")
	if err := r.Err(); err != nil {
		return nil, err
	}
	b, err := wire.New(lookup, table)
	if err != nil {
		return nil, err
	}
	store := &dynamo.Marketing{Store: b.Store}
	svc := &campaigns.Service{Store: store, Runs: store, Shop: shop, From: from, Now: wire.Now,
		Sending: campaigns.Sending{
			Scheduler: schedules.New(b.AWS.For("SCHEDULER"), group, target, role, ""),
			Queue:     sqs.NewQueue(b.AWS.For("SQS"), queue),
			Mailer:    ses.New(b.AWS.For("SESV2"), configSet),
		}}
	occ := &occasionsapi.Occasions{Service: &occasions.Service{Store: store, Timezone: tz, Now: wire.Now}, Log: log}
	svc.DaysOff = occ.Service
	return &api{campaigns: &campaignsapi.Campaigns{Service: svc, Log: log}, occasions: occ}, nil
}

// api routes the function's requests: the occasion calendar's, the campaigns'.
type api struct {
	campaigns *campaignsapi.Campaigns
	occasions *occasionsapi.Occasions
}

// Invoke implements lambda.Handler.
func (a *api) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return web.Invoke(ctx, func(ctx context.Context, r web.Request) web.Response {
		if _, path, _ := strings.Cut(r.RouteKey, " "); strings.HasPrefix(path, "/occasions") {
			return a.occasions.Serve(ctx, r)
		}
		return a.campaigns.Serve(ctx, r)
	}, payload)
}
