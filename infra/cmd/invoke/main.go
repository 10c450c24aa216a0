// Command invoke runs a function with sample events, synchronously, in an in-process sandbox
// (DynamoDB Local, SES, the dead-letter queue): `make invoke-<function> EVENT=...` runs one
// event; `make samples` runs every sample of every function. It prints what each invocation
// returned, the emails sent and the dead letters, and writes each email to the outbox folder
// as .eml (raw MIME) and .html (what the customer sees), with an index page.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"shopmail/internal/dynamo/dynamolocal"
	"shopmail/internal/samtemplate"
	"shopmail/internal/sandbox"
)

func main() {
	function := flag.String("function", "", "function to invoke: its folder under functions/ or its logical id")
	event := flag.String("event", "", "sample event file")
	all := flag.Bool("all", false, "invoke every function with every sample event under events/")
	outbox := flag.String("outbox", ".run/outbox", "folder the emails are written to")
	table := flag.String("table", "shopmail-local", "DynamoDB table, created from template.yaml if missing")
	flag.Parse()
	if err := run(*function, *event, *all, *outbox, *table); err != nil {
		fmt.Fprintln(os.Stderr, "invoke:", err)
		os.Exit(1)
	}
}

// job is one function invoked with one event file.
type job struct{ function, event string }

func run(function, event string, all bool, outbox, table string) error {
	ctx := context.Background()
	tmpl, err := samtemplate.Default()
	if err != nil {
		return err
	}
	jobs, err := plan(tmpl, function, event, all)
	if err != nil {
		return err
	}
	sb, stop, err := startSandbox(ctx, tmpl, table)
	if err != nil {
		return err
	}
	defer stop()
	w, err := newWriter(outbox)
	if err != nil {
		return err
	}
	failed := 0
	for _, j := range jobs {
		if !invoke(ctx, sb, w, j) {
			failed++
		}
	}
	if err := w.writeIndex(); err != nil {
		return err
	}
	fmt.Printf("\n%d invocations, %d failed; %d emails in %s\n", len(jobs), failed, len(w.index), fileURL(filepath.Join(outbox, "index.html")))
	if failed > 0 {
		return fmt.Errorf("%d invocations failed", failed)
	}
	return nil
}

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

// startSandbox starts DynamoDB Local (unless AWS_ENDPOINT_URL_DYNAMODB is set) and a sandbox
// on free loopback ports, with the functions' logs on stderr.
func startSandbox(ctx context.Context, tmpl *samtemplate.Template, table string) (*sandbox.Sandbox, func(), error) {
	var stops []func()
	stop := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	ddb := os.Getenv(dynamolocal.EndpointEnv)
	if ddb == "" {
		srv, err := dynamolocal.Start(ctx)
		if err != nil {
			return nil, nil, err
		}
		stops = append(stops, func() { srv.Close() })
		ddb = srv.Endpoint()
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		stop()
		return nil, nil, err
	}
	sb, err := sandbox.New(ctx, sandbox.Config{
		Template: tmpl, DynamoDB: ddb, AWSURL: "http://" + l.Addr().String(), Table: table, Log: os.Stderr,
	})
	if err != nil {
		l.Close()
		stop()
		return nil, nil, err
	}
	srv := &http.Server{Handler: sb.AWS()}
	go srv.Serve(l)
	stops = append(stops, func() { srv.Close() })
	return sb, stop, nil
}

// invoke runs one job and reports whether the function succeeded.
func invoke(ctx context.Context, sb *sandbox.Sandbox, w *writer, j job) bool {
	fmt.Printf("▶ %s  %s\n", j.function, shortPath(j.event))
	payload, err := os.ReadFile(j.event)
	if err != nil {
		fmt.Printf("  ✗ %v\n", err)
		return false
	}
	sentBefore, deadBefore := len(sb.Messages()), len(sb.DeadLetters())
	out, err := sb.Invoke(ctx, j.function, payload)
	if err != nil {
		fmt.Printf("  ✗ %v\n", err)
		return false
	}
	if s := strings.TrimSpace(string(out)); s != "" && s != "null" {
		fmt.Printf("  ← %s\n", s)
	}
	for _, dl := range sb.DeadLetters()[deadBefore:] {
		fmt.Printf("  ☠ dead-lettered: %s\n", dl.Attributes["reason"])
	}
	for _, m := range sb.Messages()[sentBefore:] {
		if err := w.write(m.ID, m.Raw, j.event); err != nil {
			fmt.Printf("  ✗ write email: %v\n", err)
			return false
		}
	}
	return true
}

func shortPath(p string) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return p
}
