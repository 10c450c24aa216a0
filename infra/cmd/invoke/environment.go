package main

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamolocal"
	"shopmail/internal/email/emailtest"
	"shopmail/internal/env"
	"shopmail/internal/logs"
	"shopmail/internal/samtemplate"
	"shopmail/internal/send/outbox"
	"shopmail/internal/thankyou"
)

// Local values of the template's parameters that have no default.
var localParams = map[string]string{
	"SenderAddress": "hello@shop.example",
	"SenderName":    "Tea House",
	"ShopName":      "Tea House",
	"PostalAddress": "1 Leaf Street, Portland, OR 97201, USA",
	"CouponPrefix":  "THANKS",
}

const localQueue = "http://127.0.0.1:4566/000000000000/shopmail-dead-letters"

// environment is what the functions run on locally.
type environment struct {
	tmpl   *samtemplate.Template
	db     *dynamodb.Client
	table  string
	outbox *outbox.Outbox
	dir    string
	sent   int
	index  []indexEntry
	log    io.Writer
}

type indexEntry struct{ File, To, Subject, Event string }

func newEnvironment(ctx context.Context, tmpl *samtemplate.Template, endpoint, dir, table string) (*environment, error) {
	db := dynamolocal.NewClient(endpoint)
	tbl, err := tmpl.Table("MarketingTable")
	if err != nil {
		return nil, err
	}
	if _, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table}); err != nil {
		if err := dynamolocal.CreateTable(ctx, db, table, tbl); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &environment{tmpl: tmpl, db: db, table: table, outbox: &outbox.Outbox{}, dir: dir, log: os.Stderr}, nil
}

// functionEnv returns the environment variables the template gives the function, resolved
// with local stand-ins for the stack's resources.
func (e *environment) functionEnv(name string) (map[string]string, error) {
	fns, err := e.tmpl.Functions()
	if err != nil {
		return nil, err
	}
	for _, fn := range fns {
		if filepath.Base(fn.CodeURI) != name {
			continue
		}
		vars, err := fn.Env(samtemplate.Resolver{
			Params: localParams, Region: "us-east-1", AccountID: "000000000000", Partition: "aws", StackName: "shopmail-local",
			Resource: func(id string) string {
				return map[string]string{"MarketingTable": e.table, "ConfigurationSet": "shopmail-local-mail", "DeadLetterQueue": localQueue}[id]
			},
			Attr: func(id, attr string) string { return "arn:aws:local:" + id + ":" + attr },
		})
		if err != nil {
			return nil, fmt.Errorf("environment of %s: %w", fn.LogicalID, err)
		}
		vars["AWS_LAMBDA_FUNCTION_NAME"] = fn.LogicalID
		return vars, nil
	}
	return nil, fmt.Errorf("no function %q in template.yaml", name)
}

// handler builds a function's handler with its environment from the template, DynamoDB
// Local, the outbox in place of SES, and a dead-letter queue that prints.
func (e *environment) handler(name string) (lambda.Handler, error) {
	vars, err := e.functionEnv(name)
	if err != nil {
		return nil, err
	}
	log := logs.New(e.log, vars["LOG_LEVEL"], vars["AWS_LAMBDA_FUNCTION_NAME"])
	switch name {
	case "thankyou":
		s, err := thankyou.LoadConfig(env.Map(vars))
		if err != nil {
			return nil, err
		}
		return thankyou.New(s, thankyou.Deps{
			Store: dynamo.New(e.db, s.Table, time.Now), Mailer: e.outbox,
			DeadLetters: printedDeadLetters{}, Now: time.Now, Log: log,
		})
	}
	return nil, fmt.Errorf("function %q has no local wiring in infra/cmd/invoke", name)
}

// invoke runs one job and reports whether it succeeded.
func (e *environment) invoke(ctx context.Context, j job) bool {
	fmt.Printf("▶ %s  %s\n", j.function, shortPath(j.event))
	payload, err := os.ReadFile(j.event)
	if err == nil {
		var h lambda.Handler
		if h, err = e.handler(j.function); err == nil {
			lc := &lambdacontext.LambdaContext{AwsRequestID: fmt.Sprintf("local-%d", time.Now().UnixNano())}
			ctx, cancel := context.WithTimeout(lambdacontext.NewContext(ctx, lc), 30*time.Second)
			defer cancel()
			_, err = lambda.NewHandler(h).Invoke(ctx, payload)
		}
	}
	if err != nil {
		fmt.Printf("  ✗ %v\n", err)
		return false
	}
	for _, m := range e.outbox.Messages()[e.sent:] {
		e.sent++
		if err := e.write(m, j.event); err != nil {
			fmt.Printf("  ✗ write email: %v\n", err)
			return false
		}
	}
	return true
}

// write saves an email as .eml and its HTML part as .html, and lists it in the index.
func (e *environment) write(m outbox.Message, event string) error {
	p, err := emailtest.Parse(m.Raw)
	if err != nil {
		return err
	}
	base := fmt.Sprintf("%03d-%s", e.sent, strings.NewReplacer("@", "-at-", "/", "-").Replace(p.To.Address))
	if err := os.WriteFile(filepath.Join(e.dir, base+".eml"), m.Raw, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(e.dir, base+".html"), []byte(p.HTML), 0o644); err != nil {
		return err
	}
	e.index = append(e.index, indexEntry{base, p.To.String(), p.Subject, shortPath(event)})
	fmt.Printf("  ✉ %s  %q\n    %s\n", p.To.Address, p.Subject, fileURL(filepath.Join(e.dir, base+".html")))
	return nil
}

var indexPage = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Local outbox</title>
<style>body{font-family:sans-serif;margin:2em}td{padding:4px 12px 4px 0}</style></head>
<body><h1>Local outbox</h1><table><tr><th>#</th><th>To</th><th>Subject</th><th>Event</th><th>Raw</th></tr>
{{range .}}<tr><td>{{.File}}</td><td>{{.To}}</td><td><a href="{{.File}}.html">{{.Subject}}</a></td><td>{{.Event}}</td><td><a href="{{.File}}.eml">MIME</a></td></tr>
{{end}}</table></body></html>
`))

func (e *environment) writeIndex() error {
	f, err := os.Create(filepath.Join(e.dir, "index.html"))
	if err != nil {
		return err
	}
	return errors.Join(indexPage.Execute(f, e.index), f.Close())
}

func (e *environment) outboxURL() string { return fileURL(filepath.Join(e.dir, "index.html")) }

func fileURL(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return "file://" + abs
}

// printedDeadLetters shows dead letters instead of queueing them.
type printedDeadLetters struct{}

func (d printedDeadLetters) Put(_ context.Context, source string, reason error, _ []byte) error {
	fmt.Printf("  ☠ dead-lettered by %s: %v\n", source, reason)
	return nil
}
