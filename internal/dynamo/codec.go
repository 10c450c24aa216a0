package dynamo

import (
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// item is a DynamoDB item being written or read. Items are encoded by hand rather than with
// the SDK's attributevalue package, which brings a whole DynamoDB Streams client into every
// binary that uses it. Setters skip empty values, as DynamoDB keeps no empty key attributes.
type item map[string]types.AttributeValue

func (it item) str(k, v string) item {
	if v != "" {
		it[k] = &types.AttributeValueMemberS{Value: v}
	}
	return it
}

func (it item) num(k string, v int64) item {
	it[k] = &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
	return it
}

func (it item) boolean(k string, v bool) item {
	it[k] = &types.AttributeValueMemberBOOL{Value: v}
	return it
}

func (it item) strMap(k string, m map[string]string) item {
	if len(m) == 0 {
		return it
	}
	av := make(map[string]types.AttributeValue, len(m))
	for mk, mv := range m {
		av[mk] = &types.AttributeValueMemberS{Value: mv}
	}
	it[k] = &types.AttributeValueMemberM{Value: av}
	return it
}

func (it item) list(k string, items []item) item {
	if len(items) == 0 {
		return it
	}
	l := make([]types.AttributeValue, len(items))
	for i, m := range items {
		l[i] = &types.AttributeValueMemberM{Value: m}
	}
	it[k] = &types.AttributeValueMemberL{Value: l}
	return it
}

func (it item) getStr(k string) string {
	if v, ok := it[k].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func (it item) getNum(k string) int64 {
	if v, ok := it[k].(*types.AttributeValueMemberN); ok {
		n, _ := strconv.ParseInt(v.Value, 10, 64)
		return n
	}
	return 0
}

func (it item) getBool(k string) bool {
	v, ok := it[k].(*types.AttributeValueMemberBOOL)
	return ok && v.Value
}

func (it item) getStrMap(k string) map[string]string {
	v, ok := it[k].(*types.AttributeValueMemberM)
	if !ok {
		return nil
	}
	m := make(map[string]string, len(v.Value))
	for mk, mv := range v.Value {
		if s, ok := mv.(*types.AttributeValueMemberS); ok {
			m[mk] = s.Value
		}
	}
	return m
}

func (it item) strList(k string, vs []string) item {
	if len(vs) == 0 {
		return it
	}
	l := make([]types.AttributeValue, len(vs))
	for i, v := range vs {
		l[i] = &types.AttributeValueMemberS{Value: v}
	}
	it[k] = &types.AttributeValueMemberL{Value: l}
	return it
}

func (it item) getStrList(k string) []string {
	v, ok := it[k].(*types.AttributeValueMemberL)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(v.Value))
	for _, e := range v.Value {
		if s, ok := e.(*types.AttributeValueMemberS); ok {
			out = append(out, s.Value)
		}
	}
	return out
}

// expires sets the TTL attribute (epoch seconds) when t is set.
func (it item) expires(t time.Time) item {
	if !t.IsZero() {
		it.num(ttlAttr, t.Unix())
	}
	return it
}

// expired reports whether the item's TTL has passed: DynamoDB deletes expired items within
// days, and reads must not see them meanwhile.
func (it item) expired(now time.Time) bool {
	v, ok := it[ttlAttr].(*types.AttributeValueMemberN)
	if !ok {
		return false
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	return err == nil && n <= now.Unix()
}

// Times on a profile are numbers, nanoseconds since the epoch, not stamps: DynamoDB sizes a
// number by its significant digits (8 bytes for an SES event's millisecond time, 11 at most)
// where a stamp is 30, and a profile is written whole on every order, delivery and click, a
// write unit per KB. A profile keeps hundreds of times (its deliveries and purchases); as
// stamps, a year of them made it 10-15 KB. Readers take a stamp too: profiles written before.
func (it item) at(k string, t time.Time) item {
	if !t.IsZero() {
		it[k] = nanos(t)
	}
	return it
}

func nanos(t time.Time) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.UnixNano(), 10)}
}

func (it item) getAt(k string) time.Time { return timeOf(it[k]) }

// timeOf reads a time written by at, or a stamp.
func timeOf(v types.AttributeValue) time.Time {
	switch v := v.(type) {
	case *types.AttributeValueMemberN:
		if n, err := strconv.ParseInt(v.Value, 10, 64); err == nil {
			return time.Unix(0, n).UTC()
		}
	case *types.AttributeValueMemberS:
		return unstamp(v.Value)
	}
	return time.Time{}
}

func (it item) atMap(k string, m map[string]time.Time) item {
	if len(m) == 0 {
		return it
	}
	av := make(map[string]types.AttributeValue, len(m))
	for mk, t := range m {
		av[mk] = nanos(t)
	}
	it[k] = &types.AttributeValueMemberM{Value: av}
	return it
}

func (it item) getAtMap(k string) map[string]time.Time {
	v, ok := it[k].(*types.AttributeValueMemberM)
	if !ok || len(v.Value) == 0 {
		return nil
	}
	m := make(map[string]time.Time, len(v.Value))
	for mk, mv := range v.Value {
		m[mk] = timeOf(mv)
	}
	return m
}

func (it item) atList(k string, ts []time.Time) item {
	if len(ts) == 0 {
		return it
	}
	l := make([]types.AttributeValue, len(ts))
	for i, t := range ts {
		l[i] = nanos(t)
	}
	it[k] = &types.AttributeValueMemberL{Value: l}
	return it
}

func (it item) getAtList(k string) []time.Time {
	v, ok := it[k].(*types.AttributeValueMemberL)
	if !ok {
		return nil
	}
	out := make([]time.Time, 0, len(v.Value))
	for _, e := range v.Value {
		out = append(out, timeOf(e))
	}
	return out
}
