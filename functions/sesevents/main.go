// Command sesevents is the Lambda function that ingests SES events: send timelines,
// suppression and the reputation guard (see internal/deliverability).
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/functions"
	"shopmail/internal/logs"
)

func main() {
	log := logs.New(os.Stderr, os.Getenv("LOG_LEVEL"), os.Getenv("AWS_LAMBDA_FUNCTION_NAME"))
	h, err := functions.SESEvents(os.LookupEnv, log)
	if err != nil {
		log.Error("cannot start", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
