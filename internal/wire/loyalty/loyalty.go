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
	"shopmail/internal/loyalty/mail"
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
	profiles := &dynamo.Marketing{Store: b.Store}
	sweep := &loyalty.Sweep{Service: svc, Profiles: profiles}
	var drawing *loyalty.Drawing
	if prize["en"] != "" || cfg.ExpiryMonths > 0 {
		// Both send email: the winner's, and the reminder before points expire.
		if ls.Config.Keys, err = secrets.TokenKeys(b.AWS.For("SECRETSMANAGER"), ls.KeysSecret); err != nil {
			return nil, err
		}
		m := &mail.Mailer{
			Config:   mail.Config{Brand: brand, From: from, Links: ls.Config, Prize: prize},
			Contacts: b.Store, Now: wire.Now,
			Sender: &send.Sender{Ledger: b.Store, Mailer: ses.New(b.AWS.For("SESV2"), configSet), Now: wire.Now},
			Gate:   &deliverability.Gate{Suppressions: b.Store, States: b.Store, Sender: from.Email, Now: wire.Now},
		}
		sweep.Remind = m.Remind
		if prize["en"] != "" {
			drawing = &loyalty.Drawing{Store: b.Store, Profiles: profiles, Notify: m.Notify, Now: wire.Now}
		}
	}
	return lambdaevent.Loyalty(svc, drawing, sweep, sqs.New(b.AWS.For("SQS"), dlq), log), nil
}
