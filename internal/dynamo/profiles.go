package dynamo

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/contact"
	"shopmail/internal/fault"
	"shopmail/internal/money"
)

// ProfileShards is how many partitions of the profile index (GSI6) a listing reads in
// parallel: one partition serves about 3,000 reads a second, 16 serve a campaign's audience
// of millions in minutes.
const ProfileShards = 16

func profileShardPK(id string) string { return fmt.Sprintf("PROFILES#%d", shard(id, ProfileShards)) }

func topicConsent(it item) map[string]contact.Consent {
	m, ok := it["topicConsent"].(*types.AttributeValueMemberM)
	if !ok {
		return nil
	}
	out := make(map[string]contact.Consent, len(m.Value))
	for topic, v := range m.Value {
		if c, ok := v.(*types.AttributeValueMemberM); ok {
			ci := item(c.Value)
			out[topic] = contact.Consent{Marketing: ci.getBool("given"), At: ci.getAt("at"), Source: ci.getStr("source")}
		}
	}
	return out
}

func putTopicConsent(it item, m map[string]contact.Consent) {
	if len(m) == 0 {
		return
	}
	av := make(map[string]types.AttributeValue, len(m))
	for topic, c := range m {
		av[topic] = &types.AttributeValueMemberM{Value: item{}.boolean("given", c.Marketing).at("at", c.At).str("source", c.Source)}
	}
	it["topicConsent"] = &types.AttributeValueMemberM{Value: av}
}

// The summary is one map attribute: amounts as decimal strings, times as numbers (at).
func putSummary(it item, s contact.Summary) {
	sum := item{}.num("orders", int64(s.Orders)).at("firstOrderAt", s.FirstOrderAt).
		at("lastOrderAt", s.LastOrderAt).at("secondOrderAt", s.SecondOrderAt).strList("orderMonths", s.OrderMonths).strList("counted", s.Counted).str("nps", s.NPS).
		num("csat", int64(s.CSAT)).at("answeredAt", s.AnsweredAt).str("suppressed", s.Suppressed).
		at("marketedAt", s.MarketedAt).str("tier", s.Tier).strList("pointsApplied", s.PointsApplied)
	if s.Points != 0 {
		sum.num("points", s.Points)
	}
	if s.Referrals != 0 {
		sum.num("referrals", int64(s.Referrals))
	}
	spent := make(map[string]string, len(s.Spent))
	for cur, d := range s.Spent {
		spent[cur] = d.String()
	}
	sum.strMap("spent", spent).atMap("bought", s.Bought).atList("received", s.Received)
	it["summary"] = &types.AttributeValueMemberM{Value: sum}
}

func summaryOf(it item) contact.Summary {
	m, ok := it["summary"].(*types.AttributeValueMemberM)
	if !ok {
		return contact.Summary{}
	}
	sum := item(m.Value)
	s := contact.Summary{
		Orders: int(sum.getNum("orders")), FirstOrderAt: sum.getAt("firstOrderAt"),
		LastOrderAt: sum.getAt("lastOrderAt"), SecondOrderAt: sum.getAt("secondOrderAt"),
		OrderMonths: sum.getStrList("orderMonths"), Counted: sum.getStrList("counted"),
		NPS: sum.getStr("nps"), CSAT: int(sum.getNum("csat")), AnsweredAt: sum.getAt("answeredAt"),
		Suppressed: sum.getStr("suppressed"), MarketedAt: sum.getAt("marketedAt"),
		Points: sum.getNum("points"), Tier: sum.getStr("tier"), PointsApplied: sum.getStrList("pointsApplied"),
		Referrals: int(sum.getNum("referrals")),
	}
	if spent := sum.getStrMap("spent"); len(spent) > 0 {
		s.Spent = make(map[string]money.Decimal, len(spent))
		for cur, v := range spent {
			if d, err := money.ParseDecimal(v); err == nil {
				s.Spent[cur] = d
			}
		}
	}
	s.Bought, s.Received = sum.getAtMap("bought"), sum.getAtList("received")
	return s
}

// profileIndexes list the profiles: GSI6 (keys only) those written since it exists, GSI3 (the
// whole profile) those a deployed table wrote before and has not written since. A profile is
// in one of them, never both: each write of a profile puts it whole, with GSI6's keys only.
var profileIndexes = []string{"GSI6", "GSI3"}

// profilePage queries one shard of a profile index from after (an id, "" for the start) and
// returns its profiles in id order (GSI3's as the index holds them, GSI6's read from the
// table by their keys), the last id it read in the index, and where the next page starts.
func (st *Store) profilePage(ctx context.Context, index string, shard int, after string, limit int32, start map[string]types.AttributeValue) (page []map[string]types.AttributeValue, last string, next map[string]types.AttributeValue, err error) {
	in := &dynamodb.QueryInput{
		TableName: &st.table, IndexName: aws.String(index),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": index + "PK"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(fmt.Sprintf("PROFILES#%d", shard))},
		ExclusiveStartKey:         start,
	}
	if limit > 0 {
		in.Limit = aws.Int32(limit)
	}
	if after != "" {
		in.KeyConditionExpression = aws.String("#pk = :pk AND #sk > :after")
		in.ExpressionAttributeNames["#sk"] = index + "SK"
		in.ExpressionAttributeValues[":after"] = s(after)
	}
	res, err := st.db.Query(ctx, in)
	if err != nil {
		return nil, "", nil, fmt.Errorf("query profiles shard %d of %s: %w", shard, index, err)
	}
	if n := len(res.Items); n > 0 {
		last = item(res.Items[n-1]).getStr(index + "SK")
	}
	page = res.Items
	if index != "GSI3" {
		page, err = st.itemsByKey(ctx, res.Items)
	}
	return page, last, res.LastEvaluatedKey, err
}

// EachProfile calls fn with every contact's profile, reading the profile indexes' shards in
// parallel (fn is called from one goroutine at a time). fn returning false stops the listing.
func (m *Marketing) EachProfile(ctx context.Context, fn func(c *contact.Contact) bool) error {
	st := m.Store
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan []map[string]types.AttributeValue, ProfileShards)
	errs := make([]error, ProfileShards)
	var wg sync.WaitGroup
	for i := range ProfileShards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, index := range profileIndexes {
				for start := map[string]types.AttributeValue(nil); ; {
					page, _, next, err := st.profilePage(ctx, index, i, "", 0, start)
					if err != nil {
						errs[i] = err
						return
					}
					select {
					case pages <- page:
					case <-ctx.Done():
						return
					}
					if start = next; start == nil {
						break
					}
				}
			}
		}()
	}
	go func() { wg.Wait(); close(pages) }()
	stopped := false
	for page := range pages {
		for _, it := range page {
			if stopped {
				break
			}
			if !fn(contactOf(it)) {
				stopped = true
				cancel()
			}
		}
	}
	if stopped {
		return nil
	}
	return errors.Join(errs...)
}

// ContactsPage lists contacts, index by index (profileIndexes) and shard by shard in id order;
// the cursor ("" to begin) is opaque: the shard (of the index, when not the first), and the
// last id read. It is "" after the last page.
func (m *Marketing) ContactsPage(ctx context.Context, cursor string, limit int) ([]*contact.Contact, string, error) {
	st := m.Store
	pos, after := 0, "" // pos: the index times ProfileShards and the shard
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		n, id, ok := strings.Cut(string(b), "|")
		if err == nil && ok {
			pos, err = strconv.Atoi(n)
		}
		if err != nil || !ok || pos < 0 || pos >= len(profileIndexes)*ProfileShards {
			return nil, "", fmt.Errorf("%w: cursor: not a cursor this API gave", fault.ErrInvalid)
		}
		after = id
	}
	var out []*contact.Contact
	for pos < len(profileIndexes)*ProfileShards && len(out) < limit {
		page, last, next, err := st.profilePage(ctx, profileIndexes[pos/ProfileShards], pos%ProfileShards, after, int32(limit-len(out)), nil)
		if err != nil {
			return nil, "", err
		}
		for _, it := range page {
			out = append(out, contactOf(it))
		}
		if last != "" {
			after = last
		}
		if next == nil && len(out) < limit {
			pos, after = pos+1, ""
		}
	}
	if pos >= len(profileIndexes)*ProfileShards {
		return out, "", nil
	}
	return out, base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(pos) + "|" + after)), nil
}
