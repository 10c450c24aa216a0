package contacts_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/contact"
	"shopmail/internal/contacts"
	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
)

// Run with: go run ./infra/cmd/with-dynamodb -- go test -run '^$' -bench . -benchtime 1x -timeout 60m ./internal/contacts/

func importCSV(n int) []byte {
	var b strings.Builder
	b.WriteString("id,email,firstName,locale,country,tags,consent.sales,consent.sales.source,consent.sales.at\n")
	for i := range n {
		locale, country := "fa-IR", "IR"
		if i%3 == 0 {
			locale, country = "en-GB", "GB"
		}
		fmt.Fprintf(&b, "c-%06d,c%d@example.com,Name%d,%s,%s,t%d,%v,newsletter form,2026-11-01T08:00:00Z\n", i, i, i, locale, country, i%7, i%2 == 0)
	}
	return []byte(b.String())
}

// BenchmarkImport imports 100,000 contacts into an empty table (DynamoDB Local).
func BenchmarkImport(b *testing.B) {
	body := importCSV(100_000)
	for range b.N {
		client, table := dynamotest.NewTable(b)
		st := &dynamo.Marketing{Store: dynamo.New(client, table, time.Now)}
		svc := &contacts.Service{Store: st, Segments: st, Profiles: st, Pages: st, Now: time.Now}
		start := time.Now()
		res, err := svc.Import(context.Background(), contacts.CSV, body)
		if err != nil || res.Imported != 100_000 {
			b.Fatalf("%+v %v", res.Failed[:min(3, len(res.Failed))], err)
		}
		b.ReportMetric(100_000/time.Since(start).Seconds(), "rows/s")
	}
}

// capacity counts the read capacity the profile queries consume.
type capacity struct {
	dynamo.Client
	units atomic.Int64 // in thousandths
}

func (c *capacity) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := c.Client.Query(ctx, in, o...)
	if err == nil && out.ConsumedCapacity != nil {
		c.units.Add(int64(aws.ToFloat64(out.ConsumedCapacity.CapacityUnits) * 1000))
	}
	return out, err
}

// BenchmarkAudience lists a segment among 100,000 contacts with 1,000,000 tracking rows in the
// table (ten per contact), and previews a segment of all of them.
func BenchmarkAudience(b *testing.B) {
	client, table := dynamotest.NewTable(b)
	st := &dynamo.Marketing{Store: dynamo.New(client, table, time.Now)}
	svc := &contacts.Service{Store: st, Segments: st, Profiles: st, Pages: st, Now: time.Now}
	if res, err := svc.Import(context.Background(), contacts.CSV, importCSV(100_000)); err != nil || res.Imported != 100_000 {
		b.Fatal(err)
	}
	var reqs []types.WriteRequest
	for i := range 100_000 {
		for j := range 10 {
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
				"PK": &types.AttributeValueMemberS{Value: fmt.Sprintf("CONTACT#c-%06d", i)}, "SK": &types.AttributeValueMemberS{Value: fmt.Sprintf("ACT#2026-11-%02dT10:00:00Z#open#%d", j+1, j)},
				"type": &types.AttributeValueMemberS{Value: "activity"}, "kind": &types.AttributeValueMemberS{Value: "open"},
				"class": &types.AttributeValueMemberS{Value: "human"}, "sendKey": &types.AttributeValueMemberS{Value: fmt.Sprintf("thankyou#o-%d", i)},
			}}})
		}
	}
	writeAll(b, client, table, reqs)
	counted := &capacity{Client: client}
	listing := &contacts.Service{Store: st, Segments: st, Profiles: &dynamo.Marketing{Store: dynamo.New(counted, table, time.Now)}, Pages: st, Now: time.Now}
	rule, _ := contacts.ParseRule([]byte(`{"all": [{"locale": "fa"}, {"consent": "sales"}]}`))
	everyone, _ := contacts.ParseRule([]byte(`{"not": {"suppressed": true}}`))
	b.ResetTimer()
	for range b.N {
		counted.units.Store(0)
		start := time.Now()
		n := 0
		if err := listing.Audience(context.Background(), rule, func(*contact.Contact) bool { n++; return true }); err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		b.ReportMetric(100_000/elapsed.Seconds(), "contacts/s")
		b.ReportMetric(float64(n)/elapsed.Seconds(), "recipients/s")
		b.ReportMetric(float64(counted.units.Load())/1000/float64(n), "RCU/recipient")
		b.ReportMetric(float64(counted.units.Load())/1000/100_000, "RCU/contact")
		start = time.Now()
		pv, err := listing.Preview(context.Background(), everyone)
		if err != nil || pv.Count != 100_000 || !pv.Exact {
			b.Fatal(pv.Count, err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/preview-100k")
	}
}

// writeAll writes items with parallel BatchWriteItem calls.
func writeAll(b *testing.B, client *dynamodb.Client, table string, reqs []types.WriteRequest) {
	jobs := make(chan []types.WriteRequest)
	done := make(chan error)
	for range 16 {
		go func() {
			var err error
			for batch := range jobs {
				for len(batch) > 0 && err == nil {
					var out *dynamodb.BatchWriteItemOutput
					out, err = client.BatchWriteItem(context.Background(), &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: batch}})
					if err == nil {
						batch = out.UnprocessedItems[table]
					}
				}
			}
			done <- err
		}()
	}
	for len(reqs) > 0 {
		n := min(25, len(reqs))
		jobs <- reqs[:n]
		reqs = reqs[n:]
	}
	close(jobs)
	for range 16 {
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
}
