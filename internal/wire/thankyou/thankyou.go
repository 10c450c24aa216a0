// Package thankyou wires the thank-you function (functions/thankyou): DynamoDB, SES, the
// dead-letter queue and the token keys' secret.
package thankyou

import (
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/lambdaevent"
	"shopmail/internal/secrets"
	"shopmail/internal/send"
	"shopmail/internal/ses"
	"shopmail/internal/sqs"
	"shopmail/internal/thankyou"
	"shopmail/internal/wire"
)

// Build builds the function's handler from its environment.
func Build(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	cfg, err := thankyou.LoadConfig(lookup)
	if err != nil {
		return nil, err
	}
	b, err := wire.New(lookup, cfg.Table)
	if err != nil {
		return nil, err
	}
	if cfg.Links.Keys, err = secrets.TokenKeys(b.AWS.For("SECRETSMANAGER"), cfg.KeysSecret); err != nil {
		return nil, err
	}
	mailer := ses.New(b.AWS.For("SESV2"), cfg.ConfigurationSet)
	svc, err := thankyou.New(cfg, thankyou.Deps{Store: b.Store, Mailer: mailer, Now: wire.Now})
	if err != nil {
		return nil, err
	}
	sweeper := &send.Sweeper{Ledger: b.Store, Mailer: mailer, Now: wire.Now}
	return lambdaevent.ThankYou(svc, sweeper, sqs.New(b.AWS.For("SQS"), cfg.DeadLetterQueueURL), log), nil
}
