package dynamo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Take counts one use of a fixed-window limit (an item `LIMIT#<key>`, `#LIMIT`, whose key names
// its window) and reports whether it was still under limit. The count is one atomic,
// conditional update, so that concurrent callers never take more than limit between them; the
// item expires with its window.
func (st *Store) Take(ctx context.Context, name string, limit int64, expires time.Time) (bool, error) {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           &st.table,
		Key:                 key("LIMIT#"+name, "#LIMIT"),
		UpdateExpression:    aws.String("ADD used :one SET expiresAt = :exp"),
		ConditionExpression: aws.String("attribute_not_exists(used) OR used < :limit"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": n(1), ":limit": &types.AttributeValueMemberN{Value: strconv.FormatInt(limit, 10)},
			":exp": n(expires.Unix()),
		},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("take limit %s: %w", name, err)
	}
	return true, nil
}
