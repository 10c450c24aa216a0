// Command hellodynamodb is the hello-world Lambda with a DynamoDB client, which every function
// has: the cold-start benchmark shows what the AWS SDK alone costs at start.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

var client *dynamodb.Client

func main() {
	client = dynamodb.NewFromConfig(aws.Config{Region: "us-east-1"})
	lambda.Start(func(context.Context, json.RawMessage) (string, error) { return "hello", nil })
}
