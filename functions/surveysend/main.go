// Command surveysend is the Lambda function EventBridge Scheduler invokes when a survey is
// due: it sends the survey email (see internal/survey).
package main

import (
	"os"
	_ "time/tzdata" // contacts' time zones, whatever the runtime image ships

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/functions"
	"shopmail/internal/logs"
)

func main() {
	log := logs.New(os.Stderr, os.Getenv("LOG_LEVEL"), os.Getenv("AWS_LAMBDA_FUNCTION_NAME"))
	h, err := functions.SurveySend(os.LookupEnv, log)
	if err != nil {
		log.Error("cannot start", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
