// Command invoke runs functions in-process with sample events, the way Lambda would, against
// DynamoDB Local and a local outbox in place of SES: `make invoke-<function> EVENT=...` runs one
// event; `make run` runs every sample of every function and writes the emails they sent to
// an outbox folder (each as .eml and as the HTML the customer sees, with an index page).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"shopmail/internal/dynamo/dynamolocal"
	"shopmail/internal/samtemplate"
)

func main() {
	function := flag.String("function", "", "function to invoke (a folder name under functions/)")
	event := flag.String("event", "", "sample event file")
	all := flag.Bool("all", false, "invoke every function with every sample event under events/")
	outboxDir := flag.String("outbox", ".run/outbox", "folder the emails are written to")
	table := flag.String("table", "shopmail-local", "DynamoDB table, created from template.yaml if missing")
	flag.Parse()
	if err := run(*function, *event, *all, *outboxDir, *table); err != nil {
		fmt.Fprintln(os.Stderr, "invoke:", err)
		os.Exit(1)
	}
}

func run(function, event string, all bool, outboxDir, table string) error {
	ctx := context.Background()
	tmpl, err := samtemplate.Default()
	if err != nil {
		return err
	}
	jobs, err := plan(tmpl, function, event, all)
	if err != nil {
		return err
	}
	endpoint := os.Getenv("AWS_ENDPOINT_URL_DYNAMODB")
	if endpoint == "" {
		srv, err := dynamolocal.Start(ctx)
		if err != nil {
			return err
		}
		defer srv.Close()
		endpoint = srv.Endpoint()
	}
	env, err := newEnvironment(ctx, tmpl, endpoint, outboxDir, table)
	if err != nil {
		return err
	}
	failed := 0
	for _, j := range jobs {
		if !env.invoke(ctx, j) {
			failed++
		}
	}
	if err := env.writeIndex(); err != nil {
		return err
	}
	fmt.Printf("\n%d invocations, %d failed; %d emails in %s\n", len(jobs), failed, env.sent, env.outboxURL())
	if failed > 0 {
		return fmt.Errorf("%d invocations failed", failed)
	}
	return nil
}

// job is one function invoked with one event file.
type job struct{ function, event string }

// plan lists the invocations asked for: one, or every sample of every function.
func plan(tmpl *samtemplate.Template, function, event string, all bool) ([]job, error) {
	if !all {
		if function == "" || event == "" {
			return nil, fmt.Errorf("give -function and -event, or -all")
		}
		return []job{{function, event}}, nil
	}
	fns, err := tmpl.Functions()
	if err != nil {
		return nil, err
	}
	var jobs []job
	for _, fn := range fns {
		name := filepath.Base(fn.CodeURI)
		files, _ := filepath.Glob(filepath.Join(tmpl.Dir, "events", name, "*.json"))
		sort.Strings(files)
		for _, f := range files {
			jobs = append(jobs, job{name, f})
		}
	}
	return jobs, nil
}

func shortPath(p string) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return p
}
