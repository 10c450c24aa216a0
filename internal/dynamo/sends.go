package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/send"
)

type sendItem struct {
	PK, SK     string
	GSI1PK     string `dynamodbav:",omitempty"`
	GSI1SK     string `dynamodbav:",omitempty"`
	GSI2PK     string `dynamodbav:",omitempty"`
	GSI2SK     string `dynamodbav:",omitempty"`
	Type       string `dynamodbav:"type"`
	Key        string `dynamodbav:"sendKey"`
	ContactID  string `dynamodbav:"contactId"`
	Kind       string `dynamodbav:"kind"`
	OrderID    string `dynamodbav:"orderId,omitempty"`
	CampaignID string `dynamodbav:"campaignId,omitempty"`
	To         string `dynamodbav:"to,omitempty"`
	Subject    string `dynamodbav:"subject,omitempty"`
	Status     string `dynamodbav:"status"`
	MessageID  string `dynamodbav:"messageId,omitempty"`
	Reason     string `dynamodbav:"reason,omitempty"`
	ClaimedAt  string `dynamodbav:"claimedAt"`
	SentAt     string `dynamodbav:"sentAt,omitempty"`
}

func sendSK(key string) string { return "SEND#" + key }

func toSendItem(r send.Record) sendItem {
	it := sendItem{
		PK: contactPK(r.ContactID), SK: sendSK(r.Key), Type: "send", Key: r.Key,
		ContactID: r.ContactID, Kind: r.Kind, OrderID: r.OrderID, CampaignID: r.CampaignID,
		To: r.To, Subject: r.Subject, Status: string(r.Status), MessageID: r.MessageID,
		Reason: r.Reason, ClaimedAt: stamp(r.ClaimedAt), SentAt: stamp(r.SentAt),
	}
	if r.CampaignID != "" {
		it.GSI2PK, it.GSI2SK = "CAMPAIGN#"+safe(r.CampaignID), contactPK(r.ContactID)
	}
	return it
}

func (it sendItem) record() send.Record {
	return send.Record{
		Key: it.Key, ContactID: it.ContactID, Kind: it.Kind, OrderID: it.OrderID,
		CampaignID: it.CampaignID, To: it.To, Subject: it.Subject, Status: send.Status(it.Status),
		MessageID: it.MessageID, Reason: it.Reason, ClaimedAt: unstamp(it.ClaimedAt), SentAt: unstamp(it.SentAt),
	}
}

// Claim stores rec unless a send with its (contact, key) exists, in which case it returns the
// existing send. The conditional write makes exactly one of any number of concurrent claims
// succeed.
func (st *Store) Claim(ctx context.Context, rec send.Record) (bool, send.Record, error) {
	item, err := attributevalue.MarshalMap(toSendItem(rec))
	if err != nil {
		return false, send.Record{}, fmt.Errorf("encode send %s: %w", rec.Key, err)
	}
	_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &st.table, Item: item,
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
	var old sendItem
	if err := attributevalue.UnmarshalMap(ccf.Item, &old); err != nil {
		return false, send.Record{}, fmt.Errorf("decode send %s: %w", rec.Key, err)
	}
	return false, old.record(), nil
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
		UpdateExpression:          aws.String("SET " + set),
		ConditionExpression:       aws.String("#st = :sending"),
		ExpressionAttributeNames:  map[string]string{"#st": "status"},
		ExpressionAttributeValues: vals,
	})
	if err != nil {
		return fmt.Errorf("update send %s: %w", rec.Key, err)
	}
	return nil
}

// Release deletes a claim that is still this claim (same claim time, still sending).
func (st *Store) Release(ctx context.Context, rec send.Record) error {
	_, err := st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: &st.table, Key: key(contactPK(rec.ContactID), sendSK(rec.Key)),
		ConditionExpression:      aws.String("#st = :sending AND claimedAt = :at"),
		ExpressionAttributeNames: map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":sending": s(string(send.Sending)), ":at": s(stamp(rec.ClaimedAt)),
		},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("delete send %s: %w", rec.Key, err)
	}
	return nil
}

// Send returns the send of a contact with the key.
func (st *Store) Send(ctx context.Context, contactID, key string) (send.Record, bool, error) {
	var it sendItem
	found, err := st.get(ctx, contactPK(contactID), sendSK(key), &it)
	if err != nil {
		return send.Record{}, false, fmt.Errorf("get send %s: %w", key, err)
	}
	return it.record(), found, nil
}

// SendByMessageID returns the send that SES gave the message id.
func (st *Store) SendByMessageID(ctx context.Context, messageID string) (send.Record, bool, error) {
	res, err := st.db.Query(ctx, &dynamodb.QueryInput{
		TableName: &st.table, IndexName: aws.String("GSI1"),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("SESMSG#" + messageID)},
		Limit:                     aws.Int32(1),
	})
	if err != nil || len(res.Items) == 0 {
		return send.Record{}, false, err
	}
	var it sendItem
	if err := attributevalue.UnmarshalMap(res.Items[0], &it); err != nil {
		return send.Record{}, false, fmt.Errorf("decode send: %w", err)
	}
	return it.record(), true, nil
}

// Sends returns every send to a contact.
func (st *Store) Sends(ctx context.Context, contactID string) ([]send.Record, error) {
	var out []send.Record
	p := dynamodb.NewQueryPaginator(st.db, &dynamodb.QueryInput{
		TableName:              &st.table,
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s(contactPK(contactID)), ":sk": s("SEND#"),
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query sends of %s: %w", contactID, err)
		}
		for _, item := range page.Items {
			var it sendItem
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return nil, fmt.Errorf("decode send: %w", err)
			}
			out = append(out, it.record())
		}
	}
	return out, nil
}
