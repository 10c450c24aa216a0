// Package loyalty wires the loyalty function (functions/loyalty): DynamoDB, the dead-letter
// queue, and for the prize draw's winner SES and the token keys' secret.
package loyalty

import (
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/deliverability"
	"shopmail/internal/dynamo"
	"shopmail/internal/env"
	"shopmail/internal/lambdaevent"
	"shopmail/internal/links"
	"shopmail/internal/loyalty"
	"shopmail/internal/loyalty/winner"
	"shopmail/internal/render"
	"shopmail/internal/secrets"
	"shopmail/internal/send"
	"shopmail/internal/ses"
	"shopmail/internal/sqs"
	"shopmail/internal/wire"
)

// Build builds the function's handler from its environment.
func Build(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	r := env.New(lookup)
	table, dlq, configSet := r.String("TABLE_NAME"), r.String("DEAD_LETTER_QUEUE_URL"), r.String("SES_CONFIGURATION_SET")
	cfg := loyalty.Load(r)
	brand, from := render.LoadBrand(r)
	ls := links.Load(r)
	prize := map[string]string{"en": r.Optional("PRIZE_DRAW_PRIZE", "")}
	if fa := r.Optional("PRIZE_DRAW_PRIZE_FA", ""); fa != "" {
		prize["fa"] = fa
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	b, err := wire.New(lookup, table)
	if err != nil {
		return nil, err
	}
	svc := &loyalty.Service{Config: cfg, Store: b.Store, Contacts: b.Store, Now: wire.Now}
	var drawing *loyalty.Drawing
	if prize["en"] != "" {
		if ls.Config.Keys, err = secrets.TokenKeys(b.AWS.For("SECRETSMANAGER"), ls.KeysSecret); err != nil {
			return nil, err
		}
		n := &winner.Notifier{
			Config:   winner.Config{Brand: brand, From: from, Links: ls.Config, Prize: prize},
			Contacts: b.Store, Now: wire.Now,
			Sender: &send.Sender{Ledger: b.Store, Mailer: ses.New(b.AWS.For("SESV2"), configSet), Now: wire.Now},
			Gate:   &deliverability.Gate{Suppressions: b.Store, States: b.Store, Sender: from.Email, Now: wire.Now},
		}
		drawing = &loyalty.Drawing{Store: b.Store, Profiles: &dynamo.Marketing{Store: b.Store}, Notify: n.Notify, Now: wire.Now}
	}
	return lambdaevent.Loyalty(svc, drawing, sqs.New(b.AWS.For("SQS"), dlq), log), nil
}
