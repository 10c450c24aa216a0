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

// Book books d of the named timeline (an item `PACE#<name>`, `#PACE`) and returns when the
// booking starts: at the end of what is booked already, or now when that is past. While the
// timeline is busy that is one unconditional-in-effect write (ADD, conditioned only on the
// timeline being busy), whatever the number of senders booking at once; a timeline idle since
// before now is set from now with a second write.
func (st *Store) Book(ctx context.Context, name string, d time.Duration, now time.Time) (time.Time, error) {
	k := key("PACE#"+name, "#PACE")
	exp := n(now.Add(d).Add(time.Hour).Unix())
	for range 8 {
		out, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &st.table, Key: k,
			UpdateExpression:          aws.String("ADD bookedUntil :d SET expiresAt = :exp"),
			ConditionExpression:       aws.String("bookedUntil >= :now"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":d": n(int64(d)), ":now": n(now.UnixNano()), ":exp": exp},
			ReturnValues:              types.ReturnValueUpdatedNew,
		})
		if err == nil {
			until, ok := out.Attributes["bookedUntil"].(*types.AttributeValueMemberN)
			if !ok {
				return time.Time{}, fmt.Errorf("book %s: no time booked in the answer", name)
			}
			end, err := strconv.ParseInt(until.Value, 10, 64)
			if err != nil {
				return time.Time{}, fmt.Errorf("book %s: %w", name, err)
			}
			return time.Unix(0, end).Add(-d), nil
		}
		if !isConditionFailed(err) {
			return time.Time{}, fmt.Errorf("book %s: %w", name, err)
		}
		_, err = st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &st.table, Key: k,
			UpdateExpression:          aws.String("SET bookedUntil = :end, expiresAt = :exp"),
			ConditionExpression:       aws.String("attribute_not_exists(bookedUntil) OR bookedUntil < :now"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":end": n(now.Add(d).UnixNano()), ":now": n(now.UnixNano()), ":exp": exp},
		})
		if err == nil {
			return now, nil
		}
		if !isConditionFailed(err) {
			return time.Time{}, fmt.Errorf("book %s: %w", name, err)
		}
		// Another sender set it from its own now meanwhile: book after it.
	}
	return time.Time{}, fmt.Errorf("book %s: the timeline changed under every attempt", name)
}
