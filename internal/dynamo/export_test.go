package dynamo

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/contact"
	"shopmail/internal/send"
	"shopmail/internal/survey"
)

// SeedSurveyDay writes the day item of category ("" for all surveys) and d's day and locale
// as answers and sent surveys would have left it (for benchmarks: much faster than answering).
func (st *Store) SeedSurveyDay(category string, d survey.Day) types.WriteRequest {
	month, date := d.Day.Format("2006-01"), d.Day.Format("2006-01-02")
	pk := "SURVEYDAYS#" + month
	if category != "" {
		pk += "#" + category
	}
	it := item{}.str("PK", pk).str("SK", date+"#"+d.Locale).str("type", "survey-day").str("day", date).str("locale", d.Locale)
	t := d.Tally
	for name, v := range tallyFields(&t) {
		it.num(name, int64(*v))
	}
	for g, v := range d.Answered {
		it.num(dayAnswered+strconv.Itoa(g), int64(v))
	}
	return types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
}

// SeedAnswer writes a survey's only answer as SaveAnswer would have (without the day items).
func (st *Store) SeedAnswer(a survey.Answer) []types.WriteRequest {
	upd := st.answerUpdate(a, a.Categories, a.Locale, []string{a.At.Format("2006-01-02")}, 0)
	it := item{}.str("type", "answer").str("contactId", a.ContactID).str("sendKey", a.SendKey).str("orderId", a.OrderID).
		str("question", a.Question).num("score", int64(a.Score)).str("locale", a.Locale).strList("categories", a.Categories).
		str("firstAt", stamp(a.At)).str("changedAt", stamp(a.At)).strList("days", []string{a.At.Format("2006-01-02")})
	for k, v := range upd.Key {
		it[k] = v
	}
	it["GSI2PK"], it["GSI2SK"] = upd.ExpressionAttributeValues[":gpk"], upd.ExpressionAttributeValues[":gsk"]
	m := answered{categories: a.Categories, locale: a.Locale, answers: []survey.Answer{{Question: a.Question, Score: a.Score, At: a.At}}}
	return []types.WriteRequest{{PutRequest: &types.PutRequest{Item: it}},
		{PutRequest: &types.PutRequest{Item: m.put(st.table, a.ContactID, a.SendKey).Item}}}
}

// BatchWrite writes requests, 25 a call.
func (st *Store) BatchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	return st.batchWrite(ctx, reqs)
}

// SeedLegacyCampaignSend is rec's row as the table wrote it before GSI5: listed for its
// campaign in GSI2.
func (st *Store) SeedLegacyCampaignSend(rec send.Record) types.WriteRequest {
	return st.seedCampaignSendIn("GSI2", rec)
}

// SeedGSI5CampaignSend is rec's row as the table wrote it before GSI7: listed for its
// campaign in GSI5, with its status and times.
func (st *Store) SeedGSI5CampaignSend(rec send.Record) types.WriteRequest {
	return st.seedCampaignSendIn("GSI5", rec)
}

func (st *Store) seedCampaignSendIn(index string, rec send.Record) types.WriteRequest {
	it := sendItem(rec)
	it[index+"PK"], it[index+"SK"] = it["GSI7PK"], it["GSI7SK"]
	delete(it, "GSI7PK")
	delete(it, "GSI7SK")
	return types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
}

// SeedLegacyProfile is c's profile as the table wrote it before GSI6: listed in GSI3.
func (st *Store) SeedLegacyProfile(c *contact.Contact) types.WriteRequest {
	it := item(st.contactPut(c).Item)
	it["GSI3PK"], it["GSI3SK"] = it["GSI6PK"], it["GSI6SK"]
	delete(it, "GSI6PK")
	delete(it, "GSI6SK")
	return types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
}

// SeedStampedProfile is c's profile as the table wrote it before its times were numbers: each
// a stamp.
func (st *Store) SeedStampedProfile(c *contact.Contact) types.WriteRequest {
	return types.WriteRequest{PutRequest: &types.PutRequest{Item: stamped(st.contactPut(c).Item)}}
}

func stamped(it map[string]types.AttributeValue) map[string]types.AttributeValue {
	out := make(map[string]types.AttributeValue, len(it))
	for k, v := range it {
		out[k] = stampedValue(k, v)
	}
	return out
}

func stampedValue(k string, v types.AttributeValue) types.AttributeValue {
	switch v := v.(type) {
	case *types.AttributeValueMemberN:
		if k == "version" || k == "orders" || k == "csat" || k == "points" || k == "referrals" {
			return v
		}
		return &types.AttributeValueMemberS{Value: stamp(timeOf(v))}
	case *types.AttributeValueMemberM:
		return &types.AttributeValueMemberM{Value: stamped(v.Value)}
	case *types.AttributeValueMemberL:
		l := make([]types.AttributeValue, len(v.Value))
		for i, e := range v.Value {
			l[i] = stampedValue("", e)
		}
		return &types.AttributeValueMemberL{Value: l}
	}
	return v
}

// ProfileWriteUnits is what putting c's profile costs in the table (its indexes apart), as
// DynamoDB Local reports it: as it is written now, or stamped as before.
func (st *Store) ProfileWriteUnits(ctx context.Context, c *contact.Contact, stampedTimes bool) (float64, error) {
	it := st.contactPut(c).Item
	if stampedTimes {
		it = stamped(it)
	}
	res, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: it,
		ReturnConsumedCapacity: types.ReturnConsumedCapacityIndexes})
	if err != nil {
		return 0, err
	}
	return *res.ConsumedCapacity.Table.CapacityUnits, nil
}

// SeedClaimItem is rec's claim item alone, as Claim leaves it when it stops between its two
// writes, or (legacy) as a claim written before rowExpiresAt whose row is gone.
func (st *Store) SeedClaimItem(rec send.Record, legacy bool) types.WriteRequest {
	it := claimItem(rec)
	if legacy {
		delete(it, rowExpiresAt)
	}
	return types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
}
