package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/bus"
)

// The outbox: events that committed changes owe (bus.Event), one partition sorted by time.
// They are few (an unsubscribe, a suppression, a pause, a survey answer), and each lives
// only until it is published.
const outboxPK = "OUTBOX"

func outboxSK(ev bus.Event) string { return stamp(ev.At) + "#" + ev.ID }

// owed returns the transaction's puts of the events a change owes.
func owed(table string, evs []bus.Event) []types.TransactWriteItem {
	out := make([]types.TransactWriteItem, 0, len(evs))
	for _, ev := range evs {
		it := item{}.str("PK", outboxPK).str("SK", outboxSK(ev)).str("type", "event").str("id", ev.ID).
			str("detailType", ev.DetailType).str("detail", string(ev.Detail)).str("at", stamp(ev.At))
		out = append(out, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(table), Item: it}})
	}
	return out
}

// commit writes a change (its first write conditional, reported as changed == false when its
// condition fails) with the events it owes, all or nothing.
func (st *Store) commit(ctx context.Context, change []types.TransactWriteItem, evs []bus.Event) (bool, error) {
	if len(evs) == 0 && len(change) == 1 {
		return st.single(ctx, change[0])
	}
	done, _, err := st.transact(ctx, change, evs)
	return done, err
}

// transact writes change and the events it owes in one transaction; when the first write's
// condition fails it reports false with the item that write saw (when it asked for it).
func (st *Store) transact(ctx context.Context, change []types.TransactWriteItem, evs []bus.Event) (bool, item, error) {
	_, err := st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
		TransactItems: append(change, owed(st.table, evs)...),
	})
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) && len(canceled.CancellationReasons) > 0 &&
		aws.ToString(canceled.CancellationReasons[0].Code) == "ConditionalCheckFailed" {
		return false, canceled.CancellationReasons[0].Item, nil
	}
	return err == nil, nil, err
}

// single writes one conditional put or update without a transaction (half the cost).
func (st *Store) single(ctx context.Context, w types.TransactWriteItem) (bool, error) {
	var err error
	switch {
	case w.Put != nil:
		_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: w.Put.TableName, Item: w.Put.Item,
			ConditionExpression: w.Put.ConditionExpression, ExpressionAttributeNames: w.Put.ExpressionAttributeNames,
			ExpressionAttributeValues: w.Put.ExpressionAttributeValues})
	case w.Update != nil:
		_, err = st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: w.Update.TableName, Key: w.Update.Key,
			UpdateExpression: w.Update.UpdateExpression, ConditionExpression: w.Update.ConditionExpression,
			ExpressionAttributeNames: w.Update.ExpressionAttributeNames, ExpressionAttributeValues: w.Update.ExpressionAttributeValues})
	default:
		return false, errors.New("commit: a change is a put or an update")
	}
	if isConditionFailed(err) {
		return false, nil
	}
	return err == nil, err
}

// PendingBefore lists up to limit events owed since before t, oldest first.
func (st *Store) PendingBefore(ctx context.Context, t time.Time, limit int) ([]bus.Event, error) {
	res, err := st.db.Query(ctx, &dynamodb.QueryInput{
		TableName: &st.table, KeyConditionExpression: aws.String("PK = :pk AND SK < :before"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(outboxPK), ":before": s(stamp(t))},
		Limit:                     aws.Int32(int32(limit)), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("query the outbox: %w", err)
	}
	out := make([]bus.Event, 0, len(res.Items))
	for _, raw := range res.Items {
		it := item(raw)
		out = append(out, bus.Event{ID: it.getStr("id"), DetailType: it.getStr("detailType"),
			Detail: []byte(it.getStr("detail")), At: unstamp(it.getStr("at"))})
	}
	return out, nil
}

// Delivered deletes an event the bus took from the outbox.
func (st *Store) Delivered(ctx context.Context, ev bus.Event) error {
	_, err := st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &st.table, Key: key(outboxPK, outboxSK(ev))})
	if err != nil {
		return fmt.Errorf("delete %s event %s from the outbox: %w", ev.DetailType, ev.ID, err)
	}
	return nil
}
