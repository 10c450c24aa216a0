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
	return st.TakeN(ctx, name, 1, limit, expires)
}

// TakeN is Take for count uses at once: all of them or none.
func (st *Store) TakeN(ctx context.Context, name string, count, limit int64, expires time.Time) (bool, error) {
	if count > limit {
		return false, nil
	}
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           &st.table,
		Key:                 key("LIMIT#"+name, "#LIMIT"),
		UpdateExpression:    aws.String("ADD used :count SET expiresAt = :exp"),
		ConditionExpression: aws.String("attribute_not_exists(used) OR used <= :room"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":count": n(count), ":room": &types.AttributeValueMemberN{Value: strconv.FormatInt(limit-count, 10)},
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
