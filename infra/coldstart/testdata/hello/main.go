// Command hello is the hello-world Lambda the cold-start benchmark measures the functions
// against: the Lambda runtime loop and a handler, nothing else.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, json.RawMessage) (string, error) { return "hello", nil })
}
