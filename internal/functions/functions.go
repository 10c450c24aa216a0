// Package functions builds each Lambda function's handler from its environment alone, with the
// real AWS adapters: the functions' main packages call it under Lambda, and the local sandbox
// calls it in-process with an environment that points the adapters at its own endpoint, so
// both run the same wiring. Each builder is referenced only by its own main package (and the
// sandbox), so a function's binary links only the AWS clients it uses.
package functions

import (
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/awsenv"
	"shopmail/internal/dynamo"
	"shopmail/internal/ses"
	"shopmail/internal/sqs"
	"shopmail/internal/thankyou"
)

// Builder builds a function's handler from an environment lookup.
type Builder func(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error)

// ThankYou builds the thank-you function (functions/thankyou).
func ThankYou(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	cfg, err := thankyou.LoadConfig(lookup)
	if err != nil {
		return nil, err
	}
	aws, err := awsenv.Load(lookup)
	if err != nil {
		return nil, err
	}
	return thankyou.New(cfg, thankyou.Deps{
		Store:       dynamo.New(dynamo.NewClient(aws.For("DYNAMODB")), cfg.Table, time.Now),
		Mailer:      ses.New(aws.For("SESV2"), cfg.ConfigurationSet),
		DeadLetters: sqs.New(aws.For("SQS"), cfg.DeadLetterQueueURL),
		Now:         time.Now,
		Log:         log,
	})
}
