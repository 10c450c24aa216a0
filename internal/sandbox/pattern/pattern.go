// Package pattern compiles Amazon EventBridge event patterns and matches events against them, so
// that the local sandbox routes an event put on its bus to every function whose rule matches, as
// EventBridge would.
//
// The semantics are those of the AWS documentation:
//
//   - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
//   - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html
//   - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
//   - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
//   - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
//   - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
//
// Where they are silent, it follows Event Ruler, the open-source matching library EventBridge uses
// (https://github.com/aws/event-ruler, README.md and JsonRuleCompiler.java).
//
// In short:
//
//   - A pattern is a non-empty JSON object. Each field holds either a nested pattern object or a
//     non-empty array of values; the event must satisfy every field (AND) and, for an array, any of
//     its values (OR). Fields of the event that the pattern does not name are ignored.
//   - A value is a string, number, boolean or null to match exactly (strings byte for byte; numbers
//     by value, so 3 matches 3.0 and 3e0, the way Event Ruler adds a numeric-equality matcher for
//     every number, although the user guide says numbers compare by their text), or an operator
//     object with a single key: prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric,
//     cidr or exists. An empty string and null are values, and different ones.
//   - "$or", at any level, lists at least two pattern objects of which one must match, alongside the
//     other fields at that level. A pattern may not expand to more than 1000 combinations of $or
//     branches.
//   - Comparisons only apply to leaves: a field whose value in the event is an object has no value,
//     so it only matches {"exists": false}. When the event holds an array, the pattern matches if
//     any of its elements (through nested arrays) matches. A nested pattern object is matched
//     against one element at a time, so two fields never match in different elements of the same
//     array; only a pattern object whose every condition is {"exists": false} must hold for all
//     the elements (the fields are absent from the whole array). An empty array is no value.
//   - Prefix, suffix, equals-ignore-case, wildcard and cidr only match strings, numeric only
//     matches numbers; anything-but matches every value, of any type, that the excluded values do
//     not match.
package pattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Pattern is a compiled EventBridge event pattern. It is safe for concurrent use.
type Pattern struct {
	root *object
}

// Compile parses a pattern given as decoded JSON or YAML values: map[string]any with []any
// leaves, as encoding/json or the template parser produce; numbers may be float64, any integer
// type or json.Number. It rejects what EventBridge rejects (a field that is neither an object nor
// an array, an empty object or array, an unknown or malformed operator) with an error naming the
// path, such as "pattern: detail.total: numeric: ...".
func Compile(p map[string]any) (*Pattern, error) {
	root, err := compileObject(p, "")
	if err != nil {
		return nil, err
	}
	if root.combinations() > maxCombinations {
		return nil, errorf("", "%s expands to more than %d rule combinations", orKey, maxCombinations)
	}
	return &Pattern{root: root}, nil
}

// CompileJSON is Compile for a pattern given as JSON text.
func CompileJSON(b []byte) (*Pattern, error) {
	m, err := decodeObject(b)
	if err != nil {
		return nil, fmt.Errorf("pattern: %w", err)
	}
	return Compile(m)
}

// Match reports whether the event, a JSON object (the whole EventBridge envelope: version, id,
// detail-type, source, account, time, region, resources, detail), matches. The error is only for
// an event that is not a JSON object.
func (p *Pattern) Match(event []byte) (bool, error) {
	m, err := decodeObject(event)
	if err != nil {
		return false, fmt.Errorf("pattern: event: %w", err)
	}
	return p.MatchValue(m), nil
}

// MatchValue reports whether the event, decoded as by encoding/json (numbers as float64 or
// json.Number), matches.
func (p *Pattern) MatchValue(event map[string]any) bool {
	return p.root.matchFields(event)
}

// decodeObject decodes JSON text that must hold exactly one object, keeping numbers as
// json.Number so that their text survives.
func decodeObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a JSON object")
	}
	return m, nil
}

// errorf returns an error about the pattern at path ("" for the pattern as a whole).
func errorf(path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if path == "" {
		return errors.New("pattern: " + msg)
	}
	return errors.New("pattern: " + path + ": " + msg)
}
