package dynamotest

import (
	"errors"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestMain(m *testing.M) { Main(m) }

func TestNewTableEndToEnd(t *testing.T) {
	client, table := NewTable(t)
	ctx := t.Context()

	item := map[string]types.AttributeValue{
		"PK":     &types.AttributeValueMemberS{Value: "CONTACT#c-42"},
		"SK":     &types.AttributeValueMemberS{Value: "PROFILE"},
		"GSI1PK": &types.AttributeValueMemberS{Value: "EMAIL#sara@example.com"},
		"GSI1SK": &types.AttributeValueMemberS{Value: "CONTACT#c-42"},
		"name":   &types.AttributeValueMemberS{Value: "Sara"},
	}
	put := &dynamodb.PutItemInput{
		TableName:           aws.String(table),
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(PK)"),
	}
	if _, err := client.PutItem(ctx, put); err != nil {
		t.Fatalf("first conditional put: %v", err)
	}
	_, err := client.PutItem(ctx, put)
	var conflict *types.ConditionalCheckFailedException
	if !errors.As(err, &conflict) {
		t.Fatalf("second conditional put: error = %v, want ConditionalCheckFailedException", err)
	}

	got, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(table),
		Key:            map[string]types.AttributeValue{"PK": item["PK"], "SK": item["SK"]},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("get item: %v", err)
	}
	if name, _ := got.Item["name"].(*types.AttributeValueMemberS); name == nil || name.Value != "Sara" {
		t.Errorf("get item = %v, want name Sara", got.Item)
	}

	q, err := client.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		IndexName:                 aws.String("GSI1"),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": item["GSI1PK"]},
	})
	if err != nil {
		t.Fatalf("query GSI1: %v", err)
	}
	if len(q.Items) != 1 {
		t.Fatalf("query GSI1 returned %d items, want 1", len(q.Items))
	}
	if pk, _ := q.Items[0]["PK"].(*types.AttributeValueMemberS); pk == nil || pk.Value != "CONTACT#c-42" {
		t.Errorf("query GSI1 item = %v, want PK CONTACT#c-42", q.Items[0])
	}
}

func TestNewTableDefinition(t *testing.T) {
	client, table := NewTable(t)
	ctx := t.Context()
	desc, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatalf("describe table: %v", err)
	}
	d := desc.Table
	if d.TableStatus != types.TableStatusActive {
		t.Errorf("status = %s, want ACTIVE", d.TableStatus)
	}
	if d.BillingModeSummary == nil || d.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing mode = %+v, want PAY_PER_REQUEST", d.BillingModeSummary)
	}
	var indexes []string
	for _, idx := range d.GlobalSecondaryIndexes {
		indexes = append(indexes, aws.ToString(idx.IndexName))
	}
	sort.Strings(indexes)
	if strings.Join(indexes, ",") != "GSI1,GSI2,GSI3,GSI4,GSI5,GSI6,GSI7" {
		t.Errorf("indexes = %v, want GSI1 to GSI7 (template.yaml's)", indexes)
	}
	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatalf("describe time to live: %v", err)
	}
	if s := ttl.TimeToLiveDescription; s.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(s.AttributeName) != "expiresAt" {
		t.Errorf("time to live = %s on %q, want ENABLED on expiresAt", s.TimeToLiveStatus, aws.ToString(s.AttributeName))
	}
}

func TestNewTableDeletedAfterTest(t *testing.T) {
	var table string
	t.Run("inner", func(t *testing.T) {
		_, table = NewTable(t)
	})
	_, err := Client(t).DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("describe table %s after its test: error = %v, want ResourceNotFoundException", table, err)
	}
}

func TestNewTablesAreDistinct(t *testing.T) {
	_, a := NewTable(t)
	_, b := NewTable(t)
	if a == b {
		t.Fatalf("two tables named %s", a)
	}
}

func TestTableName(t *testing.T) {
	valid := regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`)
	tests := map[string]string{
		"TestX/sub case#1":       "TestX_sub_case_1-",
		strings.Repeat("a", 300): strings.Repeat("a", 200) + "-",
	}
	for testName, prefix := range tests {
		got := tableName(testName)
		if !strings.HasPrefix(got, prefix) || len(got) != len(prefix)+10 || !valid.MatchString(got) {
			t.Errorf("tableName(%.20q) = %q, want %q and 10 random characters", testName, got, prefix)
		}
	}
}
