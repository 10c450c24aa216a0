// Package answers wires the survey answer pages (functions/answers): DynamoDB, SES,
// EventBridge and the token keys' secret.
package answers

import (
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/eventbridge"
	"shopmail/internal/secrets"
	"shopmail/internal/send"
	"shopmail/internal/ses"
	"shopmail/internal/survey"
	"shopmail/internal/web"
	"shopmail/internal/wire"
)

// Build builds the function's handler from its environment.
func Build(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	cfg, err := survey.LoadConfig(lookup, "SES_CONFIGURATION_SET", "TOKEN_KEYS_SECRET", "EVENT_BUS_NAME")
	if err != nil {
		return nil, err
	}
	b, err := wire.New(lookup, cfg.Table)
	if err != nil {
		return nil, err
	}
	keys, err := secrets.TokenKeys(b.AWS.For("SECRETSMANAGER"), cfg.KeysSecret)
	if err != nil {
		return nil, err
	}
	return &web.Answers{Log: log, Keys: keys, BaseURL: cfg.Links.BaseURL, Answering: &survey.Answering{
		Store: b.Store, Publisher: eventbridge.New(b.AWS.For("EVENTBRIDGE"), cfg.EventBus),
		Sender:    &send.Sender{Ledger: b.Store, Mailer: ses.New(b.AWS.For("SESV2"), cfg.ConfigurationSet), Now: wire.Now},
		Gate:      b.Gate(cfg.From.Email),
		Questions: cfg.Questions, Brand: cfg.Brand, From: cfg.From, Support: cfg.Support,
		PauseMarketing: cfg.PauseMarketing, ReviewURL: cfg.ReviewURL, ChangeWindow: 24 * time.Hour, Now: wire.Now,
		Apology: cfg.Apology, Coupons: b.Store, AskNext: cfg.AskNext,
	}}, nil
}
