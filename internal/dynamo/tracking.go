package dynamo

import (
	"context"
	"crypto/rand"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/links"
	"shopmail/internal/tracking"
)

// statShards spreads a campaign's counters over this many items, so that a million sends
// counting at once do not all write one key.
const statShards = 16

func shard(of string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(of))
	return int(h.Sum32() % uint32(n))
}

func statsPK(key string, shard int) string { return fmt.Sprintf("STATS#%s#%d", safe(key), shard) }

// statsUpdate adds one to counters of a campaign's (or kind's) shard chosen by contact.
func (st *Store) statsUpdate(statsKey, contactID string, counters ...string) *types.Update {
	expr, vals := "ADD", map[string]types.AttributeValue{":one": n(1)}
	names := map[string]string{}
	for i, c := range counters {
		if i > 0 {
			expr += ","
		}
		expr += fmt.Sprintf(" #c%d :one", i)
		names[fmt.Sprintf("#c%d", i)] = c
	}
	return &types.Update{
		TableName: &st.table, Key: key(statsPK(statsKey, shard(contactID, statShards)), "#STATS"),
		UpdateExpression: &expr, ExpressionAttributeNames: names, ExpressionAttributeValues: vals,
	}
}

// Stats sums the counters of a campaign (or of a kind of send without campaign).
func (st *Store) Stats(ctx context.Context, statsKey string) (map[string]int64, error) {
	keys := make([]map[string]types.AttributeValue, statShards)
	for i := range keys {
		keys[i] = key(statsPK(statsKey, i), "#STATS")
	}
	out := map[string]int64{}
	req := map[string]types.KeysAndAttributes{st.table: {Keys: keys}}
	for len(req) > 0 {
		res, err := st.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return nil, fmt.Errorf("get stats of %s: %w", statsKey, err)
		}
		for _, it := range res.Responses[st.table] {
			for k, v := range it {
				if nv, ok := v.(*types.AttributeValueMemberN); ok && k != "PK" && k != "SK" {
					out[k] += item{k: nv}.getNum(k)
				}
			}
		}
		req = res.UnprocessedKeys
	}
	return out, nil
}

// SendState returns what tracking needs of a send.
func (st *Store) SendState(ctx context.Context, contactID, sendKey string) (tracking.SendState, bool, error) {
	it, err := st.get(ctx, contactPK(contactID), sendSK(sendKey))
	if err != nil {
		return tracking.SendState{}, false, fmt.Errorf("get send %s: %w", sendKey, err)
	}
	if it == nil || it.expired(st.now()) {
		return tracking.SendState{}, false, nil
	}
	return tracking.SendState{
		ContactID: contactID, SendKey: sendKey, Kind: it.getStr("kind"), CampaignID: it.getStr("campaignId"),
		Links: it.getStrList("links"), SentAt: unstamp(it.getStr("sentAt")), DeliveredAt: unstamp(it.getStr("deliveredAt")),
		LastClickAt: unstamp(it.getStr("lastClickAt")), LastClickLink: it.getStr("lastClickLink"),
		ScannerAt: unstamp(it.getStr("scannerAt")), Counted: counted(it),
	}, true, nil
}

// countedPrefix starts the send's attributes that hold when a gate's hit was last counted
// (counted_open_human, counted_click_0_machine...).
const countedPrefix = "counted_"

func counted(it item) map[string]time.Time {
	out := map[string]time.Time{}
	for k := range it {
		if gate, ok := strings.CutPrefix(k, countedPrefix); ok {
			out[gate] = unstamp(it.getStr(k))
		}
	}
	return out
}

// RecordHit records an open or click, unless one of its gate was counted within
// tracking.CountEvery before it: counted on the send (by class, with the time of the class's
// first hit), on the campaign's counters (a send's first human open or click also as unique),
// on the contact's timeline, and a human one as the contact's latest engagement. The send's
// update is conditional, so of hits that race one is counted.
//
// The counters and the timeline are two plain writes after the send's, not a transaction:
// the send's update is the gate and cannot be in one with them (a refused gate would cancel
// it, and a refusal is the common case), so a transaction of the other two bought nothing a
// crash could not already undo, at twice their write units.
func (st *Store) RecordHit(ctx context.Context, h tracking.Hit) (bool, error) {
	count := string(h.Kind) + "s_" + string(h.Class) // opens_human, clicks_machine...
	first := "first_" + string(h.Kind) + "_" + string(h.Class) + "_at"
	res, err := st.db.UpdateItem(ctx, hitUpdate(st.table, h, count, first))
	if isConditionFailed(err) {
		return false, nil // counted within the hour, or the send is gone (expired)
	}
	if err != nil {
		return false, fmt.Errorf("record %s on send %s: %w", h.Kind, h.SendKey, err)
	}
	if h.Stats != "" {
		counters := []string{count}
		if _, seen := res.Attributes[first]; !seen {
			counters = append(counters, "unique_"+count)
		}
		u := st.statsUpdate(h.Stats, h.ContactID, counters...)
		if _, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: u.TableName, Key: u.Key, UpdateExpression: u.UpdateExpression,
			ExpressionAttributeNames: u.ExpressionAttributeNames, ExpressionAttributeValues: u.ExpressionAttributeValues,
		}); err != nil {
			return true, fmt.Errorf("count %s of send %s: %w", h.Kind, h.SendKey, err)
		}
	}
	act := item{}.str("PK", contactPK(h.ContactID)).str("SK", fmt.Sprintf("ACT#%s#%s#%s", stamp(h.At), h.Kind, rand.Text()[:8])).
		str("type", "activity").str("kind", string(h.Kind)).str("class", string(h.Class)).str("reason", h.Reason).
		str("sendKey", h.SendKey).str("url", h.URL).str("at", stamp(h.At)).expires(h.Expires)
	if _, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: act}); err != nil {
		return true, fmt.Errorf("record %s of send %s on the timeline: %w", h.Kind, h.SendKey, err)
	}
	if h.Class == tracking.Human {
		campaign := ""
		if h.Kind == tracking.Click {
			campaign = h.Campaign
		}
		return true, st.TouchEngagement(ctx, h.ContactID, h.At, campaign)
	}
	return true, nil
}

// hitUpdate counts h on its send when the send exists and no hit of h's gate was counted
// within tracking.CountEvery before h. A click also keeps the time and link of the last one
// (tracking reads them to tell a burst of links from a reader).
func hitUpdate(table string, h tracking.Hit, count, first string) *dynamodb.UpdateItemInput {
	names := map[string]string{"#first": first, "#count": count, "#gate": countedPrefix + h.Gate()}
	vals := map[string]types.AttributeValue{":at": s(stamp(h.At)), ":one": n(1), ":since": s(stamp(h.At.Add(-tracking.CountEvery)))}
	set := "#first = if_not_exists(#first, :at), #gate = :at"
	if h.Kind == tracking.Click {
		set += ", lastClickAt = :at, lastClickLink = :link"
		vals[":link"] = s(h.Link)
		if h.Link == links.Honeypot {
			set += ", scannerAt = :at"
		}
	}
	return &dynamodb.UpdateItemInput{
		TableName: &table, Key: key(contactPK(h.ContactID), sendSK(h.SendKey)),
		UpdateExpression:          aws.String("SET " + set + " ADD #count :one"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND (attribute_not_exists(#gate) OR #gate <= :since)"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: vals,
		ReturnValues:              types.ReturnValueUpdatedOld,
	}
}

// Activity is one entry of a contact's engagement timeline.
type Activity struct {
	At      string
	Kind    string
	Class   string
	Reason  string
	SendKey string
	URL     string
}

// Activities returns a contact's engagement timeline, oldest first, without expired entries.
func (st *Store) Activities(ctx context.Context, contactID string) ([]Activity, error) {
	var out []Activity
	p := dynamodb.NewQueryPaginator(st.db, &dynamodb.QueryInput{
		TableName:              &st.table,
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :sk)"),
		FilterExpression:       aws.String(notExpired),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s(contactPK(contactID)), ":sk": s("ACT#"), ":now": nowValue(st.now()),
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query activity of %s: %w", contactID, err)
		}
		for _, v := range page.Items {
			it := item(v)
			out = append(out, Activity{At: it.getStr("at"), Kind: it.getStr("kind"), Class: it.getStr("class"),
				Reason: it.getStr("reason"), SendKey: it.getStr("sendKey"), URL: it.getStr("url")})
		}
	}
	return out, nil
}
