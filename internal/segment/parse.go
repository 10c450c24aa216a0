package segment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"
)

// Parse parses a rule (one JSON object). Errors are *Error and wrap fault.ErrInvalid.
//
// It reads a token stream rather than unmarshalling into a tree, so that it sees duplicate
// keys (which encoding/json merges silently) and stops at the first level past MaxDepth instead
// of building whatever nesting the input has.
func Parse(data []byte) (Rule, error) {
	if len(data) > MaxSize {
		return Rule{}, fail("", "larger than %d bytes", MaxSize)
	}
	ps := &parser{dec: json.NewDecoder(bytes.NewReader(data))}
	ps.dec.UseNumber()
	root, err := ps.rule("", 1)
	if err != nil {
		return Rule{}, err
	}
	if _, err := ps.dec.Token(); err != io.EOF {
		return Rule{}, fail("", "unexpected data after the rule")
	}
	return Rule{root: root, conditions: ps.conditions}, nil
}

// parser reads one rule from a token stream.
type parser struct {
	dec        *json.Decoder
	conditions int // leaf conditions read so far
}

// maxEntries is the most rules one "all" or "any" may list.
const maxEntries = 100

// reserved are conditions planned for later issues; they are refused by name so that a rule
// written for them fails clearly instead of as a typo.
var reserved = []string{}

// rule reads one rule at the given depth (1 for the whole rule).
func (ps *parser) rule(path string, depth int) (expr, error) {
	if depth > MaxDepth {
		return nil, fail("", "nested more than %d levels deep", MaxDepth)
	}
	if err := ps.open(path, '{', "an object"); err != nil {
		return nil, err
	}
	key, ok, err := ps.key()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fail(path, "must have exactly one key, has none")
	}
	at := join(path, key)
	var e expr
	switch key {
	case "all", "any":
		var list []expr
		if list, err = ps.list(at, depth); err == nil {
			if key == "all" {
				e = all(list)
			} else {
				e = anyOf(list)
			}
		}
	case "not":
		var r expr
		if r, err = ps.rule(at, depth+1); err == nil {
			e = not{r}
		}
	default:
		read, known := conditions[key]
		switch {
		case slices.Contains(reserved, key):
			return nil, fail(at, "not available yet")
		case !known:
			return nil, fail(path, "unknown field %q", key)
		}
		if ps.conditions++; ps.conditions > MaxConditions {
			return nil, fail("", "more than %d conditions", MaxConditions)
		}
		e, err = read(ps, at)
	}
	if err != nil {
		return nil, err
	}
	second, ok, err := ps.key()
	switch {
	case err != nil:
		return nil, err
	case ok && second == key:
		return nil, fail(path, "duplicate field %q", key)
	case ok:
		return nil, fail(path, "must have exactly one key, has %q and %q", key, second)
	}
	return e, nil
}

// list reads the array of rules of "all" or "any", whose own depth is depth.
func (ps *parser) list(path string, depth int) ([]expr, error) {
	if err := ps.open(path, '[', "an array"); err != nil {
		return nil, err
	}
	var list []expr
	for ps.dec.More() {
		if len(list) == maxEntries {
			return nil, fail(path, "must have at most %d rules", maxEntries)
		}
		e, err := ps.rule(fmt.Sprintf("%s[%d]", path, len(list)), depth+1)
		if err != nil {
			return nil, err
		}
		list = append(list, e)
	}
	if _, err := ps.token(); err != nil { // the closing ']'
		return nil, err
	}
	if len(list) == 0 {
		return nil, fail(path, "must have at least one rule")
	}
	return list, nil
}

// object reads an object whose keys must be among names, each at most once, and calls read
// with each key and its path to read the value.
func (ps *parser) object(path string, names []string, read func(name, path string) error) error {
	if err := ps.open(path, '{', "an object"); err != nil {
		return err
	}
	var seen []string
	for {
		key, ok, err := ps.key()
		switch {
		case err != nil:
			return err
		case !ok:
			return nil
		case !slices.Contains(names, key):
			return fail(path, "unknown field %q", key)
		case slices.Contains(seen, key):
			return fail(path, "duplicate field %q", key)
		}
		seen = append(seen, key)
		if err := read(key, join(path, key)); err != nil {
			return err
		}
	}
}

// key reads an object's next key, or its closing '}' (ok false).
func (ps *parser) key() (key string, ok bool, err error) {
	tok, err := ps.token()
	if err != nil {
		return "", false, err
	}
	// The decoder allows only a string or '}' where a key may start.
	key, ok = tok.(string)
	return key, ok, nil
}

// open reads the start of an object or array.
func (ps *parser) open(path string, delim json.Delim, want string) error {
	tok, err := ps.token()
	if err != nil {
		return err
	}
	if tok != delim {
		return mustBe(path, want, tok)
	}
	return nil
}

// str reads a string.
func (ps *parser) str(path string) (string, error) {
	tok, err := ps.token()
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", mustBe(path, "a string", tok)
	}
	return s, nil
}

// nonEmpty reads a string that is not empty.
func (ps *parser) nonEmpty(path string) (string, error) {
	s, err := ps.str(path)
	if err == nil && s == "" {
		err = fail(path, "must not be empty")
	}
	return s, err
}

// boolean reads true or false.
func (ps *parser) boolean(path string) (bool, error) {
	tok, err := ps.token()
	if err != nil {
		return false, err
	}
	b, ok := tok.(bool)
	if !ok {
		return false, mustBe(path, "true or false", tok)
	}
	return b, nil
}

// whole reads a whole number from lo to hi (math.MaxInt: no upper bound), written without a
// fraction or exponent.
func (ps *parser) whole(path string, lo, hi int) (int, error) {
	want := fmt.Sprintf("a whole number from %d", lo)
	if hi != math.MaxInt {
		want += fmt.Sprintf(" to %d", hi)
	}
	tok, err := ps.token()
	if err != nil {
		return 0, err
	}
	num, ok := tok.(json.Number)
	if !ok {
		return 0, mustBe(path, want, tok)
	}
	n, err := strconv.Atoi(string(num))
	if err != nil || n < lo || n > hi {
		return 0, fail(path, "must be %s", want)
	}
	return n, nil
}

// days reads a withinDays value.
func (ps *parser) days(path string) (int, error) { return ps.whole(path, 1, maxDays) }

// maxDays is the longest window, ten years.
const maxDays = 3650

// date reads a day, YYYY-MM-DD, as its start in UTC.
func (ps *parser) date(path string) (time.Time, error) {
	s, err := ps.str(path)
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fail(path, "must be a date such as \"2026-01-31\"")
	}
	return t, nil
}

// token reads the next token, turning malformed JSON into an *Error.
func (ps *parser) token() (json.Token, error) {
	tok, err := ps.dec.Token()
	if err == nil {
		return tok, nil
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fail("", "not valid JSON: unexpected end")
	}
	if se, ok := err.(*json.SyntaxError); ok {
		return nil, fail("", "not valid JSON at offset %d: %s", se.Offset, se)
	}
	return nil, fail("", "not valid JSON: %s", err)
}

// mustBe reports a value of the wrong JSON type.
func mustBe(path, want string, tok json.Token) error {
	var got string
	switch tok := tok.(type) {
	case nil:
		got = "null"
	case string:
		got = "a string"
	case json.Number:
		got = "a number"
	case bool:
		got = "a boolean"
	case json.Delim:
		if tok == '{' {
			got = "an object"
		} else {
			got = "an array"
		}
	}
	return fail(path, "must be %s, not %s", want, got)
}

func fail(path, format string, args ...any) error {
	return &Error{Path: path, Problem: fmt.Sprintf(format, args...)}
}

// join appends a key to a path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
