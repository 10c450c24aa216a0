// Package campaignsend wires the campaign sender (functions/campaignsend): DynamoDB, SES, the
// campaign queue and the token keys' secret. Its events (Campaign Started, Completed, Blocked)
// are written to the outbox with the change that owes them and published by the outbox's
// flush (the SES-events function, every 5 minutes): an EventBridge client would take the
// binary past its size budget.
package campaignsend

import (
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/dynamo"
	"shopmail/internal/fanout"
	"shopmail/internal/lambdaevent/campaignevents"
	"shopmail/internal/occasion"
	"shopmail/internal/pace"
	"shopmail/internal/secrets"
	"shopmail/internal/send"
	"shopmail/internal/ses"
	"shopmail/internal/sqs"
	"shopmail/internal/wire"
)

// Build builds the function's handler from its environment.
func Build(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	cfg, err := fanout.LoadConfig(lookup)
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
	// Throttled sends go back to the queue for a second or two (the budget keeps them rare)
	// rather than holding their batch.
	mailer := ses.New(b.AWS.For("SESV2"), cfg.ConfigurationSet, ses.WithOneRound(), ses.WithMaxAttempts(3), ses.WithBackoff(50*time.Millisecond, 500*time.Millisecond))
	store := &dynamo.Marketing{Store: b.Store}
	svc := &fanout.Service{
		Config: cfg.Config, Store: store, Queue: sqs.NewQueue(b.AWS.For("SQS"), cfg.QueueURL),
		Sender: &send.Sender{Ledger: b.Store, Mailer: mailer, Now: wire.Now}, Gate: b.Gate(cfg.From.Email),
		// Every campaign from the sender address shares one budget.
		Budget: &pace.Budget{Timeline: b.Store, Name: cfg.From.Email, Now: wire.Now},
		Rates:  mailer.Rates(), Log: log, Now: wire.Now,
		// Days without promotion: an occasion switched on reaches the senders within 5 minutes.
		Calendar: &occasion.Cached{Store: store, For: 5 * time.Minute, Now: wire.Now},
	}
	return &campaignevents.Campaigns{Service: svc, DeadLetters: sqs.New(b.AWS.For("SQS"), cfg.DeadLetterQueueURL), Log: log}, nil
}
