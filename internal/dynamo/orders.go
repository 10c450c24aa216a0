package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/catalog"
	"shopmail/internal/coupon"
	"shopmail/internal/money"
	"shopmail/internal/order"
)

type orderItem struct {
	PK, SK       string
	GSI1PK       string
	GSI1SK       string
	Type         string          `dynamodbav:"type"`
	ID           string          `dynamodbav:"id"`
	ContactID    string          `dynamodbav:"contactId"`
	PlacedAt     string          `dynamodbav:"placedAt"`
	Currency     string          `dynamodbav:"currency"`
	Total        string          `dynamodbav:"total"`
	ItemCount    int             `dynamodbav:"itemCount"`
	Lines        []orderLineItem `dynamodbav:"lines,omitempty"`
	CouponCode   string          `dynamodbav:"couponCode,omitempty"`
	ReferralCode string          `dynamodbav:"referralCode,omitempty"`
	Status       string          `dynamodbav:"status"`
	RecordedAt   string          `dynamodbav:"recordedAt"`
}

type orderLineItem struct {
	SKU       string `dynamodbav:"sku"`
	Name      string `dynamodbav:"name,omitempty"`
	Category  string `dynamodbav:"category,omitempty"`
	Quantity  int64  `dynamodbav:"quantity"`
	UnitPrice string `dynamodbav:"unitPrice"`
}

// maxStoredLines bounds an order row well under DynamoDB's 400 KB item limit; the row keeps
// the item count of the whole order.
const maxStoredLines = 200

func orderPK(id string) string { return "ORDER#" + safe(id) }

// PutOrder stores a placed order unless it is already stored, and reports whether it was new.
func (st *Store) PutOrder(ctx context.Context, o order.Order) (bool, error) {
	it := orderItem{
		PK: orderPK(o.ID), SK: "#ORDER",
		GSI1PK: contactPK(o.Customer.ID), GSI1SK: "ORDER#" + stamp(o.PlacedAt) + "#" + safe(o.ID),
		Type: "order", ID: o.ID, ContactID: o.Customer.ID, PlacedAt: stamp(o.PlacedAt),
		Currency: o.Currency, Total: o.Total.String(), ItemCount: len(o.Items),
		CouponCode: o.CouponCode, ReferralCode: o.ReferralCode, Status: "placed", RecordedAt: stamp(st.now()),
	}
	for i, l := range o.Items {
		if i == maxStoredLines {
			break
		}
		it.Lines = append(it.Lines, orderLineItem{l.SKU, l.Name, l.Category, l.Quantity, l.UnitPrice.String()})
	}
	item, err := attributevalue.MarshalMap(it)
	if err != nil {
		return false, fmt.Errorf("encode order %s: %w", o.ID, err)
	}
	_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &st.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)"),
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("put order %s: %w", o.ID, err)
	}
	return true, nil
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
		for _, item := range page.Items {
			var it orderItem
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return nil, fmt.Errorf("decode order: %w", err)
			}
			ids = append(ids, it.ID)
		}
	}
	return ids, nil
}

type productItem struct {
	PK, SK          string
	GSI2PK          string `dynamodbav:",omitempty"`
	GSI2SK          string `dynamodbav:",omitempty"`
	Type            string `dynamodbav:"type"`
	SKU             string `dynamodbav:"sku"`
	Name            string `dynamodbav:"name"`
	Category        string `dynamodbav:"category,omitempty"`
	URL             string `dynamodbav:"url,omitempty"`
	ImageURL        string `dynamodbav:"imageUrl,omitempty"`
	Currency        string `dynamodbav:"currency"`
	Price           string `dynamodbav:"price"`
	RegularPrice    string `dynamodbav:"regularPrice,omitempty"`
	LastPurchasedAt string `dynamodbav:"lastPurchasedAt"`
}

// maxProductsPerOrder bounds the catalogue writes one order causes.
const maxProductsPerOrder = 100

// PutProducts stores products as last seen. An order with more products teaches only its
// first maxProductsPerOrder.
func (st *Store) PutProducts(ctx context.Context, ps []catalog.Product) error {
	if len(ps) > maxProductsPerOrder {
		ps = ps[:maxProductsPerOrder]
	}
	reqs := make([]types.WriteRequest, 0, len(ps))
	for _, p := range ps {
		it := productItem{
			PK: "PRODUCT#" + safe(p.SKU), SK: "#PRODUCT", Type: "product", SKU: p.SKU, Name: p.Name,
			Category: p.Category, URL: p.URL, ImageURL: p.ImageURL, Currency: p.Currency,
			Price: p.Price.String(), LastPurchasedAt: stamp(p.LastPurchasedAt),
		}
		if p.RegularPrice != nil {
			it.RegularPrice = p.RegularPrice.String()
		}
		if p.Category != "" {
			it.GSI2PK, it.GSI2SK = "CATEGORY#"+p.Category, stamp(p.LastPurchasedAt)+"#"+safe(p.SKU)
		}
		item, err := attributevalue.MarshalMap(it)
		if err != nil {
			return fmt.Errorf("encode product %s: %w", p.SKU, err)
		}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
	}
	return st.batchWrite(ctx, reqs)
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
	for _, item := range res.Items {
		var it productItem
		if err := attributevalue.UnmarshalMap(item, &it); err != nil {
			return nil, fmt.Errorf("decode product: %w", err)
		}
		p := catalog.Product{
			SKU: it.SKU, Name: it.Name, Category: it.Category, URL: it.URL, ImageURL: it.ImageURL,
			Currency: it.Currency, LastPurchasedAt: unstamp(it.LastPurchasedAt),
		}
		var perr error
		if p.Price, perr = money.ParseDecimal(it.Price); perr != nil {
			return nil, fmt.Errorf("decode product %s price: %w", it.SKU, perr)
		}
		if it.RegularPrice != "" {
			rp, err := money.ParseDecimal(it.RegularPrice)
			if err != nil {
				return nil, fmt.Errorf("decode product %s regular price: %w", it.SKU, err)
			}
			p.RegularPrice = &rp
		}
		out = append(out, p)
	}
	return out, nil
}

type couponItem struct {
	PK, SK    string
	GSI1PK    string
	GSI1SK    string
	Type      string `dynamodbav:"type"`
	Code      string `dynamodbav:"code"`
	Purpose   string `dynamodbav:"purpose"`
	ContactID string `dynamodbav:"contactId"`
	OrderID   string `dynamodbav:"orderId"`
	Offer     string `dynamodbav:"offer,omitempty"`
	IssuedAt  string `dynamodbav:"issuedAt"`
	ExpiresAt string `dynamodbav:"validUntil"`
}

// IssueCoupon stores c unless a coupon for its (order, purpose) exists, and returns the coupon
// stored, so that every replay of a trigger shows the same code.
func (st *Store) IssueCoupon(ctx context.Context, c coupon.Coupon) (coupon.Coupon, error) {
	it := couponItem{
		PK: orderPK(c.OrderID), SK: "COUPON#" + c.Purpose, GSI1PK: "COUPON#" + c.Code, GSI1SK: "COUPON",
		Type: "coupon", Code: c.Code, Purpose: c.Purpose, ContactID: c.ContactID, OrderID: c.OrderID,
		Offer: c.Offer, IssuedAt: stamp(c.IssuedAt), ExpiresAt: stamp(c.ExpiresAt),
	}
	item, err := attributevalue.MarshalMap(it)
	if err != nil {
		return c, fmt.Errorf("encode coupon: %w", err)
	}
	_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &st.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)"),
	})
	if err == nil {
		return c, nil
	}
	if !isConditionFailed(err) {
		return c, fmt.Errorf("put coupon for order %s: %w", c.OrderID, err)
	}
	if _, err := st.get(ctx, it.PK, it.SK, &it); err != nil {
		return c, fmt.Errorf("get coupon for order %s: %w", c.OrderID, err)
	}
	return coupon.Coupon{
		Code: it.Code, Purpose: it.Purpose, ContactID: it.ContactID, OrderID: it.OrderID,
		Offer: it.Offer, IssuedAt: unstamp(it.IssuedAt), ExpiresAt: unstamp(it.ExpiresAt),
	}, nil
}
