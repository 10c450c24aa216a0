// Command with-dynamodb runs a command with a DynamoDB endpoint:
//
//	go run ./infra/cmd/with-dynamodb -- go test ./...
//
// Unless AWS_ENDPOINT_URL_DYNAMODB is already set, it starts DynamoDB Local (installed by
// infra/dynamodb-local/install.sh) and sets AWS_ENDPOINT_URL_DYNAMODB to it for the command. It
// forwards SIGINT and SIGTERM to the command, stops DynamoDB Local when the command ends and
// exits with the command's exit code.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"shopmail/internal/dynamo/dynamolocal"
)

func main() {
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: with-dynamodb -- command [argument...]")
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	code, err := run(flag.Args(), signals)
	if err != nil {
		fmt.Fprintln(os.Stderr, "with-dynamodb:", err)
	}
	os.Exit(code)
}

// run runs args with a DynamoDB endpoint, forwarding what arrives on signals to it, and returns
// its exit code. The error, when not nil, is about with-dynamodb itself.
func run(args []string, signals <-chan os.Signal) (int, error) {
	if os.Getenv(dynamolocal.EndpointEnv) != "" {
		return runCommand(args, os.Environ(), signals)
	}
	server, err := startServer()
	if err != nil {
		return 1, err
	}
	code, err := runCommand(args, append(os.Environ(), dynamolocal.EndpointEnv+"="+server.Endpoint()), signals)
	return code, errors.Join(err, server.Close())
}

// runCommand runs args with the environment env, forwarding what arrives on signals to it, and
// returns its exit code.
func runCommand(args, env []string, signals <-chan os.Signal) (int, error) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return 1, err
	}
	done := make(chan struct{})
	go forward(signals, cmd.Process, done)
	err := cmd.Wait()
	close(done)
	return exitCode(err)
}

func startServer() (*dynamolocal.Server, error) {
	start := time.Now()
	server, err := dynamolocal.Start(context.Background())
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "with-dynamodb: DynamoDB Local on %s (started in %s)\n",
		server.Endpoint(), time.Since(start).Round(10*time.Millisecond))
	return server, nil
}

// forward sends what arrives on signals to p until done is closed.
func forward(signals <-chan os.Signal, p *os.Process, done <-chan struct{}) {
	for {
		select {
		case sig := <-signals:
			p.Signal(sig)
		case <-done:
			return
		}
	}
}

// exitCode turns the result of cmd.Wait into an exit code: the command's, or 128 + the signal
// number when a signal ended it, as shells do.
func exitCode(err error) (int, error) {
	if err == nil {
		return 0, nil
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return 1, err
	}
	if status, ok := exit.Sys().(syscall.WaitStatus); ok && status.Signaled() {
		return 128 + int(status.Signal()), nil
	}
	return exit.ExitCode(), nil
}
