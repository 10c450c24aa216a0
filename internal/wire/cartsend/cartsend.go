// Package cartsend wires the function that sends a cart's reminder when its schedule fires
// (functions/cartsend): DynamoDB, SES, the token keys' secret and the dead-letter queue.
package cartsend

import (
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/cart"
	"shopmail/internal/lambdaevent"
	"shopmail/internal/secrets"
	"shopmail/internal/send"
	"shopmail/internal/ses"
	"shopmail/internal/sqs"
	"shopmail/internal/wire"
)

// Build builds the function's handler from its environment.
func Build(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	cfg, err := cart.LoadConfig(lookup, true)
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
	return lambdaevent.CartSend(&cart.Sending{
		Config: cfg.Config, Store: b.Store, Coupons: b.Store, Now: wire.Now,
		Sender: &send.Sender{Ledger: b.Store, Mailer: ses.New(b.AWS.For("SESV2"), cfg.ConfigurationSet), Now: wire.Now},
		Gate:   b.Gate(cfg.From.Email),
	}, sqs.New(b.AWS.For("SQS"), cfg.DeadLetterQueueURL), log), nil
}
