// Command sandbox runs the whole system on this machine, offline (`make run`): an AWS
// endpoint (DynamoDB through DynamoDB Local, SES v2, EventBridge, Scheduler, SQS), the
// functions of template.yaml in-process, the HTTP API, and the sandbox UI. Ctrl-C stops
// everything it started.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
	_ "time/tzdata" // schedules in any time zone, on machines without zoneinfo files

	"shopmail/internal/dynamo/dynamolocal"
	"shopmail/internal/samtemplate"
	"shopmail/internal/sandbox"
)

func main() {
	awsAddr := flag.String("aws", "127.0.0.1:4566", "address of the AWS endpoint")
	appAddr := flag.String("app", "127.0.0.1:3000", "address of the app and the sandbox UI")
	data := flag.String("data", "", "keep the table, inbox, schedules and clock in this folder across restarts (default: in memory)")
	flag.Float64Var(&sesLimits.SendRate, "ses-rate", 14, "SES sending rate, messages per second (over it, SendEmail is throttled)")
	flag.Float64Var(&sesLimits.DailyQuota, "ses-quota", 50000, "SES 24-hour sending quota")
	flag.IntVar(&concurrency, "concurrency", 10, "asynchronous invocations of one function that run at once; the others are queued")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C now ends the process at once
	}()
	if err := run(ctx, *awsAddr, *appAddr, *data); err != nil {
		fmt.Fprintln(os.Stderr, "sandbox:", err)
		os.Exit(1)
	}
}

// concurrency is each function's concurrency, as the flag sets it.
var concurrency int

// sesLimits are the SES account limits the flags set.
var sesLimits struct{ SendRate, DailyQuota float64 }

// run serves the sandbox until ctx ends, then stops it: no new work, the invocations under way
// finished (for 30 s at most), the state saved to data if set.
func run(ctx context.Context, awsAddr, appAddr, data string) error {
	awsL, appL, err := listen(awsAddr, appAddr)
	if err != nil {
		return err
	}
	tmpl, err := samtemplate.Default()
	if err != nil {
		return err
	}
	ddb, closeDDB, err := dynamoDB(ctx, data)
	if err != nil {
		return err
	}
	defer closeDDB()
	awsURL, appURL := "http://"+awsL.Addr().String(), "http://"+appL.Addr().String()
	sb, err := sandbox.New(ctx, sandbox.Config{
		Template: tmpl, DynamoDB: ddb, AWSURL: awsURL, AppURL: appURL,
		AnyHost:  !awsL.Addr().(*net.TCPAddr).IP.IsLoopback(),
		SendRate: sesLimits.SendRate, DailyQuota: sesLimits.DailyQuota, Concurrency: concurrency,
	})
	if err != nil {
		return err
	}
	if data != "" {
		if err := sb.Load(data); err != nil {
			return err
		}
	}
	servers := []*http.Server{{Handler: sb.AWS()}, {Handler: sb.App()}}
	for i, l := range []net.Listener{awsL, appL} {
		go servers[i].Serve(l)
	}
	// Start every function now, as Lambda's init would, so that a bad setting shows at once.
	if err := sb.Warm(); err != nil {
		for _, srv := range servers {
			srv.Close()
		}
		return err
	}
	ticker, stopTicker := context.WithCancel(context.Background())
	ticked := make(chan struct{})
	go func() { sb.Run(ticker); close(ticked) }()
	banner(awsURL, appURL, ddb, data, sb.DevToken())
	<-ctx.Done()
	fmt.Fprintln(os.Stderr, "\nstopping: finishing the invocations under way (Ctrl-C again to quit now)...")
	// Take no new work, let what is running (a schedule firing included) finish against the
	// still-open AWS endpoint, then close it.
	stopTicker()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	servers[1].Shutdown(shutdown)
	idle := make(chan struct{})
	go func() {
		<-ticked
		sb.Idle()
		close(idle)
	}()
	select {
	case <-idle:
	case <-time.After(30 * time.Second):
		fmt.Fprintln(os.Stderr, "stopping: invocations still running after 30 s are abandoned")
	}
	servers[0].Shutdown(shutdown)
	if data != "" {
		return sb.Save(data)
	}
	return nil
}

// listen takes both addresses, or says that a sandbox (or something else) already holds them.
func listen(awsAddr, appAddr string) (net.Listener, net.Listener, error) {
	awsL, err := net.Listen("tcp", awsAddr)
	if err != nil {
		return nil, nil, inUse(awsAddr, appAddr, err)
	}
	appL, err := net.Listen("tcp", appAddr)
	if err != nil {
		awsL.Close()
		return nil, nil, inUse(awsAddr, appAddr, err)
	}
	return awsL, appL, nil
}

func inUse(awsAddr, appAddr string, err error) error {
	if !errors.Is(err, syscall.EADDRINUSE) {
		return err
	}
	c := http.Client{Timeout: time.Second}
	if resp, herr := c.Get("http://" + appAddr + "/_sandbox/"); herr == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK && resp.Header.Get(sandbox.MarkerHeader) == "1" {
			return fmt.Errorf("a sandbox is already running: open http://%s/_sandbox/ (stop it with Ctrl-C in its terminal)", appAddr)
		}
	}
	return fmt.Errorf("%w: another program uses %s or %s; stop it, or run with -aws and -app on other addresses", err, awsAddr, appAddr)
}

// dynamoDB returns DynamoDB Local's endpoint: AWS_ENDPOINT_URL_DYNAMODB if set, else a server
// started here, in memory or on disk under data.
func dynamoDB(ctx context.Context, data string) (string, func(), error) {
	if e := os.Getenv(dynamolocal.EndpointEnv); e != "" {
		return e, func() {}, nil
	}
	var srv *dynamolocal.Server
	var err error
	if data == "" {
		srv, err = dynamolocal.Start(ctx)
	} else {
		srv, err = dynamolocal.StartOnDisk(ctx, filepath.Join(data, "dynamodb"))
	}
	if err != nil {
		return "", nil, err
	}
	return srv.Endpoint(), func() { srv.Close() }, nil
}

func banner(awsURL, appURL, ddb, data, token string) {
	storage := "in memory (make run DATA=.run/data keeps table, inbox and schedules)"
	if data != "" {
		storage = "on disk in " + data
	}
	fmt.Printf(`
shopmail sandbox is running. Ctrl-C stops it.

  Sandbox UI     %[2]s/_sandbox/        inbox, event log, table, schedules, clock
  App (HTTP API) %[2]s
  Dashboard      %[2]s/dashboard        sign in with one click as the dev marketer
  OpenAPI        %[2]s/openapi.json     the marketer API described, no token needed
  AWS endpoint   %[1]s           export AWS_ENDPOINT_URL=%[1]s
  DynamoDB Local %[3]s    data %[4]s
  Marketer token Authorization: Bearer %[5]s

Place a sample order, then open the inbox:
  curl -s -d sample=thankyou/first-order.json %[2]s/_sandbox/put-event >/dev/null && echo %[2]s/_sandbox/inbox

`, awsURL, appURL, ddb, storage, token)
}
