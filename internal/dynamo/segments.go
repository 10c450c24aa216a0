package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/contact"
	"shopmail/internal/fault"
)

// Marketing is the store with what only the marketer API does (export, erasure, imports,
// audiences, segments): a type of its own, so that the functions that never use it do not
// link it (the linker keeps every exported method of a type it keeps).
type Marketing struct{ *Store }

// Segments live in one partition: a shop has tens of them, read a page at a time.
const segmentsPK = "SEGMENTS"

func segmentItem(sg contact.StoredSegment) item {
	return item{}.str("PK", segmentsPK).str("SK", "SEGMENT#"+sg.ID).str("type", "segment").str("id", sg.ID).
		str("name", sg.Name).str("rule", string(sg.Rule)).str("createdAt", stamp(sg.CreatedAt)).
		str("updatedAt", stamp(sg.UpdatedAt))
}

func segmentOf(it item) contact.StoredSegment {
	return contact.StoredSegment{ID: it.getStr("id"), Name: it.getStr("name"), Rule: []byte(it.getStr("rule")),
		CreatedAt: unstamp(it.getStr("createdAt")), UpdatedAt: unstamp(it.getStr("updatedAt"))}
}

// PutSegment stores a segment: new (create) or existing (not create), else fault.ErrNotFound
// or fault.ErrConflict.
func (m *Marketing) PutSegment(ctx context.Context, sg contact.StoredSegment, create bool) error {
	st := m.Store
	cond := "attribute_exists(PK)"
	if create {
		cond = "attribute_not_exists(PK)"
	}
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: segmentItem(sg), ConditionExpression: aws.String(cond)})
	switch {
	case isConditionFailed(err) && create:
		return fmt.Errorf("%w: segment %s exists", fault.ErrConflict, sg.ID)
	case isConditionFailed(err):
		return fmt.Errorf("%w: no segment %s", fault.ErrNotFound, sg.ID)
	case err != nil:
		return fmt.Errorf("put segment %s: %w", sg.ID, err)
	}
	return nil
}

// Segment returns a segment.
func (m *Marketing) Segment(ctx context.Context, id string) (contact.StoredSegment, bool, error) {
	st := m.Store
	it, err := st.get(ctx, segmentsPK, "SEGMENT#"+id)
	if err != nil || it == nil {
		return contact.StoredSegment{}, false, err
	}
	return segmentOf(it), true, nil
}

// DeleteSegment deletes a segment and reports whether there was one.
func (m *Marketing) DeleteSegment(ctx context.Context, id string) (bool, error) {
	st := m.Store
	res, err := st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &st.table, Key: key(segmentsPK, "SEGMENT#"+id),
		ReturnValues: types.ReturnValueAllOld})
	if err != nil {
		return false, fmt.Errorf("delete segment %s: %w", id, err)
	}
	return len(res.Attributes) > 0, nil
}

// Segments lists up to limit segments by id after the id after.
func (m *Marketing) Segments(ctx context.Context, after string, limit int) ([]contact.StoredSegment, string, error) {
	st := m.Store
	in := &dynamodb.QueryInput{
		TableName: &st.table, KeyConditionExpression: aws.String("PK = :pk AND SK > :after"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(segmentsPK), ":after": s("SEGMENT#" + after)},
		Limit:                     aws.Int32(int32(limit)),
	}
	res, err := st.db.Query(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("query segments: %w", err)
	}
	out := make([]contact.StoredSegment, 0, len(res.Items))
	for _, it := range res.Items {
		out = append(out, segmentOf(it))
	}
	next := ""
	if res.LastEvaluatedKey != nil && len(out) > 0 {
		next = out[len(out)-1].ID
	}
	return out, next, nil
}
