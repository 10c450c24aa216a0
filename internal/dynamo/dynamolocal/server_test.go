package dynamolocal

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/samtemplate"
)

// helperEnv makes the test binary run helperProcess instead of the tests.
const helperEnv = "DYNAMOLOCAL_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		helperProcess()
		return
	}
	os.Exit(m.Run())
}

// helperProcess starts DynamoDB Local, prints its endpoint and waits to be killed.
func helperProcess() {
	s, err := Start(context.Background())
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println(s.Endpoint())
	select {}
}

func TestStartAndClose(t *testing.T) {
	t.Parallel()
	s, err := Start(t.Context())
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if !strings.HasPrefix(s.Endpoint(), "http://127.0.0.1:") {
		t.Errorf("Endpoint = %q", s.Endpoint())
	}
	if !answers(s.Endpoint()) {
		t.Fatalf("%s does not answer ListTables", s.Endpoint())
	}
	pid := s.cmd.Process.Pid
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process %d still exists after Close (kill -0: %v)", pid, err)
	}
	if _, err := os.Stat(s.workDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("working directory %s not removed: %v", s.workDir, err)
	}
	if answers(s.Endpoint()) {
		t.Errorf("%s still answers after Close", s.Endpoint())
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestKilledParentLeavesNoServer kills, with SIGKILL, a process that started DynamoDB Local and
// checks that DynamoDB Local dies too.
func TestKilledParentLeavesNoServer(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only Linux kills a child when its parent dies")
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0])
	// The helper cannot remove DynamoDB Local's working directory: let the test remove it.
	cmd.Env = append(os.Environ(), helperEnv+"=1", "TMPDIR="+t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	endpoint := strings.TrimSpace(line)
	if err != nil || !strings.HasPrefix(endpoint, "http://") {
		cmd.Process.Kill()
		t.Fatalf("helper printed %q (%v), want an endpoint", line, err)
	}
	if !answers(endpoint) {
		t.Fatalf("%s does not answer while the helper runs", endpoint)
	}
	cmd.Process.Kill()
	cmd.Wait()
	for deadline := time.Now().Add(10 * time.Second); answers(endpoint); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("DynamoDB Local on %s still answers 10s after its parent was killed", endpoint)
		}
	}
}

func TestStartNotInstalled(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(DirEnv, dir)
	_, err := Start(t.Context())
	want := "DynamoDB Local is not installed in " + dir + " (run `make test` or infra/dynamodb-local/install.sh)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Start error = %v, want it to contain %q", err, want)
	}
}

func TestStartReportsOutput(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "DynamoDBLocal.jar"), []byte("not a jar"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(DirEnv, dir)
	_, err := Start(t.Context())
	if err == nil || !strings.Contains(err.Error(), "process exited before answering") ||
		!strings.Contains(err.Error(), "DynamoDBLocal.jar") {
		t.Fatalf("Start error = %v, want the process's exit and output", err)
	}
}

// answers reports whether a DynamoDB endpoint answers ListTables within a second.
func answers(endpoint string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	client := NewClient(endpoint, func(o *dynamodb.Options) { o.Retryer = aws.NopRetryer{} })
	_, err := client.ListTables(ctx, &dynamodb.ListTablesInput{})
	return err == nil
}

// TestListensOnLoopbackOnly checks that DynamoDB Local, which accepts any signature, cannot be
// reached from another machine: its port answers on 127.0.0.1 and on none of this machine's
// other addresses.
func TestListensOnLoopbackOnly(t *testing.T) {
	others := nonLoopbackAddrs(t)
	if len(others) == 0 {
		t.Skip("this machine has no non-loopback address")
	}
	t.Parallel()
	s, err := Start(t.Context())
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer s.Close()
	u, err := url.Parse(s.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	if !answers(s.Endpoint()) {
		t.Fatalf("%s does not answer ListTables", s.Endpoint())
	}
	for _, ip := range others {
		addr := net.JoinHostPort(ip.String(), u.Port())
		if c, err := net.DialTimeout("tcp", addr, 2*time.Second); err == nil {
			c.Close()
			t.Errorf("DynamoDB Local accepts connections on %s, a non-loopback address", addr)
		}
	}
}

// nonLoopbackAddrs returns this machine's interface addresses that are not loopback ones
// (link-local IPv6 ones left out: they need a zone to be dialled).
func nonLoopbackAddrs(t *testing.T) []net.IP {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatalf("InterfaceAddrs: %v", err)
	}
	var ips []net.IP
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			ips = append(ips, n.IP)
		}
	}
	return ips
}

// A table kept from an older template gets the indexes the template has now, filled with the
// items it holds.
func TestMissingIndexesAreAdded(t *testing.T) {
	s, err := Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	client := NewClient(s.Endpoint())
	tbl := samtemplate.Table{
		Attributes:  []samtemplate.Attribute{{Name: "PK", Type: "S"}, {Name: "SK", Type: "S"}, {Name: "G1", Type: "S"}, {Name: "G2", Type: "S"}},
		Key:         samtemplate.KeySchema{Hash: "PK", Range: "SK"},
		BillingMode: "PAY_PER_REQUEST",
		GlobalIndexes: []samtemplate.Index{
			{Name: "One", Key: samtemplate.KeySchema{Hash: "G1"}, ProjectionType: "ALL"},
			{Name: "Two", Key: samtemplate.KeySchema{Hash: "G2"}, ProjectionType: "KEYS_ONLY"},
		},
	}
	old := tbl
	old.Attributes, old.GlobalIndexes = tbl.Attributes[:3], tbl.GlobalIndexes[:1]
	ctx := t.Context()
	if err := CreateTable(ctx, client, "kept", old); err != nil {
		t.Fatal(err)
	}
	str := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("kept"), Item: map[string]types.AttributeValue{
		"PK": str("a"), "SK": str("b"), "G1": str("x"), "G2": str("y"),
	}}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // and again: nothing is missing the second time
		if err := AddMissingIndexes(ctx, client, "kept", tbl); err != nil {
			t.Fatal(err)
		}
	}
	res, err := client.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String("kept"), IndexName: aws.String("Two"),
		KeyConditionExpression:    aws.String("G2 = :v"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": str("y")},
	})
	if err != nil || len(res.Items) != 1 {
		t.Fatalf("the added index holds %v, %v; want the item put before", res, err)
	}
}
