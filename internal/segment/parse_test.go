package segment_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"shopmail/internal/fault"
	"shopmail/internal/segment"
)

// nest wraps a condition in n "not"s.
func nest(n int, cond string) string {
	return strings.Repeat(`{"not":`, n) + cond + strings.Repeat("}", n)
}

// list returns an "all" of n tag conditions.
func list(key string, n int) string {
	return `{"` + key + `":[` + strings.TrimSuffix(strings.Repeat(`{"tag":"a"},`, n), ",") + `]}`
}

func TestParseErrors(t *testing.T) {
	const typeLocale = `must be a language tag such as "fa" or "fa-IR"`
	const typeZone = `must be an IANA time zone such as "Asia/Tehran"`
	tests := []struct {
		rule, path, problem string
	}{
		// Unknown keys, anywhere.
		{`{"all":[{"tag":"a"},{"orders":{"mni":2}}]}`, "all[1].orders", `unknown field "mni"`},
		{`{"colour":"red"}`, "", `unknown field "colour"`},
		{`{"not":{"Tag":"a"}}`, "not", `unknown field "Tag"`},
		{`{"attribute":{"name":"plan","value":"pro"}}`, "attribute", `unknown field "value"`},
		{`{"engaged":{"days":30}}`, "engaged", `unknown field "days"`},
		// Zero or two keys, duplicates.
		{`{}`, "", "must have exactly one key, has none"},
		{`{"any":[{"tag":"a"},{}]}`, "any[1]", "must have exactly one key, has none"},
		{`{"tag":"a","country":"IR"}`, "", `must have exactly one key, has "tag" and "country"`},
		{`{"all":[{"tag":"a"}],"any":[{"tag":"b"}]}`, "", `must have exactly one key, has "all" and "any"`},
		{`{"tag":"a","tag":"b"}`, "", `duplicate field "tag"`},
		{`{"orders":{"min":1,"min":2}}`, "orders", `duplicate field "min"`},
		{`{"ordered":{"category":"tea","sku":"T-1"}}`, "ordered", `needs exactly one of "category" and "sku"`},
		// Wrong types and null.
		{`null`, "", "must be an object, not null"},
		{`[]`, "", "must be an object, not an array"},
		{`"tag"`, "", "must be an object, not a string"},
		{`{"not":null}`, "not", "must be an object, not null"},
		{`{"not":true}`, "not", "must be an object, not a boolean"},
		{`{"tag":null}`, "tag", "must be a string, not null"},
		{`{"tag":1}`, "tag", "must be a string, not a number"},
		{`{"suppressed":"false"}`, "suppressed", "must be true or false, not a string"},
		{`{"all":{"tag":"a"}}`, "all", "must be an array, not an object"},
		{`{"orders":[]}`, "orders", "must be an object, not an array"},
		{`{"orders":{"min":"2"}}`, "orders.min", "must be a whole number from 0, not a string"},
		{`{"orders":{"min":1.5}}`, "orders.min", "must be a whole number from 0"},
		{`{"orders":{"min":2e0}}`, "orders.min", "must be a whole number from 0"},
		{`{"orders":{"min":-1}}`, "orders.min", "must be a whole number from 0"},
		{`{"orders":{"max":99999999999999999999}}`, "orders.max", "must be a whole number from 0"},
		{`{"all":[{"tag":"a"},{"all":[{"attribute":{"name":"x","exists":"yes"}}]}]}`, "all[1].all[0].attribute.exists", "must be true or false, not a string"},
		// Malformed JSON and trailing data.
		{``, "", "not valid JSON: unexpected end"},
		{`{"tag":"a"`, "", "not valid JSON: unexpected end"},
		{`{"tag" "a"}`, "", "not valid JSON at offset 7: invalid character '\"' after object key"},
		{`{"tag":"a"} {"tag":"b"}`, "", "unexpected data after the rule"},
		{`{"tag":"a"}x`, "", "unexpected data after the rule"},
		{`{"tag":"a"}}`, "", "unexpected data after the rule"},
		// Limits.
		{nest(segment.MaxDepth, `{"tag":"a"}`), "", "nested more than 8 levels deep"},
		{`{"all":[{"any":[` + nest(6, `{"tag":"a"}`) + `]}]}`, "", "nested more than 8 levels deep"},
		// As deep as MaxSize allows: the parser stops at depth 9, whatever follows.
		{nest(8000, `{"tag":"a"}`), "", "nested more than 8 levels deep"},
		{nest(100_000, `{"tag":"a"}`), "", "larger than 65536 bytes"},
		{`{"all":` + strings.Repeat("[", 60_000), "all[0]", "must be an object, not an array"},
		{`{"all":[` + list("all", 50) + `,` + list("any", 51) + `]}`, "", "more than 100 conditions"},
		{list("any", 101), "any", "must have at most 100 rules"},
		{`{"tag":"a"}` + strings.Repeat(" ", segment.MaxSize+1-len(`{"tag":"a"}`)), "", "larger than 65536 bytes"},
		{`{"all":[]}`, "all", "must have at least one rule"},
		// Not available yet.
		{`{"all":[{"tag":"a"},{"atRisk":true}]}`, "all[1].atRisk", "must be an object, not a boolean"},
		{`{"atRisk":{"gapFactor":0}}`, "atRisk.gapFactor", "must be a whole number from 1 to 100"},
		{`{"atRisk":{"days":3}}`, "atRisk", `unknown field "days"`},
		// Values of each condition.
		{`{"consent":"Sales"}`, "consent", "must be one of sales, greetings, news, carts, surveys"},
		{`{"consent":"all"}`, "consent", "must be one of sales, greetings, news, carts, surveys"},
		{`{"locale":"xx"}`, "locale", typeLocale},
		{`{"locale":""}`, "locale", typeLocale},
		{`{"locale":"und"}`, "locale", typeLocale},
		{`{"locale":"en-US.UTF-8"}`, "locale", typeLocale},
		{`{"locale":["fa"]}`, "locale", "must be a string, not an array"},
		{`{"country":"IRN"}`, "country", `must be two letters such as "IR"`},
		{`{"country":"I1"}`, "country", `must be two letters such as "IR"`},
		{`{"country":""}`, "country", `must be two letters such as "IR"`},
		{`{"timezone":"Local"}`, "timezone", typeZone},
		{`{"timezone":""}`, "timezone", typeZone},
		{`{"timezone":"Mars/Olympus"}`, "timezone", typeZone},
		{`{"timezone":"../../etc/passwd"}`, "timezone", typeZone},
		{`{"tag":""}`, "tag", "must not be empty"},
		{`{"attribute":{"equals":"pro"}}`, "attribute", `needs "name"`},
		{`{"attribute":{"name":"","exists":true}}`, "attribute.name", "must not be empty"},
		{`{"attribute":{"name":"plan"}}`, "attribute", `needs exactly one of "equals" and "exists"`},
		{`{"attribute":{"name":"plan","equals":"pro","exists":true}}`, "attribute", `needs exactly one of "equals" and "exists"`},
		{`{"orders":{}}`, "orders", `needs "min" or "max"`},
		{`{"orders":{"min":4,"max":3}}`, "orders.min", "must not be more than max (3)"},
		{`{"spent":{"min":"1"}}`, "spent", `needs "currency"`},
		{`{"spent":{"currency":"usd","min":"1"}}`, "spent.currency", `must be an ISO 4217 code in upper case such as "USD"`},
		{`{"spent":{"currency":"USD"}}`, "spent", `needs "min" or "max"`},
		{`{"spent":{"currency":"USD","min":"abc"}}`, "spent.min", `must be an amount from 0 such as "100.00"`},
		{`{"spent":{"currency":"USD","min":"-1"}}`, "spent.min", `must be an amount from 0 such as "100.00"`},
		{`{"spent":{"currency":"USD","min":100}}`, "spent.min", "must be a string, not a number"},
		{`{"spent":{"min":"1.001","currency":"USD"}}`, "spent.min", "must have at most 2 decimals in USD"},
		{`{"spent":{"currency":"JPY","max":"1.5"}}`, "spent.max", "must have at most 0 decimals in JPY"},
		{`{"spent":{"currency":"USD","min":"1.00","max":"0.99"}}`, "spent.min", "must not be more than max (0.99)"},
		{`{"firstOrder":{}}`, "firstOrder", `needs "withinDays", "after" or "before"`},
		{`{"firstOrder":{"withinDays":0}}`, "firstOrder.withinDays", "must be a whole number from 1 to 3650"},
		{`{"lastOrder":{"withinDays":3651}}`, "lastOrder.withinDays", "must be a whole number from 1 to 3650"},
		{`{"firstOrder":{"withinDays":30,"before":"2026-07-01"}}`, "firstOrder", `cannot have "withinDays" with "after" or "before"`},
		{`{"lastOrder":{"after":"2026-1-1"}}`, "lastOrder.after", `must be a date such as "2026-01-31"`},
		{`{"lastOrder":{"before":"2026-02-30"}}`, "lastOrder.before", `must be a date such as "2026-01-31"`},
		{`{"lastOrder":{"before":"2026-01-01T00:00:00Z"}}`, "lastOrder.before", `must be a date such as "2026-01-31"`},
		{`{"firstOrder":{"after":"2026-07-01","before":"2026-07-01"}}`, "firstOrder.after", "must be earlier than before (2026-07-01)"},
		{`{"ordered":{"withinDays":90}}`, "ordered", `needs exactly one of "category" and "sku"`},
		{`{"ordered":{"category":""}}`, "ordered.category", "must not be empty"},
		{`{"ordered":{"sku":"T-1","withinDays":0}}`, "ordered.withinDays", "must be a whole number from 1 to 3650"},
		{`{"engaged":{"withinDays":"30"}}`, "engaged.withinDays", "must be a whole number from 1 to 3650, not a string"},
		{`{"received":{"min":1}}`, "received", `needs "withinDays"`},
		{`{"received":{"withinDays":7,"min":3,"max":2}}`, "received.min", "must not be more than max (2)"},
		{`{"nps":"Promoter"}`, "nps", "must be one of promoter, passive, detractor"},
		{`{"csat":{"min":0}}`, "csat.min", "must be a whole number from 1 to 5"},
		{`{"csat":{"max":6}}`, "csat.max", "must be a whole number from 1 to 5"},
		{`{"csat":{}}`, "csat", `needs "min" or "max"`},
		{`{"tier":""}`, "tier", "must not be empty"},
		{`{"points":{"min":-1}}`, "points.min", "must be a whole number from 0"},
		{`{"tier":7}`, "tier", "must be a string, not a number"},
		{`{"points":{}}`, "points", `needs "min" or "max"`},
		{`{"answered":{"withinDays":-1}}`, "answered.withinDays", "must be a whole number from 1 to 3650"},
	}
	for _, tt := range tests {
		name := tt.rule
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			r, err := segment.Parse([]byte(tt.rule))
			var e *segment.Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse: %v (%v), want an *Error", err, r)
			}
			if e.Path != tt.path || e.Problem != tt.problem {
				t.Errorf("Parse: path %q problem %q, want %q %q", e.Path, e.Problem, tt.path, tt.problem)
			}
			if !errors.Is(err, fault.ErrInvalid) {
				t.Errorf("Parse: %v does not wrap fault.ErrInvalid", err)
			}
			if !r.IsZero() {
				t.Errorf("Parse returned a rule with its error")
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		err  segment.Error
		want string
	}{
		{segment.Error{Path: "all[2].orders.min", Problem: "must be a whole number from 0"}, "invalid rule: all[2].orders.min: must be a whole number from 0"},
		{segment.Error{Problem: "more than 100 conditions"}, "invalid rule: more than 100 conditions"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// TestLimitsAccepted: the limits are limits, not off by one.
func TestLimitsAccepted(t *testing.T) {
	for _, rule := range []string{
		nest(segment.MaxDepth-1, `{"tag":"a"}`),
		`{"all":[{"any":[` + nest(5, `{"tag":"a"}`) + `]}]}`,
		list("all", segment.MaxConditions),
		`{"tag":"a"}` + strings.Repeat(" ", segment.MaxSize-len(`{"tag":"a"}`)),
	} {
		if _, err := segment.Parse([]byte(rule)); err != nil {
			t.Errorf("Parse(%.60s...): %v", rule, err)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		rule, want string
		conditions int
	}{
		{`{"consent":"sales"}`, `{"consent":"sales"}`, 1},
		{`{"suppressed":false}`, `{"suppressed":false}`, 1},
		{`{"locale":"FA_ir"}`, `{"locale":"fa-IR"}`, 1},
		{`{"locale":"iw"}`, `{"locale":"he"}`, 1},
		{`{"country":"ir"}`, `{"country":"IR"}`, 1},
		{`{"timezone":"Asia/Tehran"}`, `{"timezone":"Asia/Tehran"}`, 1},
		{`{"tag":"VIP"}`, `{"tag":"vip"}`, 1},
		{`{"tag":"<b>&\u0000"}`, `{"tag":"\u003cb\u003e\u0026\u0000"}`, 1},
		{`{"attribute":{"equals":"pro","name":"plan"}}`, `{"attribute":{"name":"plan","equals":"pro"}}`, 1},
		{`{"attribute":{"exists":false,"name":"plan"}}`, `{"attribute":{"name":"plan","exists":false}}`, 1},
		{`{"orders":{"max":10,"min":2}}`, `{"orders":{"min":2,"max":10}}`, 1},
		{`{"orders":{"max":0}}`, `{"orders":{"max":0}}`, 1},
		{`{"spent":{"max":"500","min":"1e2","currency":"USD"}}`, `{"spent":{"currency":"USD","min":"100","max":"500"}}`, 1},
		{`{"spent":{"currency":"KWD","min":"0.125"}}`, `{"spent":{"currency":"KWD","min":"0.125"}}`, 1},
		{`{"firstOrder":{"withinDays":30}}`, `{"firstOrder":{"withinDays":30}}`, 1},
		{`{"lastOrder":{"before":"2026-07-01","after":"2026-01-01"}}`, `{"lastOrder":{"after":"2026-01-01","before":"2026-07-01"}}`, 1},
		{`{"firstOrder":{"after":"0001-01-01"}}`, `{"firstOrder":{"after":"0001-01-01"}}`, 1},
		{`{"ordered":{"withinDays":90,"category":"Tea"}}`, `{"ordered":{"category":"tea","withinDays":90}}`, 1},
		{`{"ordered":{"sku":"T:100"}}`, `{"ordered":{"sku":"T:100"}}`, 1},
		{`{"engaged":{"withinDays":30}}`, `{"engaged":{"withinDays":30}}`, 1},
		{`{"engaged":{}}`, `{"engaged":{}}`, 1},
		{`{"received":{"withinDays":7}}`, `{"received":{"withinDays":7,"min":1}}`, 1},
		{`{"received":{"max":3,"withinDays":7}}`, `{"received":{"withinDays":7,"max":3}}`, 1},
		{`{"nps":"promoter"}`, `{"nps":"promoter"}`, 1},
		{`{"csat":{"max":5,"min":4}}`, `{"csat":{"min":4,"max":5}}`, 1},
		{`{"answered":{}}`, `{"answered":{}}`, 1},
		{` { "all" : [ {"locale": "fa"}, {"consent": "sales"}, {"ordered": {"category": "tea", "withinDays": 90}} ] } `,
			`{"all":[{"locale":"fa"},{"consent":"sales"},{"ordered":{"category":"tea","withinDays":90}}]}`, 3},
		{`{"any":[{"not":{"tag":"a"}},{"all":[{"tag":"b"},{"not":{"not":{"csat":{"min":1}}}}]}]}`,
			`{"any":[{"not":{"tag":"a"}},{"all":[{"tag":"b"},{"not":{"not":{"csat":{"min":1}}}}]}]}`, 3},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			r := mustParse(t, tt.rule)
			if r.Conditions() != tt.conditions {
				t.Errorf("Conditions() = %d, want %d", r.Conditions(), tt.conditions)
			}
			got, err := r.MarshalJSON()
			if err != nil || string(got) != tt.want {
				t.Fatalf("MarshalJSON = %s, %v; want %s", got, err, tt.want)
			}
			checkRoundTrip(t, r)
		})
	}
}

// checkRoundTrip checks that r's JSON parses to an equal rule with the same JSON.
func checkRoundTrip(t *testing.T, r segment.Rule) {
	t.Helper()
	data, err := r.MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON: %v", err)
	}
	again, err := segment.Parse(data)
	if err != nil {
		t.Fatalf("Parse(%s): %v", data, err)
	}
	if !reflect.DeepEqual(again, r) {
		t.Errorf("Parse(%s) = %#v, want %#v", data, again, r)
	}
	if data2, _ := again.MarshalJSON(); !bytes.Equal(data2, data) {
		t.Errorf("MarshalJSON after round trip = %s, want %s", data2, data)
	}
}

// TestJSONField: a Rule in a struct decodes with Parse's strictness and encodes canonically;
// a zero Rule is left out with omitzero and refused without it.
func TestJSONField(t *testing.T) {
	type segmentDoc struct {
		Name string       `json:"name"`
		Rule segment.Rule `json:"rule,omitzero"`
	}
	var d segmentDoc
	if err := json.Unmarshal([]byte(`{"name":"tea","rule":{"tag":"TEA"}}`), &d); err != nil {
		t.Fatal(err)
	}
	if out, err := json.Marshal(d); err != nil || string(out) != `{"name":"tea","rule":{"tag":"tea"}}` {
		t.Errorf("Marshal = %s, %v", out, err)
	}
	for _, in := range []string{`{"rule":{"tag":"a","x":1}}`, `{"rule":null}`} {
		err := json.Unmarshal([]byte(in), &d)
		if !errors.Is(err, fault.ErrInvalid) {
			t.Errorf("Unmarshal(%s): %v, want an invalid rule", in, err)
		}
	}
	if out, err := json.Marshal(segmentDoc{Name: "none"}); err != nil || string(out) != `{"name":"none"}` {
		t.Errorf("Marshal without a rule = %s, %v", out, err)
	}
	if out, err := json.Marshal(struct{ Rule segment.Rule }{}); err == nil {
		t.Errorf("Marshal of a zero rule = %s, want an error", out)
	}
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{"all": [{"locale": "fa"}, {"consent": "sales"}, {"ordered": {"category": "tea", "withinDays": 90}}]}`,
		`{"any":[{"not":{"tag":"a"}},{"all":[{"country":"ir"},{"timezone":"Asia/Tehran"}]}]}`,
		`{"attribute":{"name":"plan","equals":"pro"}}`,
		`{"attribute":{"name":"plan","exists":false}}`,
		`{"orders":{"min":2,"max":10}}`,
		`{"spent":{"currency":"USD","min":"100.00","max":"1e3"}}`,
		`{"firstOrder":{"after":"2026-01-01","before":"2026-07-01"}}`,
		`{"lastOrder":{"withinDays":30}}`,
		`{"ordered":{"sku":"T-100"}}`,
		`{"engaged":{}}`,
		`{"received":{"withinDays":7}}`,
		`{"nps":"passive"}`,
		`{"csat":{"max":2}}`,
		`{"answered":{"withinDays":60}}`,
		`{"suppressed":true}`,
		`{"locale":"zh-hant-tw"}`,
		`{"locale":"mo"}`,
		`{"locale":"zh-min-nan"}`,
		`{"locale":"en-GB-oed"}`,
		`{"tier":"gold"}`,
		`{"tag":"a","tag":"b"}`,
		`{"orders":{"mni":2}}`,
		`{"all":[]}`,
		`null`,
		`{"tag":"a"} x`,
		nest(9, `{"tag":"a"}`),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := segment.Parse(data)
		if err != nil {
			var e *segment.Error
			if !errors.As(err, &e) || !errors.Is(err, fault.ErrInvalid) {
				t.Fatalf("Parse(%q): %v is not an *Error of kind invalid", data, err)
			}
			return
		}
		if r.Conditions() < 1 || r.Conditions() > segment.MaxConditions {
			t.Fatalf("Parse(%q): %d conditions", data, r.Conditions())
		}
		checkRoundTrip(t, r)
	})
}
