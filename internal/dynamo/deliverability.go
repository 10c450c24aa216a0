package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/bus"
	"shopmail/internal/deliverability"
	"shopmail/internal/deliverability/sesevent"
	"shopmail/internal/send"
)

func addressPK(address string) string { return "ADDRESS#" + deliverability.Normalize(address) }

// Suppression returns the suppression of an address.
func (st *Store) Suppression(ctx context.Context, address string) (deliverability.Suppression, bool, error) {
	it, err := st.get(ctx, addressPK(address), "#SUPPRESSED")
	if err != nil {
		return deliverability.Suppression{}, false, fmt.Errorf("get suppression: %w", err)
	}
	if it == nil {
		// An erased contact's suppression is kept under the address's keyed hash (erasure.go).
		return st.hashedSuppression(ctx, address)
	}
	return deliverability.Suppression{
		Address: it.getStr("address"), Reason: it.getStr("reason"), Detail: it.getStr("detail"),
		At: unstamp(it.getStr("at")), Source: it.getStr("source"),
	}, true, nil
}

// Suppress stores a suppression unless the address has one; the first reason is kept.
func (st *Store) Suppress(ctx context.Context, sup deliverability.Suppression, evs ...bus.Event) (bool, error) {
	it := item{}.str("PK", addressPK(sup.Address)).str("SK", "#SUPPRESSED").str("type", "suppression").
		str("address", deliverability.Normalize(sup.Address)).str("reason", sup.Reason).str("detail", sup.Detail).
		str("at", stamp(sup.At)).str("source", sup.Source)
	done, err := st.commit(ctx, []types.TransactWriteItem{{Put: &types.Put{
		TableName: &st.table, Item: it, ConditionExpression: aws.String("attribute_not_exists(PK)"),
	}}}, evs)
	if err != nil {
		return false, fmt.Errorf("put suppression: %w", err)
	}
	return done, nil
}

// SoftBounces counts an address's soft bounces since a time.
func (st *Store) SoftBounces(ctx context.Context, address string, since time.Time) (int, error) {
	res, err := st.db.Query(ctx, &dynamodb.QueryInput{
		TableName:              &st.table,
		KeyConditionExpression: aws.String("PK = :pk AND SK BETWEEN :from AND :to"),
		FilterExpression:       aws.String(notExpired),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s(addressPK(address)), ":from": s("SOFT#" + stamp(since)), ":to": s("SOFT#~"), ":now": nowValue(st.now()),
		},
		Select: types.SelectCount,
	})
	if err != nil {
		return 0, fmt.Errorf("count soft bounces: %w", err)
	}
	return int(res.Count), nil
}

func senderPK(sender string) string { return "SENDER#" + deliverability.Normalize(sender) }

// reputationShards spreads a sender's daily counts (one write per email sent) over keys.
const reputationShards = 8

// ReputationState returns a sender's state (not paused when none is stored).
func (st *Store) ReputationState(ctx context.Context, sender string) (deliverability.State, error) {
	it, err := st.get(ctx, senderPK(sender), "#STATE")
	if err != nil || it == nil {
		return deliverability.State{}, err
	}
	return deliverability.State{Paused: it.getBool("paused"), Reason: it.getStr("reason"), Since: unstamp(it.getStr("since"))}, nil
}

// SetReputationState replaces the state if it is still paused == was.
func (st *Store) SetReputationState(ctx context.Context, sender string, was bool, state deliverability.State, evs ...bus.Event) (bool, error) {
	cond := "paused = :was"
	if !was {
		cond = "attribute_not_exists(PK) OR " + cond
	}
	done, err := st.commit(ctx, []types.TransactWriteItem{{Put: &types.Put{
		TableName: &st.table,
		Item: item{}.str("PK", senderPK(sender)).str("SK", "#STATE").str("type", "reputation").
			boolean("paused", state.Paused).str("reason", state.Reason).str("since", stamp(state.Since)),
		ConditionExpression:       &cond,
		ExpressionAttributeValues: map[string]types.AttributeValue{":was": &types.AttributeValueMemberBOOL{Value: was}},
	}}}, evs)
	if err != nil {
		return false, fmt.Errorf("put reputation state of %s: %w", sender, err)
	}
	return done, nil
}

// ReputationRates sums a sender's daily counts since a time (by day).
func (st *Store) ReputationRates(ctx context.Context, sender string, since time.Time) (deliverability.Rates, error) {
	var r deliverability.Rates
	for i := range reputationShards {
		p := dynamodb.NewQueryPaginator(st.db, &dynamodb.QueryInput{
			TableName:              &st.table,
			KeyConditionExpression: aws.String("PK = :pk AND SK >= :from"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": s(senderPK(sender) + "#" + strconv.Itoa(i)), ":from": s("DAY#" + since.UTC().Format(time.DateOnly)),
			},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return r, fmt.Errorf("query reputation of %s: %w", sender, err)
			}
			for _, v := range page.Items {
				it := item(v)
				r.Sends += it.getNum("sends")
				r.Bounces += it.getNum("bounces")
				r.Complaints += it.getNum("complaints")
			}
		}
	}
	return r, nil
}

// eventAttr is the send attribute that keeps the time of the first SES event of a type.
var eventAttr = map[sesevent.Type]string{
	sesevent.Send: "sesSentAt", sesevent.Delivery: "deliveredAt", sesevent.Bounce: "bouncedAt",
	sesevent.Complaint: "complainedAt", sesevent.Reject: "rejectedAt", sesevent.DeliveryDelay: "delayedAt",
	sesevent.RenderingFailure: "renderingFailedAt", sesevent.Open: "sesOpenedAt", sesevent.Click: "sesClickedAt",
	sesevent.Subscription: "sesSubscriptionAt",
}

// RecordEvent writes an SES event's effects once, together (one transaction, or the send's
// update alone when the event owes no counts): the send's status timeline, the campaign's
// counters, the sender's daily counts and the soft bounces; SES's "Email Sent" also settles
// the send as sent with its message id (the message left, whatever the sender's call to SES
// was told, or if the sender stopped before it could settle). The send is the guard: it keeps
// the time of each type's first event (eventAttr), and the write is on condition that the
// send has none yet, so a replay, at any age and in any order, changes nothing (a send counts
// a type of event once: its first delivery, its first delay). An event for a send that is not
// in the table (expired, or not sent by this system) is recorded as an event item under its
// message id, whose key (the event's dedup key) is the guard.
func (st *Store) RecordEvent(ctx context.Context, r deliverability.EventRecord) (bool, error) {
	ev := r.Event
	if r.ContactID != "" {
		done, found, err := st.recordOnSend(ctx, st.eventEffects(r))
		switch {
		case err != nil:
			return false, fmt.Errorf("record SES event %s: %w", ev.Key(), err)
		case done:
			return true, nil
		case found:
			return false, nil // recorded before: a duplicate
		}
		// The send is not in the table: record the event without it.
	}
	_, err := st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: st.eventItems(r)})
	if reason := cancelled(err); reason != nil && reason[0] == "ConditionalCheckFailed" {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("record SES event %s: %w", ev.Key(), err)
	}
	return true, nil
}

// recordOnSend writes an event's effects, guarded by its send (the first): in a transaction
// when there are counts with it, else as the send's update alone (a transaction of one item
// costs twice the write). It reports whether they were written, and if not whether the send
// was there (its event was recorded before) or not.
func (st *Store) recordOnSend(ctx context.Context, effects []types.TransactWriteItem) (done, found bool, err error) {
	if len(effects) == 1 {
		u := effects[0].Update
		_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: u.TableName, Key: u.Key,
			UpdateExpression: u.UpdateExpression, ConditionExpression: u.ConditionExpression,
			ExpressionAttributeNames: u.ExpressionAttributeNames, ExpressionAttributeValues: u.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: u.ReturnValuesOnConditionCheckFailure})
		if old, failed := conditionFailed(err); failed {
			return false, len(old) > 0, nil
		}
		return err == nil, false, err
	}
	_, err = st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: effects})
	if reason := cancelled(err); reason != nil && reason[0] == "ConditionalCheckFailed" {
		var tce *types.TransactionCanceledException
		errors.As(err, &tce)
		return false, len(tce.CancellationReasons[0].Item) > 0, nil
	}
	return err == nil, false, err
}

// eventEffects are an event's writes on its send, guarded by the send (RecordEvent), with
// the counters and the rest.
func (st *Store) eventEffects(r deliverability.EventRecord) []types.TransactWriteItem {
	ev := r.Event
	set, remove := "#at = :at", ""
	names := map[string]string{"#at": eventAttr[ev.Type]}
	vals := map[string]types.AttributeValue{":at": s(stamp(ev.At))}
	if ev.Type == sesevent.Send && ev.MessageID != "" {
		// Whichever of this and the sender's own settle comes second changes nothing: the
		// sender's is on condition that the send is still sending (Settle). A send here is
		// sending, unknown or sent: one that failed or was skipped had no message.
		set += ", #st = :sent, messageId = :mid, sentAt = if_not_exists(sentAt, :at)"
		remove = " REMOVE reason"
		names["#st"] = "status"
		vals[":sent"], vals[":mid"] = s(string(send.Sent)), s(ev.MessageID)
	}
	if ev.Bounce != nil {
		set += ", bounceType = :bt"
		vals[":bt"] = s(strings.TrimSpace(ev.Bounce.Type + " " + ev.Bounce.SubType))
		if ev.Reason != "" {
			set += ", bounceReason = :br"
			vals[":br"] = s(ev.Reason)
		}
	}
	return append([]types.TransactWriteItem{{Update: &types.Update{
		TableName: &st.table, Key: key(contactPK(r.ContactID), sendSK(r.SendKey)),
		UpdateExpression:                    aws.String("SET " + set + remove),
		ConditionExpression:                 aws.String("attribute_exists(PK) AND attribute_not_exists(#at)"),
		ExpressionAttributeNames:            names,
		ExpressionAttributeValues:           vals,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}}, st.eventCounts(r)...)
}

// eventItems are the writes of an event whose send is not in the table: the event item, on
// condition that it is new, and the counters and the rest.
func (st *Store) eventItems(r deliverability.EventRecord) []types.TransactWriteItem {
	ev := r.Event
	at := stamp(ev.At)
	evItem := item{}.str("PK", "SESMSG#"+ev.MessageID).str("SK", fmt.Sprintf("EVENT#%s#%s#%s", ev.MessageID, ev.Type, at)).str("type", "ses-event").
		str("event", string(ev.Type)).str("messageId", ev.MessageID).str("sendKey", r.SendKey).str("at", at).
		str("reason", ev.Reason).strList("recipients", ev.Recipients).expires(r.Expires)
	if ev.Bounce != nil {
		evItem.str("bounceType", ev.Bounce.Type).str("bounceSubType", ev.Bounce.SubType)
	}
	return append([]types.TransactWriteItem{{Put: &types.Put{
		TableName: &st.table, Item: evItem, ConditionExpression: aws.String("attribute_not_exists(PK)"),
	}}}, st.eventCounts(r)...)
}

// eventCounts are an event's counters, its sender's daily counts and its soft bounces.
func (st *Store) eventCounts(r deliverability.EventRecord) []types.TransactWriteItem {
	ev := r.Event
	var items []types.TransactWriteItem
	if r.Counter != "" && r.Stats != "" {
		items = append(items, types.TransactWriteItem{Update: st.statsUpdate(r.Stats, r.ContactID+ev.MessageID, r.Counter)})
	}
	if r.Sends+r.Bounces+r.Complaints > 0 && ev.Sender != "" {
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName:        &st.table,
			Key:              key(senderPK(ev.Sender)+"#"+strconv.Itoa(shard(ev.MessageID, reputationShards)), "DAY#"+ev.At.UTC().Format(time.DateOnly)),
			UpdateExpression: aws.String("ADD sends :s, bounces :b, complaints :c SET expiresAt = :exp"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":s": n(r.Sends), ":b": n(r.Bounces), ":c": n(r.Complaints), ":exp": n(ev.At.Add(30 * 24 * time.Hour).Unix()),
			},
		}})
	}
	if r.SoftBounce {
		at := stamp(ev.At)
		for _, addr := range ev.Recipients {
			items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: item{}.
				str("PK", addressPK(addr)).str("SK", "SOFT#"+at+"#"+ev.MessageID).str("type", "soft-bounce").
				str("reason", ev.Reason).expires(ev.At.Add(60 * 24 * time.Hour))}})
		}
	}
	return items
}

// cancelled returns the cancellation reason codes of a cancelled transaction (nil otherwise).
func cancelled(err error) []string {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return nil
	}
	codes := make([]string, len(tce.CancellationReasons))
	for i, r := range tce.CancellationReasons {
		codes[i] = aws.ToString(r.Code)
	}
	if len(codes) == 0 {
		codes = []string{""}
	}
	return codes
}
