package dynamo

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/contact"
	"shopmail/internal/coupon"
	"shopmail/internal/fault"
	"shopmail/internal/occasion/stored"
)

// The occasion calendar: the marketer's occasions (and changes to the default ones) as JSON
// documents in one partition, the lunar table in one item.
//
//	occasion     OCCASIONS          <id>
//	lunar table  CALENDAR           LUNAR
//	birthday     (profile)          GSI4PK BIRTHDAY#<MM-DD> / GSI4SK <contact id>, keys only
//	card guard   CONTACT#<cid>      GUARD#birthday
//	card coupon  CONTACT#<cid>      COUPON#<sendKey>   GSI1PK COUPON#<code> / COUPON
const (
	occasionsPK = "OCCASIONS"
	calendarPK  = "CALENDAR"
	lunarSK     = "LUNAR"
)

func birthdayPK(m time.Month, d int) string { return fmt.Sprintf("BIRTHDAY#%02d-%02d", int(m), d) }

// OccasionDocs returns every stored occasion (a shop has tens).
func (m *Marketing) OccasionDocs(ctx context.Context) ([]stored.Occasion, error) {
	st := m.Store
	var out []stored.Occasion
	in := &dynamodb.QueryInput{
		TableName: &st.table, KeyConditionExpression: aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(occasionsPK)}, ConsistentRead: aws.Bool(true),
	}
	for {
		res, err := st.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("query occasions: %w", err)
		}
		for _, it := range res.Items {
			it := item(it)
			out = append(out, stored.Occasion{ID: it.getStr("SK"), Doc: []byte(it.getStr("doc")), Version: it.getNum("version")})
		}
		if len(res.LastEvaluatedKey) == 0 {
			return out, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// PutOccasionDoc stores an occasion if it is still at version (0: not stored yet); false when
// it changed meanwhile.
func (m *Marketing) PutOccasionDoc(ctx context.Context, d stored.Occasion) (bool, error) {
	st := m.Store
	in := &dynamodb.PutItemInput{TableName: &st.table,
		Item: item{}.str("PK", occasionsPK).str("SK", d.ID).str("type", "occasion").str("doc", string(d.Doc)).
			num("version", d.Version+1).str("updatedAt", stamp(st.now()))}
	if d.Version == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(PK)")
	} else {
		in.ConditionExpression = aws.String("version = :v")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":v": n(d.Version)}
	}
	_, err := st.db.PutItem(ctx, in)
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("put occasion %s: %w", d.ID, err)
	}
	return true, nil
}

// DeleteOccasionDoc deletes a stored occasion (a default one goes back to what ships).
func (m *Marketing) DeleteOccasionDoc(ctx context.Context, id string) error {
	st := m.Store
	if _, err := st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &st.table, Key: key(occasionsPK, id)}); err != nil {
		return fmt.Errorf("delete occasion %s: %w", id, err)
	}
	return nil
}

// LunarTableDoc returns the stored lunar table's JSON (nil: none stored, the default applies).
func (m *Marketing) LunarTableDoc(ctx context.Context) ([]byte, error) {
	it, err := m.Store.get(ctx, calendarPK, lunarSK)
	if err != nil {
		return nil, fmt.Errorf("get lunar table: %w", err)
	}
	if it == nil {
		return nil, nil
	}
	return []byte(it.getStr("doc")), nil
}

// PutLunarTableDoc replaces the lunar table.
func (m *Marketing) PutLunarTableDoc(ctx context.Context, doc []byte) error {
	st := m.Store
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table,
		Item: item{}.str("PK", calendarPK).str("SK", lunarSK).str("type", "lunar-table").str("doc", string(doc)).str("updatedAt", stamp(st.now()))})
	if err != nil {
		return fmt.Errorf("put lunar table: %w", err)
	}
	return nil
}

// BirthdaysPage returns a page of up to limit (at most 100) contacts whose birthday is on
// month/day, and the cursor of the next page ("" after the last): the index gives their ids,
// and the profiles are read by key.
func (m *Marketing) BirthdaysPage(ctx context.Context, month time.Month, day int, cursor string, limit int) ([]*contact.Contact, string, error) {
	st := m.Store
	limit = min(max(limit, 1), 100)
	in := &dynamodb.QueryInput{
		TableName: &st.table, IndexName: aws.String("GSI4"),
		KeyConditionExpression:    aws.String("GSI4PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(birthdayPK(month, day))},
		Limit:                     aws.Int32(int32(limit)),
	}
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || len(b) == 0 {
			return nil, "", fmt.Errorf("%w: cursor: not a cursor this API gave", fault.ErrInvalid)
		}
		id := string(b)
		in.ExclusiveStartKey = map[string]types.AttributeValue{"GSI4PK": s(birthdayPK(month, day)), "GSI4SK": s(id),
			"PK": s(contactPK(id)), "SK": s("#PROFILE")}
	}
	res, err := st.db.Query(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("query birthdays %02d-%02d: %w", int(month), day, err)
	}
	ids := make([]string, 0, len(res.Items))
	for _, it := range res.Items {
		ids = append(ids, item(it).getStr("GSI4SK"))
	}
	next := ""
	if len(res.LastEvaluatedKey) > 0 && len(ids) > 0 {
		next = base64.RawURLEncoding.EncodeToString([]byte(ids[len(ids)-1]))
	}
	if len(ids) == 0 {
		return nil, next, nil
	}
	byID, err := st.contacts(ctx, ids)
	if err != nil {
		return nil, "", err
	}
	out := make([]*contact.Contact, 0, len(ids))
	for _, id := range ids {
		// The index lags the table: a birthday changed since is not this day's.
		if c := byID[id]; c.Version > 0 {
			if cm, cd, ok := contact.BirthdayOn(c.Birthday); ok && cm == month && cd == day {
				out = append(out, c)
			}
		}
	}
	return out, next, nil
}

// ClaimBirthdayCard records that the send sendKey is the contact's birthday card, unless
// another was claimed within `within` before now; it returns false with that card's time.
// A claim made again by the same send holds (a redelivered message is the same card).
func (m *Marketing) ClaimBirthdayCard(ctx context.Context, contactID, sendKey string, now time.Time, within time.Duration) (bool, time.Time, error) {
	st := m.Store
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: key(contactPK(contactID), "GUARD#birthday"),
		UpdateExpression:         aws.String("SET sendKey = :k, sentAt = :at, #t = :type"),
		ConditionExpression:      aws.String("attribute_not_exists(PK) OR sentAt < :cutoff"),
		ExpressionAttributeNames: map[string]string{"#t": "type"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":k": s(sendKey), ":at": s(stamp(now)),
			":cutoff": s(stamp(now.Add(-within))), ":type": s("guard")},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err == nil {
		return true, time.Time{}, nil
	}
	if old, ok := conditionFailed(err); ok {
		// The same send claiming again holds its claim, as first made.
		return old.getStr("sendKey") == sendKey, unstamp(old.getStr("sentAt")), nil
	}
	return false, time.Time{}, fmt.Errorf("claim birthday card of contact %s: %w", contactID, err)
}

// IssueSendCoupon issues a single-use coupon for one send (a greeting card's offer), once: a
// send issued one already gets that one back.
func (m *Marketing) IssueSendCoupon(ctx context.Context, c coupon.Coupon, sendKey string) (coupon.Coupon, error) {
	st := m.Store
	pk, sk := contactPK(c.ContactID), "COUPON#"+sendKey
	it := item{}.str("PK", pk).str("SK", sk).str("GSI1PK", "COUPON#"+c.Code).str("GSI1SK", "COUPON").
		str("type", "coupon").str("code", c.Code).str("purpose", c.Purpose).str("contactId", c.ContactID).
		str("offer", c.Offer).str("issuedAt", stamp(c.IssuedAt)).str("validUntil", stamp(c.ExpiresAt))
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &st.table, Item: it, ConditionExpression: aws.String("attribute_not_exists(PK)"),
	})
	if err == nil {
		return c, nil
	}
	if !isConditionFailed(err) {
		return c, fmt.Errorf("put coupon of send %s: %w", sendKey, err)
	}
	if it, err = st.get(ctx, pk, sk); err != nil || it == nil {
		return c, fmt.Errorf("get coupon of send %s: %v", sendKey, err)
	}
	return couponFrom(it), nil
}
