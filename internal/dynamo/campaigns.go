package dynamo

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/campaign/stored"
	"shopmail/internal/fault"
)

// Campaigns live in one partition, like segments: a shop has hundreds, listed a page at a time.
const campaignsPK = "CAMPAIGNS"

func campaignSK(id string) string { return "CAMPAIGN#" + id }

func campaignOf(it item) stored.Campaign {
	return stored.Campaign{ID: it.getStr("id"), Status: it.getStr("status"), Doc: []byte(it.getStr("doc")),
		Version: it.getNum("version"), CreatedAt: unstamp(it.getStr("createdAt")), UpdatedAt: unstamp(it.getStr("updatedAt")),
		BlockedReason: it.getStr("blockedReason"), ScheduledAt: unstamp(it.getStr("scheduledAt")), LocalTime: it.getBool("localTime"),
		StartedAt: unstamp(it.getStr("startedAt")), CompletedAt: unstamp(it.getStr("completedAt"))}
}

// PutCampaign stores c: new when c.Version is 0, else only if it is still at c.Version and in
// one of the statuses given (fault.ErrConflict otherwise; fault.ErrNotFound when it is gone).
func (m *Marketing) PutCampaign(ctx context.Context, c stored.Campaign, statuses ...string) error {
	st := m.Store
	it := item{}.str("PK", campaignsPK).str("SK", campaignSK(c.ID)).str("type", "campaign").str("id", c.ID).
		str("status", c.Status).str("doc", string(c.Doc)).num("version", c.Version+1).
		str("createdAt", stamp(c.CreatedAt)).str("updatedAt", stamp(c.UpdatedAt)).str("blockedReason", c.BlockedReason).
		str("scheduledAt", stamp(c.ScheduledAt)).str("startedAt", stamp(c.StartedAt)).str("completedAt", stamp(c.CompletedAt)).
		str("GSI4PK", campaignStatusPK(c.Status)).str("GSI4SK", campaignSK(c.ID))
	if c.LocalTime {
		it.boolean("localTime", true)
	}
	in := &dynamodb.PutItemInput{TableName: &st.table, Item: it, ConditionExpression: aws.String("attribute_not_exists(PK)"),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}
	if c.Version > 0 {
		in.ConditionExpression = aws.String("version = :v AND #st IN (" + placeholders(len(statuses)) + ")")
		in.ExpressionAttributeNames = map[string]string{"#st": "status"}
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":v": n(c.Version)}
		for i, status := range statuses {
			in.ExpressionAttributeValues[fmt.Sprintf(":s%d", i)] = s(status)
		}
	}
	_, err := st.db.PutItem(ctx, in)
	if old, failed := conditionFailed(err); failed {
		switch {
		case c.Version == 0:
			return fmt.Errorf("%w: campaign %s exists", fault.ErrConflict, c.ID)
		case len(old) == 0:
			return fmt.Errorf("%w: no campaign %s", fault.ErrNotFound, c.ID)
		case old.getNum("version") != c.Version:
			return fmt.Errorf("%w: campaign %s changed meanwhile; read it again", fault.ErrConflict, c.ID)
		default:
			return fmt.Errorf("%w: campaign %s is %s", fault.ErrConflict, c.ID, old.getStr("status"))
		}
	}
	if err != nil {
		return fmt.Errorf("put campaign %s: %w", c.ID, err)
	}
	return nil
}

func placeholders(n int) string {
	out := ""
	for i := range n {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf(":s%d", i)
	}
	return out
}

// Campaign returns a stored campaign.
func (m *Marketing) Campaign(ctx context.Context, id string) (stored.Campaign, bool, error) {
	it, err := m.get(ctx, campaignsPK, campaignSK(id))
	if err != nil || it == nil {
		return stored.Campaign{}, false, err
	}
	return campaignOf(it), true, nil
}

// DeleteCampaign deletes a campaign that is in status; it reports false when there is none
// and fault.ErrConflict when it is in another status.
func (m *Marketing) DeleteCampaign(ctx context.Context, id, status string) (bool, error) {
	st := m.Store
	res, err := st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &st.table, Key: key(campaignsPK, campaignSK(id)),
		ConditionExpression:      aws.String("attribute_not_exists(PK) OR #st = :st"),
		ExpressionAttributeNames: map[string]string{"#st": "status"}, ExpressionAttributeValues: map[string]types.AttributeValue{":st": s(status)},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld, ReturnValues: types.ReturnValueAllOld,
	})
	if old, failed := conditionFailed(err); failed {
		return true, fmt.Errorf("%w: campaign %s is %s", fault.ErrConflict, id, old.getStr("status"))
	}
	if err != nil {
		return false, fmt.Errorf("delete campaign %s: %w", id, err)
	}
	return len(res.Attributes) > 0, nil
}

// Campaigns lists up to limit campaigns after the id after, in id order, optionally only those
// in status; next is "" after the last page. The campaigns in a status are read from GSI4,
// where each campaign is filed under its status, keys only (a status change writes one small
// index item, not the campaign again), then fetched by key: a status with few campaigns is
// read without reading the others.
func (m *Marketing) Campaigns(ctx context.Context, status, after string, limit int) ([]stored.Campaign, string, error) {
	st := m.Store
	in := &dynamodb.QueryInput{
		TableName: &st.table, KeyConditionExpression: aws.String("PK = :pk AND SK > :after"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(campaignsPK), ":after": s(campaignSK(after))},
		Limit:                     aws.Int32(int32(limit + 1)), // one more: is there a next page?
	}
	if status != "" {
		in.IndexName, in.KeyConditionExpression = aws.String("GSI4"), aws.String("GSI4PK = :pk AND GSI4SK > :after")
		in.ExpressionAttributeValues[":pk"] = s(campaignStatusPK(status))
	}
	var found []item
	p := dynamodb.NewQueryPaginator(st.db, in)
	for p.HasMorePages() && len(found) <= limit {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("query campaigns: %w", err)
		}
		for _, it := range page.Items {
			found = append(found, it)
		}
	}
	next := ""
	if len(found) > limit {
		found = found[:limit]
		next = strings.TrimPrefix(item(found[limit-1]).getStr("SK"), campaignSK(""))
	}
	if status != "" && len(found) > 0 {
		var err error
		if found, err = m.campaignItems(ctx, found); err != nil {
			return nil, "", err
		}
	}
	out := make([]stored.Campaign, 0, len(found))
	for _, it := range found {
		out = append(out, campaignOf(it))
	}
	return out, next, nil
}

// campaignItems reads the campaigns whose keys are given (at most 100), in the keys' order;
// one deleted since it was listed is left out.
func (m *Marketing) campaignItems(ctx context.Context, keys []item) ([]item, error) {
	st := m.Store
	req := map[string]types.KeysAndAttributes{st.table: {}}
	for _, k := range keys {
		kv := req[st.table]
		kv.Keys = append(kv.Keys, key(campaignsPK, k.getStr("SK")))
		req[st.table] = kv
	}
	byKey := map[string]item{}
	for len(req) > 0 && len(req[st.table].Keys) > 0 {
		res, err := st.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return nil, fmt.Errorf("get campaigns: %w", err)
		}
		for _, it := range res.Responses[st.table] {
			byKey[item(it).getStr("SK")] = it
		}
		req = res.UnprocessedKeys
	}
	out := make([]item, 0, len(keys))
	for _, k := range keys {
		if it, ok := byKey[k.getStr("SK")]; ok {
			out = append(out, it)
		}
	}
	return out, nil
}

// campaignStatusPK files a campaign under its status in GSI4.
func campaignStatusPK(status string) string { return "CAMPAIGNS#" + status }
