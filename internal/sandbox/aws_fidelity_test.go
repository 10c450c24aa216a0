package sandbox_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"shopmail/internal/sandbox"
)

// What real clients other than the Go SDK (the AWS CLI, the JS SDK) see of the AWS endpoint.

func (r *running) config() aws.Config {
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(r.awsURL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
}

// GetSecretValue answers by version stage and id as Secrets Manager does; PutSecretValue makes
// the value it replaces AWSPREVIOUS.
func TestSecretVersions(t *testing.T) {
	r := startWith(t, sandbox.Config{Template: parse(t, secretsTemplate)})
	sm := secretsmanager.NewFromConfig(r.config())
	ctx := context.Background()
	get := func(stage, version string) (*secretsmanager.GetSecretValueOutput, error) {
		in := &secretsmanager.GetSecretValueInput{SecretId: aws.String("Given")}
		if stage != "" {
			in.VersionStage = &stage
		}
		if version != "" {
			in.VersionId = &version
		}
		return sm.GetSecretValue(ctx, in)
	}
	notFound := func(what string, err error) {
		t.Helper()
		var nf *smtypes.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Errorf("%s: %v, want ResourceNotFoundException", what, err)
		}
	}
	first, err := get("", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = get("AWSPREVIOUS", "")
	notFound("AWSPREVIOUS before any rotation", err)
	_, err = get("AWSPENDING", "")
	notFound("a stage no version has", err)
	_, err = get("", "11111111-2222-3333-4444-555555555555")
	notFound("a version id that does not exist", err)

	put, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("Given"), SecretString: aws.String(`{"api":"rotated"}`)})
	if err != nil {
		t.Fatalf("PutSecretValue: %v", err)
	}
	cur, err := get("AWSCURRENT", "")
	if err != nil || aws.ToString(cur.SecretString) != `{"api":"rotated"}` || aws.ToString(cur.VersionId) != aws.ToString(put.VersionId) {
		t.Errorf("AWSCURRENT after PutSecretValue: %+v %v", cur, err)
	}
	prev, err := get("AWSPREVIOUS", "")
	if err != nil || aws.ToString(prev.SecretString) != `{"api":"given"}` || aws.ToString(prev.VersionId) != aws.ToString(first.VersionId) ||
		len(prev.VersionStages) != 1 || prev.VersionStages[0] != "AWSPREVIOUS" {
		t.Errorf("AWSPREVIOUS after PutSecretValue: %+v %v", prev, err)
	}
	byID, err := get("", aws.ToString(first.VersionId))
	if err != nil || aws.ToString(byID.SecretString) != `{"api":"given"}` {
		t.Errorf("the first version by its id: %+v %v", byID, err)
	}
	_, err = get("AWSCURRENT", aws.ToString(first.VersionId))
	notFound("a stage and a version id of different versions", err)
}
