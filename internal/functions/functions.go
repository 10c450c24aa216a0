// Package functions builds each Lambda function's handler from its environment alone, with the
// real AWS adapters: the functions' main packages call it under Lambda, and the local sandbox
// calls it in-process with an environment that points the adapters at its own endpoint, so
// both run the same wiring. Each builder is referenced only by its own main package (and the
// sandbox), so a function's binary links only the AWS clients it uses.
package functions

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/awsenv"
	"shopmail/internal/deliverability"
	"shopmail/internal/dynamo"
	"shopmail/internal/env"
	"shopmail/internal/eventbridge"
	"shopmail/internal/logs"
	"shopmail/internal/preferences"
	"shopmail/internal/scheduler"
	"shopmail/internal/secrets"
	"shopmail/internal/send"
	"shopmail/internal/ses"
	"shopmail/internal/sqs"
	"shopmail/internal/survey"
	"shopmail/internal/thankyou"
	"shopmail/internal/token"
	"shopmail/internal/tracking"
)

// Builder builds a function's handler from an environment lookup.
type Builder func(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error)

// base is what every function starts from: its AWS environment and the table.
type base struct {
	aws   awsenv.Environment
	store *dynamo.Store
}

func start(lookup func(string) (string, bool), table string) (base, error) {
	aws, err := awsenv.Load(lookup)
	if err != nil {
		return base{}, err
	}
	return base{aws: aws, store: dynamo.New(dynamo.NewClient(aws.For("DYNAMODB")), table, time.Now)}, nil
}

// keys reads the link tokens' keys from the secret, once, at start. (Only the functions that
// call it link the Secrets Manager client.)
func (b base) keys(secret string) (*token.Keys, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return secrets.TokenKeys(ctx, b.aws.For("SECRETSMANAGER"), secret)
}

// sender sends through SES with the configuration set, via the store's ledger.
func (b base) sender(configurationSet string) *send.Sender {
	return &send.Sender{Ledger: b.store, Mailer: ses.New(b.aws.For("SESV2"), configurationSet), Now: time.Now}
}

// gate is the check before every send, for mail from the sender address.
func (b base) gate(from string) *deliverability.Gate {
	return &deliverability.Gate{Suppressions: b.store, States: b.store, Sender: from, Now: time.Now}
}

// ThankYou builds the thank-you function (functions/thankyou).
func ThankYou(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	cfg, err := thankyou.LoadConfig(lookup)
	if err != nil {
		return nil, err
	}
	b, err := start(lookup, cfg.Table)
	if err != nil {
		return nil, err
	}
	if cfg.Links.Keys, err = b.keys(cfg.KeysSecret); err != nil {
		return nil, err
	}
	return thankyou.New(cfg, thankyou.Deps{
		Store:       b.store,
		Mailer:      ses.New(b.aws.For("SESV2"), cfg.ConfigurationSet),
		DeadLetters: sqs.New(b.aws.For("SQS"), cfg.DeadLetterQueueURL),
		Now:         time.Now,
		Log:         log,
	})
}

// Tracking builds the open pixel and click redirect function (functions/tracking).
func Tracking(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	cfg, err := tracking.LoadConfig(lookup)
	if err != nil {
		return nil, err
	}
	b, err := start(lookup, cfg.Table)
	if err != nil {
		return nil, err
	}
	keys, err := b.keys(cfg.Links.KeysSecret)
	if err != nil {
		return nil, err
	}
	return &tracking.Handler{Log: log, Service: &tracking.Service{
		Store: b.store,
		Keys:  keys, ShopURL: cfg.ShopURL, Retention: cfg.Links.Tracking, Now: time.Now,
	}}, nil
}

// Preferences builds the unsubscribe, preference-centre and subscription function
// (functions/preferences).
func Preferences(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	cfg, err := preferences.LoadConfig(lookup)
	if err != nil {
		return nil, err
	}
	b, err := start(lookup, cfg.Table)
	if err != nil {
		return nil, err
	}
	if cfg.Links.Keys, err = b.keys(cfg.Links.KeysSecret); err != nil {
		return nil, err
	}
	return &preferences.Handler{Log: log, Service: &preferences.Service{
		Store: b.store, Publisher: eventbridge.New(b.aws.For("EVENTBRIDGE"), cfg.EventBus),
		Sender: b.sender(cfg.ConfigurationSet),
		Gate:   b.gate(cfg.From.Email),
		Links:  cfg.Links.Config, Brand: cfg.Brand, From: cfg.From, Now: time.Now,
	}}, nil
}

// SESEvents builds the SES event ingestion function (functions/sesevents).
func SESEvents(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	cfg, err := deliverability.LoadConfig(lookup)
	if err != nil {
		return nil, err
	}
	b, err := start(lookup, cfg.Table)
	if err != nil {
		return nil, err
	}
	return &deliverability.Handler{Log: log, DeadLetters: sqs.New(b.aws.For("SQS"), cfg.DeadLetterQueueURL),
		Ingest: &deliverability.Ingest{
			Store:     b.store,
			Publisher: eventbridge.New(b.aws.For("EVENTBRIDGE"), cfg.EventBus),
			Policy:    cfg.Policy, Retention: cfg.Retention,
			SoftBounceLimit: 3, SoftBounceWindow: 30 * 24 * time.Hour, Now: time.Now,
		}}, nil
}

// Surveys builds the function that plans surveys from order events (functions/surveys).
func Surveys(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	cfg, err := survey.LoadConfig(lookup, "DEAD_LETTER_QUEUE_URL", "SURVEY_TARGET_ARN")
	if err != nil {
		return nil, err
	}
	b, err := start(lookup, cfg.Table)
	if err != nil {
		return nil, err
	}
	return &survey.Handler{Log: log, DeadLetters: sqs.New(b.aws.For("SQS"), cfg.DeadLetterQueueURL), Planner: &survey.Planner{
		Config: cfg.Config, Store: b.store,
		Scheduler: scheduler.New(b.aws.For("SCHEDULER"), cfg.ScheduleGroup, cfg.TargetARN, cfg.RoleARN, ""), Now: time.Now,
	}}, nil
}

// SurveySend builds the function that sends a survey when its schedule fires
// (functions/surveysend).
func SurveySend(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	cfg, err := survey.LoadConfig(lookup, "DEAD_LETTER_QUEUE_URL", "SES_CONFIGURATION_SET", "TOKEN_KEYS_SECRET")
	if err != nil {
		return nil, err
	}
	b, err := start(lookup, cfg.Table)
	if err != nil {
		return nil, err
	}
	if cfg.Links.Keys, err = b.keys(cfg.KeysSecret); err != nil {
		return nil, err
	}
	return &survey.Handler{Log: log, DeadLetters: sqs.New(b.aws.For("SQS"), cfg.DeadLetterQueueURL), Planner: &survey.Planner{
		Config: cfg.Config, Store: b.store, Now: time.Now,
		Sender: b.sender(cfg.ConfigurationSet),
		Gate:   b.gate(cfg.From.Email),
	}}, nil
}

// Answers builds the survey answer pages (functions/answers).
func Answers(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	cfg, err := survey.LoadConfig(lookup, "SES_CONFIGURATION_SET", "TOKEN_KEYS_SECRET", "EVENT_BUS_NAME")
	if err != nil {
		return nil, err
	}
	b, err := start(lookup, cfg.Table)
	if err != nil {
		return nil, err
	}
	keys, err := b.keys(cfg.KeysSecret)
	if err != nil {
		return nil, err
	}
	return &survey.AnswerHandler{Log: log, Keys: keys, BaseURL: cfg.Links.BaseURL, Answering: &survey.Answering{
		Store: b.store, Publisher: eventbridge.New(b.aws.For("EVENTBRIDGE"), cfg.EventBus),
		Sender:    b.sender(cfg.ConfigurationSet),
		Questions: cfg.Questions, Brand: cfg.Brand, From: cfg.From, Support: cfg.Support,
		PauseMarketing: cfg.PauseMarketing, ReviewURL: cfg.ReviewURL, ChangeWindow: 24 * time.Hour, Now: time.Now,
		Apology: cfg.Apology, Coupons: b.store,
	}}, nil
}

// Reports builds the marketer API's reports (functions/reports).
func Reports(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	r := env.New(lookup)
	table := r.String("TABLE_NAME")
	if err := r.Err(); err != nil {
		return nil, err
	}
	b, err := start(lookup, table)
	if err != nil {
		return nil, err
	}
	return &survey.ResultsHandler{Log: log, Now: time.Now, Store: b.store}, nil
}

// Start runs a function under Lambda: its logger, its handler built from the environment
// (a function that cannot start says why and exits), and the Lambda runtime loop.
func Start(build Builder) {
	log := logs.New(os.Stderr, os.Getenv("LOG_LEVEL"), os.Getenv("AWS_LAMBDA_FUNCTION_NAME"))
	h, err := build(os.LookupEnv, log)
	if err != nil {
		log.Error("cannot start", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
