// Package wire starts a Lambda function: what every function's wiring shares (its logger, its
// AWS environment, the table, the check before a send). Each function has its own wiring
// package under wire/ (wire/thankyou, wire/tracking...), used by its main package under Lambda
// and by the local sandbox in-process, so that both run the same code and each binary links
// only the AWS clients its function calls (TestFunctionsLinkWhatTheirPolicyAllows). This
// package links DynamoDB only, which every function uses.
package wire

import (
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/awsenv"
	"shopmail/internal/deliverability"
	"shopmail/internal/dynamo"
	"shopmail/internal/logs"
)

// Builder builds a function's handler from an environment lookup.
type Builder func(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error)

// Base is what every function starts from: its AWS environment and the table.
type Base struct {
	AWS   awsenv.Environment
	Store *dynamo.Store
}

// New reads the AWS environment and opens the table.
func New(lookup func(string) (string, bool), table string) (Base, error) {
	aws, err := awsenv.Load(lookup)
	if err != nil {
		return Base{}, err
	}
	return Base{AWS: aws, Store: dynamo.New(dynamo.NewClient(aws.For("DYNAMODB")), table, time.Now)}, nil
}

// Gate is the check before every send, for mail from the sender address.
func (b Base) Gate(from string) *deliverability.Gate {
	return &deliverability.Gate{Suppressions: b.Store, States: b.Store, Sender: from, Now: time.Now}
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
