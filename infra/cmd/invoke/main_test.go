package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/samtemplate"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// Every function in template.yaml can be built by sam build and has samples. (That each runs
// locally is checked by the sandbox, which builds them all.)
func TestEveryFunctionIsWired(t *testing.T) {
	tmpl, err := samtemplate.Default()
	if err != nil {
		t.Fatal(err)
	}
	makefile, err := os.ReadFile(filepath.Join(tmpl.Dir, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	fns, err := tmpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range fns {
		name := filepath.Base(fn.CodeURI)
		if !strings.Contains(string(makefile), "\nbuild-"+fn.LogicalID+":") {
			t.Errorf("Makefile has no build-%s target for sam build", fn.LogicalID)
		}
		if samples, _ := filepath.Glob(filepath.Join(tmpl.Dir, "events", name, "*.json")); len(samples) == 0 {
			t.Errorf("events/%s has no sample events", name)
		}
	}
}

func TestRunAllSamples(t *testing.T) {
	// The test's DynamoDB (skipped with -short), not a second server.
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", *dynamotest.Client(t).Options().BaseEndpoint)
	dir := t.TempDir()
	if err := run("", "", true, dir, fmt.Sprintf("invoke-test-%d", time.Now().UnixNano())); err != nil {
		t.Fatal(err)
	}
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	emls, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	htmls, _ := filepath.Glob(filepath.Join(dir, "*.html"))
	// Eight valid order samples send an email each (the invalid ones are dead-lettered), and
	// the subscribe sample a confirmation.
	if len(emls) != 9 || len(htmls) != 10 {
		t.Errorf("%d .eml and %d .html files, want 9 and 9 + index", len(emls), len(htmls))
	}
	if !strings.Contains(string(index), "مریم عزیز، از اولین خرید شما سپاسگزاریم!") {
		t.Errorf("index does not list the Persian email:\n%s", index)
	}
}

func TestPlanNeedsAnEvent(t *testing.T) {
	if _, err := plan(nil, "thankyou", "", false); err == nil {
		t.Error("no error without -event")
	}
}
