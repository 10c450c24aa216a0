// Package dynamotest gives tests a real DynamoDB: DynamoDB Local, started once per test process,
// or the endpoint in AWS_ENDPOINT_URL_DYNAMODB when it is set (`make test` sets it, so that all
// the packages share one server). Each test gets its own table, created from template.yaml.
//
// A package that uses it calls Main from its TestMain:
//
//	func TestMain(m *testing.M) { dynamotest.Main(m) }
package dynamotest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/dynamo/dynamolocal"
	"shopmail/internal/samtemplate"
)

// TableLogicalID is the template.yaml resource NewTable copies.
const TableLogicalID = "MarketingTable"

var (
	mainCalled atomic.Bool

	serverMu  sync.Mutex
	server    *dynamolocal.Server
	serverErr error

	marketingTable = sync.OnceValues(func() (samtemplate.Table, error) {
		tmpl, err := samtemplate.Default()
		if err != nil {
			return samtemplate.Table{}, err
		}
		return tmpl.Table(TableLogicalID)
	})
)

// Main runs the tests and then stops the DynamoDB Local server that Client started, if any,
// and exits. Call it from TestMain.
func Main(m *testing.M) {
	mainCalled.Store(true)
	code := m.Run()
	if err := stopServer(); err != nil {
		fmt.Fprintln(os.Stderr, "dynamotest:", err)
		code = max(code, 1)
	}
	os.Exit(code)
}

// Client returns a client for this test process's DynamoDB: AWS_ENDPOINT_URL_DYNAMODB when set,
// otherwise a DynamoDB Local server started on first use and stopped by Main. The client has
// static dummy credentials and region us-east-1. With -short, the test is skipped.
func Client(t testing.TB) *dynamodb.Client {
	t.Helper()
	if testing.Short() {
		t.Skip("needs DynamoDB Local; skipped with -short")
	}
	if !mainCalled.Load() {
		t.Fatal("dynamotest: call dynamotest.Main(m) from this package's TestMain, so that DynamoDB Local is stopped after the tests")
	}
	endpoint, err := endpoint()
	if err != nil {
		t.Fatalf("dynamotest: %v", err)
	}
	return dynamolocal.NewClient(endpoint)
}

func endpoint() (string, error) {
	if e := os.Getenv(dynamolocal.EndpointEnv); e != "" {
		return e, nil
	}
	serverMu.Lock()
	defer serverMu.Unlock()
	if server == nil && serverErr == nil {
		server, serverErr = dynamolocal.Start(context.Background())
	}
	if serverErr != nil {
		return "", serverErr
	}
	return server.Endpoint(), nil
}

func stopServer() error {
	serverMu.Lock()
	defer serverMu.Unlock()
	if server == nil {
		return nil
	}
	return server.Close()
}

// NewTable creates a table with the definition of template.yaml's MarketingTable (keys, indexes,
// billing mode, time to live) and a name made of the test's name and a random suffix, and
// deletes it when the test ends. It returns a client (see Client) and the table's name.
func NewTable(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	client := Client(t)
	tbl, err := marketingTable()
	if err != nil {
		t.Fatalf("dynamotest: %v", err)
	}
	name := tableName(t.Name())
	t.Cleanup(func() { deleteTable(t, client, name) })
	if err := dynamolocal.CreateTable(t.Context(), client, name, tbl); err != nil {
		t.Fatalf("dynamotest: %v", err)
	}
	return client, name
}

func deleteTable(t testing.TB, client *dynamodb.Client, name string) {
	// t.Context() is already cancelled when cleanup functions run.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	var notFound *types.ResourceNotFoundException
	if err != nil && !errors.As(err, &notFound) {
		t.Errorf("dynamotest: delete table %s: %v", name, err)
	}
}

// invalidTableChars matches what DynamoDB does not allow in a table name.
var invalidTableChars = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// tableName returns a table name made of the test's name (at most 200 characters of it, with
// what DynamoDB does not allow replaced) and a random suffix.
func tableName(testName string) string {
	base := invalidTableChars.ReplaceAllString(testName, "_")
	if len(base) > 200 {
		base = base[:200]
	}
	return base + "-" + rand.Text()[:10]
}

// Items returns every item of a partition, in key order, as text: a fingerprint that tests
// compare before and after a request that must write nothing.
func Items(t testing.TB, client *dynamodb.Client, table, pk string) (string, error) {
	t.Helper()
	res, err := client.Query(context.Background(), &dynamodb.QueryInput{
		TableName: &table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
	})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, it := range res.Items {
		writeValue(&b, &types.AttributeValueMemberM{Value: it})
		b.WriteString("\n")
	}
	return b.String(), nil
}

func writeValue(b *strings.Builder, v types.AttributeValue) {
	switch v := v.(type) {
	case *types.AttributeValueMemberM:
		keys := make([]string, 0, len(v.Value))
		for k := range v.Value {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("{")
		for _, k := range keys {
			fmt.Fprintf(b, "%s:", k)
			writeValue(b, v.Value[k])
			b.WriteString(" ")
		}
		b.WriteString("}")
	case *types.AttributeValueMemberL:
		b.WriteString("[")
		for _, e := range v.Value {
			writeValue(b, e)
			b.WriteString(" ")
		}
		b.WriteString("]")
	case *types.AttributeValueMemberS:
		fmt.Fprintf(b, "%q", v.Value)
	case *types.AttributeValueMemberN:
		b.WriteString(v.Value)
	case *types.AttributeValueMemberBOOL:
		fmt.Fprint(b, v.Value)
	default:
		fmt.Fprintf(b, "%T", v)
	}
}
