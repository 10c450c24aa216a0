package pattern_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shopmail/internal/samtemplate"
	"shopmail/internal/sandbox/pattern"
)

// matchCase is a pattern, an event and whether the pattern matches it.
type matchCase struct {
	name    string
	pattern string
	event   string
	want    bool
}

// ec2Event is the example event of
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
const ec2Event = `{
  "version": "0",
  "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "111122223333",
  "time": "2017-12-22T18:43:48Z",
  "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"}
}`

// ec2Terminated is the example pattern of the same page.
const ec2Terminated = `{
  "source": ["aws.ec2"],
  "detail-type": ["EC2 Instance State-change Notification"],
  "detail": {"state": ["terminated"]}
}`

// autoScalingEvent is the example event of
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
const autoScalingEvent = `{
  "version": "0",
  "id": "3e3c153a-8339-4e30-8c35-687ebef853fe",
  "detail-type": "EC2 Instance Launch Successful",
  "source": "aws.autoscaling",
  "account": "123456789012",
  "time": "2015-11-11T21:31:47Z",
  "region": "us-east-1",
  "resources": [],
  "detail": {"eventVersion": "", "responseElements": null}
}`

// rulerEvent is the example event of Event Ruler's README (https://github.com/aws/event-ruler),
// whose patterns the EventBridge pages on content filtering reuse.
const rulerEvent = `{
  "version": "0",
  "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "012345679012",
  "time": "2017-10-02T16:24:49Z",
  "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
  "detail": {
    "c-count": 5,
    "d-count": 3,
    "x-limit": 301.8,
    "source-ip": "10.0.0.33",
    "instance-id": "i-000000aaaaaa00000",
    "state": "running"
  }
}`

var exactCases = []matchCase{
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
	{"EC2 instance terminated", ec2Terminated, ec2Event, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
	{"EC2 instance running", ec2Terminated, strings.Replace(ec2Event, `"terminated"`, `"running"`, 1), false},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html: strings match
	// character by character, without case folding.
	{"string case differs", `{"detail": {"state": ["Terminated"]}}`, ec2Event, false},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html: the event must
	// contain every field the pattern names.
	{"field missing from event", `{"detail": {"reason": ["user"]}}`, ec2Event, false},
	{"empty string is a value", `{"a": [""]}`, `{"a": ""}`, true},
	{"number", `{"n": [80]}`, `{"n": 80}`, true},
	// Exact matching compares numbers as written: "300, 300.0 and 3.0e2 are not equal".
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html
	{"number does not equal its decimal form", `{"n": [3]}`, `{"n": 3.0}`, false},
	{"number does not equal its exponent form", `{"n": [300]}`, `{"n": 3e2}`, false},
	{"number equals itself", `{"n": [300]}`, `{"n": 300}`, true},
	{"other number", `{"n": [3]}`, `{"n": 3.5}`, false},
	{"number is not a string", `{"n": [3]}`, `{"n": "3"}`, false},
	{"string is not a number", `{"n": ["3"]}`, `{"n": 3}`, false},
	{"number beyond float64 matches its text", `{"n": [1e400]}`, `{"n": 1e400}`, true},
	{"true", `{"b": [true]}`, `{"b": true}`, true},
	{"true is not false", `{"b": [true]}`, `{"b": false}`, false},
	{"true is not a string", `{"b": [true]}`, `{"b": "true"}`, false},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
	{"empty string", `{"detail": {"eventVersion": [""]}}`, autoScalingEvent, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
	{"null", `{"detail": {"responseElements": [null]}}`, autoScalingEvent, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html:
	// null and the empty string are not interchangeable.
	{"null is not the empty string", `{"detail": {"eventVersion": [null]}}`, autoScalingEvent, false},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
	{"empty string is not null", `{"detail": {"responseElements": [""]}}`, autoScalingEvent, false},
	{"null is not a missing field", `{"detail": {"other": [null]}}`, autoScalingEvent, false},
}

var arrayCases = []matchCase{
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html
	{"any value of the pattern", `{"source": ["aws.ec2", "aws.fargate"]}`, `{"source": "aws.fargate"}`, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html
	{"none of the values", `{"source": ["aws.ec2", "aws.fargate"]}`, `{"source": "aws.s3"}`, false},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
	{
		"event array intersects",
		`{"resources": [
			"arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
			"arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
			"arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"]}`,
		`{"resources": [
			"arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate",
			"arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}`,
		true,
	},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
	{
		"event array does not intersect",
		`{"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}`,
		`{"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-00000000"]}`,
		false,
	},
	{"empty event array", `{"resources": ["a"]}`, `{"resources": []}`, false},
	{"nested event arrays", `{"a": ["x"]}`, `{"a": [["y"], ["x"]]}`, true},
	{"number in event array", `{"a": [2]}`, `{"a": [1, 2]}`, true},
	// https://github.com/aws/event-ruler README.md, "JSON Array Matching"
	{
		"field in an array of objects",
		`{"employees": {"firstName": ["Anna"]}}`,
		`{"employees": [{"firstName": "John", "lastName": "Doe"}, {"firstName": "Anna", "lastName": "Smith"}]}`,
		true,
	},
	// https://github.com/aws/event-ruler README.md, "JSON Array Matching": fields never match in
	// different elements of the same array.
	{
		"fields in different array elements",
		`{"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}}`,
		`{"employees": [{"firstName": "Anna", "lastName": "Smith"}, {"firstName": "Peter", "lastName": "Jones"}]}`,
		false,
	},
	{
		"fields in the same array element",
		`{"employees": {"firstName": ["Peter"], "lastName": ["Jones"]}}`,
		`{"employees": [[{"firstName": "Anna", "lastName": "Smith"}], [{"firstName": "Peter", "lastName": "Jones"}]]}`,
		true,
	},
	{"objects in the array are not values", `{"a": ["x"]}`, `{"a": [{"b": "x"}]}`, false},
	{"empty array of objects", `{"items": {"a": ["x"]}}`, `{"items": []}`, false},
}

var nestedCases = []matchCase{
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html (value matching,
	// Amazon Macie event)
	{
		"nested fields",
		`{"source": ["aws.macie"], "detail": {"risk-score": [80], "trigger": {"risk": [8]}}}`,
		`{"source": "aws.macie", "detail": {"risk-score": 80, "trigger": {"alert-type": "basic", "risk": 8}}}`,
		true,
	},
	{
		"nested field differs",
		`{"source": ["aws.macie"], "detail": {"risk-score": [80], "trigger": {"risk": [8]}}}`,
		`{"source": "aws.macie", "detail": {"risk-score": 80, "trigger": {"risk": 9}}}`,
		false,
	},
	{"object where the pattern has values", `{"detail": ["x"]}`, `{"detail": {"x": "x"}}`, false},
	{"value where the pattern has an object", `{"source": {"x": ["a"]}}`, `{"source": "a"}`, false},
	{"parent object missing", `{"detail": {"state": ["x"]}}`, `{"source": "a"}`, false},
	{"same name at another level", `{"detail": {"source": ["a"]}}`, `{"source": "a", "detail": {}}`, false},
}

var prefixCases = []matchCase{
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"prefix", `{"time": [{"prefix": "2017-10-02"}]}`, `{"time": "2017-10-02T18:43:48Z"}`, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"other prefix", `{"time": [{"prefix": "2017-10-02"}]}`, `{"time": "2017-10-03T18:43:48Z"}`, false},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"region in the US", `{"Region": [{"prefix": "us-"}]}`, `{"Region": "us-east-1"}`, true},
	{"prefix is case sensitive", `{"service": [{"prefix": "eventb"}]}`, `{"service": "EventBridge"}`, false},
	{"prefix of a number", `{"n": [{"prefix": "1"}]}`, `{"n": 12}`, false},
	{"empty prefix", `{"s": [{"prefix": ""}]}`, `{"s": "anything"}`, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"prefix ignoring case", `{"service": [{"prefix": {"equals-ignore-case": "eventb"}}]}`, `{"service": "EventBridge"}`, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"other prefix ignoring case", `{"service": [{"prefix": {"equals-ignore-case": "eventb"}}]}`, `{"service": "Lambda"}`, false},
	{"prefix ignoring case, non-ASCII", `{"s": [{"prefix": {"equals-ignore-case": "ÉCO"}}]}`, `{"s": "école"}`, true},
	{"prefix longer than the value", `{"s": [{"prefix": {"equals-ignore-case": "abc"}}]}`, `{"s": "AB"}`, false},
}

var suffixCases = []matchCase{
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"suffix", `{"FileName": [{"suffix": ".png"}]}`, `{"FileName": "image.png"}`, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"other suffix", `{"FileName": [{"suffix": ".png"}]}`, `{"FileName": "image.jpg"}`, false},
	{"suffix is case sensitive", `{"FileName": [{"suffix": ".png"}]}`, `{"FileName": "image.PNG"}`, false},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"suffix ignoring case", `{"service": [{"suffix": {"equals-ignore-case": "tbridge"}}]}`, `{"service": "EventBRIDGE"}`, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"other suffix ignoring case", `{"service": [{"suffix": {"equals-ignore-case": "tbridge"}}]}`, `{"service": "Lambda"}`, false},
	{"suffix of a number", `{"n": [{"suffix": "2"}]}`, `{"n": 12}`, false},
}

var equalsIgnoreCaseCases = []matchCase{
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"same letters", `{"Name": [{"equals-ignore-case": "alice"}]}`, `{"Name": "Alice"}`, true},
	{"upper case", `{"Name": [{"equals-ignore-case": "alice"}]}`, `{"Name": "ALICE"}`, true},
	{"other name", `{"Name": [{"equals-ignore-case": "alice"}]}`, `{"Name": "Alicia"}`, false},
	{"non-ASCII", `{"s": [{"equals-ignore-case": "ÉCOLE"}]}`, `{"s": "école"}`, true},
	{"replacement character", `{"s": [{"equals-ignore-case": "\uFFFDa"}]}`, `{"s": "\uFFFDA"}`, true},
	{"not a string", `{"s": [{"equals-ignore-case": "true"}]}`, `{"s": true}`, false},
}

var anythingButCases = []matchCase{
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"other string", `{"detail": {"state": [{"anything-but": "initializing"}]}}`, `{"detail": {"state": "running"}}`, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"excluded string", `{"detail": {"state": [{"anything-but": "initializing"}]}}`, `{"detail": {"state": "initializing"}}`, false},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"other number", `{"detail": {"x-limit": [{"anything-but": 123}]}}`, `{"detail": {"x-limit": 124}}`, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"excluded number", `{"detail": {"x-limit": [{"anything-but": 123}]}}`, `{"detail": {"x-limit": 123}}`, false},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"string outside the list", `{"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}`, `{"detail": {"state": "running"}}`, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"string in the list", `{"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}`, `{"detail": {"state": "overloaded"}}`, false},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"number outside the list", `{"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}`, `{"detail": {"x-limit": 150}}`, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"number in the list", `{"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}`, `{"detail": {"x-limit": 200}}`, false},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"other prefix", `{"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}`, `{"detail": {"state": "running"}}`, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"excluded prefix", `{"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}`, `{"detail": {"state": "initializing"}}`, false},
	{"excluded prefix in a list", `{"s": [{"anything-but": {"prefix": ["init", "stop"]}}]}`, `{"s": "stopped"}`, false},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"other suffix", `{"FileName": [{"anything-but": {"suffix": ".png"}}]}`, `{"FileName": "notes.txt"}`, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"excluded suffix", `{"FileName": [{"anything-but": {"suffix": ".png"}}]}`, `{"FileName": "image.png"}`, false},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"other string ignoring case", `{"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}`, `{"state": "running"}`, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"excluded string ignoring case", `{"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}`, `{"state": "INITIALIZING"}`, false},
	{"excluded list ignoring case", `{"state": [{"anything-but": {"equals-ignore-case": ["a", "Stopped"]}}]}`, `{"state": "STOPPED"}`, false},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"path outside the wildcard", `{"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}`, `{"FilePath": "/usr/bin/go"}`, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"path inside the wildcard", `{"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}`, `{"FilePath": "/usr/lib/go"}`, false},
	{"a number is anything but a string", `{"s": [{"anything-but": "5"}]}`, `{"s": 5}`, true},
	{"a string is anything but a number", `{"s": [{"anything-but": 5}]}`, `{"s": "5"}`, true},
	{"null is anything but a string", `{"s": [{"anything-but": {"prefix": "a"}}]}`, `{"s": null}`, true},
	{"missing field", `{"s": [{"anything-but": "a"}]}`, `{"t": "b"}`, false},
	{"an object is no value", `{"s": [{"anything-but": "a"}]}`, `{"s": {"b": "c"}}`, false},
	{"another element of the array", `{"s": [{"anything-but": "a"}]}`, `{"s": ["a", "b"]}`, true},
	{"only excluded elements", `{"s": [{"anything-but": "a"}]}`, `{"s": ["a", "a"]}`, false},
}

var existsCases = []matchCase{
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"absent field", `{"detail": {"c-count": [{"exists": false}]}}`, `{"detail": {"state": "running"}}`, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html:
	// exists only applies to leaves, so an object has no value.
	{"object is not a leaf", `{"detail": {"c-count": [{"exists": false}]}}`, `{"detail": {"c-count": {"c1": 100}}}`, true},
	{"present field, exists false", `{"detail": {"c-count": [{"exists": false}]}}`, rulerEvent, false},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"present field", `{"detail": {"c-count": [{"exists": true}]}}`, rulerEvent, true},
	{"absent field, exists true", `{"detail": {"c-count": [{"exists": true}]}}`, `{"detail": {}}`, false},
	{"object, exists true", `{"detail": {"c-count": [{"exists": true}]}}`, `{"detail": {"c-count": {"c1": 100}}}`, false},
	{"null exists", `{"a": [{"exists": true}]}`, `{"a": null}`, true},
	{"empty string exists", `{"a": [{"exists": true}]}`, `{"a": ""}`, true},
	{"empty array, exists true", `{"a": [{"exists": true}]}`, `{"a": []}`, false},
	{"empty array, exists false", `{"a": [{"exists": false}]}`, `{"a": []}`, true},
	{"array of values, exists false", `{"a": [{"exists": false}]}`, `{"a": [1]}`, false},
	{"parent missing, exists false", `{"a": {"b": [{"exists": false}]}}`, `{}`, true},
	{"parent is a value, exists false", `{"a": {"b": [{"exists": false}]}}`, `{"a": "x"}`, true},
	{"exists false or a value", `{"a": [{"exists": false}, "x"]}`, `{"a": "x"}`, true},
	{"absent from every element", `{"items": {"a": [{"exists": false}]}}`, `{"items": [{"b": 1}, {"c": 2}]}`, true},
	{"present in one element", `{"items": {"a": [{"exists": false}]}}`, `{"items": [{"a": 1}, {"b": 2}]}`, false},
	{"empty array of objects", `{"items": {"a": [{"exists": false}]}}`, `{"items": []}`, true},
	{
		"absent from the matching element",
		`{"items": {"a": ["1"], "b": [{"exists": false}]}}`,
		`{"items": [{"a": "1"}, {"a": "2", "b": "x"}]}`,
		true,
	},
	{
		"present in the matching element",
		`{"items": {"a": ["1"], "b": [{"exists": false}]}}`,
		`{"items": [{"a": "1", "b": "x"}]}`,
		false,
	},
}

var numericCases = []matchCase{
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{
		"all three comparisons",
		`{"detail": {
			"c-count": [{"numeric": [">", 0, "<=", 5]}],
			"d-count": [{"numeric": ["<", 10]}],
			"x-limit": [{"numeric": ["=", 3.018e2]}]}}`,
		rulerEvent,
		true,
	},
	{"lower bound excluded", `{"n": [{"numeric": [">", 0, "<=", 5]}]}`, `{"n": 0}`, false},
	{"upper bound included", `{"n": [{"numeric": [">", 0, "<=", 5]}]}`, `{"n": 5.0}`, true},
	{"above the range", `{"n": [{"numeric": [">", 0, "<=", 5]}]}`, `{"n": 5.000001}`, false},
	{"upper bound excluded", `{"n": [{"numeric": ["<", 10]}]}`, `{"n": 10}`, false},
	{"below", `{"n": [{"numeric": ["<", 10]}]}`, `{"n": -1e9}`, true},
	{"at least", `{"n": [{"numeric": [">=", 10]}]}`, `{"n": 10}`, true},
	{"at most", `{"n": [{"numeric": ["<=", 10]}]}`, `{"n": 10.5}`, false},
	{"closed range", `{"n": [{"numeric": [">=", 1, "<", 2]}]}`, `{"n": 1}`, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"equals", `{"Price": [{"numeric": ["=", 100]}]}`, `{"Price": 1e2}`, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"not equal", `{"Price": [{"numeric": ["=", 100]}]}`, `{"Price": 100.5}`, false},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"price in range", `{"Price": [{"numeric": [">", 10, "<=", 20]}]}`, `{"Price": 15}`, true},
	{"a string is not a number", `{"n": [{"numeric": [">", 0]}]}`, `{"n": "5"}`, false},
	{"an element of the array", `{"n": [{"numeric": [">", 0]}]}`, `{"n": [-1, 3]}`, true},
}

var cidrCases = []matchCase{
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"inside", `{"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}`, `{"detail": {"sourceIPAddress": "10.0.0.255"}}`, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"outside", `{"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}`, `{"detail": {"sourceIPAddress": "10.0.1.0"}}`, false},
	{"IPv6 inside", `{"ip": [{"cidr": "2001:db8::/32"}]}`, `{"ip": "2001:db8:1::7"}`, true},
	{"IPv6 outside", `{"ip": [{"cidr": "2001:db8::/32"}]}`, `{"ip": "2001:db9::1"}`, false},
	{"IPv4 address, IPv6 block", `{"ip": [{"cidr": "::/0"}]}`, `{"ip": "10.0.0.1"}`, false},
	{"single address", `{"ip": [{"cidr": "10.0.0.1/32"}]}`, `{"ip": "10.0.0.1"}`, true},
	{"host bits in the block", `{"ip": [{"cidr": "10.0.0.77/24"}]}`, `{"ip": "10.0.0.1"}`, true},
	{"not an address", `{"ip": [{"cidr": "10.0.0.0/8"}]}`, `{"ip": "10.0.0"}`, false},
	{"a number", `{"ip": [{"cidr": "10.0.0.0/8"}]}`, `{"ip": 10}`, false},
}

var wildcardCases = []matchCase{
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"infix", `{"FilePath": [{"wildcard": "*/lib/*"}]}`, `{"FilePath": "/usr/lib/libc.so"}`, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"infix missing", `{"FilePath": [{"wildcard": "*/lib/*"}]}`, `{"FilePath": "/usr/bin/go"}`, false},
	// https://github.com/aws/event-ruler README.md, "Wildcard matching"
	{"middle", `{"source": [{"wildcard": "Simple*Service"}]}`, `{"source": "SimpleNotificationService"}`, true},
	{"empty sequence", `{"source": [{"wildcard": "Simple*Service"}]}`, `{"source": "SimpleService"}`, true},
	{"parts overlap", `{"s": [{"wildcard": "ab*ba"}]}`, `{"s": "aba"}`, false},
	{"parts in order", `{"s": [{"wildcard": "a*b*c"}]}`, `{"s": "xaxbxc"}`, false},
	{"several stars", `{"s": [{"wildcard": "a*b*c"}]}`, `{"s": "abbbcbc"}`, true},
	{"star alone", `{"s": [{"wildcard": "*"}]}`, `{"s": ""}`, true},
	{"no star", `{"s": [{"wildcard": "abc"}]}`, `{"s": "abcd"}`, false},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html: \*
	// is a literal star.
	{"escaped star", `{"s": [{"wildcard": "a\\*b"}]}`, `{"s": "a*b"}`, true},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"escaped star is not a wildcard", `{"s": [{"wildcard": "a\\*b"}]}`, `{"s": "axb"}`, false},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html: \\
	// is a literal backslash.
	{"escaped backslash", `{"s": [{"wildcard": "a\\\\*"}]}`, `{"s": "a\\bc"}`, true},
	{"not a string", `{"s": [{"wildcard": "*"}]}`, `{"s": 1}`, false},
}

var orCases = []matchCase{
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{
		"one branch matches",
		`{"detail": {"$or": [
			{"c-count": [{"numeric": [">", 0, "<=", 5]}]},
			{"d-count": [{"numeric": ["<", 10]}]},
			{"x-limit": [{"numeric": ["=", 3.018e2]}]}]}}`,
		`{"detail": {"c-count": 10, "d-count": 5}}`,
		true,
	},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{
		"no branch matches",
		`{"detail": {"$or": [
			{"c-count": [{"numeric": [">", 0, "<=", 5]}]},
			{"d-count": [{"numeric": ["<", 10]}]},
			{"x-limit": [{"numeric": ["=", 3.018e2]}]}]}}`,
		`{"detail": {"c-count": 10, "d-count": 20, "x-limit": 1}}`,
		false,
	},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
	{"location or day", `{"$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]}`, `{"Location": "Boston", "Day": "Monday"}`, true},
	// https://github.com/aws/event-ruler README.md, "The $or Primitive"
	{
		"and with an or",
		`{"source": ["aws.cloudwatch"], "$or": [
			{"metricName": ["CPUUtilization", "ReadLatency"]},
			{"namespace": ["AWS/EC2", "AWS/ES"]}]}`,
		`{"source": "aws.cloudwatch", "namespace": "AWS/ES"}`,
		true,
	},
	{
		"or without the and",
		`{"source": ["aws.cloudwatch"], "$or": [
			{"metricName": ["CPUUtilization", "ReadLatency"]},
			{"namespace": ["AWS/EC2", "AWS/ES"]}]}`,
		`{"source": "aws.ec2", "namespace": "AWS/ES"}`,
		false,
	},
	// https://github.com/aws/event-ruler README.md, "The $or Primitive"
	{
		"nested or and and",
		`{"source": ["aws.cloudwatch"], "$or": [
			{"metricName": ["CPUUtilization"]},
			{"metricType": ["MetricType"], "namespace": ["AWS/EC2"], "$or": [{"metricId": [1234]}, {"spaceId": [1000]}]},
			{"scope": ["Service"]}]}`,
		`{"source": "aws.cloudwatch", "metricType": "MetricType", "namespace": "AWS/EC2", "spaceId": 1000}`,
		true,
	},
	{
		"nested or fails",
		`{"source": ["aws.cloudwatch"], "$or": [
			{"metricName": ["CPUUtilization"]},
			{"metricType": ["MetricType"], "namespace": ["AWS/EC2"], "$or": [{"metricId": [1234]}, {"spaceId": [1000]}]},
			{"scope": ["Service"]}]}`,
		`{"source": "aws.cloudwatch", "metricType": "MetricType", "namespace": "AWS/EC2", "spaceId": 1001}`,
		false,
	},
	{
		"or inside an array element",
		`{"items": {"sku": ["A"], "$or": [{"qty": [2]}, {"gift": [true]}]}}`,
		`{"items": [{"sku": "A", "qty": 1}, {"sku": "B", "gift": true}]}`,
		false,
	},
}

// allCases lists every table, for the tests and as fuzzing seeds.
var allCases = map[string][]matchCase{
	"exact":              exactCases,
	"arrays":             arrayCases,
	"nested":             nestedCases,
	"prefix":             prefixCases,
	"suffix":             suffixCases,
	"equals-ignore-case": equalsIgnoreCaseCases,
	"anything-but":       anythingButCases,
	"exists":             existsCases,
	"numeric":            numericCases,
	"cidr":               cidrCases,
	"wildcard":           wildcardCases,
	"$or":                orCases,
}

func TestExactMatch(t *testing.T)       { runCases(t, exactCases) }
func TestArrays(t *testing.T)           { runCases(t, arrayCases) }
func TestNestedObjects(t *testing.T)    { runCases(t, nestedCases) }
func TestPrefix(t *testing.T)           { runCases(t, prefixCases) }
func TestSuffix(t *testing.T)           { runCases(t, suffixCases) }
func TestEqualsIgnoreCase(t *testing.T) { runCases(t, equalsIgnoreCaseCases) }
func TestAnythingBut(t *testing.T)      { runCases(t, anythingButCases) }
func TestExists(t *testing.T)           { runCases(t, existsCases) }
func TestNumeric(t *testing.T)          { runCases(t, numericCases) }
func TestCIDR(t *testing.T)             { runCases(t, cidrCases) }
func TestWildcard(t *testing.T)         { runCases(t, wildcardCases) }
func TestOr(t *testing.T)               { runCases(t, orCases) }

// runCases checks each case with Match and, on the event decoded by encoding/json, MatchValue.
func runCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := pattern.CompileJSON([]byte(c.pattern))
			if err != nil {
				t.Fatalf("CompileJSON(%s): %v", c.pattern, err)
			}
			got, err := p.Match([]byte(c.event))
			if err != nil || got != c.want {
				t.Errorf("Match(%s) = %v, %v; want %v", c.event, got, err, c.want)
			}
			event, ok := decode(c.event)
			if !ok {
				return
			}
			if got := p.MatchValue(event); got != c.want {
				t.Errorf("MatchValue(%s) = %v, want %v", c.event, got, c.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		pattern string
		want    string // the start of the error
	}{
		{`[]`, "pattern: not a JSON object"},
		{`{"a": ["x"]} {}`, "pattern: unexpected data"},
		{`{"a": ["x"`, "pattern: unexpected EOF"},
		{`{}`, "pattern: empty object"},
		{`{"detail": {}}`, "pattern: detail: empty object"},
		{`{"source": "aws.ec2"}`, "pattern: source: must be an object or an array of values, not a string"},
		{`{"source": null}`, "pattern: source: must be an object or an array of values, not null"},
		{`{"source": []}`, "pattern: source: empty array"},
		{`{"source": [["aws.ec2"]]}`, "pattern: source: a value must be a string, number, boolean, null or operator object, not an array"},
		{`{"source": [{}]}`, "pattern: source: an operator object must have exactly one key, not 0"},
		{`{"source": [{"prefix": "a", "suffix": "b"}]}`, "pattern: source: an operator object must have exactly one key, not 2"},
		{`{"source": [{"contains": "a"}]}`, `pattern: source: unknown operator "contains"`},
		{`{"source": [{"prefix": 1}]}`, `pattern: source: prefix: must be a string or {"equals-ignore-case": string}, not a number`},
		{`{"source": [{"prefix": {"suffix": "a"}}]}`, `pattern: source: prefix: unsupported operator "suffix"`},
		{`{"source": [{"suffix": {"equals-ignore-case": 1}}]}`, "pattern: source: suffix: equals-ignore-case: must be a string, not a number"},
		{`{"source": [{"equals-ignore-case": ["a"]}]}`, "pattern: source: equals-ignore-case: must be a string, not an array"},
		{`{"detail": {"total": [{"numeric": [">", "0"]}]}}`, `pattern: detail.total: numeric: ">" must be followed by a finite number, not a string`},
		{`{"n": [{"numeric": 5}]}`, "pattern: n: numeric: must be an array, not a number"},
		{`{"n": [{"numeric": []}]}`, "pattern: n: numeric: expected an operator"},
		{`{"n": [{"numeric": ["!=", 5]}]}`, `pattern: n: numeric: unknown operator "!="`},
		{`{"n": [{"numeric": [5, ">"]}]}`, "pattern: n: numeric: expected an operator, not a number"},
		{`{"n": [{"numeric": ["=", 5, "<", 6]}]}`, `pattern: n: numeric: nothing may follow "=" 5`},
		{`{"n": [{"numeric": ["<", 5, ">", 0]}]}`, `pattern: n: numeric: nothing may follow "<" 5`},
		{`{"n": [{"numeric": [">", 0, ">", 5]}]}`, `pattern: n: numeric: the second comparison must be < or <=, not ">"`},
		{`{"n": [{"numeric": [">", 5, "<=", 5]}]}`, "pattern: n: numeric: the lower bound 5 must be less than the upper bound 5"},
		{`{"n": [{"numeric": [">", 0, "<", 5, "<", 6]}]}`, "pattern: n: numeric: at most two comparisons are allowed"},
		{`{"n": [{"numeric": [">", 0, "<"]}]}`, "pattern: n: numeric: expected an operator"},
		{`{"n": [{"numeric": [">", 1e400]}]}`, `pattern: n: numeric: ">" must be followed by a finite number`},
		{`{"s": [{"anything-but": []}]}`, "pattern: s: anything-but: empty array"},
		{`{"s": [{"anything-but": ["a", 1]}]}`, "pattern: s: anything-but: a list must hold only strings or only numbers"},
		{`{"s": [{"anything-but": [1, "a"]}]}`, "pattern: s: anything-but: a list must hold only strings or only numbers"},
		{`{"s": [{"anything-but": true}]}`, "pattern: s: anything-but: values must be strings or numbers, not a boolean"},
		{`{"s": [{"anything-but": [null]}]}`, "pattern: s: anything-but: values must be strings or numbers, not null"},
		{`{"s": [{"anything-but": {"numeric": [">", 1]}}]}`, `pattern: s: anything-but: unsupported operator "numeric"`},
		{`{"s": [{"anything-but": {"prefix": ""}}]}`, "pattern: s: anything-but: prefix: must not be empty"},
		{`{"s": [{"anything-but": {"suffix": ["a", ""]}}]}`, "pattern: s: anything-but: suffix: must not be empty"},
		{`{"s": [{"anything-but": {"prefix": ["a", 1]}}]}`, "pattern: s: anything-but: prefix: values must be strings, not a number"},
		{`{"s": [{"anything-but": {"equals-ignore-case": []}}]}`, "pattern: s: anything-but: equals-ignore-case: empty array"},
		{`{"s": [{"anything-but": {"wildcard": "a**"}}]}`, "pattern: s: anything-but: wildcard: consecutive wildcard characters are not allowed"},
		{`{"s": [{"anything-but": {"prefix": "a", "suffix": "b"}}]}`, "pattern: s: anything-but: an operator object must have exactly one key, not 2"},
		{`{"s": [{"exists": "true"}]}`, "pattern: s: exists: must be true or false, not a string"},
		{`{"ip": [{"cidr": "10.0.0.0"}]}`, "pattern: ip: cidr: not an IPv4 or IPv6 CIDR block"},
		{`{"ip": [{"cidr": "10.0.0.0/33"}]}`, "pattern: ip: cidr: not an IPv4 or IPv6 CIDR block"},
		{`{"ip": [{"cidr": ["10.0.0.0/8"]}]}`, "pattern: ip: cidr: must be a string, not an array"},
		{`{"s": [{"wildcard": "a**b"}]}`, "pattern: s: wildcard: consecutive wildcard characters are not allowed"},
		{`{"s": [{"wildcard": "a\\b"}]}`, `pattern: s: wildcard: a backslash may only escape "*" or "\"`},
		{`{"s": [{"wildcard": "a\\"}]}`, `pattern: s: wildcard: a backslash may only escape "*" or "\"`},
		{`{"s": [{"wildcard": 1}]}`, "pattern: s: wildcard: must be a string, not a number"},
		{`{"$or": {"a": ["x"]}}`, "pattern: $or: must be an array of at least two pattern objects"},
		{`{"$or": [{"a": ["x"]}]}`, "pattern: $or: must be an array of at least two pattern objects"},
		{`{"$or": [{"a": ["x"]}, ["b"]]}`, "pattern: $or[1]: must be a pattern object, not an array"},
		{`{"d": {"$or": [{"a": ["x"]}, {}]}}`, "pattern: d.$or[1]: empty object"},
		{`{"d": {"$or": [{"a": ["x"]}, {"b": [{"numeric": [1, 2]}]}]}}`, "pattern: d.$or[1].b: numeric: expected an operator, not a number"},
		{tooManyCombinations, "pattern: $or expands to more than 1000 rule combinations"},
	}
	for _, c := range cases {
		_, err := pattern.CompileJSON([]byte(c.pattern))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("CompileJSON(%s): error = %v, want %s...", c.pattern, err, c.want)
		}
	}
}

// tooManyCombinations expands to 10 × 10 × 11 = 1100 combinations of $or branches; the
// documentation's limit is 1000 (eb-create-pattern-operators.html).
var tooManyCombinations = `{"a": ` + orOf(10) + `, "b": ` + orOf(10) + `, "c": ` + orOf(11) + `}`

// orOf returns a pattern object holding a $or of n branches.
func orOf(n int) string {
	branches := make([]string, n)
	for i := range branches {
		branches[i] = `{"f` + strings.Repeat("x", i) + `": ["v"]}`
	}
	return `{"$or": [` + strings.Join(branches, ", ") + `]}`
}

func TestCompileThousandCombinations(t *testing.T) {
	p, err := pattern.CompileJSON([]byte(`{"a": ` + orOf(10) + `, "b": ` + orOf(10) + `, "c": ` + orOf(10) + `}`))
	if err != nil {
		t.Fatalf("CompileJSON: %v", err)
	}
	if ok, err := p.Match([]byte(`{"a": {"fxx": "v"}, "b": {"f": "v"}, "c": {"fxxxxxxxxx": "v"}}`)); !ok || err != nil {
		t.Errorf("Match = %v, %v; want true", ok, err)
	}
}

// TestCompileDecodedValues compiles patterns the way YAML or Go code gives them: numbers as int,
// float64 or json.Number.
func TestCompileDecodedValues(t *testing.T) {
	p, err := pattern.Compile(map[string]any{
		"a": []any{3},
		"b": []any{json.Number("2.5")},
		"c": []any{map[string]any{"numeric": []any{">", 0, "<=", uint8(5)}}},
		"d": map[string]any{"e": []any{int64(-1), "x", true, nil}},
		"f": []any{map[string]any{"anything-but": []any{1.5, int32(2)}}},
	})
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	event := map[string]any{"a": 3.0, "b": json.Number("2.5"), "c": 5, "d": map[string]any{"e": nil}, "f": int64(3)}
	if !p.MatchValue(event) {
		t.Errorf("MatchValue(%v) = false, want true", event)
	}
	event["f"] = 2.0
	if p.MatchValue(event) {
		t.Errorf("MatchValue(%v) = true, want false", event)
	}
	if _, err := pattern.Compile(map[string]any{"a": []string{"x"}}); err == nil || err.Error() != "pattern: a: must be an object or an array of values, not a []string" {
		t.Errorf("Compile([]string): error = %v", err)
	}
}

func TestMatchRejectsEventsThatAreNotObjects(t *testing.T) {
	p, err := pattern.CompileJSON([]byte(`{"a": [{"exists": false}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, event := range []string{``, `[]`, `"event"`, `null`, `{"a": 1`, `{} {}`} {
		if ok, err := p.Match([]byte(event)); ok || err == nil || !strings.HasPrefix(err.Error(), "pattern: event: ") {
			t.Errorf("Match(%q) = %v, %v; want an error", event, ok, err)
		}
	}
	if ok, err := p.Match([]byte(` {} `)); !ok || err != nil {
		t.Errorf("Match({}) = %v, %v; want true", ok, err)
	}
}

// ruleEvent is an EventBridgeRule event source of a function in template.yaml.
type ruleEvent struct {
	function, event string
	pattern         map[string]any
}

// templateRules returns the EventBridgeRule patterns of template.yaml, resolved with the
// parameters' defaults.
func templateRules(t testing.TB) []ruleEvent {
	t.Helper()
	tmpl, err := samtemplate.Default()
	if err != nil {
		t.Fatalf("samtemplate.Default: %v", err)
	}
	fns, err := tmpl.Functions()
	if err != nil {
		t.Fatalf("Functions: %v", err)
	}
	var rules []ruleEvent
	for _, fn := range fns {
		for _, ev := range fn.Events {
			if ev.Type != "EventBridgeRule" {
				continue
			}
			v, err := tmpl.Resolve(ev.Properties["Pattern"], samtemplate.Resolver{})
			if err != nil {
				t.Fatalf("%s %s: Resolve: %v", fn.LogicalID, ev.Name, err)
			}
			p, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%s %s: Pattern is %T, want an object", fn.LogicalID, ev.Name, v)
			}
			rules = append(rules, ruleEvent{fn.LogicalID, ev.Name, p})
		}
	}
	return rules
}

// thankYouPattern compiles the pattern of ThankYouFunction's OrderPlaced rule.
func thankYouPattern(t testing.TB) *pattern.Pattern {
	t.Helper()
	for _, r := range templateRules(t) {
		if r.function == "ThankYouFunction" && r.event == "OrderPlaced" {
			p, err := pattern.Compile(r.pattern)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			return p
		}
	}
	t.Fatal("template.yaml has no OrderPlaced rule on ThankYouFunction")
	return nil
}

// firstOrder reads events/thankyou/first-order.json.
func firstOrder(t testing.TB) []byte {
	t.Helper()
	root, err := samtemplate.FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "events", "thankyou", "first-order.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTemplatePatternsCompile(t *testing.T) {
	rules := templateRules(t)
	if len(rules) == 0 {
		t.Fatal("template.yaml has no EventBridgeRule event")
	}
	for _, r := range rules {
		if _, err := pattern.Compile(r.pattern); err != nil {
			t.Errorf("%s %s: %v", r.function, r.event, err)
		}
	}
}

func TestThankYouRuleMatchesFirstOrder(t *testing.T) {
	p := thankYouPattern(t)
	raw := firstOrder(t)
	if ok, err := p.Match(raw); !ok || err != nil {
		t.Errorf("Match(first-order.json) = %v, %v; want true", ok, err)
	}
	for field, value := range map[string]string{"source": "other.shop", "detail-type": "Order Shipped"} {
		var event map[string]any
		if err := json.Unmarshal(raw, &event); err != nil {
			t.Fatal(err)
		}
		event[field] = value
		if p.MatchValue(event) {
			t.Errorf("first-order.json with %s %q matches, want no match", field, value)
		}
	}
}

// FuzzMatch checks that compiling any pattern and matching any event never panics, and that Match
// and MatchValue agree.
func FuzzMatch(f *testing.F) {
	for _, cases := range allCases {
		for _, c := range cases {
			f.Add(c.pattern, c.event)
		}
	}
	f.Fuzz(func(t *testing.T, patternJSON, eventJSON string) {
		p, err := pattern.CompileJSON([]byte(patternJSON))
		if err != nil {
			return
		}
		got, err := p.Match([]byte(eventJSON))
		event, ok := decode(eventJSON)
		if err != nil || !ok {
			return
		}
		if p.MatchValue(event) != got {
			t.Errorf("Match = %v but MatchValue disagrees for pattern %s, event %s", got, patternJSON, eventJSON)
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	p := thankYouPattern(b)
	event := firstOrder(b)
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := p.Match(event); !ok || err != nil {
			b.Fatalf("Match = %v, %v", ok, err)
		}
	}
}

// decode decodes an event as Match does, keeping numbers as written (json.Number).
func decode(s string) (map[string]any, bool) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var event map[string]any
	return event, d.Decode(&event) == nil && !d.More()
}
