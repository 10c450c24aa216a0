package dynamolocal

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/samtemplate"
)

// CreateTableInput returns the CreateTable request for a table called name with the definition
// tbl.
func CreateTableInput(name string, tbl samtemplate.Table) *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName:             aws.String(name),
		BillingMode:           types.BillingMode(tbl.BillingMode),
		KeySchema:             keySchema(tbl.Key),
		ProvisionedThroughput: throughput(tbl.Throughput),
	}
	for _, a := range tbl.Attributes {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a.Name),
			AttributeType: types.ScalarAttributeType(a.Type),
		})
	}
	for _, idx := range tbl.GlobalIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(idx.Name),
			KeySchema: keySchema(idx.Key),
			Projection: &types.Projection{
				ProjectionType:   types.ProjectionType(idx.ProjectionType),
				NonKeyAttributes: idx.NonKeyAttributes,
			},
			ProvisionedThroughput: throughput(idx.Throughput),
		})
	}
	return in
}

func keySchema(k samtemplate.KeySchema) []types.KeySchemaElement {
	key := []types.KeySchemaElement{{AttributeName: aws.String(k.Hash), KeyType: types.KeyTypeHash}}
	if k.Range != "" {
		key = append(key, types.KeySchemaElement{AttributeName: aws.String(k.Range), KeyType: types.KeyTypeRange})
	}
	return key
}

func throughput(t *samtemplate.Throughput) *types.ProvisionedThroughput {
	if t == nil {
		return nil
	}
	return &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(t.Read), WriteCapacityUnits: aws.Int64(t.Write)}
}

// CreateTable creates the table name with the definition tbl, waits until it and its indexes
// are ACTIVE and enables time to live when tbl has a TTL attribute.
func CreateTable(ctx context.Context, client *dynamodb.Client, name string, tbl samtemplate.Table) error {
	if _, err := client.CreateTable(ctx, CreateTableInput(name, tbl)); err != nil {
		return fmt.Errorf("create table %s: %w", name, err)
	}
	if err := waitActive(ctx, client, name); err != nil {
		return fmt.Errorf("create table %s: %w", name, err)
	}
	if tbl.TTLAttribute == "" {
		return nil
	}
	_, err := client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(tbl.TTLAttribute),
			Enabled:       aws.Bool(true),
		},
	})
	if err != nil {
		return fmt.Errorf("enable time to live on table %s: %w", name, err)
	}
	return nil
}

// AddMissingIndexes creates, on the existing table name, each global secondary index of tbl
// that it lacks, one at a time as DynamoDB allows, and waits until they are ACTIVE (and
// backfilled): a table kept from an older template (make run DATA=...) gets the indexes a
// newer one reads, as a deployment's update would give them.
func AddMissingIndexes(ctx context.Context, client *dynamodb.Client, name string, tbl samtemplate.Table) error {
	out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("describe table %s: %w", name, err)
	}
	have := map[string]bool{}
	for _, idx := range out.Table.GlobalSecondaryIndexes {
		have[aws.ToString(idx.IndexName)] = true
	}
	in := CreateTableInput(name, tbl)
	for _, idx := range in.GlobalSecondaryIndexes {
		if have[aws.ToString(idx.IndexName)] {
			continue
		}
		_, err := client.UpdateTable(ctx, &dynamodb.UpdateTableInput{
			TableName: aws.String(name), AttributeDefinitions: in.AttributeDefinitions,
			GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
				IndexName: idx.IndexName, KeySchema: idx.KeySchema, Projection: idx.Projection, ProvisionedThroughput: idx.ProvisionedThroughput,
			}}},
		})
		if err != nil {
			return fmt.Errorf("add index %s to table %s: %w", aws.ToString(idx.IndexName), name, err)
		}
		if err := waitActive(ctx, client, name); err != nil {
			return fmt.Errorf("add index %s to table %s: %w", aws.ToString(idx.IndexName), name, err)
		}
	}
	return nil
}

// waitActive polls DescribeTable, backing off from 50 ms to 2 s, until the table and all its
// global secondary indexes are ACTIVE.
func waitActive(ctx context.Context, client *dynamodb.Client, name string) error {
	for delay := 50 * time.Millisecond; ; delay = min(2*delay, 2*time.Second) {
		out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("wait until active: %w", err)
		}
		if active(out.Table) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait until active: %w", ctx.Err())
		case <-time.After(delay):
		}
	}
}

func active(t *types.TableDescription) bool {
	if t.TableStatus != types.TableStatusActive {
		return false
	}
	for _, idx := range t.GlobalSecondaryIndexes {
		if idx.IndexStatus != types.IndexStatusActive {
			return false
		}
	}
	return true
}
