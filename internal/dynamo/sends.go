package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/send"
)

func sendSK(key string) string { return "SEND#" + key }

func sendItem(r send.Record) item {
	it := item{}.str("PK", contactPK(r.ContactID)).str("SK", sendSK(r.Key)).str("type", "send").
		str("sendKey", r.Key).str("contactId", r.ContactID).str("kind", r.Kind).str("orderId", r.OrderID).
		str("campaignId", r.CampaignID).str("to", r.To).str("subject", r.Subject).str("status", string(r.Status)).
		str("messageId", r.MessageID).str("reason", r.Reason).str("claimToken", r.Token).str("claimedAt", stamp(r.ClaimedAt)).
		str("sentAt", stamp(r.SentAt)).str("topic", r.Topic).strList("links", r.Links).expires(r.ExpiresAt)
	if r.CampaignID != "" {
		it.str("GSI2PK", "CAMPAIGN#"+safe(r.CampaignID)).str("GSI2SK", contactPK(r.ContactID))
	}
	return it
}

func record(it item) send.Record {
	return send.Record{
		Key: it.getStr("sendKey"), ContactID: it.getStr("contactId"), Kind: it.getStr("kind"),
		OrderID: it.getStr("orderId"), CampaignID: it.getStr("campaignId"), To: it.getStr("to"),
		Subject: it.getStr("subject"), Status: send.Status(it.getStr("status")), MessageID: it.getStr("messageId"),
		Reason: it.getStr("reason"), Token: it.getStr("claimToken"), ClaimedAt: unstamp(it.getStr("claimedAt")),
		SentAt: unstamp(it.getStr("sentAt")), Topic: it.getStr("topic"), Links: it.getStrList("links"),
		ExpiresAt: epoch(it.getNum(ttlAttr)),
	}
}

// Claim stores rec unless a send with its (contact, key) exists, in which case it returns the
// existing send. The conditional write makes exactly one of any number of concurrent claims
// succeed. When the existing send carries rec's token, it is rec: the SDK retried a write
// whose response was lost, and the claim is ours.
func (st *Store) Claim(ctx context.Context, rec send.Record) (bool, send.Record, error) {
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &st.table, Item: sendItem(rec),
		ConditionExpression:                 aws.String("attribute_not_exists(PK)"),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err == nil {
		return true, rec, nil
	}
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		return false, send.Record{}, fmt.Errorf("put send %s: %w", rec.Key, err)
	}
	old := record(ccf.Item)
	return rec.Token != "" && old.Token == rec.Token, old, nil
}

// Settle records the outcome of a claimed send. The message id is indexed so that SES events
// find their send.
func (st *Store) Settle(ctx context.Context, rec send.Record) error {
	vals := map[string]types.AttributeValue{
		":st": s(string(rec.Status)), ":sending": s(string(send.Sending)),
	}
	set := "#st = :st"
	for name, v := range map[string]string{"reason": rec.Reason, "messageId": rec.MessageID, "sentAt": stamp(rec.SentAt)} {
		if v != "" {
			set += fmt.Sprintf(", %s = :%s", name, name)
			vals[":"+name] = s(v)
		}
	}
	if rec.MessageID != "" {
		set += ", GSI1PK = :gpk, GSI1SK = :gsk"
		vals[":gpk"], vals[":gsk"] = s("SESMSG#"+rec.MessageID), s("SEND")
	}
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: key(contactPK(rec.ContactID), sendSK(rec.Key)),
		UpdateExpression:                    aws.String("SET " + set),
		ConditionExpression:                 aws.String("#st = :sending"),
		ExpressionAttributeNames:            map[string]string{"#st": "status"},
		ExpressionAttributeValues:           vals,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) && item(ccf.Item).getStr("status") == string(send.Sent) {
		// SES's own "Email Sent" event got here first and settled the send: the outcome is
		// known, and it is the better one.
		return nil
	}
	if err != nil {
		return fmt.Errorf("update send %s: %w", rec.Key, err)
	}
	return nil
}

// Release deletes a claim that is still this claim (same token, still sending).
func (st *Store) Release(ctx context.Context, rec send.Record) error {
	_, err := st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: &st.table, Key: key(contactPK(rec.ContactID), sendSK(rec.Key)),
		ConditionExpression:      aws.String("#st = :sending AND claimToken = :token"),
		ExpressionAttributeNames: map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":sending": s(string(send.Sending)), ":token": s(rec.Token),
		},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("delete send %s: %w", rec.Key, err)
	}
	return nil
}

// Send returns the send of a contact with the key.
func (st *Store) Send(ctx context.Context, contactID, key string) (send.Record, bool, error) {
	it, err := st.get(ctx, contactPK(contactID), sendSK(key))
	if err != nil {
		return send.Record{}, false, fmt.Errorf("get send %s: %w", key, err)
	}
	if it == nil || it.expired(st.now()) {
		return send.Record{}, false, nil
	}
	return record(it), true, nil
}

// SendByMessageID returns the send that SES gave the message id.
func (st *Store) SendByMessageID(ctx context.Context, messageID string) (send.Record, bool, error) {
	res, err := st.db.Query(ctx, &dynamodb.QueryInput{
		TableName: &st.table, IndexName: aws.String("GSI1"),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		FilterExpression:          aws.String(notExpired),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("SESMSG#" + messageID), ":now": nowValue(st.now())},
	})
	if err != nil {
		return send.Record{}, false, fmt.Errorf("query send by message id %s: %w", messageID, err)
	}
	if len(res.Items) == 0 {
		return send.Record{}, false, nil
	}
	return record(res.Items[0]), true, nil
}

// Sends returns every send to a contact.
func (st *Store) Sends(ctx context.Context, contactID string) ([]send.Record, error) {
	var out []send.Record
	p := dynamodb.NewQueryPaginator(st.db, &dynamodb.QueryInput{
		TableName:              &st.table,
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :sk)"),
		FilterExpression:       aws.String(notExpired),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s(contactPK(contactID)), ":sk": s("SEND#"), ":now": nowValue(st.now()),
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query sends of %s: %w", contactID, err)
		}
		for _, it := range page.Items {
			out = append(out, record(it))
		}
	}
	return out, nil
}
