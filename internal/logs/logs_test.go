package logs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"shopmail/internal/logs"
)

func TestRecordsCarryTheRequestID(t *testing.T) {
	var buf bytes.Buffer
	log := logs.New(&buf, "debug", "ThankYouFunction").With("order_id", "o-1")
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-7"})
	log.DebugContext(ctx, "handled")
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("not JSON: %q", buf.String())
	}
	if rec["request_id"] != "req-7" || rec["function"] != "ThankYouFunction" || rec["order_id"] != "o-1" || rec["level"] != "DEBUG" {
		t.Errorf("record = %v", rec)
	}
}

func TestUnknownLevelMeansInfo(t *testing.T) {
	var buf bytes.Buffer
	log := logs.New(&buf, "loud", "f")
	log.Debug("hidden")
	log.Info("shown")
	if bytes.Count(buf.Bytes(), []byte("\n")) != 1 {
		t.Errorf("log = %q", buf.String())
	}
}
