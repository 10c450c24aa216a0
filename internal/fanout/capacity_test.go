package fanout_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"shopmail/internal/dynamo/dynamotest"
)

// capacity sums what DynamoDB reports consuming, asking every call for it.
type capacity struct {
	mu                     sync.Mutex
	read, write            float64
	calls, writes, refused int
}

func (c *capacity) client(base *dynamodb.Client) *dynamodb.Client {
	return dynamodb.New(base.Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Initialize.Add(middleware.InitializeMiddlewareFunc("capacity", c.handle), middleware.After)
		})
	})
}

func (c *capacity) handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	total, write := types.ReturnConsumedCapacityTotal, true
	switch p := in.Parameters.(type) {
	case *dynamodb.GetItemInput:
		p.ReturnConsumedCapacity, write = total, false
	case *dynamodb.QueryInput:
		p.ReturnConsumedCapacity, write = total, false
	case *dynamodb.BatchGetItemInput:
		p.ReturnConsumedCapacity, write = total, false
	case *dynamodb.TransactGetItemsInput:
		p.ReturnConsumedCapacity, write = total, false
	case *dynamodb.PutItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.UpdateItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.DeleteItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.BatchWriteItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.TransactWriteItemsInput:
		p.ReturnConsumedCapacity = total
	}
	out, md, err := next.HandleInitialize(ctx, in)
	var units float64
	add := func(cc ...types.ConsumedCapacity) {
		for _, x := range cc {
			if x.CapacityUnits != nil {
				units += *x.CapacityUnits
			}
		}
	}
	one := func(cc *types.ConsumedCapacity) {
		if cc != nil {
			add(*cc)
		}
	}
	switch r := out.Result.(type) {
	case *dynamodb.GetItemOutput:
		one(r.ConsumedCapacity)
	case *dynamodb.QueryOutput:
		one(r.ConsumedCapacity)
	case *dynamodb.BatchGetItemOutput:
		add(r.ConsumedCapacity...)
	case *dynamodb.TransactGetItemsOutput:
		add(r.ConsumedCapacity...)
	case *dynamodb.PutItemOutput:
		one(r.ConsumedCapacity)
	case *dynamodb.UpdateItemOutput:
		one(r.ConsumedCapacity)
	case *dynamodb.DeleteItemOutput:
		one(r.ConsumedCapacity)
	case *dynamodb.BatchWriteItemOutput:
		add(r.ConsumedCapacity...)
	case *dynamodb.TransactWriteItemsOutput:
		add(r.ConsumedCapacity...)
	}
	var ccf *types.ConditionalCheckFailedException
	var tce *types.TransactionCanceledException
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	switch {
	case errors.As(err, &ccf), errors.As(err, &tce):
		c.refused++ // a refused write costs a write unit, not reported with the error
		c.write++
	case write:
		c.writes++
		c.write += units
	default:
		c.read += units
	}
	return out, md, err
}

// Prices of DynamoDB on-demand in us-east-1 (aws.amazon.com/dynamodb/pricing/on-demand, as of
// 2026-12): dollars per million request units.
const (
	writeUnitPrice = 0.625
	readUnitPrice  = 0.125
)

// BenchmarkCampaignCapacity sends a campaign to 200 contacts over DynamoDB Local, planner and
// senders, and reports the DynamoDB capacity each recipient cost, as DynamoDB reports it, with
// its on-demand price per million emails (SES's is $100).
func BenchmarkCampaignCapacity(b *testing.B) {
	const n = 200
	for b.Loop() {
		client, table := dynamotest.NewTable(b)
		cp := &capacity{}
		w := newWorldOn(cp.client(client), table)
		w.contacts(b, n)
		c := w.campaign(b, nil)
		*cp = capacity{}
		w.start(b, c.ID)
		if got, _ := w.received(b); len(got) != n {
			b.Fatalf("%d of %d contacts got the campaign", len(got), n)
		}
		per := func(v float64) float64 { return v / n }
		b.ReportMetric(per(cp.write), "WCU/recipient")
		b.ReportMetric(per(cp.read), "RCU/recipient")
		b.ReportMetric(per(float64(cp.calls)), "calls/recipient")
		b.ReportMetric(per(float64(cp.writes)), "writes/recipient")
		b.ReportMetric(per(float64(cp.refused)), "refused/recipient")
		b.ReportMetric(per(cp.write)*writeUnitPrice+per(cp.read)*readUnitPrice, "$/M-emails")
	}
}
