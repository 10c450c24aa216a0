package dynamo

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/send"
)

// Parked messages (sends whose outcome is unknown) live in one partition, sorted by when
// their try began: they are rare (a timeout of the mail service, a crash mid-call), and the sweep reads
// the oldest first.
const parkedPK = "PARKED"

func parkedSK(p send.Parked) string {
	return stamp(p.At) + "#" + contactPK(p.ContactID) + "#" + safe(p.Key)
}

// maxParkedBytes keeps a parked item under DynamoDB's 400 KB item limit; a larger message
// (compressed) stays unknown, for its SES event to settle.
const maxParkedBytes = 350 << 10

// Park keeps p's message (compressed) and records rec as unknown. The message is written
// first: a send recorded unknown without its message could never be swept. p.At is rec's
// claim time unless set.
func (st *Store) Park(ctx context.Context, rec send.Record, p send.Parked) error {
	p.ContactID, p.Key, p.Token = rec.ContactID, rec.Key, rec.Token
	if p.At.IsZero() {
		p.At = rec.ClaimedAt
	}
	it, err := parkedItem(p)
	switch {
	case errors.Is(err, errTooLarge):
		rec.Reason += " (the message is too large to keep for the sweep)"
	case err != nil:
		return err
	default:
		if _, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: it}); err != nil {
			return fmt.Errorf("park send %s: %w", rec.Key, err)
		}
	}
	rec.Status = send.Unknown
	return st.Settle(ctx, rec)
}

var errTooLarge = errors.New("too large to park")

// parkedItem is p as stored, its message compressed.
func parkedItem(p send.Parked) (item, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(p.Raw); err != nil {
		return nil, fmt.Errorf("compress send %s: %w", p.Key, err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress send %s: %w", p.Key, err)
	}
	if buf.Len() > maxParkedBytes {
		return nil, errTooLarge
	}
	tags := make(map[string]string, len(p.Tags))
	for _, t := range p.Tags {
		tags[t.Name] = t.Value
	}
	it := item{}.str("PK", parkedPK).str("SK", parkedSK(p)).str("type", "parked").str("contactId", p.ContactID).
		str("sendKey", p.Key).str("claimToken", p.Token).str("at", stamp(p.At)).strMap("tags", tags)
	it["raw"] = &types.AttributeValueMemberB{Value: buf.Bytes()}
	return it, nil
}

// ParkedBefore lists up to limit parked messages of tries begun before t, oldest first.
func (st *Store) ParkedBefore(ctx context.Context, t time.Time, limit int) ([]send.Parked, error) {
	res, err := st.db.Query(ctx, &dynamodb.QueryInput{
		TableName: &st.table, KeyConditionExpression: aws.String("PK = :pk AND SK < :before"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(parkedPK), ":before": s(stamp(t))},
		Limit:                     aws.Int32(int32(limit)), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("query parked sends: %w", err)
	}
	out := make([]send.Parked, 0, len(res.Items))
	for _, raw := range res.Items {
		it := item(raw)
		p := send.Parked{ContactID: it.getStr("contactId"), Key: it.getStr("sendKey"), Token: it.getStr("claimToken"),
			At: unstamp(it.getStr("at"))}
		for name, v := range it.getStrMap("tags") {
			p.Tags = append(p.Tags, send.Tag{Name: name, Value: v})
		}
		if b, ok := it["raw"].(*types.AttributeValueMemberB); ok {
			zr, err := gzip.NewReader(bytes.NewReader(b.Value))
			if err == nil {
				p.Raw, err = io.ReadAll(zr)
			}
			if err != nil {
				return nil, fmt.Errorf("read parked send %s: %w", p.Key, err)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// Reopen moves a parked send, still unknown (or sending) under p's token, to sending under
// next's, and parks its message again as next, in one transaction.
func (st *Store) Reopen(ctx context.Context, p, next send.Parked) (bool, error) {
	it, err := parkedItem(next)
	if err != nil {
		return false, err
	}
	_, err = st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{TableName: &st.table, Key: key(contactPK(p.ContactID), sendSK(p.Key)),
			UpdateExpression:         aws.String("SET #st = :sending, claimToken = :token"),
			ConditionExpression:      aws.String("#st IN (:unknown, :sending) AND claimToken = :parked"),
			ExpressionAttributeNames: map[string]string{"#st": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":sending": s(string(send.Sending)), ":unknown": s(string(send.Unknown)),
				":token": s(next.Token), ":parked": s(p.Token),
			}}},
		{Delete: &types.Delete{TableName: &st.table, Key: key(parkedPK, parkedSK(p)), ConditionExpression: aws.String("attribute_exists(PK)")}},
		{Put: &types.Put{TableName: &st.table, Item: it}},
	}})
	for _, code := range cancelled(err) {
		if code == "ConditionalCheckFailed" {
			return false, nil
		}
	}
	if err != nil {
		return false, fmt.Errorf("reopen send %s: %w", p.Key, err)
	}
	return true, nil
}

// Unpark deletes a parked message.
func (st *Store) Unpark(ctx context.Context, p send.Parked) error {
	_, err := st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &st.table, Key: key(parkedPK, parkedSK(p))})
	if err != nil {
		return fmt.Errorf("unpark send %s: %w", p.Key, err)
	}
	return nil
}
