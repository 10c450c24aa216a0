// Package dynamo stores contacts, orders, products, coupons, sends, tracking, consent, surveys
// and their answers in the single DynamoDB table declared in template.yaml. It is the only
// package that knows the key design (README, "The table"):
//
//	item      PK                 SK               GSI1PK / GSI1SK                  GSI2PK / GSI2SK
//	contact   CONTACT#<id>       #PROFILE         EMAIL#<email> / CONTACT#<id>
//	order     ORDER#<id>         #ORDER           CONTACT#<cid> / ORDER#<placedAt>#<id>
//	coupon    ORDER#<id>         COUPON#<purpose> COUPON#<code> / COUPON
//	product   PRODUCT#<sku>      #PRODUCT                                          CATEGORY#<cat> / <lastPurchasedAt>#<sku>
//	send      CONTACT#<cid>      SEND#<key>                                        (GSI7: CAMPAIGN#<id> / CONTACT#<cid>)
//	ses event SESMSG#<messageId> EVENT#<messageId>#<type>#<at> (of a message whose send is not in the table)
//	activity  CONTACT#<cid>      ACT#<at>#<kind>#<n>
//	consent   CONTACT#<cid>      CONSENT#<at>#<topic>
//	address   ADDRESS#<email>    #SUPPRESSED | SOFT#<at>#<messageId>
//	stats     STATS#<key>#<shard> #STATS
//	sender    SENDER#<address>   #STATE;  SENDER#<address>#<shard> DAY#<date>
//	survey    ORDER#<id>         SURVEY                                            SURVEYS#<yyyy-mm> / <sentAt>#<orderId>
//	answer    CONTACT#<cid>      ANSWER#<sendKey>#<question>                       ANSWERS#<yyyy-mm> / <at>#<cid>#<sendKey>#<question>
//	suggestion CONTACT#<cid>     SUGGESTION#<sendKey>                              SUGGESTIONS#<yyyy-mm> / <at>#<cid>#<sendKey>
//	campaign  CAMPAIGNS          CAMPAIGN#<id>    (GSI4, keys only: CAMPAIGNS#<status> / CAMPAIGN#<id>)
//
// Tracking items (sends, SES events, activity, soft bounces, sender counts) carry the TTL
// attribute expiresAt, and reads ignore them once it has passed.
package dynamo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ttlAttr is the table's TTL attribute (template.yaml).
const ttlAttr = "expiresAt"

// notExpired is a filter that drops items whose TTL has passed; its value is :now (epoch s).
const notExpired = "attribute_not_exists(expiresAt) OR expiresAt > :now"

func nowValue(t time.Time) types.AttributeValue { return n(t.Unix()) }

// Client is the part of the DynamoDB API the store uses.
type Client interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store is the table.
type Store struct {
	db    Client
	table string
	now   func() time.Time
	keys  erasureKeys
}

// New returns a store over the named table.
func New(db Client, table string, now func() time.Time) *Store {
	return &Store{db: db, table: table, now: now}
}

// NewClient builds a DynamoDB client from cfg. AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL,
// when set, point it at DynamoDB Local or the sandbox; the SDK reads them.
func NewClient(cfg aws.Config) *dynamodb.Client { return dynamodb.NewFromConfig(cfg) }

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": s(pk), "SK": s(sk)}
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: fmt.Sprint(v)}
}

func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// stamp formats a time for storage: RFC 3339 in UTC with fixed-width nanoseconds, so that
// stamps sort as strings in time order.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z")
}

func unstamp(v string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, v)
	return t
}

// get reads an item, strongly consistent; nil when there is none.
func (st *Store) get(ctx context.Context, pk, sk string) (item, error) {
	res, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &st.table, Key: key(pk, sk), ConsistentRead: aws.Bool(true),
	})
	if err != nil || res.Item == nil {
		return nil, err
	}
	return res.Item, nil
}

// keyEscaper keeps ids from breaking the key structure ('#' separates parts) while keeping
// distinct ids distinct.
var keyEscaper = strings.NewReplacer("%", "%25", "#", "%23")

func safe(v string) string { return keyEscaper.Replace(v) }

func epoch(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

// conditionFailed returns the item a failed condition saw (when the request asked for it).
func conditionFailed(err error) (item, bool) {
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		return nil, false
	}
	return ccf.Item, true
}

// itemsByKey reads the items that index entries name (their PK and SK), 100 a BatchGetItem
// (eventually consistent, as the index read was), in the entries' order; an item deleted
// meanwhile is left out.
func (st *Store) itemsByKey(ctx context.Context, entries []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	byKey := make(map[[2]string]map[string]types.AttributeValue, len(entries))
	keyOf := func(it map[string]types.AttributeValue) [2]string {
		return [2]string{item(it).getStr("PK"), item(it).getStr("SK")}
	}
	for chunk := range slices.Chunk(entries, 100) {
		keys := make([]map[string]types.AttributeValue, len(chunk))
		for i, e := range chunk {
			keys[i] = map[string]types.AttributeValue{"PK": e["PK"], "SK": e["SK"]}
		}
		req := map[string]types.KeysAndAttributes{st.table: {Keys: keys}}
		for attempt := 0; len(req) > 0; attempt++ {
			if attempt > 0 {
				sleep(ctx, attempt)
			}
			res, err := st.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil {
				return nil, fmt.Errorf("batch get: %w", err)
			}
			for _, it := range res.Responses[st.table] {
				byKey[keyOf(it)] = it
			}
			req = res.UnprocessedKeys
		}
	}
	out := make([]map[string]types.AttributeValue, 0, len(entries))
	for _, e := range entries {
		if it, ok := byKey[keyOf(e)]; ok {
			out = append(out, it)
		}
	}
	return out, nil
}
