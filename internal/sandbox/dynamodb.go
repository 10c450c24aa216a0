package sandbox

// DynamoDB: requests are proxied to DynamoDB Local (endpoint.go); the template's table is
// created there.

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"shopmail/internal/dynamo/dynamolocal"
)

// createTable creates the template's table in DynamoDB Local unless it exists.
func (s *Sandbox) createTable(ctx context.Context) error {
	tbl, err := s.tmpl.Table("MarketingTable")
	if err != nil {
		return err
	}
	s.meter.table = tbl
	if _, err := s.db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &s.table}); err == nil {
		return dynamolocal.AddMissingIndexes(ctx, s.db, s.table, tbl)
	}
	return dynamolocal.CreateTable(ctx, s.db, s.table, tbl)
}
