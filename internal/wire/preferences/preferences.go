// Package preferences wires the unsubscribe, preference-centre and subscription function
// (functions/preferences): DynamoDB, SES, EventBridge, the dead-letter queue and the token
// keys' secret.
package preferences

import (
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/eventbridge"
	"shopmail/internal/lambdaevent"
	"shopmail/internal/preferences"
	"shopmail/internal/secrets"
	"shopmail/internal/send"
	"shopmail/internal/ses"
	"shopmail/internal/sqs"
	"shopmail/internal/web"
	"shopmail/internal/wire"
)

// Build builds the function's handler from its environment.
func Build(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	cfg, err := preferences.LoadConfig(lookup)
	if err != nil {
		return nil, err
	}
	b, err := wire.New(lookup, cfg.Table)
	if err != nil {
		return nil, err
	}
	if cfg.Links.Keys, err = secrets.TokenKeys(b.AWS.For("SECRETSMANAGER"), cfg.Links.KeysSecret); err != nil {
		return nil, err
	}
	svc := &preferences.Service{
		Store: b.Store, Limits: cfg.Limits, Publisher: eventbridge.New(b.AWS.For("EVENTBRIDGE"), cfg.EventBus),
		Sender: &send.Sender{Ledger: b.Store, Mailer: ses.New(b.AWS.For("SESV2"), cfg.ConfigurationSet), Now: wire.Now},
		Gate:   b.Gate(cfg.From.Email),
		Links:  cfg.Links.Config, Brand: cfg.Brand, From: cfg.From, Now: wire.Now,
	}
	dead := sqs.New(b.AWS.For("SQS"), cfg.DeadLetterQueueURL)
	return &web.Preferences{Log: log, Service: svc, Events: lambdaevent.Subscriptions(svc, dead, log)}, nil
}
