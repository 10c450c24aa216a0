// Command thankyou is the Lambda function that sends the thank-you email for each
// `Order Placed` event (see internal/thankyou).
package main

import (
	"log/slog"
	"os"
	"time"
	_ "time/tzdata" // contacts' time zones, whatever the runtime image ships

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/awsenv"
	"shopmail/internal/dynamo"
	"shopmail/internal/logs"
	"shopmail/internal/ses"
	"shopmail/internal/sqs"
	"shopmail/internal/thankyou"
)

func main() {
	log := logs.New(os.Stderr, os.Getenv("LOG_LEVEL"), os.Getenv("AWS_LAMBDA_FUNCTION_NAME"))
	h, err := build(log)
	if err != nil {
		log.Error("cannot start", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}

func build(log *slog.Logger) (*thankyou.Handler, error) {
	cfg, err := thankyou.LoadConfig(os.LookupEnv)
	if err != nil {
		return nil, err
	}
	aws, err := awsenv.Load(os.LookupEnv)
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
