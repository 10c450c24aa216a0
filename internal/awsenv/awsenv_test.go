package awsenv_test

import (
	"context"
	"strings"
	"testing"

	"shopmail/internal/awsenv"
	"shopmail/internal/env"
)

func TestLoad(t *testing.T) {
	e, err := awsenv.Load(env.Map(map[string]string{
		"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK", "AWS_SESSION_TOKEN": "ST",
		"AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000",
	}))
	if err != nil {
		t.Fatal(err)
	}
	ddb, ses := e.For("DYNAMODB"), e.For("SESV2")
	if ddb.Region != "eu-west-1" || *ddb.BaseEndpoint != "http://127.0.0.1:8000" || *ses.BaseEndpoint != "http://127.0.0.1:4566" {
		t.Errorf("region %s, endpoints %s %s", ddb.Region, *ddb.BaseEndpoint, *ses.BaseEndpoint)
	}
	creds, err := ses.Credentials.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != "AK" || creds.SessionToken != "ST" {
		t.Errorf("credentials %+v, %v", creds, err)
	}
}

func TestLoadWithoutEndpointsUsesAWS(t *testing.T) {
	e, err := awsenv.Load(env.Map(map[string]string{"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}))
	if err != nil || e.For("SQS").BaseEndpoint != nil {
		t.Errorf("err %v, endpoint set without any variable", err)
	}
}

func TestLoadNamesWhatIsMissing(t *testing.T) {
	_, err := awsenv.Load(env.Map(nil))
	if err == nil || !strings.Contains(err.Error(), "AWS_REGION") || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID") {
		t.Errorf("err = %v", err)
	}
}
