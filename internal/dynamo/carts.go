package dynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/cart"
	"shopmail/internal/money"
	"shopmail/internal/order"
)

// A cart is one item beside its contact, CONTACT#<cid> CART#<cart id>, indexed in GSI2 by
// the month it was first reported (CARTS#<yyyy-mm> / <first at>#<cid>#<cart id>) for the
// numbers. Its items are kept as one JSON string: they are only ever read whole, for the
// reminder.
func cartSK(cartID string) string { return "CART#" + cartID }

func cartOf(it item) cart.Cart {
	c := cart.Cart{
		Cart: order.Cart{ID: it.getStr("cartId"), Currency: it.getStr("currency"), URL: it.getStr("cartUrl"),
			UpdatedAt: unstamp(it.getStr("updatedAt")),
			Customer: order.Customer{ID: it.getStr("contactId"), Email: it.getStr("email"), FirstName: it.getStr("firstName"),
				Locale: it.getStr("locale"), Timezone: it.getStr("timezone")}},
		Status: it.getStr("status"), FirstAt: unstamp(it.getStr("firstAt")), Abandoned: it.getBool("abandoned"),
		Reminded: int(it.getNum("reminded")), RemindedAt: unstamp(it.getStr("remindedAt")), OrderID: it.getStr("orderId"),
		RevenueCurrency: it.getStr("revenueCurrency"), Recovered: it.getBool("recovered"),
	}
	c.Total, _ = money.ParseDecimal(it.getStr("total"))
	c.Revenue, _ = money.ParseDecimal(it.getStr("revenue"))
	_ = json.Unmarshal([]byte(it.getStr("items")), &c.Items)
	return c
}

// SaveCart stores a cart report unless a newer one is stored or the cart is closed, keeping
// the time it was first reported and what its reminders did. The same report again is
// stored again, so that a retry after a failure to schedule schedules.
func (st *Store) SaveCart(ctx context.Context, c cart.Cart) (cart.Cart, bool, error) {
	items, err := json.Marshal(c.Items)
	if err != nil {
		return cart.Cart{}, false, err
	}
	u := stamp(c.UpdatedAt)
	vals := map[string]types.AttributeValue{
		":u": s(u), ":open": s(cart.Open), ":st": s(c.Status), ":type": s("cart"), ":id": s(c.ID), ":cid": s(c.Customer.ID),
		":cur": s(c.Currency), ":total": s(c.Total.String()), ":items": s(string(items)),
		":gpk": s(monthKey("CARTS#", c.FirstAt)), ":gsk": s(stamp(c.FirstAt) + "#" + safe(c.Customer.ID) + "#" + safe(c.ID)),
	}
	names := map[string]string{"#st": "status", "#t": "type", "#total": "total", "#items": "items"}
	set := "#st = :st, #t = :type, cartId = :id, contactId = :cid, currency = :cur, #total = :total, #items = :items, " +
		"updatedAt = :u, firstAt = if_not_exists(firstAt, :u), GSI2PK = if_not_exists(GSI2PK, :gpk), GSI2SK = if_not_exists(GSI2SK, :gsk)"
	for name, v := range map[string]string{"email": c.Customer.Email, "firstName": c.Customer.FirstName, "locale": c.Customer.Locale,
		"timezone": c.Customer.Timezone, "cartUrl": c.URL, "orderId": c.OrderID} {
		if v != "" {
			set += ", #" + name + " = :" + name
			names["#"+name], vals[":"+name] = name, s(v)
		}
	}
	if c.RevenueCurrency != "" {
		set += ", revenue = :rev, revenueCurrency = :revc"
		vals[":rev"], vals[":revc"] = s(c.Revenue.String()), s(c.RevenueCurrency)
	}
	res, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: key(contactPK(c.Customer.ID), cartSK(c.ID)),
		UpdateExpression:          aws.String("SET " + set),
		ConditionExpression:       aws.String("attribute_not_exists(PK) OR (#st = :open AND updatedAt <= :u)"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: vals,
		ReturnValues:              types.ReturnValueAllOld,
	})
	if isConditionFailed(err) {
		return cart.Cart{}, false, nil
	}
	if err != nil {
		return cart.Cart{}, false, fmt.Errorf("save cart %s: %w", c.ID, err)
	}
	if len(res.Attributes) == 0 {
		return cart.Cart{}, true, nil
	}
	return cartOf(res.Attributes), true, nil
}

// Cart returns a contact's cart.
func (st *Store) Cart(ctx context.Context, contactID, cartID string) (cart.Cart, bool, error) {
	it, err := st.get(ctx, contactPK(contactID), cartSK(cartID))
	if err != nil || it == nil {
		return cart.Cart{}, false, err
	}
	return cartOf(it), true, nil
}

// OpenCarts returns a contact's open carts.
func (st *Store) OpenCarts(ctx context.Context, contactID string) ([]cart.Cart, error) {
	p := dynamodb.NewQueryPaginator(st.db, &dynamodb.QueryInput{
		TableName: &st.table, KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :sk)"),
		FilterExpression:         aws.String("#st = :open"),
		ExpressionAttributeNames: map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s(contactPK(contactID)), ":sk": s(cartSK("")), ":open": s(cart.Open),
		},
		ConsistentRead: aws.Bool(true),
	})
	var out []cart.Cart
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query open carts of %s: %w", contactID, err)
		}
		for _, it := range page.Items {
			out = append(out, cartOf(it))
		}
	}
	return out, nil
}

// CloseCart marks an open cart ordered, with its order, revenue and recovery.
func (st *Store) CloseCart(ctx context.Context, c cart.Cart) (bool, error) {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: key(contactPK(c.Customer.ID), cartSK(c.ID)),
		UpdateExpression:         aws.String("SET #st = :st, orderId = :oid, revenue = :rev, revenueCurrency = :revc, recovered = :rec"),
		ConditionExpression:      aws.String("#st = :open"),
		ExpressionAttributeNames: map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":st": s(c.Status), ":oid": s(c.OrderID), ":rev": s(c.Revenue.String()), ":revc": s(c.RevenueCurrency),
			":rec": &types.AttributeValueMemberBOOL{Value: c.Recovered}, ":open": s(cart.Open),
		},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("close cart %s: %w", c.ID, err)
	}
	return true, nil
}

// MarkDue records that a reminder step came due for the cart as updated at updatedAt, and
// that it was sent (reminded counts the steps sent: it only rises).
func (st *Store) MarkDue(ctx context.Context, contactID, cartID string, updatedAt time.Time, step int, sent bool, at time.Time) (bool, error) {
	set := "abandoned = :true"
	vals := map[string]types.AttributeValue{":true": &types.AttributeValueMemberBOOL{Value: true}, ":u": s(stamp(updatedAt)), ":open": s(cart.Open)}
	cond := "#st = :open AND updatedAt = :u"
	if sent {
		set += ", reminded = :step, remindedAt = :at"
		vals[":step"], vals[":at"] = n(int64(step)), s(stamp(at))
		cond += " AND (attribute_not_exists(reminded) OR reminded < :step)"
	}
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: key(contactPK(contactID), cartSK(cartID)),
		UpdateExpression: aws.String("SET " + set), ConditionExpression: aws.String(cond),
		ExpressionAttributeNames: map[string]string{"#st": "status"}, ExpressionAttributeValues: vals,
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mark reminder %d of cart %s: %w", step, cartID, err)
	}
	return true, nil
}

// ClickedAt is the latest first human click on the cart's reminders (zero: none).
func (st *Store) ClickedAt(ctx context.Context, contactID, cartID string) (time.Time, error) {
	var last time.Time
	for _, step := range []int{1, 2} {
		it, err := st.get(ctx, contactPK(contactID), sendSK(cart.SendKey(cartID, step)))
		if err != nil {
			return time.Time{}, err
		}
		if at := unstamp(item(it).getStr("first_click_human_at")); at.After(last) {
			last = at
		}
	}
	return last, nil
}

// CartsBetween returns the carts first reported in [from, to).
func (st *Store) CartsBetween(ctx context.Context, from, to time.Time) ([]cart.Cart, error) {
	var out []cart.Cart
	err := st.byMonth(ctx, "CARTS#", from, to, func(it item) { out = append(out, cartOf(it)) })
	return out, err
}
