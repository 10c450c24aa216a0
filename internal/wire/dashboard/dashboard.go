// Package dashboard wires the marketers' web dashboard (functions/dashboard): DynamoDB, the
// token keys (Secrets Manager: the session cookie is signed with them), EventBridge Scheduler
// (a campaign's start), the campaign queue (resume, retry) and SES (test sends only), the same
// services the marketer API's campaigns, contacts, occasions and reports functions build.
package dashboard

import (
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/campaigns"
	"shopmail/internal/contacts"
	"shopmail/internal/dynamo"
	"shopmail/internal/env"
	"shopmail/internal/loyalty"
	"shopmail/internal/occasions"
	"shopmail/internal/render"
	"shopmail/internal/schedules"
	"shopmail/internal/secrets"
	"shopmail/internal/ses"
	"shopmail/internal/sqs"
	"shopmail/internal/survey"
	"shopmail/internal/web/dashboard"
	"shopmail/internal/wire"
)

// Build builds the function's handler from its environment.
func Build(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	r := env.New(lookup)
	table, keysSecret, publicURL := r.String("TABLE_NAME"), r.String("TOKEN_KEYS_SECRET"), r.String("PUBLIC_URL")
	shop, from := render.LoadBrand(r)
	configSet, queue := r.String("SES_CONFIGURATION_SET"), r.String("CAMPAIGN_QUEUE_URL")
	target, role, group := r.String("CAMPAIGN_TARGET_ARN"), r.String("SCHEDULER_ROLE_ARN"), r.Optional("SCHEDULE_GROUP", "default")
	issuer, client, discovery := r.String("OIDC_ISSUER"), r.String("OIDC_CLIENT_ID"), r.Optional("OIDC_DISCOVERY_URL", "")
	tzName := r.Optional("SHOP_TIMEZONE", "UTC")
	tz, tzErr := render.Location(tzName)
	r.Check(tzErr == nil, "SHOP_TIMEZONE", "is not an IANA time zone, e.g. Asia/Tehran")
	programme := loyalty.Load(r)
	if err := r.Err(); err != nil {
		return nil, err
	}
	b, err := wire.New(lookup, table)
	if err != nil {
		return nil, err
	}
	keys, err := secrets.TokenKeys(b.AWS.For("SECRETSMANAGER"), keysSecret)
	if err != nil {
		return nil, err
	}
	store := &dynamo.Marketing{Store: b.Store}
	occ := &occasions.Service{Store: store, Timezone: tz, Now: wire.Now}
	camp := &campaigns.Service{Store: store, Runs: store, Shop: shop, From: from, Now: wire.Now, DaysOff: occ,
		Sending: campaigns.Sending{
			Scheduler: schedules.New(b.AWS.For("SCHEDULER"), group, target, role, ""),
			Queue:     sqs.NewQueue(b.AWS.For("SQS"), queue),
			Mailer:    ses.New(b.AWS.For("SESV2"), configSet),
		}}
	return &dashboard.Dashboard{
		Campaigns: camp,
		Contacts:  &contacts.Service{Store: store, Segments: store, Profiles: store, Pages: store, Ledger: store, Programme: programme, ShopURL: shop.ShopURL, Now: wire.Now},
		Occasions: occ, Surveys: &survey.Reporter{Store: b.Store}, Answers: b.Store, FollowUps: b.Store, Hours: store,
		Reputation: b.Store, Draws: b.Store, Carts: b.Store, Sender: from.Email,
		Keys: keys, Auth: &dashboard.OIDC{Issuer: issuer, ClientID: client, Discovery: discovery},
		BaseURL: publicURL, Timezone: tz, Now: wire.Now, Log: log,
	}, nil
}
