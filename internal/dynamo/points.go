package dynamo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/fault"
	"shopmail/internal/loyalty"
	"shopmail/internal/money"
)

// The loyalty ledger lives in the contact's partition, one small item an entry, sorted by time:
// SK = POINTS#<at>#<order>#<kind>[#<ref>]. An order's Earn entry also keeps what reversals
// took back of it (taken: a map from reversal to points; takenTotal), so that two refunds of
// one order never take back more than it earned. No index holds the ledger.
const pointsPrefix = "POINTS#"

func pointsSK(e loyalty.Entry) string { return pointsPrefix + stamp(e.At) + "#" + safe(e.Key()) }

// PutPoints writes a ledger entry unless it is stored.
func (st *Store) PutPoints(ctx context.Context, e loyalty.Entry) error {
	it := item{}.str("PK", contactPK(e.ContactID)).str("SK", pointsSK(e)).str("type", "points").
		str("contactId", e.ContactID).str("orderId", e.OrderID).str("kind", e.Kind).str("ref", e.Ref).
		num("points", e.Points).str("at", stamp(e.At)).str("orderAt", stamp(e.OrderAt)).
		str("currency", e.Currency)
	if !e.Amount.IsZero() {
		it.str("amount", e.Amount.String())
	}
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &st.table, Item: it, ConditionExpression: aws.String("attribute_not_exists(PK)"),
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("put points %s: %w", e.Key(), err)
	}
	return nil
}

func entryOf(it item) loyalty.Entry {
	e := loyalty.Entry{
		ContactID: it.getStr("contactId"), OrderID: it.getStr("orderId"), Kind: it.getStr("kind"),
		Ref: it.getStr("ref"), Points: it.getNum("points"), At: unstamp(it.getStr("at")),
		OrderAt: unstamp(it.getStr("orderAt")), Currency: it.getStr("currency"),
	}
	if d, err := money.ParseDecimal(it.getStr("amount")); err == nil {
		e.Amount = d
	}
	return e
}

// PointsSince returns the contact's ledger entries dated at or after from, oldest first.
func (st *Store) PointsSince(ctx context.Context, contactID string, from time.Time) ([]loyalty.Entry, error) {
	in := &dynamodb.QueryInput{
		TableName:              &st.table,
		KeyConditionExpression: aws.String("PK = :pk AND SK BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s(contactPK(contactID)), ":from": s(pointsPrefix + stamp(from)), ":to": s(pointsPrefix + "~"),
		},
		ConsistentRead: aws.Bool(true),
	}
	var out []loyalty.Entry
	for {
		res, err := st.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("query points of contact %s: %w", contactID, err)
		}
		for _, it := range res.Items {
			out = append(out, entryOf(it))
		}
		if res.LastEvaluatedKey == nil {
			return out, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// PointsPage returns up to limit of the contact's ledger entries, newest first, from after the
// cursor ("" for the newest), and the cursor of the next page ("" at the end).
func (st *Store) PointsPage(ctx context.Context, contactID, cursor string, limit int) ([]loyalty.Entry, string, error) {
	in := &dynamodb.QueryInput{
		TableName:              &st.table,
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :p)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s(contactPK(contactID)), ":p": s(pointsPrefix),
		},
		ScanIndexForward: aws.Bool(false), Limit: aws.Int32(int32(limit)),
	}
	if cursor != "" {
		if strings.ContainsAny(cursor, "\x00") || len(cursor) > 400 {
			return nil, "", fmt.Errorf("%w cursor: not one this API gave", fault.ErrInvalid)
		}
		in.ExclusiveStartKey = key(contactPK(contactID), pointsPrefix+cursor)
	}
	res, err := st.db.Query(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("query points of contact %s: %w", contactID, err)
	}
	out := make([]loyalty.Entry, 0, len(res.Items))
	for _, it := range res.Items {
		out = append(out, entryOf(it))
	}
	next := ""
	if res.LastEvaluatedKey != nil && len(res.Items) > 0 {
		next = strings.TrimPrefix(item(res.LastEvaluatedKey).getStr("SK"), pointsPrefix)
	}
	return out, next, nil
}

// OrderPoints returns an order's Earn entry and what reversals took back of it. The order row
// says whose it is and when it was placed, which is where its entry is.
func (st *Store) OrderPoints(ctx context.Context, orderID string) (loyalty.Entry, map[string]int64, bool, error) {
	o, err := st.get(ctx, orderPK(orderID), "#ORDER")
	if err != nil || o == nil {
		return loyalty.Entry{}, nil, false, err
	}
	earn := loyalty.Entry{ContactID: o.getStr("contactId"), OrderID: orderID, Kind: loyalty.Earn, At: unstamp(o.getStr("placedAt"))}
	it, err := st.get(ctx, contactPK(earn.ContactID), pointsSK(earn))
	if err != nil || it == nil {
		return loyalty.Entry{}, nil, false, err
	}
	taken := map[string]int64{}
	if m, ok := it["taken"].(*types.AttributeValueMemberM); ok {
		for k := range m.Value {
			taken[k] = item(m.Value).getNum(k)
		}
	}
	return entryOf(it), taken, true, nil
}

// TakePoints records a reversal's points on the order's Earn entry, beside those taken (as
// OrderPoints read them), conditioned on no other reversal having been recorded since.
func (st *Store) TakePoints(ctx context.Context, earn loyalty.Entry, taken map[string]int64, reversal string, points int64) (bool, error) {
	m := make(map[string]types.AttributeValue, len(taken)+1)
	for k, p := range taken {
		m[k] = n(p)
	}
	m[reversal] = n(points)
	in := &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: key(contactPK(earn.ContactID), pointsSK(earn)),
		UpdateExpression:    aws.String("SET taken = :m, takenN = :n1"),
		ConditionExpression: aws.String("attribute_exists(PK) AND takenN = :n0"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":m": &types.AttributeValueMemberM{Value: m}, ":n0": n(int64(len(taken))), ":n1": n(int64(len(m))),
		},
	}
	if len(taken) == 0 {
		in.ConditionExpression = aws.String("attribute_exists(PK) AND attribute_not_exists(takenN)")
		delete(in.ExpressionAttributeValues, ":n0")
	}
	_, err := st.db.UpdateItem(ctx, in)
	if isConditionFailed(err) {
		return false, nil
	}
	return err == nil, err
}

// pendingPrefix begins the sort keys, in the order's partition, of reversals that came before
// the order's points were recorded: applied when they are.
const pendingPrefix = "POINTS#PENDING#"

// PendReversal keeps a reversal of an order whose points are not recorded yet.
func (st *Store) PendReversal(ctx context.Context, orderID string, p loyalty.Pending) error {
	it := item{}.str("PK", orderPK(orderID)).str("SK", pendingPrefix+safe(p.Kind+"#"+p.Ref)).str("type", "points-pending").
		str("kind", p.Kind).str("ref", p.Ref).str("at", stamp(p.At))
	if p.Amount != nil {
		it.str("amount", p.Amount.String())
	}
	if _, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: it}); err != nil {
		return fmt.Errorf("put pending reversal of order %s: %w", orderID, err)
	}
	return nil
}

// PendingReversals returns the reversals of an order that came before its points.
func (st *Store) PendingReversals(ctx context.Context, orderID string) ([]loyalty.Pending, error) {
	res, err := st.db.Query(ctx, &dynamodb.QueryInput{
		TableName:              &st.table,
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :p)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s(orderPK(orderID)), ":p": s(pendingPrefix),
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("query pending reversals of order %s: %w", orderID, err)
	}
	out := make([]loyalty.Pending, 0, len(res.Items))
	for _, it := range res.Items {
		p := loyalty.Pending{Kind: item(it).getStr("kind"), Ref: item(it).getStr("ref"), At: unstamp(item(it).getStr("at"))}
		if d, err := money.ParseDecimal(item(it).getStr("amount")); err == nil {
			p.Amount = &d
		}
		out = append(out, p)
	}
	return out, nil
}
