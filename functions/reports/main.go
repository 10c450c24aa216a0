// Command reports is the marketer API's reports function: survey results (see internal/survey).
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/functions"
	"shopmail/internal/logs"
)

func main() {
	log := logs.New(os.Stderr, os.Getenv("LOG_LEVEL"), os.Getenv("AWS_LAMBDA_FUNCTION_NAME"))
	h, err := functions.Reports(os.LookupEnv, log)
	if err != nil {
		log.Error("cannot start", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
