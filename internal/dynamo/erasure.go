package dynamo

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/fault"
	"shopmail/internal/survey"
)

// Erasure (the right to be forgotten) removes every item of a contact but one thing the law
// and deliverability need: a suppressed address stays suppressed, under a keyed hash of the
// address (HMAC-SHA-256) instead of the address, so that someone who complained is never
// mailed again, while the table no longer holds their address. The key is random, made once,
// and kept in the table: rotating it would forget every erased complainer, and every sending
// function must be able to compute the hash for the gate's check. (Kept apart from the
// table, in Secrets Manager, it would guard the hashes against someone holding only the table;
// every sending function would then need the secret, and losing it would unsuppress them all.)

const erasureKeyPK = "CONFIG#ERASURE"

// erasureKeys caches the hash key per store: made by the first store that needs it (an
// erasure, or a gate's check: a check must never miss an erasure made a moment before by
// another function), then read once per process.
type erasureKeys struct {
	mu  sync.Mutex
	key []byte
}

func hashedSuppressionPK(hash string) string { return "SUPPRESSED#" + hash }

// addressHash is the keyed hash of a normalised address.
func addressHash(key []byte, address string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(deliverability.Normalize(address)))
	return hex.EncodeToString(m.Sum(nil))
}

// erasureKey returns the hash key, making it when there is none yet.
func (st *Store) erasureKey(ctx context.Context) ([]byte, error) {
	st.keys.mu.Lock()
	defer st.keys.mu.Unlock()
	if st.keys.key != nil {
		return st.keys.key, nil
	}
	for attempt := 0; ; attempt++ {
		it, err := st.get(ctx, erasureKeyPK, "#KEY")
		if err != nil {
			return nil, fmt.Errorf("get erasure key: %w", err)
		}
		if it != nil {
			if st.keys.key, err = base64.StdEncoding.DecodeString(it.getStr("key")); err != nil {
				return nil, fmt.Errorf("read erasure key: %w", err)
			}
			return st.keys.key, nil
		}
		if attempt > 0 {
			return nil, fmt.Errorf("%w: the erasure key was made and is gone", fault.ErrConflict)
		}
		key := make([]byte, 32)
		rand.Read(key)
		_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table,
			Item: item{}.str("PK", erasureKeyPK).str("SK", "#KEY").str("type", "erasure-key").
				str("key", base64.StdEncoding.EncodeToString(key)),
			ConditionExpression: aws.String("attribute_not_exists(PK)")})
		switch {
		case err == nil:
			st.keys.key = key
			return key, nil
		case !isConditionFailed(err):
			return nil, fmt.Errorf("put erasure key: %w", err)
		}
		// Made by another store meanwhile: read that one.
	}
}

// hashedSuppression returns the suppression of an erased contact's address, if any.
func (st *Store) hashedSuppression(ctx context.Context, address string) (deliverability.Suppression, bool, error) {
	key, err := st.erasureKey(ctx)
	if err != nil {
		return deliverability.Suppression{}, false, err
	}
	it, err := st.get(ctx, hashedSuppressionPK(addressHash(key, address)), "#SUPPRESSED")
	if err != nil || it == nil {
		return deliverability.Suppression{}, false, err
	}
	return deliverability.Suppression{Address: address, Reason: it.getStr("reason"), At: unstamp(it.getStr("at")),
		Detail: "kept, as a keyed hash of the address, when the contact was erased"}, true, nil
}

// contactData is everything stored about a contact, as stored.
type contactData struct {
	Profile item   // nil when there is no profile
	Items   []item // the contact's partition: sends, claims, activity, SES events, answers, consent statements
	Orders  []item // the contact's orders, with their surveys
	Address []item // the address's suppression and soft bounces
}

// data reads everything stored about a contact.
func (st *Store) data(ctx context.Context, id string) (contactData, error) {
	var d contactData
	p := dynamodb.NewQueryPaginator(st.db, &dynamodb.QueryInput{
		TableName: &st.table, KeyConditionExpression: aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(contactPK(id))}, ConsistentRead: aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return d, fmt.Errorf("query contact %s: %w", id, err)
		}
		for _, it := range page.Items {
			if item(it).getStr("SK") == "#PROFILE" {
				d.Profile = it
			} else {
				d.Items = append(d.Items, it)
			}
		}
	}
	orders, err := st.orderItems(ctx, id)
	if err != nil {
		return d, err
	}
	d.Orders = orders
	if d.Profile != nil && d.Profile.getStr("email") != "" {
		if d.Address, err = st.partition(ctx, addressPK(d.Profile.getStr("email"))); err != nil {
			return d, err
		}
	}
	return d, nil
}

// orderItems returns the items of a contact's orders (the order row and its survey).
func (st *Store) orderItems(ctx context.Context, contactID string) ([]item, error) {
	ids, err := st.OrderIDs(ctx, contactID)
	if err != nil {
		return nil, err
	}
	var out []item
	for _, id := range ids {
		its, err := st.partition(ctx, orderPK(id))
		if err != nil {
			return nil, err
		}
		out = append(out, its...)
	}
	return out, nil
}

func (st *Store) partition(ctx context.Context, pk string) ([]item, error) {
	var out []item
	p := dynamodb.NewQueryPaginator(st.db, &dynamodb.QueryInput{
		TableName: &st.table, KeyConditionExpression: aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pk)}, ConsistentRead: aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", pk, err)
		}
		for _, it := range page.Items {
			out = append(out, it)
		}
	}
	return out, nil
}

// Erase deletes everything stored about a contact but a suppression of its address, which is
// kept under the address's keyed hash (unless another contact still has the address: their
// address items are theirs too). The order rows stay for the shop's revenue figures, without
// their link to the contact, their codes or their survey; a replayed order event of an erased
// contact is then refused (the order belongs to nobody), and cannot bring the contact back.
// The profile goes last: an erasure stopped midway is finished by doing it again. It reports
// false when there was no contact.
func (m *Marketing) Erase(ctx context.Context, id string) (bool, error) {
	st := m.Store
	d, err := st.data(ctx, id)
	if err != nil {
		return false, err
	}
	if d.Profile == nil {
		return false, nil
	}
	address := d.Profile.getStr("email")
	var keys []map[string]types.AttributeValue
	if address != "" {
		shared, err := st.ContactsByEmail(ctx, address)
		if err != nil {
			return false, err
		}
		alone := len(shared) == 0 || (len(shared) == 1 && shared[0] == id)
		for _, it := range d.Address {
			if it.getStr("SK") == "#SUPPRESSED" {
				if err := st.keepHashed(ctx, it); err != nil {
					return false, err
				}
			}
			if alone {
				keys = append(keys, key(it.getStr("PK"), it.getStr("SK")))
			}
		}
	}
	// The day items stop counting the contact's answers and sent surveys as these go, so that
	// results stay those of the answers and surveys the table holds.
	if err := st.uncountSurveys(ctx, d); err != nil {
		return false, fmt.Errorf("erase contact %s: %w", id, err)
	}
	for _, it := range d.Orders {
		if it.getStr("SK") != "#ORDER" {
			keys = append(keys, key(it.getStr("PK"), it.getStr("SK")))
			continue
		}
		if _, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &st.table, Key: key(it.getStr("PK"), "#ORDER"),
			UpdateExpression:          aws.String("SET erased = :t REMOVE contactId, GSI1PK, GSI1SK, couponCode, referralCode"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberBOOL{Value: true}},
		}); err != nil {
			return false, fmt.Errorf("erase order %s: %w", it.getStr("id"), err)
		}
	}
	for _, it := range d.Items {
		keys = append(keys, key(it.getStr("PK"), it.getStr("SK")))
	}
	parked, err := st.partition(ctx, parkedPK)
	if err != nil {
		return false, err
	}
	for _, it := range parked {
		if it.getStr("contactId") == id {
			keys = append(keys, key(parkedPK, it.getStr("SK")))
		}
	}
	reqs := make([]types.WriteRequest, len(keys))
	for i, k := range keys {
		reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: k}}
	}
	if err := st.batchWrite(ctx, reqs); err != nil {
		return false, fmt.Errorf("erase contact %s: %w", id, err)
	}
	if _, err := st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &st.table, Key: key(contactPK(id), "#PROFILE")}); err != nil {
		return false, fmt.Errorf("erase contact %s: %w", id, err)
	}
	return true, nil
}

// uncountSurveys deletes a contact's answered surveys (ANSWERED#) and sent surveys, each in
// one transaction with the day items' counters of it taken back: a retried erasure takes
// nothing back twice.
func (st *Store) uncountSurveys(ctx context.Context, d contactData) error {
	for _, it := range d.Items {
		sk := it.getStr("SK")
		if !strings.HasPrefix(sk, "ANSWERED#") {
			continue
		}
		err := retry(ctx, "uncount "+sk, func() error {
			cur, err := st.get(ctx, it.getStr("PK"), sk)
			if err != nil || cur == nil {
				return err
			}
			a := answeredOf(cur)
			change := append([]types.TransactWriteItem{{Delete: &types.Delete{TableName: &st.table, Key: key(it.getStr("PK"), sk),
				ConditionExpression: aws.String("v = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": n(a.version)}}}},
				st.dayUpdates(a.categories, a.locale, survey.Delta(a.answers, nil))...)
			ok, _, err := st.transactDays(ctx, change, nil)
			if err == nil && !ok {
				return errRetry
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	for _, it := range d.Orders {
		if it.getStr("SK") != surveySK || it.getStr("GSI2PK") == "" {
			continue
		}
		sent := unstamp(it.getStr("sentAt"))
		change := append([]types.TransactWriteItem{{Delete: &types.Delete{TableName: &st.table, Key: key(it.getStr("PK"), surveySK),
			ConditionExpression: aws.String("GSI2SK = :gsk"), ExpressionAttributeValues: map[string]types.AttributeValue{":gsk": s(it.getStr("GSI2SK"))}}}},
			st.dayUpdates(it.getStrList("categories"), it.getStr("locale"),
				[]survey.Day{{Day: survey.StartOfDay(sent), Tally: survey.Tally{Sent: -1}}})...)
		if err := retry(ctx, "uncount survey of "+it.getStr("PK"), func() error {
			_, _, err := st.transactDays(ctx, change, nil) // not done: deleted already
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// keepHashed stores a suppression under the keyed hash of its address.
func (st *Store) keepHashed(ctx context.Context, sup item) error {
	k, err := st.erasureKey(ctx)
	if err != nil {
		return err
	}
	it := item{}.str("PK", hashedSuppressionPK(addressHash(k, sup.getStr("address")))).str("SK", "#SUPPRESSED").
		str("type", "suppression").str("reason", sup.getStr("reason")).str("at", sup.getStr("at"))
	if _, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: it}); err != nil {
		return fmt.Errorf("keep hashed suppression: %w", err)
	}
	return nil
}

// Data is everything stored about a contact, as plain values (the right of access), or found
// false when there is no contact.
func (m *Marketing) Data(ctx context.Context, id string) (contact.Data, bool, error) {
	st := m.Store
	d, err := st.data(ctx, id)
	if err != nil || d.Profile == nil {
		return contact.Data{}, false, err
	}
	out := contact.Data{Profile: plain(d.Profile)}
	for _, group := range [][]item{d.Items, d.Orders, d.Address} {
		for _, it := range group {
			out.Records = append(out.Records, contact.Record{Kind: recordKind(it), Fields: plain(it)})
		}
	}
	return out, true, nil
}

// recordKind names what an item is by its sort key.
func recordKind(it item) string {
	sk := it.getStr("SK")
	for prefix, kind := range map[string]string{
		"SEND#": "send", "CLAIM#": "claim", "ACT#": "activity", "EVENT#": "ses-event", "ANSWER#": "answer",
		"SUGGESTION#": "suggestion", "CONSENT#": "consent", "#ORDER": "order", "SURVEY": "survey", "#SUPPRESSED": "suppression", "SOFT#": "soft-bounce",
	} {
		if strings.HasPrefix(sk, prefix) {
			return kind
		}
	}
	return it.getStr("type")
}

// plain is a stored item as plain values (strings, numbers, booleans, lists and maps), without
// the table's key and index attributes and stored message bodies.
func plain(it item) map[string]any {
	out := make(map[string]any, len(it))
	for k, v := range it {
		if k == "PK" || k == "SK" || strings.HasPrefix(k, "GSI") || k == "raw" {
			continue
		}
		out[k] = plainValue(v)
	}
	return out
}

func plainValue(v types.AttributeValue) any {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return json.Number(v.Value)
	case *types.AttributeValueMemberBOOL:
		return v.Value
	case *types.AttributeValueMemberB:
		return base64.StdEncoding.EncodeToString(v.Value)
	case *types.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, e := range v.Value {
			l[i] = plainValue(e)
		}
		return l
	case *types.AttributeValueMemberM:
		m := make(map[string]any, len(v.Value))
		for k, e := range v.Value {
			m[k] = plainValue(e)
		}
		return m
	case *types.AttributeValueMemberSS:
		return v.Value
	case *types.AttributeValueMemberNS:
		return v.Value
	}
	return nil
}
