package pattern

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// condition is one compiled value of a leaf array. It matches a leaf value of the event: a string,
// a number (float64, float32, an integer type or json.Number), a boolean, or nil for null.
type condition interface {
	match(v any) bool
}

// exact compiles a value to match exactly.
func exact(v any) (condition, error) {
	switch v := v.(type) {
	case string:
		return exactString(v), nil
	case bool:
		return exactBool(v), nil
	case nil:
		return exactNull{}, nil
	}
	if n, ok := toNumber(v); ok {
		return exactNumber{n}, nil
	}
	return nil, fmt.Errorf("a value must be a string, number, boolean, null or operator object, not %s", describe(v))
}

// exactString matches a string equal to it, byte for byte.
type exactString string

func (c exactString) match(v any) bool {
	s, ok := v.(string)
	return ok && s == string(c)
}

// exactBool matches the boolean equal to it.
type exactBool bool

func (c exactBool) match(v any) bool {
	b, ok := v.(bool)
	return ok && b == bool(c)
}

// exactNull matches null, and not the empty string.
type exactNull struct{}

func (exactNull) match(v any) bool {
	return v == nil
}

// exactNumber matches a number of the same value.
type exactNumber struct {
	n number
}

func (c exactNumber) match(v any) bool {
	n, ok := toNumber(v)
	return ok && c.n.equal(n)
}

// number is a JSON number: its value as a float64 (when finite) and its text.
type number struct {
	f      float64
	finite bool
	text   string
}

// toNumber returns the number v holds, if it is one.
func toNumber(v any) (number, bool) {
	switch v := v.(type) {
	case json.Number:
		return parseNumber(string(v))
	case float64:
		return floatNumber(v), true
	case float32:
		return floatNumber(float64(v)), true
	case int:
		return intNumber(int64(v)), true
	case int8:
		return intNumber(int64(v)), true
	case int16:
		return intNumber(int64(v)), true
	case int32:
		return intNumber(int64(v)), true
	case int64:
		return intNumber(v), true
	case uint:
		return uintNumber(uint64(v)), true
	case uint8:
		return uintNumber(uint64(v)), true
	case uint16:
		return uintNumber(uint64(v)), true
	case uint32:
		return uintNumber(uint64(v)), true
	case uint64:
		return uintNumber(v), true
	}
	return number{}, false
}

// parseNumber parses the text of a JSON number. A number too large for a float64 keeps only its
// text.
func parseNumber(s string) (number, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return number{}, false
	}
	return number{f: f, finite: err == nil && isFinite(f), text: s}, true
}

func floatNumber(f float64) number {
	return number{f: f, finite: isFinite(f), text: strconv.FormatFloat(f, 'g', -1, 64)}
}

func isFinite(f float64) bool {
	return !math.IsInf(f, 0) && !math.IsNaN(f)
}

func intNumber(i int64) number {
	return number{f: float64(i), finite: true, text: strconv.FormatInt(i, 10)}
}

func uintNumber(u uint64) number {
	return number{f: float64(u), finite: true, text: strconv.FormatUint(u, 10)}
}

// equal reports whether two numbers are written the same. EventBridge documents exact
// matching of numbers as a match of their text: 300, 300.0 and 3.0e2 are not equal (use
// "numeric": ["=", 300] to compare values).
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html
func (n number) equal(o number) bool { return n.text == o.text }
