package tracking_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/contact"
	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/send"
	"shopmail/internal/web"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// countingDB is DynamoDB Local, counting the items every write request asks to write
// (refused conditional writes included).
type countingDB struct {
	dynamo.Client
	writes int
}

func (c *countingDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.writes++
	return c.Client.PutItem(ctx, in, o...)
}

func (c *countingDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c.writes++
	return c.Client.UpdateItem(ctx, in, o...)
}

func (c *countingDB) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	c.writes++
	return c.Client.DeleteItem(ctx, in, o...)
}

func (c *countingDB) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	for _, reqs := range in.RequestItems {
		c.writes += len(reqs)
	}
	return c.Client.BatchWriteItem(ctx, in, o...)
}

func (c *countingDB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	c.writes += len(in.TransactItems)
	return c.Client.TransactWriteItems(ctx, in, o...)
}

// tableFixture is the fixture on DynamoDB Local: a contact and its send (a campaign's).
type tableFixture struct {
	*fixture
	db    *countingDB
	st    *dynamo.Store
	table string
}

func newTableFixture(t *testing.T) *tableFixture {
	t.Helper()
	f := newFixture(t)
	client, table := dynamotest.NewTable(t)
	db := &countingDB{Client: client}
	st := dynamo.New(db, table, func() time.Time { return f.now })
	ctx := context.Background()
	if _, err := st.UpdateContact(ctx, "c-42", func(c *contact.Contact) bool { c.Email = "sara@example.com"; return true }); err != nil {
		t.Fatal(err)
	}
	rec := send.Record{Key: "thankyou#o-1", ContactID: "c-42", Kind: "thankyou", CampaignID: "bf-2026", Status: send.Sending,
		Token: "t", SentAt: t0, Links: f.links.URLs(), ExpiresAt: t0.Add(400 * 24 * time.Hour)}
	if ok, _, err := st.Claim(ctx, rec); !ok || err != nil {
		t.Fatal(ok, err)
	}
	f.h.Service.Store = st
	db.writes = 0
	return &tableFixture{fixture: f, db: db, st: st, table: table}
}

// check fails unless the campaign's counters and the contact's timeline are as wanted.
func (f *tableFixture) check(t *testing.T, stats map[string]int64, activities int) {
	t.Helper()
	got, err := f.st.Stats(context.Background(), "bf-2026")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range stats {
		if got[k] != v {
			t.Errorf("%s = %d, want %d (%v)", k, got[k], v, got)
		}
	}
	if acts, err := f.st.Activities(context.Background(), "c-42"); err != nil || len(acts) != activities {
		t.Errorf("%d timeline items, want %d (%v)", len(acts), activities, err)
	}
}

// sendRow returns attributes of the send's row.
func (f *tableFixture) sendRow(t *testing.T, names ...string) []string {
	t.Helper()
	res, err := f.db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(f.table), Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "CONTACT#c-42"}, "SK": &types.AttributeValueMemberS{Value: "SEND#thankyou#o-1"}}})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range names {
		v, _ := res.Item[n].(*types.AttributeValueMemberS)
		if v == nil {
			out = append(out, "")
			continue
		}
		out = append(out, v.Value)
	}
	return out
}

// One email's pixel fetched 100 times counts one open, puts one item on the timeline and
// writes 4 items (the send, the timeline, the counters, the contact's engagement); an hour
// later it counts again. The pixel is the same every time.
func TestOpensAreCountedOncePerHour(t *testing.T) {
	f := newTableFixture(t)
	pixel := f.links.Tracking("").Pixel
	f.now = t0.Add(time.Hour)
	for i := range 100 {
		f.now = f.now.Add(time.Second)
		if res := f.request("GET", pixel, chrome); !reflect.DeepEqual(res, web.Pixel()) {
			t.Fatalf("open %d answered %+v", i, res)
		}
	}
	f.check(t, map[string]int64{"opens_human": 1, "unique_opens_human": 1}, 1)
	if f.db.writes != 4 {
		t.Errorf("100 opens wrote %d items, want 4", f.db.writes)
	}
	// A privacy proxy's open in the same hour is counted in its own class, once.
	for range 100 {
		f.request("GET", pixel, "Mozilla/5.0")
	}
	f.check(t, map[string]int64{"opens_human": 1, "opens_machine": 1}, 2)
	if f.db.writes != 7 {
		t.Errorf("200 opens in an hour wrote %d items, want 7 (tracking.CountEvery)", f.db.writes)
	}
	f.now = t0.Add(2*time.Hour + time.Second) // an hour after the first counted open
	f.request("GET", pixel, chrome)
	f.check(t, map[string]int64{"opens_human": 2, "unique_opens_human": 1, "opens_machine": 1}, 3)
	first := stamp(t0.Add(time.Hour + time.Second))
	if got := f.sendRow(t, "first_open_human_at", "counted_open_human"); got[0] != first || got[1] != stamp(f.now) {
		t.Errorf("first_open_human_at, counted_open_human = %q, want %s and %s", got, first, stamp(f.now))
	}
}

// One link clicked 100 times redirects every time but counts one click; another link of the
// email counts on its own; an hour later the first counts again.
func TestClicksAreCountedOncePerHourPerLink(t *testing.T) {
	f := newTableFixture(t)
	tea, mugs := f.links.Click("https://shop.example/tea"), f.links.Click("https://shop.example/mugs")
	f.now = t0.Add(time.Hour)
	for i := range 100 {
		f.now = f.now.Add(time.Second)
		if res := f.request("GET", tea, chrome); res.StatusCode != 302 || res.Headers["location"] != "https://shop.example/tea" {
			t.Fatalf("click %d answered %d %q", i, res.StatusCode, res.Headers["location"])
		}
	}
	f.check(t, map[string]int64{"clicks_human": 1, "unique_clicks_human": 1}, 1)
	if f.db.writes != 4 {
		t.Errorf("100 clicks wrote %d items, want 4", f.db.writes)
	}
	f.now = f.now.Add(time.Minute)
	if res := f.request("GET", mugs, chrome); res.Headers["location"] != "https://shop.example/mugs" {
		t.Fatalf("other link answered %d %q", res.StatusCode, res.Headers["location"])
	}
	f.check(t, map[string]int64{"clicks_human": 2}, 2)
	f.now = t0.Add(2*time.Hour + time.Second)
	f.request("GET", tea, chrome)
	f.check(t, map[string]int64{"clicks_human": 3, "unique_clicks_human": 1}, 3)
	if f.db.writes != 12 {
		t.Errorf("3 counted clicks wrote %d items, want 12", f.db.writes)
	}
	if got := f.sendRow(t, "first_click_human_at", "lastClickAt", "lastClickLink"); got[0] != stamp(t0.Add(time.Hour+time.Second)) || got[1] != stamp(f.now) || got[2] != "0" {
		t.Errorf("first_click_human_at, lastClickAt, lastClickLink = %q", got)
	}
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }
