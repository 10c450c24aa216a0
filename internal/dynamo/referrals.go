package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/loyalty"
)

// Referral codes are items of their own (REFERRAL#<code>, naming the contact); a referral is an
// item in the referrer's partition, sorted by the referred order's time:
// REFERRAL#<at>#<order>, written once, its status fixed when it is.
const referralPrefix = "REFERRAL#"

// PutReferralCode records whose a referral code is, unless it is recorded.
func (st *Store) PutReferralCode(ctx context.Context, code, contactID string) error {
	it := item{}.str("PK", referralPrefix+safe(code)).str("SK", "#CODE").str("type", "referral-code").str("contactId", contactID)
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &st.table, Item: it, ConditionExpression: aws.String("attribute_not_exists(PK)"),
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("put referral code of %s: %w", contactID, err)
	}
	return nil
}

// ReferrerByCode returns the contact whose referral code it is.
func (st *Store) ReferrerByCode(ctx context.Context, code string) (string, bool, error) {
	it, err := st.get(ctx, referralPrefix+safe(code), "#CODE")
	if err != nil || it == nil {
		return "", false, err
	}
	return it.getStr("contactId"), true, nil
}

func referralItem(r loyalty.Referral) item {
	return item{}.str("PK", contactPK(r.ReferrerID)).str("SK", referralPrefix+stamp(r.At)+"#"+safe(r.OrderID)).
		str("type", "referral").str("referrerId", r.ReferrerID).str("referredId", r.ReferredID).str("orderId", r.OrderID).
		str("at", stamp(r.At)).str("status", r.Status).str("reason", r.Reason)
}

func referralOf(it item) loyalty.Referral {
	return loyalty.Referral{ReferrerID: it.getStr("referrerId"), ReferredID: it.getStr("referredId"), OrderID: it.getStr("orderId"),
		At: unstamp(it.getStr("at")), Status: it.getStr("status"), Reason: it.getStr("reason")}
}

// PutReferral records a referral unless the order's is recorded, and returns the one stored.
func (st *Store) PutReferral(ctx context.Context, r loyalty.Referral) (loyalty.Referral, error) {
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &st.table, Item: referralItem(r), ConditionExpression: aws.String("attribute_not_exists(PK)"),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if old, failed := conditionFailed(err); failed {
		return referralOf(old), nil
	}
	if err != nil {
		return r, fmt.Errorf("put referral of order %s: %w", r.OrderID, err)
	}
	return r, nil
}

// ReferralsSince returns the referrer's referrals of orders placed at or after from, oldest
// first.
func (st *Store) ReferralsSince(ctx context.Context, referrerID string, from time.Time) ([]loyalty.Referral, error) {
	in := &dynamodb.QueryInput{
		TableName:              &st.table,
		KeyConditionExpression: aws.String("PK = :pk AND SK BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s(contactPK(referrerID)), ":from": s(referralPrefix + stamp(from)), ":to": s(referralPrefix + "~"),
		},
		ConsistentRead: aws.Bool(true),
	}
	var out []loyalty.Referral
	for {
		res, err := st.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("query referrals of %s: %w", referrerID, err)
		}
		for _, it := range res.Items {
			out = append(out, referralOf(it))
		}
		if res.LastEvaluatedKey == nil {
			return out, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}
