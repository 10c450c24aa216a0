package sandbox

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"shopmail/internal/logs"
	"shopmail/internal/samtemplate"
	"shopmail/internal/wire"
	"shopmail/internal/wire/answers"
	"shopmail/internal/wire/campaigns"
	"shopmail/internal/wire/campaignsend"
	"shopmail/internal/wire/carts"
	"shopmail/internal/wire/cartsend"
	"shopmail/internal/wire/contacts"
	"shopmail/internal/wire/dashboard"
	"shopmail/internal/wire/loyalty"
	"shopmail/internal/wire/preferences"
	"shopmail/internal/wire/reports"
	"shopmail/internal/wire/sesevents"
	"shopmail/internal/wire/surveys"
	"shopmail/internal/wire/surveysend"
	"shopmail/internal/wire/thankyou"
	"shopmail/internal/wire/tracking"
)

// Builders maps a function's folder under functions/ to the code that builds it from its
// environment: the same wiring its main package runs under Lambda.
var Builders = map[string]wire.Builder{
	"thankyou":     thankyou.Build,
	"tracking":     tracking.Build,
	"preferences":  preferences.Build,
	"sesevents":    sesevents.Build,
	"surveys":      surveys.Build,
	"surveysend":   surveysend.Build,
	"loyalty":      loyalty.Build,
	"answers":      answers.Build,
	"reports":      reports.Build,
	"contacts":     contacts.Build,
	"campaigns":    campaigns.Build,
	"campaignsend": campaignsend.Build,
	"dashboard":    dashboard.Build,
	"carts":        carts.Build,
	"cartsend":     cartsend.Build,
}

// function is one Lambda function of the template, running in-process.
type function struct {
	id        string // logical id, also its name here
	folder    string // under functions/
	build     func() (lambda.Handler, error)
	once      sync.Once
	handler   lambda.Handler
	buildErr  error
	env       map[string]string
	timeout   time.Duration
	retries   int    // async retries after the first attempt (EventInvokeConfig)
	onFailure string // queue URL of the OnFailure destination, if any
	// slots bounds the asynchronous invocations that run at once (Config.Concurrency); the
	// others wait in the function's queue, as in Lambda's.
	slots  chan struct{}
	memory int // MB
}

func (s *Sandbox) arn(kind, name string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", kind, s.region, s.account, name)
}

// roleARN is the ARN of an IAM role: IAM's ARNs name no region.
func (s *Sandbox) roleARN(name string) string { return "arn:aws:iam::" + s.account + ":role/" + name }

// loadFunctions builds every function of the template with its environment from the
// template, pointed at the sandbox's AWS endpoint.
func (s *Sandbox) loadFunctions(fns []samtemplate.Function) error {
	s.functions = map[string]*function{}
	for _, fn := range fns {
		f, err := s.loadFunction(fn)
		if err != nil {
			return fmt.Errorf("function %s: %w", fn.LogicalID, err)
		}
		s.functions[fn.LogicalID] = f
	}
	return nil
}

func (s *Sandbox) loadFunction(fn samtemplate.Function) (*function, error) {
	build, ok := s.builders[filepath.Base(fn.CodeURI)]
	if !ok {
		return nil, fmt.Errorf("no builder for %s in sandbox.Builders", fn.CodeURI)
	}
	env, err := fn.Env(s.resolver())
	if err != nil {
		return nil, err
	}
	// The developer's endpoint for one service wins over the sandbox's (DESIGN.md section 5).
	for _, kv := range os.Environ() {
		if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_ENDPOINT_URL_") && v != "" {
			env[k] = v
		}
	}
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": s.awsURL, "AWS_REGION": s.region, "AWS_ACCESS_KEY_ID": "sandbox",
		"AWS_SECRET_ACCESS_KEY": "sandbox", "AWS_LAMBDA_FUNCTION_NAME": fn.LogicalID,
		"AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": fmt.Sprint(fn.MemorySize),
	} {
		env[k] = v
	}
	log := logs.New(s.logWriter(fn.LogicalID), env["LOG_LEVEL"], fn.LogicalID)
	timeout := fn.Timeout
	if timeout <= 0 {
		timeout = 3 // Lambda's default
	}
	f := &function{id: fn.LogicalID, folder: filepath.Base(fn.CodeURI), env: env, timeout: time.Duration(timeout) * time.Second,
		retries: 2, slots: make(chan struct{}, s.concurrency), memory: cmp.Or(fn.MemorySize, 128)}
	// Built when first needed (or by Warm), like a Lambda's init: a function may read from the
	// AWS endpoint when it starts (its token keys), which answers once the sandbox serves.
	f.build = func() (lambda.Handler, error) {
		return build(func(k string) (string, bool) { v, ok := env[k]; return v, ok }, log)
	}
	if n, ok := fn.EventInvokeConfig["MaximumRetryAttempts"].(int); ok {
		f.retries = n
	}
	if dest, ok := nested(fn.EventInvokeConfig, "DestinationConfig", "OnFailure", "Destination"); ok {
		if f.onFailure, err = s.queueURLFor(dest); err != nil {
			return nil, fmt.Errorf("on-failure destination: %w", err)
		}
	}
	return f, nil
}

// start builds the function once; later calls return the same handler or error.
func (f *function) start() (lambda.Handler, error) {
	f.once.Do(func() {
		f.handler, f.buildErr = f.build()
		if f.buildErr != nil {
			f.buildErr = fmt.Errorf("function %s failed to start: %w", f.id, f.buildErr)
		}
	})
	return f.handler, f.buildErr
}

// Warm starts every function now, as Lambda's init would, and reports every one that fails
// (a missing setting, an unreadable secret). Call it once the AWS endpoint is served.
func (s *Sandbox) Warm() error {
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(s.functions)) {
		if _, err := s.functions[id].start(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// queueURLFor resolves a destination (an SQS queue ARN in the template) to the queue's URL.
func (s *Sandbox) queueURLFor(v any) (string, error) {
	arn, err := s.tmpl.ResolveString(v, s.resolver())
	if err != nil {
		return "", err
	}
	return s.queueURL(arn[strings.LastIndex(arn, ":")+1:]), nil
}

func nested(m map[string]any, keys ...string) (any, bool) {
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = mm[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// invoke runs one invocation of a function like the Lambda runtime: a request id, a
// deadline, and a panic turned into an error.
func (s *Sandbox) invoke(ctx context.Context, f *function, payload []byte, requestID string) ([]byte, error) {
	lc := &lambdacontext.LambdaContext{AwsRequestID: requestID, InvokedFunctionArn: s.arn("lambda", "function:"+f.id)}
	// The invocation outlives what caused it (an HTTP request that put an event, a tick).
	ctx, cancel := context.WithTimeout(lambdacontext.NewContext(context.WithoutCancel(ctx), lc), f.timeout)
	defer cancel()
	h, err := f.start()
	if err != nil {
		return nil, err
	}
	// The handler runs apart, so that one that ignores its context cannot hold the sandbox
	// past the deadline (Lambda would stop it; here it is left to finish on its own).
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fmt.Errorf("panic: %v\n%s", p, debug.Stack())}
			}
		}()
		out, err := lambda.NewHandler(h).Invoke(ctx, payload)
		done <- result{out, err}
	}()
	select {
	case r := <-done:
		if r.err == nil && ctx.Err() != nil {
			return nil, timeoutError(f.timeout)
		}
		return r.out, r.err
	case <-ctx.Done():
		return nil, timeoutError(f.timeout)
	}
}

// timeoutError is a function that ran past its timeout, as Lambda reports it.
type timeoutError time.Duration

func (d timeoutError) Error() string {
	return fmt.Sprintf("Task timed out after %.2f seconds", time.Duration(d).Seconds())
}

// call invokes f and records the invocation in the event log, saying which (what) and, with
// showResult, what it returned.
func (s *Sandbox) call(ctx context.Context, f *function, payload []byte, rid, what string, showResult bool) ([]byte, error) {
	s.meter.begin(rid, f.memory, payload)
	start := time.Now()
	out, err := s.invoke(ctx, f, payload, rid)
	s.meter.end(rid, time.Since(start))
	a := Activity{Kind: "invoke", Source: f.id, Duration: time.Since(start), Body: pretty(payload), Summary: f.id + ", " + what}
	if err != nil {
		a.Error = err.Error()
	} else if showResult && len(out) > 0 && string(out) != "null" {
		a.Summary += ": returned " + string(out)
	}
	s.journal.add(a)
	return out, err
}

// invokeAsync invokes a function the way Lambda runs asynchronous invocations (EventBridge):
// in the background, with runAsync.
func (s *Sandbox) invokeAsync(ctx context.Context, id string, payload []byte, cause string) {
	f := s.functions[id]
	if f == nil {
		s.journal.add(Activity{Kind: "invoke", Summary: "no function " + id, Error: "not found", Body: pretty(payload)})
		return
	}
	s.inflight.add()
	go func() {
		defer s.inflight.done()
		s.runAsync(ctx, f, payload, cause)
	}()
}

// runAsync runs an asynchronous invocation to its end: queued until one of the function's
// concurrency slots is free, retried after a failure under the same request id (back in the
// queue meanwhile), and put on the on-failure destination once the retries are spent.
func (s *Sandbox) runAsync(ctx context.Context, f *function, payload []byte, cause string) {
	rid := newID()
	for attempt := 1; ; attempt++ {
		f.slots <- struct{}{}
		_, err := s.call(ctx, f, payload, rid, fmt.Sprintf("attempt %d, request %s, for %s", attempt, rid, cause), true)
		<-f.slots
		if err == nil {
			return
		}
		if attempt > f.retries {
			s.onFailure(f, payload, rid, attempt, err)
			return
		}
		time.Sleep(s.retryDelay * time.Duration(attempt))
	}
}

// onFailure puts Lambda's destination record for a failed asynchronous invocation on the
// function's on-failure queue.
func (s *Sandbox) onFailure(f *function, payload []byte, requestID string, attempts int, err error) {
	if f.onFailure == "" {
		s.journal.add(Activity{Kind: "dead-letter", Source: f.id, Summary: f.id + ": retries exhausted, no on-failure destination: event dropped", Error: err.Error()})
		return
	}
	record, _ := json.Marshal(map[string]any{
		"version": "1.0", "timestamp": s.clock.Now().Format(time.RFC3339Nano),
		"requestContext": map[string]any{
			"requestId": requestID, "functionArn": s.arn("lambda", "function:"+f.id+":$LATEST"),
			"condition": "RetriesExhausted", "approximateInvokeCount": attempts,
		},
		"requestPayload":  json.RawMessage(payload),
		"responseContext": map[string]any{"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
		"responsePayload": map[string]any{"errorMessage": err.Error(), "errorType": errorType(err)},
	})
	note := map[string]string{"source": f.id, "reason": err.Error()}
	q := s.queueByURL(f.onFailure)
	if q == nil {
		s.addDeadLetter(DeadLetter{Queue: f.onFailure, Body: string(record), Attributes: note, At: s.clock.Now()})
		return
	}
	s.deliver(q, &message{id: newUUID(), body: string(record), sent: s.clock.Now()}, 0, note)
}

// errorType names an error's type as the Go runtime reports it to Lambda ("errorString"), or
// Lambda's own for a timeout.
func errorType(err error) string {
	var timeout timeoutError
	if errors.As(err, &timeout) {
		return "Sandbox.Timedout"
	}
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// FunctionEnvironments returns each function's environment as the sandbox gives it.
func (s *Sandbox) FunctionEnvironments() map[string]map[string]string {
	out := map[string]map[string]string{}
	for id, f := range s.functions {
		out[id] = f.env
	}
	return out
}

// Invoke runs a function synchronously with a payload, as `sam local invoke` does, and
// returns what it returned. function is its logical id or its folder under functions/.
func (s *Sandbox) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	for id, f := range s.functions {
		if id == function || f.folder == function {
			rid := newID()
			return s.call(ctx, f, payload, rid, "request "+rid+", invoked directly", false)
		}
	}
	return nil, fmt.Errorf("no function %q in template.yaml", function)
}
