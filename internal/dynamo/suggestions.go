package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/bus"
	"shopmail/internal/survey"
)

// A survey's suggestion ("What should we sell next?") is one item beside its answers,
// CONTACT#<cid> SUGGESTION#<send key>, indexed by the month it was first given in GSI2
// (SUGGESTIONS#<yyyy-mm> / <at>#<cid>#<send key>) apart from the answers, so that the
// results, which read the answers of a day, never see one.
func suggestionSK(sendKey string) string { return "SUGGESTION#" + sendKey }

// SaveSuggestion stores a survey's suggestion or replaces its text (the first time stays its
// time), with the events it owes, in one transaction; false when the text is already stored.
func (st *Store) SaveSuggestion(ctx context.Context, sg survey.Suggestion, evs ...bus.Event) (bool, error) {
	at := stamp(sg.At)
	cats := item{}.strList("v", sg.Categories)["v"]
	if len(sg.Categories) == 0 {
		cats = &types.AttributeValueMemberL{Value: []types.AttributeValue{}}
	}
	done, _, err := st.transact(ctx, []types.TransactWriteItem{{Update: &types.Update{
		TableName: &st.table, Key: key(contactPK(sg.ContactID), suggestionSK(sg.SendKey)),
		UpdateExpression: aws.String("SET #text = :text, changedAt = :at, firstAt = if_not_exists(firstAt, :at), #t = :type, " +
			"contactId = :cid, sendKey = :key, orderId = :oid, categories = :cats, #locale = :locale, " +
			"GSI2PK = if_not_exists(GSI2PK, :gpk), GSI2SK = if_not_exists(GSI2SK, :gsk)"),
		ConditionExpression:      aws.String("attribute_not_exists(PK) OR #text <> :text"),
		ExpressionAttributeNames: map[string]string{"#text": "text", "#t": "type", "#locale": "locale"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":text": s(sg.Text), ":at": s(at), ":type": s("suggestion"), ":cid": s(sg.ContactID), ":key": s(sg.SendKey),
			":oid": s(sg.OrderID), ":cats": cats, ":locale": s(sg.Locale),
			":gpk": s(monthKey("SUGGESTIONS#", sg.At)), ":gsk": s(at + "#" + safe(sg.ContactID) + "#" + sg.SendKey),
		},
	}}}, evs)
	if err != nil {
		return false, fmt.Errorf("save suggestion %s: %w", sg.SendKey, err)
	}
	return done, nil
}

// SuggestionsBetween returns the suggestions first given in [from, to).
func (st *Store) SuggestionsBetween(ctx context.Context, from, to time.Time) ([]survey.Suggestion, error) {
	var out []survey.Suggestion
	err := st.byMonth(ctx, "SUGGESTIONS#", from, to, func(it item) {
		out = append(out, survey.Suggestion{
			ContactID: it.getStr("contactId"), SendKey: it.getStr("sendKey"), OrderID: it.getStr("orderId"),
			Text: it.getStr("text"), Categories: it.getStrList("categories"), Locale: it.getStr("locale"),
			At: unstamp(it.getStr("firstAt")),
		})
	})
	return out, err
}
