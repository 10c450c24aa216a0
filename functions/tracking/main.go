// Command tracking is the Lambda function behind the open pixel and the click redirect
// (see internal/tracking; wiring in internal/functions).
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/functions"
	"shopmail/internal/logs"
)

func main() {
	log := logs.New(os.Stderr, os.Getenv("LOG_LEVEL"), os.Getenv("AWS_LAMBDA_FUNCTION_NAME"))
	h, err := functions.Tracking(os.LookupEnv, log)
	if err != nil {
		log.Error("cannot start", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
