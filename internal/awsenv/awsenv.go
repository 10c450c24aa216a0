// Package awsenv builds the AWS SDK configuration of a function from its environment alone, as
// Lambda provides it: region, credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN) and endpoint overrides (AWS_ENDPOINT_URL_<SERVICE>, then
// AWS_ENDPOINT_URL). It replaces the SDK's config package, whose shared-file, SSO and STS
// support functions never use and whose clients would double a function's binary.
package awsenv

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// HTTPClient, when set, carries every client's requests instead of the SDK's own client. A
// host that runs functions in its own process sets it to see their calls (the sandbox's cost
// meter tells each call's invocation by its context); in Lambda it stays nil.
var HTTPClient aws.HTTPClient

// Environment is a function's AWS environment.
type Environment struct {
	cfg    aws.Config
	lookup func(string) (string, bool)
}

// Load reads the environment. It fails, naming the variables, when no region or no
// credentials are set.
func Load(lookup func(string) (string, bool)) (Environment, error) {
	get := func(k string) string { v, _ := lookup(k); return v }
	region := first(get("AWS_REGION"), get("AWS_DEFAULT_REGION"))
	creds := aws.Credentials{
		AccessKeyID: get("AWS_ACCESS_KEY_ID"), SecretAccessKey: get("AWS_SECRET_ACCESS_KEY"),
		SessionToken: get("AWS_SESSION_TOKEN"), Source: "environment",
	}
	var errs []error
	if region == "" {
		errs = append(errs, errors.New("AWS_REGION is not set"))
	}
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		errs = append(errs, errors.New("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"))
	}
	if err := errors.Join(errs...); err != nil {
		return Environment{}, err
	}
	return Environment{lookup: lookup, cfg: aws.Config{
		Region: region,
		Credentials: aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return creds, nil
		})),
	}}, nil
}

// For returns the configuration of one service's client: its endpoint is
// AWS_ENDPOINT_URL_<SERVICE> or else AWS_ENDPOINT_URL when either is set, AWS's own otherwise.
// service is the SDK's service id in upper case, e.g. "DYNAMODB", "SESV2", "SQS".
func (e Environment) For(service string) aws.Config {
	cfg := e.cfg.Copy()
	if HTTPClient != nil {
		cfg.HTTPClient = HTTPClient
	}
	get := func(k string) string { v, _ := e.lookup(k); return v }
	if v := first(get("AWS_ENDPOINT_URL_"+service), get("AWS_ENDPOINT_URL")); v != "" {
		cfg.BaseEndpoint = &v
	}
	return cfg
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
