package sandbox

// What a transaction costs. DynamoDB Local reports a flat figure for any TransactWriteItems
// (4 units for one small item as for four), while DynamoDB bills each of its items twice what
// the same write alone would cost: 2 write units per KB of the larger of the item's images
// before and after the write. Its index writes are made after the transaction commits, as
// for any write, and are billed as standard writes. So the meter reads the items the
// transaction names just before and just after it (unbilled), and computes the units from
// their sizes, as DynamoDB sizes an item.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"maps"
	"math"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"shopmail/internal/samtemplate"
)

// images are items by their key, as read at one moment (absent: not in the table).
type images map[string]map[string]json.RawMessage

// txItem is what a transaction's item writes: a put its whole item, an update the attributes
// its expression names, a delete the item's removal.
type txItem struct {
	table   string
	key     map[string]json.RawMessage
	put     map[string]json.RawMessage
	touched []string // an update's attributes (top-level names)
	delete  bool
	fresh   bool // a put on condition that the item is new: nothing to read before it
}

// maxReadTx is the largest transaction the meter reads the items of: a bigger one (a contact
// import's, of up to 100 items) is billed as if its items were new, which they mostly are,
// rather than slow each import by two reads of 100 items.
const maxReadTx = 25

// reads says which images the meter needs to bill a transaction of the items: the items
// before it unless every one is a new item's put, after it when one is an update.
func reads(items []txItem) (before, after bool) {
	if len(items) > maxReadTx {
		return false, false
	}
	for _, x := range items {
		before = before || !x.fresh
		after = after || (x.put == nil && !x.delete)
	}
	return before, after
}

// txItems returns the items of a TransactWriteItems request, in its order.
func txItems(req []byte, tbl samtemplate.Table) []txItem {
	var in struct {
		TransactItems []map[string]struct {
			TableName                string
			Key, Item                map[string]json.RawMessage
			UpdateExpression         string
			ConditionExpression      string
			ExpressionAttributeNames map[string]string
		}
	}
	if json.Unmarshal(req, &in) != nil {
		return nil
	}
	var out []txItem
	for _, it := range in.TransactItems {
		for op, a := range it {
			x := txItem{table: a.TableName, key: a.Key, delete: op == "Delete"}
			switch op {
			case "Put":
				x.put = a.Item
				x.fresh = a.ConditionExpression == "attribute_not_exists("+tbl.Key.Hash+")"
				x.key = map[string]json.RawMessage{tbl.Key.Hash: a.Item[tbl.Key.Hash]}
				if tbl.Key.Range != "" {
					x.key[tbl.Key.Range] = a.Item[tbl.Key.Range]
				}
			case "Update":
				x.touched = expressionNames(a.UpdateExpression, a.ExpressionAttributeNames)
			}
			out = append(out, x)
		}
	}
	return out
}

// expressionNames are the top-level attributes an update expression names (with its keywords
// and functions, which name no attribute of an item).
func expressionNames(expr string, names map[string]string) []string {
	var out []string
	for _, tok := range strings.FieldsFunc(expr, func(r rune) bool {
		return !(r == '_' || r == '#' || r == '-' || r == '.' || r == '[' || r == ']' || unicode.IsLetter(r) || unicode.IsDigit(r))
	}) {
		tok, _, _ = strings.Cut(tok, ".") // a path's top-level attribute
		tok, _, _ = strings.Cut(tok, "[")
		if strings.HasPrefix(tok, "#") {
			tok = names[tok]
		}
		out = append(out, tok)
	}
	return out
}

// written is the item x leaves, from its image before and after the transaction: a put's
// item, nothing after a delete, and for an update the image before with the attributes the
// update names as they are after (so that another writer's change meanwhile is not billed).
func (x txItem) written(before, after map[string]json.RawMessage) map[string]json.RawMessage {
	switch {
	case x.put != nil:
		return x.put
	case x.delete || after == nil:
		return nil
	}
	out := maps.Clone(before)
	if out == nil {
		out = map[string]json.RawMessage{}
		maps.Copy(out, x.key)
	}
	for _, name := range x.touched {
		if v, ok := after[name]; ok {
			out[name] = v
		} else {
			delete(out, name)
		}
	}
	return out
}

func keyString(k map[string]json.RawMessage, tbl samtemplate.Table) string {
	return string(k[tbl.Key.Hash]) + "|" + string(k[tbl.Key.Range])
}

// readImages reads the items with the keys through do, as the request r (a signed DynamoDB
// call of a function) would: its headers, another operation and body.
func readImages(do func(*http.Request) (*http.Response, error), r *http.Request, items []txItem, tbl samtemplate.Table) images {
	out := images{}
	byTable := map[string][]map[string]json.RawMessage{}
	for _, x := range items {
		byTable[x.table] = append(byTable[x.table], x.key)
	}
	type keysAndAttributes struct {
		Keys           []map[string]json.RawMessage
		ConsistentRead bool
	}
	req := map[string]keysAndAttributes{}
	for t, ks := range byTable {
		req[t] = keysAndAttributes{Keys: ks, ConsistentRead: true}
	}
	for len(req) > 0 {
		body, _ := json.Marshal(map[string]any{"RequestItems": req})
		get := r.Clone(r.Context())
		get.Header.Set("X-Amz-Target", "DynamoDB_20120810.BatchGetItem")
		get.Body, get.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		get.GetBody = nil
		resp, err := do(get)
		if err != nil {
			return out
		}
		var res struct {
			Responses       map[string][]map[string]json.RawMessage
			UnprocessedKeys map[string]keysAndAttributes
		}
		err = json.NewDecoder(resp.Body).Decode(&res)
		resp.Body.Close()
		if err != nil || resp.StatusCode >= 300 {
			return out
		}
		for _, items := range res.Responses {
			for _, it := range items {
				out[keyString(it, tbl)] = it
			}
		}
		req = res.UnprocessedKeys
	}
	return out
}

// txUnits is what DynamoDB bills a transaction of the items, from the items before and after
// it: its own writes at twice the standard rate, its index writes at the standard rate.
func txUnits(items []txItem, before, after images, tbl samtemplate.Table) float64 {
	units := 0.0
	for _, x := range items {
		ks := keyString(x.key, tbl)
		old := before[ks]
		cur := x.written(old, after[ks])
		units += 2 * kb(max(itemSize(old), itemSize(cur)))
		for _, ix := range tbl.GlobalIndexes {
			units += indexWrites(ix, tbl, old, cur)
		}
	}
	return units
}

// indexWrites is what a write from old to cur costs an index: a put of an entry that
// appears, a delete of one that goes, both when its key changes, an update when an attribute
// it projects changes, nothing otherwise.
func indexWrites(ix samtemplate.Index, tbl samtemplate.Table, old, cur map[string]json.RawMessage) float64 {
	in := func(it map[string]json.RawMessage) bool {
		return it[ix.Key.Hash] != nil && (ix.Key.Range == "" || it[ix.Key.Range] != nil)
	}
	entry := func(it map[string]json.RawMessage) map[string]json.RawMessage {
		if ix.ProjectionType == "ALL" {
			return it
		}
		e := map[string]json.RawMessage{}
		for _, a := range append([]string{ix.Key.Hash, ix.Key.Range, tbl.Key.Hash, tbl.Key.Range}, ix.NonKeyAttributes...) {
			if v, ok := it[a]; ok && a != "" {
				e[a] = v
			}
		}
		return e
	}
	switch wasIn, isIn := in(old), in(cur); {
	case !wasIn && !isIn:
		return 0
	case !wasIn:
		return kb(itemSize(entry(cur)))
	case !isIn:
		return kb(itemSize(entry(old)))
	case !bytes.Equal(old[ix.Key.Hash], cur[ix.Key.Hash]) || !bytes.Equal(old[ix.Key.Range], cur[ix.Key.Range]):
		return kb(itemSize(entry(old))) + kb(itemSize(entry(cur)))
	}
	a, b := entry(old), entry(cur)
	for name, v := range b {
		if !bytes.Equal(a[name], v) {
			return kb(max(itemSize(a), itemSize(b)))
		}
	}
	if len(a) != len(b) {
		return kb(max(itemSize(a), itemSize(b)))
	}
	return 0
}

// kb is a size in billed kilobytes: at least one, rounded up.
func kb(size int) float64 { return max(1, math.Ceil(float64(size)/1024)) }

// itemSize is an item's size as DynamoDB counts it: each attribute's name and value.
func itemSize(it map[string]json.RawMessage) int {
	n := 0
	for name, v := range it {
		n += len(name) + valueSize(v)
	}
	return n
}

// valueSize sizes an attribute value in DynamoDB's JSON: a string by its UTF-8 bytes, a number
// by a byte per two significant digits and one more, a binary by its bytes, a boolean or null
// by one, a list or map by 3 bytes and a byte for each element besides the elements (and a
// map's names), a set by its elements.
func valueSize(raw json.RawMessage) int {
	var v map[string]json.RawMessage
	if json.Unmarshal(raw, &v) != nil {
		return 0
	}
	n := 0
	for typ, x := range v {
		switch typ {
		case "S":
			var s string
			json.Unmarshal(x, &s)
			n += len(s)
		case "N":
			var s string
			json.Unmarshal(x, &s)
			n += numberSize(s)
		case "B":
			var s string
			json.Unmarshal(x, &s)
			b, _ := base64.StdEncoding.DecodeString(s)
			n += len(b)
		case "BOOL", "NULL":
			n++
		case "SS", "NS", "BS":
			var list []string
			json.Unmarshal(x, &list)
			for _, s := range list {
				switch typ {
				case "SS":
					n += len(s)
				case "NS":
					n += numberSize(s)
				default:
					b, _ := base64.StdEncoding.DecodeString(s)
					n += len(b)
				}
			}
		case "L":
			var list []json.RawMessage
			json.Unmarshal(x, &list)
			n += 3
			for _, e := range list {
				n += 1 + valueSize(e)
			}
		case "M":
			var m map[string]json.RawMessage
			json.Unmarshal(x, &m)
			n += 3
			for name, e := range m {
				n += 1 + len(name) + valueSize(e)
			}
		}
	}
	return n
}

func numberSize(s string) int {
	digits := strings.Trim(strings.NewReplacer("-", "", "+", "", ".", "").Replace(strings.SplitN(strings.ToLower(s), "e", 2)[0]), "0")
	return (utf8.RuneCountInString(digits)+1)/2 + 1
}
