// Package dynamolocal runs DynamoDB Local, the AWS emulator installed by
// infra/dynamodb-local/install.sh, and creates tables in it from their template.yaml definition.
// It serves the tests (through package dynamotest), infra/cmd/with-dynamodb and the local
// sandbox.
package dynamolocal

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"shopmail/internal/samtemplate"
)

const (
	// EndpointEnv is the variable the AWS SDKs read DynamoDB's endpoint from. When it is set,
	// tests and tools use that endpoint instead of starting DynamoDB Local.
	EndpointEnv = "AWS_ENDPOINT_URL_DYNAMODB"
	// DirEnv names a directory holding DynamoDBLocal.jar and DynamoDBLocal_lib/, to use instead
	// of the one install.sh fills.
	DirEnv = "DYNAMODB_LOCAL_DIR"

	// installPath is where install.sh puts DynamoDB Local, relative to the repository root.
	installPath = "infra/dynamodb-local/.cache/emulator"
	// startTimeout bounds how long Start waits for DynamoDB Local to answer. It starts in a few
	// seconds on an idle machine (the launcher compiled first), but on two busy cores running
	// every package's tests it has taken over a minute.
	startTimeout = 3 * time.Minute
	// outputLimit is how much of the process's output Start keeps for its error messages.
	outputLimit = 16 << 10
)

// Server is a running DynamoDB Local process, in memory, with one database shared by every
// access key and region.
type Server struct {
	cmd      *exec.Cmd
	endpoint string
	workDir  string
	output   *tail
	exited   chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// Start launches DynamoDB Local on a free port of 127.0.0.1, and no other address, and returns
// once it answers ListTables, or fails after 3 minutes (or when ctx ends) with the process's
// output in the error. The caller must Close the server. On Linux the process is killed if the
// calling process dies first.
func Start(ctx context.Context) (*Server, error) { return start(ctx, "") }

// StartOnDisk is Start with the data kept in dbDir across restarts instead of in memory.
func StartOnDisk(ctx context.Context, dbDir string) (*Server, error) {
	if err := os.MkdirAll(dbDir, 0o755); err != nil {
		return nil, fmt.Errorf("start DynamoDB Local: %w", err)
	}
	abs, err := filepath.Abs(dbDir)
	if err != nil {
		return nil, fmt.Errorf("start DynamoDB Local: %w", err)
	}
	return start(ctx, abs)
}

func start(ctx context.Context, dbDir string) (*Server, error) {
	dir, err := installDir()
	if err != nil {
		return nil, fmt.Errorf("start DynamoDB Local: %w", err)
	}
	s, err := launch(dir, dbDir)
	if err != nil {
		return nil, fmt.Errorf("start DynamoDB Local from %s: %w", dir, err)
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if err := s.waitReady(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("start DynamoDB Local from %s: %w\n%s", dir, err, s.output)
	}
	return s, nil
}

// installDir returns the directory holding DynamoDBLocal.jar: $DYNAMODB_LOCAL_DIR, or where
// install.sh puts it.
func installDir() (string, error) {
	dir := os.Getenv(DirEnv)
	if dir == "" {
		root, err := samtemplate.FindRoot()
		if err != nil {
			return "", fmt.Errorf("%w (run from the repository or set %s)", err, DirEnv)
		}
		dir = filepath.Join(root, installPath)
	}
	if _, err := os.Stat(filepath.Join(dir, "DynamoDBLocal.jar")); err != nil {
		return "", fmt.Errorf("DynamoDB Local is not installed in %s (run `make test` or infra/dynamodb-local/install.sh): %w", dir, err)
	}
	return dir, nil
}

// loopbackLauncher is the Java program that starts DynamoDB Local on 127.0.0.1 only: the jar
// itself listens on every interface and has no option to do otherwise.
//
//go:embed loopback.java
var loopbackLauncher []byte

func launch(dir, dbDir string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	// DynamoDB Local writes a metadata file into its working directory: give it its own.
	workDir, err := os.MkdirTemp("", "dynamodb-local-")
	if err != nil {
		return nil, err
	}
	launcher := filepath.Join(workDir, "loopback.java")
	if err := os.WriteFile(launcher, loopbackLauncher, 0o644); err != nil {
		os.RemoveAll(workDir)
		return nil, err
	}
	out := &tail{limit: outputLimit}
	storage := []string{"-inMemory"}
	if dbDir != "" {
		storage = []string{"-dbPath", dbDir}
	}
	args := append([]string{
		"-Djava.library.path=" + filepath.Join(dir, "DynamoDBLocal_lib"),
		launcher, filepath.Join(dir, "DynamoDBLocal.jar"),
	}, storage...)
	cmd := exec.Command("java", append(args, "-sharedDb", "-disableTelemetry", "-port", strconv.Itoa(port))...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = workDir, out, out
	// -disableTelemetry does not reach the server's start, which reads only this variable: without
	// it DynamoDB Local tries to reach AWS before it listens, which offline only delays it.
	cmd.Env = append(os.Environ(), "DDB_LOCAL_TELEMETRY=0")
	cmd.SysProcAttr = processAttributes()
	if err := cmd.Start(); err != nil {
		os.RemoveAll(workDir)
		if errors.Is(err, exec.ErrNotFound) {
			err = fmt.Errorf("%w (DynamoDB Local needs Java 17 or newer)", err)
		}
		return nil, err
	}
	s := &Server{
		cmd:      cmd,
		endpoint: "http://127.0.0.1:" + strconv.Itoa(port),
		workDir:  workDir,
		output:   out,
		exited:   make(chan struct{}),
	}
	go func() {
		cmd.Wait()
		close(s.exited)
	}()
	return s, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls ListTables until it succeeds, the process exits or ctx ends.
func (s *Server) waitReady(ctx context.Context) error {
	client := NewClient(s.endpoint, func(o *dynamodb.Options) { o.Retryer = aws.NopRetryer{} })
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := client.ListTables(attempt, &dynamodb.ListTablesInput{})
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("process exited before answering (%v)", s.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("no answer on %s: %w (last error: %v)", s.endpoint, ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// Endpoint returns the server's base URL, http://127.0.0.1:<port>.
func (s *Server) Endpoint() string {
	return s.endpoint
}

// Close kills the process (and its process group), waits for it to exit and removes its
// working directory. Calling Close again returns the first call's result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.stop() })
	return s.closeErr
}

func (s *Server) stop() error {
	select {
	case <-s.exited:
	default:
		if err := killGroup(s.cmd.Process); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("stop DynamoDB Local (pid %d): %w", s.cmd.Process.Pid, err)
		}
		<-s.exited
	}
	if err := os.RemoveAll(s.workDir); err != nil {
		return fmt.Errorf("stop DynamoDB Local: %w", err)
	}
	return nil
}
