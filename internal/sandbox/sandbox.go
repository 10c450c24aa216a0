// Package sandbox runs the whole system on one machine, offline (DESIGN.md section 5): one AWS
// endpoint serving DynamoDB (proxied to DynamoDB Local), SES v2, EventBridge PutEvents,
// EventBridge Scheduler and SQS; the functions of template.yaml in-process, routed
// by the template's rules; the HTTP API routes of the template; and a UI under /_sandbox/ with
// the inbox, the event log, the table, the schedules and a clock; the template's SQS queues,
// and pollers invoking the functions with their messages as Lambda's event source mappings do.
//
// One file per AWS service the sandbox stands in for:
//
//	endpoint.go        the AWS endpoint: each request to the service it names
//	eventbridge.go     PutEvents; each event matched against the rules and sent to their functions
//	lambda.go          the template's functions (built by their wire packages), invoked as Lambda does
//	eventsources.go    each function's Events: rules, HTTP API routes, schedules, SQS queues
//	apigateway.go      the HTTP API: routes to functions, payload format 2.0, the JWT authorizer
//	scheduler.go       EventBridge Scheduler (emulated in scheduler/): schedules fire on the clock
//	ses.go             SES v2 (emulated in sesv2/): its events go onto the default bus
//	sqs.go             SQS over AWS JSON 1.0 and the query protocol (SendMessage only there);
//	                   messages on queues no function consumes are the dead letters
//	sqs_queue.go       the template's standard queues: visibility timeout, delay, retention,
//	                   redrive after maxReceiveCount, on the sandbox clock (no FIFO queues)
//	sqs_api.go         SendMessage(Batch), ReceiveMessage (long polling), DeleteMessage(Batch),
//	                   ChangeMessageVisibility, GetQueueUrl, GetQueueAttributes
//	sqs_events.go      SQS event sources: a poller per mapping, batches (BatchSize, batching
//	                   window), MaximumConcurrency, ReportBatchItemFailures, retries by visibility
//	secretsmanager.go  the template's secrets
//	dynamodb.go        DynamoDB: proxied to DynamoDB Local, the template's table
//	logs.go            the functions' log lines
//	ui.go, ui_email.go the UI under /_sandbox/, and the marketer API's OpenAPI document at /openapi.json
//
// How an event reaches a function: eventbridge.go (PutEvents, rules) → lambda.go (invokeAsync,
// retries, on-failure) → the function's wiring in internal/wire/<function>. How a message
// does: sqs_api.go (SendMessage) → sqs_queue.go → sqs_events.go (poll, runBatch) → lambda.go.
package sandbox

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"shopmail/internal/dynamo/dynamolocal"
	"shopmail/internal/samtemplate"
	"shopmail/internal/sandbox/scheduler"
	"shopmail/internal/sandbox/sesv2"
	"shopmail/internal/wire"
)

// LocalParams are the values the sandbox gives template parameters that have no default.
var LocalParams = map[string]string{
	"SenderAddress":       "hello@shop.example",
	"SenderName":          "Tea House",
	"ShopName":            "Tea House",
	"PostalAddress":       "1 Leaf Street, Portland, OR 97201, USA",
	"CouponPrefix":        "THANKS",
	"SupportAddress":      "support@shop.example",
	"ReviewURL":           "https://shop.example/reviews",
	"ApologyCouponPrefix": "SORRY",
	"PrizeDrawPrize":      "a box of our teas",
	"PrizeDrawPrizeFa":    "یک جعبه از چای\u200cهایمان",
	"MarketerJwtIssuer":   "https://auth.shop.example/",
	"MarketerJwtAudience": "shopmail-dashboard",
	"LogLevel":            "DEBUG",
}

// Config says where the sandbox's parts are.
type Config struct {
	Template *samtemplate.Template
	DynamoDB string // DynamoDB Local's endpoint
	AWSURL   string // the sandbox's AWS endpoint as functions reach it
	AppURL   string // the sandbox's app, for links
	Table    string // the table's name; default "shopmail-local"
	// Params override template parameters (LocalParams fill those without defaults).
	Params map[string]string
	// Builders replace some of Builders (by folder name), e.g. with a failing function.
	Builders map[string]wire.Builder
	// Log receives the functions' logs (JSON lines); default os.Stderr.
	Log io.Writer
	// RetryDelay is the wait before an async retry, times the attempt; default 1 s
	// (Lambda waits about a minute, then two).
	RetryDelay time.Duration
	// AnyHost lets the AWS endpoint answer under any host name, for an endpoint started on a
	// non-loopback address on purpose (Docker's sam local invoke); else only loopback names.
	AnyHost bool
	// Concurrency is how many asynchronous invocations of one function run at once (default
	// 10, a new account's burst being far above what a laptop runs); the others wait their turn,
	// as Lambda queues them.
	Concurrency int
	// SendRate and DailyQuota are the SES account's limits (GetAccount; sends over the rate
	// are throttled as SES throttles them); 0 means SES's defaults for a new production account.
	SendRate, DailyQuota float64
	// SESThrottle is the share of SendEmail calls SES throttles at random (0 to 1), for tests.
	SESThrottle float64
}

// Sandbox is the running system.
type Sandbox struct {
	tmpl        *samtemplate.Template
	clock       Clock
	journal     *journal
	meter       *meter
	logs        *logBook
	ses         *sesv2.Server
	sched       *scheduler.Server
	dynamo      http.Handler
	db          *dynamodb.Client
	table       string
	params      map[string]string
	builders    map[string]wire.Builder
	functions   map[string]*function
	rules       []rule
	buses       map[string]bool
	routes      []route
	awsURL      string
	appURL      string
	region      string
	account     string
	retryDelay  time.Duration
	concurrency int
	anyHost     bool
	logOut      io.Writer
	inflight    work       // invocations under way, for Idle
	ticking     sync.Mutex // one Tick at a time, so that due schedules run one after another
	devToken    string

	secrets     map[string]*secret
	queues      map[string]*queue // by logical id, which is also the queue's name
	sqsSources  []*sqsSource
	mu          sync.Mutex
	deadLetters []DeadLetter
}

// New builds the sandbox: the table is created in DynamoDB Local if missing, every function
// is built, and the template's rules, routes and schedules are loaded.
func New(ctx context.Context, c Config) (*Sandbox, error) {
	ddb, err := url.Parse(c.DynamoDB)
	if err != nil {
		return nil, fmt.Errorf("DynamoDB endpoint: %w", err)
	}
	s := &Sandbox{
		tmpl: c.Template, journal: &journal{}, meter: newMeter(), logs: &logBook{max: 5000},
		dynamo: httputil.NewSingleHostReverseProxy(ddb), db: dynamolocal.NewClient(c.DynamoDB),
		table: or(c.Table, "shopmail-local"), awsURL: strings.TrimRight(c.AWSURL, "/"),
		appURL: strings.TrimRight(c.AppURL, "/"), region: "us-east-1", account: "000000000000",
		retryDelay: c.RetryDelay, logOut: c.Log, anyHost: c.AnyHost,
	}
	tagFunctionCalls()
	// The functions live at the sandbox's time: moving the clock moves them (one sandbox a
	// process: the last one started sets it).
	wire.SetClock(s.clock.Now)
	s.builders = maps.Clone(Builders)
	maps.Copy(s.builders, c.Builders)
	if s.retryDelay == 0 {
		s.retryDelay = time.Second
	}
	if s.concurrency = c.Concurrency; s.concurrency <= 0 {
		s.concurrency = 10
	}
	if s.logOut == nil {
		s.logOut = os.Stderr
	}
	s.params = map[string]string{}
	for _, m := range []map[string]string{LocalParams, c.Params} {
		for k, v := range m {
			s.params[k] = v
		}
	}
	// Links in emails (pixel, clicks, unsubscribe) point at the local app.
	if _, declared := c.Template.Parameters["PublicURL"]; declared && c.Params["PublicURL"] == "" {
		s.params["PublicURL"] = s.appURL
	}
	// The dashboard signs in at the sandbox's own OpenID Connect provider (oidc.go).
	if _, declared := c.Template.Parameters["DashboardOidcDiscoveryURL"]; declared && c.Params["DashboardOidcDiscoveryURL"] == "" {
		s.params["DashboardOidcDiscoveryURL"] = s.appURL + oidcPath + "/.well-known/openid-configuration"
	}
	sets, err := s.configurationSets()
	if err != nil {
		return nil, err
	}
	s.ses = sesv2.New(sesv2.Options{Now: s.clock.Now, Publish: s.publishSES, MaxSendRate: c.SendRate, Max24HourSend: c.DailyQuota,
		ConfigurationSets: sets, Throttle: c.SESThrottle})
	s.sched = scheduler.New(scheduler.Options{Clock: &s.clock, Fire: s.fire, Region: s.region, AccountID: s.account})
	if err := s.createTable(ctx); err != nil {
		return nil, err
	}
	if err := s.loadSecrets(); err != nil {
		return nil, err
	}
	if err := s.loadQueues(); err != nil {
		return nil, err
	}
	fns, err := s.tmpl.Functions()
	if err != nil {
		return nil, err
	}
	if err := s.loadFunctions(fns); err != nil {
		return nil, err
	}
	if err := s.loadEvents(fns); err != nil {
		return nil, err
	}
	if err := s.loadAuthorizers(); err != nil {
		return nil, err
	}
	// The SQS pollers run from the start, as event source mappings do: a message sent once
	// the endpoint serves is taken at once.
	for _, src := range s.sqsSources {
		go s.poll(src)
	}
	// The dev marketer token: every route's scopes, valid for as long as the sandbox runs.
	if s.devToken, err = s.mintToken(tokenRequest{Scopes: s.allScopes(), ExpiresIn: devTokenLife}); err != nil {
		return nil, err
	}
	return s, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// resolver resolves the template for the sandbox: parameters, and the stack's resources as
// the sandbox provides them.
func (s *Sandbox) resolver() samtemplate.Resolver {
	return samtemplate.Resolver{
		Params: s.params, Region: s.region, AccountID: s.account, Partition: "aws", StackName: "shopmail-local",
		Resource: func(id string) string {
			switch s.tmpl.Resources[id].Type {
			case "AWS::DynamoDB::Table":
				return s.table
			case "AWS::SQS::Queue":
				return s.queueURL(id)
			case "AWS::SecretsManager::Secret":
				return s.secretARN(id)
			}
			return id
		},
		Attr: func(id, attr string) string {
			switch {
			case attr == "QueueName":
				return id
			case attr == "Arn" && s.tmpl.Resources[id].Type == "AWS::IAM::Role":
				return s.roleARN(id)
			case attr == "Arn" && s.tmpl.Resources[id].Type == "AWS::Serverless::Function":
				return s.arn("lambda", "function:"+id)
			case attr == "Arn":
				return s.arn(strings.ToLower(strings.Split(s.tmpl.Resources[id].Type, "::")[1]), id)
			}
			return id
		},
	}
}

// queueURL is the URL of a queue of the template on the sandbox's endpoint.
func (s *Sandbox) queueURL(name string) string { return s.awsURL + "/" + s.account + "/" + name }

// AWS is the handler of the AWS endpoint.
func (s *Sandbox) AWS() http.Handler { return s.awsEndpoint() }

// App is the handler of the app: the template's HTTP API routes and the UI under /_sandbox/.
func (s *Sandbox) App() http.Handler { return s.app() }

// DevToken is a JWT that the app's JWT authorizers accept on every route: it carries every
// route's scopes and outlives the sandbox. POST /_sandbox/token mints others.
func (s *Sandbox) DevToken() string { return s.devToken }

// Clock returns the sandbox clock.
func (s *Sandbox) Clock() *Clock { return &s.clock }

// Idle waits until no invocation is running (asynchronous ones with their retries, schedules
// firing, SQS batches) and no queue that a function consumes has a visible message. Messages
// waiting out a visibility timeout or a delay are not waited for: Advance brings them.
func (s *Sandbox) Idle() {
	for {
		s.inflight.wait()
		// Idle only if no work started while the queues were read: a batch is counted before
		// its messages leave the queue, and a message sent by an invocation before it ends.
		started := s.inflight.started()
		if !s.sqsPending() && s.inflight.quietSince(started) {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Messages returns the emails sent through the sandbox's SES, oldest first.
func (s *Sandbox) Messages() []sesv2.Message { return s.ses.Messages() }

// Activities returns what happened, newest first.
func (s *Sandbox) Activities() []Activity { return s.journal.list() }

// Schedules returns the schedules, pending and done.
func (s *Sandbox) Schedules() []scheduler.Schedule { return s.sched.List() }
