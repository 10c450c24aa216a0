package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"shopmail/internal/dynamo/dynamolocal"
)

// helperEnv makes the test binary run listTables instead of the tests.
const helperEnv = "WITH_DYNAMODB_TEST_HELPER"

func TestMain(m *testing.M) {
	if out := os.Getenv(helperEnv); out != "" {
		os.Exit(listTables(out))
	}
	os.Exit(m.Run())
}

// listTables calls ListTables on $AWS_ENDPOINT_URL_DYNAMODB, writes the endpoint to the file out
// and returns 0, or 5 when the call fails.
func listTables(out string) int {
	endpoint := os.Getenv(dynamolocal.EndpointEnv)
	if !answers(endpoint) {
		return 5
	}
	if err := os.WriteFile(out, []byte(endpoint), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 6
	}
	return 0
}

func TestRunStartsAndStopsDynamoDBLocal(t *testing.T) {
	t.Setenv(dynamolocal.EndpointEnv, "")
	out := filepath.Join(t.TempDir(), "endpoint")
	t.Setenv(helperEnv, out)
	code, err := run([]string{os.Args[0]}, nil)
	if err != nil || code != 0 {
		t.Fatalf("run = %d, %v; want 0 (the command reached DynamoDB Local)", code, err)
	}
	endpoint, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(endpoint), "http://127.0.0.1:") {
		t.Errorf("command saw %s=%q", dynamolocal.EndpointEnv, endpoint)
	}
	if answers(string(endpoint)) {
		t.Errorf("DynamoDB Local on %s still answers after run", endpoint)
	}
}

func TestRunKeepsGivenEndpoint(t *testing.T) {
	t.Setenv(dynamolocal.EndpointEnv, "http://given.example:8000")
	code, err := run([]string{"sh", "-c", `[ "$AWS_ENDPOINT_URL_DYNAMODB" = http://given.example:8000 ] || exit 9; exit 3`}, nil)
	if err != nil || code != 3 {
		t.Fatalf("run = %d, %v; want the command's exit code 3", code, err)
	}
}

func TestRunSignalledCommand(t *testing.T) {
	t.Setenv(dynamolocal.EndpointEnv, "http://given.example:8000")
	code, err := run([]string{"sh", "-c", "kill -TERM $$"}, nil)
	if err != nil || code != 128+int(syscall.SIGTERM) {
		t.Fatalf("run = %d, %v; want %d", code, err, 128+int(syscall.SIGTERM))
	}
}

func TestRunForwardsSignals(t *testing.T) {
	t.Setenv(dynamolocal.EndpointEnv, "http://given.example:8000")
	ready := filepath.Join(t.TempDir(), "ready")
	t.Setenv("READY", ready)
	signals := make(chan os.Signal, 1)
	type result struct {
		code int
		err  error
	}
	done := make(chan result)
	go func() {
		code, err := run([]string{"sh", "-c", `trap 'exit 7' TERM; touch "$READY"; while :; do sleep 0.1; done`}, signals)
		done <- result{code, err}
	}()
	waitForFile(t, ready)
	signals <- syscall.SIGTERM
	select {
	case r := <-done:
		if r.err != nil || r.code != 7 {
			t.Fatalf("run = %d, %v; want 7 (the command's SIGTERM trap)", r.code, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the command did not exit 10s after SIGTERM was forwarded")
	}
}

func TestRunMissingCommand(t *testing.T) {
	t.Setenv(dynamolocal.EndpointEnv, "http://given.example:8000")
	code, err := run([]string{"no-such-command-for-with-dynamodb"}, nil)
	if err == nil || code != 1 {
		t.Fatalf("run = %d, %v; want 1 and an error", code, err)
	}
}

func waitForFile(t *testing.T, path string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not created within 10s", path)
		}
	}
}

// answers reports whether a DynamoDB endpoint answers ListTables within a second.
func answers(endpoint string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	client := dynamolocal.NewClient(endpoint, func(o *dynamodb.Options) { o.Retryer = aws.NopRetryer{} })
	_, err := client.ListTables(ctx, &dynamodb.ListTablesInput{})
	return err == nil
}
