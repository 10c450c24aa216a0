package dynamo

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/loyalty"
)

// The prize draws live in one partition, a month an item: DRAWS / DRAW#<month>. The secret
// seed is an attribute of its own, never returned before the draw.
const drawsPK = "DRAWS"

func drawItem(d loyalty.Draw) item {
	it := item{}.str("PK", drawsPK).str("SK", "DRAW#"+d.ID).str("type", "draw").str("id", d.ID).
		str("from", stamp(d.From)).str("to", stamp(d.To)).str("status", d.Status).str("seedHash", d.SeedHash).
		str("seed", d.Seed).str("listHash", d.ListHash).str("winner", d.Winner).str("openedAt", stamp(d.OpenedAt)).
		str("committedAt", stamp(d.CommittedAt)).str("drawnAt", stamp(d.DrawnAt)).boolean("notified", d.Notified)
	if len(d.Eligible) > 0 {
		it["eligible"] = s(strings.Join(d.Eligible, "\n"))
	}
	return it
}

func drawOf(it item) loyalty.Draw {
	d := loyalty.Draw{ID: it.getStr("id"), From: unstamp(it.getStr("from")), To: unstamp(it.getStr("to")),
		Status: it.getStr("status"), SeedHash: it.getStr("seedHash"), ListHash: it.getStr("listHash"), Winner: it.getStr("winner"),
		OpenedAt: unstamp(it.getStr("openedAt")), CommittedAt: unstamp(it.getStr("committedAt")), DrawnAt: unstamp(it.getStr("drawnAt")),
		Notified: it.getBool("notified")}
	if d.Status == loyalty.DrawDrawn {
		d.Seed = it.getStr("seed")
	}
	if list := it.getStr("eligible"); list != "" {
		d.Eligible = strings.Split(list, "\n")
	}
	return d
}

// OpenDraw stores a new draw with its secret seed unless the month's draw exists.
func (st *Store) OpenDraw(ctx context.Context, d loyalty.Draw, seed string) error {
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: drawItem(d).str("secret", seed),
		ConditionExpression: aws.String("attribute_not_exists(PK)")})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("open draw %s: %w", d.ID, err)
	}
	return nil
}

// Draws returns every draw, newest first.
func (st *Store) Draws(ctx context.Context) ([]loyalty.Draw, error) {
	its, err := st.partition(ctx, drawsPK)
	if err != nil {
		return nil, err
	}
	out := make([]loyalty.Draw, 0, len(its))
	for i := len(its) - 1; i >= 0; i-- {
		out = append(out, drawOf(its[i]))
	}
	return out, nil
}

// Draw returns one draw.
func (st *Store) Draw(ctx context.Context, id string) (loyalty.Draw, bool, error) {
	it, err := st.get(ctx, drawsPK, "DRAW#"+safe(id))
	if err != nil || it == nil {
		return loyalty.Draw{}, false, err
	}
	return drawOf(it), true, nil
}

// Seed returns a draw's secret seed.
func (st *Store) Seed(ctx context.Context, id string) (string, error) {
	it, err := st.get(ctx, drawsPK, "DRAW#"+safe(id))
	if err != nil || it == nil {
		return "", fmt.Errorf("seed of draw %s: not found (%v)", id, err)
	}
	return it.getStr("secret"), nil
}

// AdvanceDraw stores d (keeping its seed) if the stored draw's status is still from.
func (st *Store) AdvanceDraw(ctx context.Context, d loyalty.Draw, from string) (bool, error) {
	seed, err := st.Seed(ctx, d.ID)
	if err != nil {
		return false, err
	}
	_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: drawItem(d).str("secret", seed),
		ConditionExpression:       aws.String("#s = :from"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":from": s(from)}})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("advance draw %s: %w", d.ID, err)
	}
	return true, nil
}

// MarkNotified records that the draw's winner was told.
func (st *Store) MarkNotified(ctx context.Context, id string) (bool, error) {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &st.table, Key: key(drawsPK, "DRAW#"+safe(id)),
		UpdateExpression:    aws.String("SET notified = :t"),
		ConditionExpression: aws.String("attribute_exists(PK) AND notified = :f"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":t": &types.AttributeValueMemberBOOL{Value: true}, ":f": &types.AttributeValueMemberBOOL{Value: false}}})
	if isConditionFailed(err) {
		return false, nil
	}
	return err == nil, err
}
