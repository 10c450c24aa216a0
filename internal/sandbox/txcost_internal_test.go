package sandbox

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"shopmail/internal/samtemplate"
)

func attrs(t *testing.T, s string) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// Sizes as the DynamoDB developer guide counts them (names included).
func TestItemSizesAreDynamoDBs(t *testing.T) {
	for _, c := range []struct {
		item string
		want int
	}{
		{`{"PK":{"S":"abc"}}`, 2 + 3},
		{`{"s":{"S":"سلام"}}`, 1 + 8},   // UTF-8 bytes
		{`{"n":{"N":"123.45"}}`, 1 + 4}, // 5 significant digits: 3 bytes, and 1
		{`{"n":{"N":"-0.00100"}}`, 1 + 2},
		{`{"b":{"BOOL":true},"z":{"NULL":true}}`, 2 + 2},
		{`{"l":{"L":[{"S":"x"},{"BOOL":false}]}}`, 1 + 3 + 2 + 2},
		{`{"m":{"M":{"k":{"S":"vv"}}}}`, 1 + 3 + 1 + 1 + 2},
		{`{"ss":{"SS":["a","bc"]}}`, 2 + 3},
		{`{"bin":{"B":"AAEC"}}`, 3 + 3},
	} {
		if got := itemSize(attrs(t, c.item)); got != c.want {
			t.Errorf("%s: %d bytes, want %d", c.item, got, c.want)
		}
	}
}

// A transaction's item costs twice the standard write of the larger of its two images, per
// KB; its index writes cost what they cost outside a transaction.
func TestATransactionIsBilledByItsItems(t *testing.T) {
	tbl := samtemplate.Table{Key: samtemplate.KeySchema{Hash: "PK", Range: "SK"}, GlobalIndexes: []samtemplate.Index{
		{Name: "GSI1", Key: samtemplate.KeySchema{Hash: "G1PK", Range: "G1SK"}, ProjectionType: "INCLUDE", NonKeyAttributes: []string{"status"}},
		{Name: "GSI2", Key: samtemplate.KeySchema{Hash: "G2PK"}, ProjectionType: "ALL"},
	}}
	key := func(pk string) map[string]json.RawMessage {
		return map[string]json.RawMessage{"PK": json.RawMessage(`{"S":"` + pk + `"}`), "SK": json.RawMessage(`{"S":"x"}`)}
	}
	big := `"pad":{"S":"` + strings.Repeat("p", 1500) + `"}`
	img := func(pk, rest string) map[string]json.RawMessage {
		return attrs(t, `{"PK":{"S":"`+pk+`"},"SK":{"S":"x"}`+rest+`}`)
	}
	upd := func(names ...string) txItem { return txItem{key: key("a"), touched: names} }
	g1 := `,"G1PK":{"S":"k"},"G1SK":{"S":"1"}`
	for _, c := range []struct {
		name          string
		x             txItem
		before, after map[string]json.RawMessage
		want          float64
	}{
		{"a new small item", txItem{key: key("a"), put: img("a", "")}, nil, img("a", ""), 2},
		{"a 1.5 KB item updated", upd("at"), img("a", ","+big), img("a", ","+big+`,"at":{"S":"now"}`), 4},
		{"a 1.5 KB item deleted", txItem{key: key("a"), delete: true}, img("a", ","+big), nil, 4},
		{"into an index", upd("G1PK", "G1SK"), img("a", ""), img("a", g1), 2 + 1},
		{"a projected attribute changed", upd("status"), img("a", g1+`,"status":{"S":"sending"}`), img("a", g1+`,"status":{"S":"sent"}`), 2 + 1},
		{"an attribute the index does not project changed", upd("n"), img("a", g1+`,"n":{"N":"1"}`), img("a", g1+`,"n":{"N":"2"}`), 2},
		{"an index key changed", upd("G1SK"), img("a", g1), img("a", `,"G1PK":{"S":"k"},"G1SK":{"S":"2"}`), 2 + 2},
		{"out of an index", upd("G1PK", "G1SK"), img("a", g1), img("a", ""), 2 + 1},
		{"a 1.5 KB item in an index of all", upd("x"), img("a", `,"G2PK":{"S":"k"},`+big), img("a", `,"G2PK":{"S":"k"},"x":{"S":"y"},`+big), 4 + 2},
		// Another writer put the item in an index meanwhile: not this transaction's write.
		{"another writer's change", upd("n"), img("a", ""), img("a", g1+`,"n":{"N":"1"}`), 2},
	} {
		before, after := images{}, images{}
		if c.before != nil {
			before[keyString(key("a"), tbl)] = c.before
		}
		if c.after != nil {
			after[keyString(key("a"), tbl)] = c.after
		}
		if got := txUnits([]txItem{c.x}, before, after, tbl); got != c.want {
			t.Errorf("%s: %v units, want %v", c.name, got, c.want)
		}
	}
	// Each item is billed on its own: four small ones cost 8 units (DynamoDB Local says 4).
	var items []txItem
	after := images{}
	for _, pk := range []string{"a", "b", "c", "d"} {
		items = append(items, txItem{key: key(pk), touched: []string{"n"}})
		after[keyString(key(pk), tbl)] = img(pk, `,"n":{"N":"1"}`)
	}
	if got := txUnits(items, images{}, after, tbl); got != 8 {
		t.Errorf("four small items: %v units, want 8", got)
	}
}

// A transaction's items: a put's key from its item, an update's attributes from its
// expression.
func TestATransactionsItems(t *testing.T) {
	tbl := samtemplate.Table{Key: samtemplate.KeySchema{Hash: "PK", Range: "SK"}}
	items := txItems([]byte(`{"TransactItems":[
		{"Put":{"TableName":"t","Item":{"PK":{"S":"a"},"SK":{"S":"1"},"x":{"S":"y"}}}},
		{"Update":{"TableName":"t","Key":{"PK":{"S":"b"},"SK":{"S":"2"}},
			"UpdateExpression":"SET #at = if_not_exists(#at, :at), bounceType = :bt ADD n_1 :one REMOVE m.x",
			"ExpressionAttributeNames":{"#at":"deliveredAt"}}},
		{"Delete":{"TableName":"u","Key":{"PK":{"S":"c"},"SK":{"S":"3"}}}}]}`), tbl)
	if len(items) != 3 || keyString(items[0].key, tbl) != `{"S":"a"}|{"S":"1"}` || len(items[0].key) != 2 ||
		items[2].table != "u" || !items[2].delete {
		t.Fatalf("items %+v", items)
	}
	for _, name := range []string{"deliveredAt", "bounceType", "n_1", "m"} {
		if !slices.Contains(items[1].touched, name) {
			t.Errorf("the update's attributes %q, without %s", items[1].touched, name)
		}
	}
	if slices.Contains(items[1].touched, "x") {
		t.Errorf("the update's attributes %q: x is m's, not the item's", items[1].touched)
	}
}

// The meter reads a transaction's items only where it must: before, unless each is a new
// item's put; after, when one is an update; never for a transaction of an import's size.
func TestATransactionIsReadOnlyWhereItMustBe(t *testing.T) {
	put, fresh, upd := txItem{put: map[string]json.RawMessage{}}, txItem{put: map[string]json.RawMessage{}, fresh: true}, txItem{}
	for _, c := range []struct {
		name          string
		items         []txItem
		before, after bool
	}{
		{"a claim (two new items)", []txItem{fresh, fresh}, false, false},
		{"a put that may replace", []txItem{fresh, put}, true, false},
		{"an update", []txItem{fresh, upd}, true, true},
		{"an import", slices.Repeat([]txItem{put, upd}, 20), false, false},
	} {
		if b, a := reads(c.items); b != c.before || a != c.after {
			t.Errorf("%s: read before %v, after %v; want %v, %v", c.name, b, a, c.before, c.after)
		}
	}
	tbl := samtemplate.Table{Key: samtemplate.KeySchema{Hash: "PK", Range: "SK"}}
	items := txItems([]byte(`{"TransactItems":[{"Put":{"TableName":"t","Item":{"PK":{"S":"a"},"SK":{"S":"1"}},"ConditionExpression":"attribute_not_exists(PK)"}},
		{"Put":{"TableName":"t","Item":{"PK":{"S":"b"},"SK":{"S":"1"}},"ConditionExpression":"attribute_not_exists(PK) OR version = :v"}}]}`), tbl)
	if len(items) != 2 || !items[0].fresh || items[1].fresh {
		t.Errorf("items %+v: want the first fresh only", items)
	}
}
