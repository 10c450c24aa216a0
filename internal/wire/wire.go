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
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/awsenv"
	"shopmail/internal/deliverability"
	"shopmail/internal/dynamo"
	"shopmail/internal/logs"
)

// clock is the functions' time: time.Now under Lambda.
var clock atomic.Pointer[func() time.Time]

// Now is the time every function's wiring gives its services: time.Now under Lambda. The
// sandbox, which runs the functions in its own process, sets it to its clock (SetClock), so
// that when a developer moves the clock forward the functions live at that time, as the
// schedules do: the survey due in three days is sent, the cards of the day are sent at each
// recipient's local hour, the tokens and the answers agree about the time.
func Now() time.Time {
	if f := clock.Load(); f != nil {
		return (*f)()
	}
	return time.Now()
}

// SetClock makes f the functions' time (nil: time.Now again).
func SetClock(f func() time.Time) {
	if f == nil {
		clock.Store(nil)
		return
	}
	clock.Store(&f)
}

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
	return Base{AWS: aws, Store: dynamo.New(dynamo.NewClient(aws.For("DYNAMODB")), table, Now)}, nil
}

// Gate is the check before every send, for mail from the sender address.
func (b Base) Gate(from string) *deliverability.Gate {
	return &deliverability.Gate{Suppressions: b.Store, States: b.Store, Sender: from, Now: Now}
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
