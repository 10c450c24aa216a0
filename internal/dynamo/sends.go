package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/send"
)

func sendSK(key string) string { return "SEND#" + key }

// campaignSendsPK groups a campaign's sends in GSI7: those of all its arms (a send's campaign
// is "<id>_<arm>" for a variant or a reminder; campaign ids have no "_").
func campaignSendsPK(campaign string) string {
	id, _, _ := strings.Cut(campaign, "_")
	return "CAMPAIGN#" + safe(id)
}

func sendItem(r send.Record) item {
	it := item{}.str("PK", contactPK(r.ContactID)).str("SK", sendSK(r.Key)).str("type", "send").
		str("sendKey", r.Key).str("contactId", r.ContactID).str("kind", r.Kind).str("orderId", r.OrderID).
		str("campaignId", r.CampaignID).str("to", r.To).str("subject", r.Subject).str("status", string(r.Status)).
		str("messageId", r.MessageID).str("reason", r.Reason).str("claimToken", r.Token).str("claimedAt", stamp(r.ClaimedAt)).
		str("sentAt", stamp(r.SentAt)).str("topic", r.Topic).strList("links", r.Links).expires(r.ExpiresAt)
	if r.CampaignID != "" {
		it.str("GSI7PK", campaignSendsPK(r.CampaignID)).str("GSI7SK", contactPK(r.ContactID))
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

// claimSK is a send's claim: a small item with no expiry, which outlives the send's row (kept
// for the tracking retention) so that a replay of the trigger at any age finds it.
func claimSK(key string) string { return "CLAIM#" + key }

// rowExpiresAt, on a claim item, is when its send's row expires (epoch seconds), or for a row
// that never expires, crashWindow after the claim. A claim whose row is missing before then was
// never followed by its row (a crash between the two writes; a retry comes within hours) or was
// released: the send is free to take. After it, the row has expired: the send was made. Claim
// items written before it (in one transaction with their row) have none: their row is missing
// only once expired. The claim that finds it compares it with its own time (ClaimedAt).
const rowExpiresAt = "rowExpiresAt"

// crashWindow is longer than any retry of a trigger takes to come (EventBridge's 24 hours, an
// SQS message's 14 days).
const crashWindow = 15 * 24 * time.Hour

func claimItem(rec send.Record) item {
	until := rec.ExpiresAt
	if until.IsZero() {
		until = rec.ClaimedAt.Add(crashWindow)
	}
	return item{}.str("PK", contactPK(rec.ContactID)).str("SK", claimSK(rec.Key)).str("type", "claim").
		str("claimToken", rec.Token).str("claimedAt", stamp(rec.ClaimedAt)).num(rowExpiresAt, until.Unix())
}

// Claim stores rec unless the send was claimed before, in which case it returns the send as
// stored: first the claim item, then the send's row, each on condition that it is new. Two
// plain writes, not one transaction of both, which DynamoDB bills twice (4 write units, not 2).
// Exactly one of any number of concurrent claims writes the row, and only the row's writer
// sends; a claim item left without its row by a crash is taken over by the next claim, which
// writes the row (rowExpiresAt tells such a claim from one whose row has expired). A send
// stored with rec's token is rec's: an earlier try of the same attempt, or the SDK's retry of a
// write whose response was lost.
func (st *Store) Claim(ctx context.Context, rec send.Record) (bool, send.Record, error) {
	allOld := types.ReturnValuesOnConditionCheckFailureAllOld
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: claimItem(rec),
		ConditionExpression: aws.String("attribute_not_exists(PK)"), ReturnValuesOnConditionCheckFailure: allOld})
	if old, failed := conditionFailed(err); failed {
		if until := old.getNum(rowExpiresAt); until <= rec.ClaimedAt.Unix() {
			// Its row is written, or was and has expired.
			stored, ok, err := st.Send(ctx, rec.ContactID, rec.Key)
			if err != nil || ok {
				return ok && rec.Token != "" && stored.Token == rec.Token, stored, err
			}
			return false, send.Record{Key: rec.Key, ContactID: rec.ContactID, Kind: rec.Kind, Token: old.getStr("claimToken"),
				ClaimedAt: unstamp(old.getStr("claimedAt")), Reason: "claimed before; its record has expired"}, nil
		}
	} else if err != nil {
		return false, send.Record{}, fmt.Errorf("claim send %s: %w", rec.Key, err)
	}
	_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: sendItem(rec),
		ConditionExpression: aws.String("attribute_not_exists(PK)"), ReturnValuesOnConditionCheckFailure: allOld})
	if old, failed := conditionFailed(err); failed {
		stored := record(old)
		return rec.Token != "" && stored.Token == rec.Token, stored, nil
	} else if err != nil {
		return false, send.Record{}, fmt.Errorf("claim send %s: %w", rec.Key, err)
	}
	return true, rec, nil
}

// Begin moves rec's claim from claimed to sending. A send already sending under rec's token
// is taken as begun: the SDK retried an update whose response was lost.
func (st *Store) Begin(ctx context.Context, rec send.Record) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: key(contactPK(rec.ContactID), sendSK(rec.Key)),
		UpdateExpression:         aws.String("SET #st = :sending"),
		ConditionExpression:      aws.String("#st = :claimed AND claimToken = :token"),
		ExpressionAttributeNames: map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":sending": s(string(send.Sending)), ":claimed": s(string(send.Claimed)), ":token": s(rec.Token),
		},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if old, failed := conditionFailed(err); failed && old.getStr("status") == string(send.Sending) && old.getStr("claimToken") == rec.Token {
		return nil
	}
	if err != nil {
		return fmt.Errorf("update send %s to sending: %w", rec.Key, err)
	}
	return nil
}

// Settle records the outcome of a send that is sending. A message id is recorded on a send found unknown too (a try recorded
// unknown, then another learned the id): it is the better outcome.
func (st *Store) Settle(ctx context.Context, rec send.Record) error {
	settleable := "#st = :sending"
	vals := map[string]types.AttributeValue{
		":st": s(string(rec.Status)), ":sending": s(string(send.Sending)),
	}
	if rec.MessageID != "" {
		settleable = "#st IN (:sending, :unknown)"
		vals[":unknown"] = s(string(send.Unknown))
	}
	set := "#st = :st"
	for name, v := range map[string]string{"reason": rec.Reason, "messageId": rec.MessageID, "sentAt": stamp(rec.SentAt)} {
		if v != "" {
			set += fmt.Sprintf(", %s = :%s", name, name)
			vals[":"+name] = s(v)
		}
	}
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: key(contactPK(rec.ContactID), sendSK(rec.Key)),
		UpdateExpression:                    aws.String("SET " + set),
		ConditionExpression:                 aws.String(settleable),
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

// Release deletes a claim that is still this claim (same token, not yet settled): its row and
// its claim item, together, so that a retry under any token finds the send unclaimed. The claim
// item goes whatever its token: it may be one this claim took over, and while the row is this
// claim's, no other claim can have written it.
func (st *Store) Release(ctx context.Context, rec send.Record) error {
	_, err := st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Delete: &types.Delete{TableName: &st.table, Key: key(contactPK(rec.ContactID), sendSK(rec.Key)),
			ConditionExpression:      aws.String("#st IN (:claimed, :sending) AND claimToken = :token"),
			ExpressionAttributeNames: map[string]string{"#st": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":claimed": s(string(send.Claimed)), ":sending": s(string(send.Sending)), ":token": s(rec.Token),
			}}},
		{Delete: &types.Delete{TableName: &st.table, Key: key(contactPK(rec.ContactID), claimSK(rec.Key))}},
	}})
	for _, code := range cancelled(err) {
		if code == "ConditionalCheckFailed" {
			return nil // no longer this claim: settled meanwhile, or claimed by someone else
		}
	}
	if err != nil {
		return fmt.Errorf("release send %s: %w", rec.Key, err)
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

// SendCampaign is the campaign (stats key) of a contact's send, "" when it has none or is gone.
func (st *Store) SendCampaign(ctx context.Context, contactID, sendKey string) (string, error) {
	it, err := st.get(ctx, contactPK(contactID), sendSK(sendKey))
	if err != nil {
		return "", fmt.Errorf("get send %s: %w", sendKey, err)
	}
	return it.getStr("campaignId"), nil
}

// TakeSend stores rec as the send's row, which is its claim (no claim item: send.Taker), unless a
// send with its key exists that is not queued to be tried again. A row stored before with
// rec's token is rec's: taken, and returned as stored, or as rec itself when it is this very
// write, applied once already (the SDK's retry of a write whose response was lost).
func (st *Store) TakeSend(ctx context.Context, rec send.Record) (bool, send.Record, error) {
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &st.table, Item: sendItem(rec),
		ConditionExpression:                 aws.String("attribute_not_exists(PK) OR #st = :queued"),
		ExpressionAttributeNames:            map[string]string{"#st": "status"},
		ExpressionAttributeValues:           map[string]types.AttributeValue{":queued": s(string(send.Queued))},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	old, failed := conditionFailed(err)
	switch {
	case err == nil:
		return true, rec, nil
	case !failed:
		return false, send.Record{}, fmt.Errorf("take send %s: %w", rec.Key, err)
	}
	stored := record(old)
	mine := rec.Token != "" && stored.Token == rec.Token
	if mine && stored.Status == rec.Status && old.getStr("claimedAt") == stamp(rec.ClaimedAt) {
		return true, rec, nil
	}
	return mine, stored, nil
}
