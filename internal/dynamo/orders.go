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

	"shopmail/internal/catalog"
	"shopmail/internal/coupon"
	"shopmail/internal/money"
	"shopmail/internal/order"
	"shopmail/internal/send"
)

// maxStoredLines are the lines an order row keeps: those a thank-you lists. The row keeps the
// item count of the whole order, and costs the same for an order of 20 lines or of 1,000.
const maxStoredLines = 20

func orderPK(id string) string { return "ORDER#" + safe(id) }

// PutOrder stores a placed order unless it is already stored, and returns the id of the
// contact the stored order belongs to. An order credited to a campaign (credit, "" for none)
// is stored with it, and counted in the campaign's orders and revenue (per currency, in minor
// units) in the same transaction: once, when the order first arrives, never again.
//
// The same transaction counts the order in the exposure counters (exposed_orders and
// exposed_revenue_<currency>) of every campaign arm the customer was in within window before
// it: sent the campaign's email, or held out of it. Those compare the recipients' orders per
// contact with the holdout's, click or no click: the campaign's lift.
func (st *Store) PutOrder(ctx context.Context, o order.Order, credit string, window time.Duration) (string, error) {
	exposed, err := st.exposures(ctx, o.Customer.ID, o.PlacedAt.Add(-window), o.PlacedAt)
	if err != nil {
		return "", err
	}
	lines := make([]item, 0, min(len(o.Items), maxStoredLines))
	for _, l := range o.Items[:min(len(o.Items), maxStoredLines)] {
		lines = append(lines, item{}.str("sku", l.SKU).str("name", l.Name).str("category", l.Category).
			num("quantity", l.Quantity).str("unitPrice", l.UnitPrice.String()))
	}
	it := item{}.str("PK", orderPK(o.ID)).str("SK", "#ORDER").
		str("GSI1PK", contactPK(o.Customer.ID)).str("GSI1SK", "ORDER#"+stamp(o.PlacedAt)+"#"+safe(o.ID)).
		str("type", "order").str("id", o.ID).str("contactId", o.Customer.ID).str("placedAt", stamp(o.PlacedAt)).
		str("currency", o.Currency).str("total", o.Total.String()).num("itemCount", int64(len(o.Items))).
		list("lines", lines).str("couponCode", o.CouponCode).str("referralCode", o.ReferralCode).
		str("status", "placed").str("recordedAt", stamp(st.now())).str("campaignId", credit)
	put := &types.Put{
		TableName: &st.table, Item: it, ConditionExpression: aws.String("attribute_not_exists(PK)"),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	// One update an arm: the campaign credited with the order (its click) is usually one it
	// was exposed to, and a transaction may not write an item twice.
	var arms []string
	prefixes := map[string][]string{}
	count := func(arm, prefix string) {
		if prefixes[arm] == nil {
			arms = append(arms, arm)
		}
		prefixes[arm] = append(prefixes[arm], prefix)
	}
	if credit != "" {
		count(credit, "")
	}
	for _, arm := range exposed {
		count(arm, "exposed_")
	}
	writes := []types.TransactWriteItem{{Put: put}}
	for _, arm := range arms {
		writes = append(writes, types.TransactWriteItem{Update: st.orderUpdate(arm, o, prefixes[arm]...)})
	}
	var old item
	if len(writes) == 1 {
		_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: put.TableName, Item: put.Item,
			ConditionExpression: put.ConditionExpression, ReturnValuesOnConditionCheckFailure: put.ReturnValuesOnConditionCheckFailure})
		if ccf, failed := conditionFailed(err); failed {
			old, err = ccf, nil
		}
	} else {
		var done bool
		done, old, err = st.transact(ctx, writes, nil)
		if done {
			old = nil
		}
	}
	if err != nil {
		return "", fmt.Errorf("put order %s: %w", o.ID, err)
	}
	if old != nil {
		return old.getStr("contactId"), nil // stored before: its owner, and its credit, stay
	}
	return o.Customer.ID, nil
}

// campaignSendPrefix begins the sort key of a contact's campaign sends (the fan-out's send key
// is "campaign#<id>", its reminder's "campaign#<id>#reminder").
const campaignSendPrefix = "SEND#campaign#"

// maxExposures bounds the campaigns an order counts in (a transaction holds 100 items).
const maxExposures = 20

// exposures are the campaign arms (stats keys) a contact was sent, or held out of, between
// from and to: the campaigns' main emails, not their reminders, newest first.
func (st *Store) exposures(ctx context.Context, contactID string, from, to time.Time) ([]string, error) {
	res, err := st.db.Query(ctx, &dynamodb.QueryInput{TableName: &st.table,
		KeyConditionExpression:   aws.String("PK = :pk AND begins_with(SK, :sk)"),
		FilterExpression:         aws.String("claimedAt BETWEEN :from AND :to AND (#st = :sent OR begins_with(reason, :holdout))"),
		ExpressionAttributeNames: map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s(contactPK(contactID)), ":sk": s(campaignSendPrefix), ":from": s(stamp(from)), ":to": s(stamp(to)),
			":sent": s(string(send.Sent)), ":holdout": s("holdout"),
		},
		ProjectionExpression: aws.String("campaignId, sendKey, claimedAt"),
	})
	if err != nil {
		return nil, fmt.Errorf("query campaign sends of %s: %w", contactID, err)
	}
	type exposure struct{ arm, at string }
	var seen []exposure
	for _, it := range res.Items {
		r := item(it)
		if strings.HasSuffix(r.getStr("sendKey"), "#reminder") || r.getStr("campaignId") == "" {
			continue
		}
		seen = append(seen, exposure{r.getStr("campaignId"), r.getStr("claimedAt")})
	}
	slices.SortFunc(seen, func(a, b exposure) int { return strings.Compare(b.at, a.at) })
	arms := make([]string, 0, len(seen))
	for _, e := range seen[:min(len(seen), maxExposures)] {
		arms = append(arms, e.arm)
	}
	return arms, nil
}

// orderUpdate counts an order in a campaign's counters (the shard of the order's contact):
// one order, and its total in the currency's minor units under revenue_<currency>, once for
// each prefix of the names ("" for the credited, "exposed_" for the exposed).
func (st *Store) orderUpdate(campaign string, o order.Order, prefixes ...string) *types.Update {
	counters := make([]string, len(prefixes))
	for i, p := range prefixes {
		counters[i] = p + "orders"
	}
	upd := st.statsUpdate(campaign, o.Customer.ID, counters...)
	if units, ok := o.Total.Units(money.MinorUnits(o.Currency)); ok && money.ValidCurrency(o.Currency) {
		for i, p := range prefixes {
			*upd.UpdateExpression += fmt.Sprintf(", #rev%d :units", i)
			upd.ExpressionAttributeNames[fmt.Sprintf("#rev%d", i)] = p + "revenue_" + o.Currency
		}
		upd.ExpressionAttributeValues[":units"] = n(units)
	}
	return upd
}

// OrderIDs returns the ids of a contact's orders, oldest first.
func (st *Store) OrderIDs(ctx context.Context, contactID string) ([]string, error) {
	var ids []string
	p := dynamodb.NewQueryPaginator(st.db, &dynamodb.QueryInput{
		TableName: &st.table, IndexName: aws.String("GSI1"),
		KeyConditionExpression: aws.String("GSI1PK = :pk AND begins_with(GSI1SK, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s(contactPK(contactID)), ":sk": s("ORDER#"),
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query orders of %s: %w", contactID, err)
		}
		for _, it := range page.Items {
			ids = append(ids, item(it).getStr("id"))
		}
	}
	return ids, nil
}

// maxProductsPerOrder bounds what one order teaches the catalogue: the lines a thank-you
// lists. A bigger order costs no more than one of 20 products.
const maxProductsPerOrder = 20

// productStaleAfter is how old a product's last purchase may be before an order that buys
// it again writes it anew (its place among its category's recent products). Within it, an
// order writes a product only if it is new or its name, links, category or prices changed.
const productStaleAfter = 24 * time.Hour

// PutProducts stores products as last seen, reading them first: a product is written only
// when it is new, changed or stale (a write costs five times a read), never over a later
// observation. An order with more products teaches only its first maxProductsPerOrder.
func (st *Store) PutProducts(ctx context.Context, ps []catalog.Product) error {
	ps = ps[:min(len(ps), maxProductsPerOrder)]
	if len(ps) == 0 {
		return nil
	}
	keys := make([]map[string]types.AttributeValue, 0, len(ps))
	seen := map[string]bool{}
	for _, p := range ps {
		if !seen[p.SKU] {
			seen[p.SKU] = true
			keys = append(keys, key("PRODUCT#"+safe(p.SKU), "#PRODUCT"))
		}
	}
	stored := map[string]item{}
	for req := map[string]types.KeysAndAttributes{st.table: {Keys: keys}}; len(req) > 0; {
		res, err := st.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return fmt.Errorf("read products: %w", err)
		}
		for _, it := range res.Responses[st.table] {
			stored[item(it).getStr("sku")] = it
		}
		req = res.UnprocessedKeys
	}
	reqs := make([]types.WriteRequest, 0, len(ps))
	for _, p := range ps {
		it := productItem(p)
		if old, ok := stored[p.SKU]; ok && !newer(it, old) {
			continue
		}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
	}
	return st.batchWrite(ctx, reqs)
}

// productItem is a product as stored.
func productItem(p catalog.Product) item {
	it := item{}.str("PK", "PRODUCT#"+safe(p.SKU)).str("SK", "#PRODUCT").str("type", "product").
		str("sku", p.SKU).str("name", p.Name).str("category", p.Category).str("url", p.URL).
		str("imageUrl", p.ImageURL).str("currency", p.Currency).str("price", p.Price.String()).
		str("lastPurchasedAt", stamp(p.LastPurchasedAt))
	if p.RegularPrice != nil {
		it.str("regularPrice", p.RegularPrice.String())
	}
	if p.Category != "" {
		it.str("GSI2PK", "CATEGORY#"+p.Category).str("GSI2SK", stamp(p.LastPurchasedAt)+"#"+safe(p.SKU))
	}
	return it
}

// newer reports whether a product seen later than the stored one should replace it: it
// changed, or the stored purchase is stale.
func newer(it, old item) bool {
	at, was := it.getStr("lastPurchasedAt"), old.getStr("lastPurchasedAt")
	if at <= was {
		return false // the stored observation is as new or newer (a replayed or late order)
	}
	for _, f := range []string{"name", "category", "url", "imageUrl", "currency", "price", "regularPrice"} {
		if it.getStr(f) != old.getStr(f) {
			return true
		}
	}
	return unstamp(at).Sub(unstamp(was)) >= productStaleAfter
}

// batchWrite writes in batches of 25, retrying unprocessed items with backoff.
func (st *Store) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	for len(reqs) > 0 {
		batch := reqs[:min(25, len(reqs))]
		reqs = reqs[len(batch):]
		for attempt := 0; len(batch) > 0; attempt++ {
			if attempt == 8 {
				return fmt.Errorf("batch write: %d items still unprocessed", len(batch))
			}
			if attempt > 0 {
				sleep(ctx, attempt+2)
			}
			res, err := st.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
				RequestItems: map[string][]types.WriteRequest{st.table: batch},
			})
			if err != nil {
				return fmt.Errorf("batch write: %w", err)
			}
			batch = res.UnprocessedItems[st.table]
		}
	}
	return nil
}

// RecentProducts returns up to limit products of a category, most recently bought first.
func (st *Store) RecentProducts(ctx context.Context, category string, limit int) ([]catalog.Product, error) {
	res, err := st.db.Query(ctx, &dynamodb.QueryInput{
		TableName: &st.table, IndexName: aws.String("GSI2"),
		KeyConditionExpression:    aws.String("GSI2PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("CATEGORY#" + category)},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(limit)),
	})
	if err != nil {
		return nil, fmt.Errorf("query products in %q: %w", category, err)
	}
	out := make([]catalog.Product, 0, len(res.Items))
	for _, it := range res.Items {
		p, err := product(it)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func product(it item) (catalog.Product, error) {
	p := catalog.Product{
		SKU: it.getStr("sku"), Name: it.getStr("name"), Category: it.getStr("category"), URL: it.getStr("url"),
		ImageURL: it.getStr("imageUrl"), Currency: it.getStr("currency"), LastPurchasedAt: unstamp(it.getStr("lastPurchasedAt")),
	}
	var err error
	if p.Price, err = money.ParseDecimal(it.getStr("price")); err != nil {
		return p, fmt.Errorf("decode product %s price: %w", p.SKU, err)
	}
	if rp := it.getStr("regularPrice"); rp != "" {
		d, err := money.ParseDecimal(rp)
		if err != nil {
			return p, fmt.Errorf("decode product %s regular price: %w", p.SKU, err)
		}
		p.RegularPrice = &d
	}
	return p, nil
}

// IssueCoupon stores c unless a coupon for its (order, purpose) exists, and returns the coupon
// stored, so that every replay of a trigger shows the same code.
func (st *Store) IssueCoupon(ctx context.Context, c coupon.Coupon) (coupon.Coupon, error) {
	pk, sk := orderPK(c.OrderID), "COUPON#"+c.Purpose
	it := item{}.str("PK", pk).str("SK", sk).str("GSI1PK", "COUPON#"+c.Code).str("GSI1SK", "COUPON").
		str("type", "coupon").str("code", c.Code).str("purpose", c.Purpose).str("contactId", c.ContactID).
		str("orderId", c.OrderID).str("offer", c.Offer).str("issuedAt", stamp(c.IssuedAt)).
		str("validUntil", stamp(c.ExpiresAt))
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &st.table, Item: it, ConditionExpression: aws.String("attribute_not_exists(PK)"),
	})
	if err == nil {
		return c, nil
	}
	if !isConditionFailed(err) {
		return c, fmt.Errorf("put coupon for order %s: %w", c.OrderID, err)
	}
	if it, err = st.get(ctx, pk, sk); err != nil || it == nil {
		return c, fmt.Errorf("get coupon for order %s: %v", c.OrderID, err)
	}
	return couponFrom(it), nil
}

// RedeemCoupon records that an order used a coupon code, once. It returns the coupon as
// stored, found == false when the code was not issued here (the shop's own codes), for a code
// already redeemed by another order, the coupon with that order in RedeemedBy, and for a code
// that expired before the order, the coupon unredeemed (RedeemedBy empty).
func (st *Store) RedeemCoupon(ctx context.Context, code, orderID string, at time.Time) (coupon.Coupon, bool, error) {
	res, err := st.db.Query(ctx, &dynamodb.QueryInput{
		TableName: &st.table, IndexName: aws.String("GSI1"),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("COUPON#" + code)},
		Limit:                     aws.Int32(1),
	})
	if err != nil {
		return coupon.Coupon{}, false, fmt.Errorf("query coupon %s: %w", code, err)
	}
	if len(res.Items) == 0 {
		return coupon.Coupon{}, false, nil
	}
	it := item(res.Items[0])
	out, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: key(it.getStr("PK"), it.getStr("SK")),
		UpdateExpression: aws.String("SET redeemedBy = :o, redeemedAt = :t"),
		// A code is good until its validUntil (stamps compare as strings); the order's time
		// decides, so a replay of an order that redeemed it stays its redemption.
		ConditionExpression: aws.String("(attribute_not_exists(redeemedBy) OR redeemedBy = :o) AND (attribute_not_exists(validUntil) OR validUntil >= :t)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":o": s(orderID), ":t": s(stamp(at)),
		},
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf):
		return couponFrom(ccf.Item), true, nil
	case err != nil:
		return coupon.Coupon{}, true, fmt.Errorf("redeem coupon %s: %w", code, err)
	}
	return couponFrom(out.Attributes), true, nil
}

func couponFrom(it item) coupon.Coupon {
	return coupon.Coupon{
		Code: it.getStr("code"), Purpose: it.getStr("purpose"), ContactID: it.getStr("contactId"),
		OrderID: it.getStr("orderId"), Offer: it.getStr("offer"), IssuedAt: unstamp(it.getStr("issuedAt")),
		ExpiresAt: unstamp(it.getStr("validUntil")), RedeemedBy: it.getStr("redeemedBy"),
		RedeemedAt: unstamp(it.getStr("redeemedAt")),
	}
}
