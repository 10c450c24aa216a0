package pattern

import (
	"errors"
	"fmt"
)

// anythingBut matches any leaf value, of any type, that none of its conditions matches.
type anythingBut []condition

func (c anythingBut) match(v any) bool {
	for _, excluded := range c {
		if excluded.match(v) {
			return false
		}
	}
	return true
}

// anythingButOperators compile the strings of {"anything-but": {"<operator>": "s" or ["s", ...]}}.
var anythingButOperators = map[string]func(s string) (condition, error){
	"prefix":             nonEmpty(func(s string) condition { return prefix(s) }),
	"suffix":             nonEmpty(func(s string) condition { return suffix(s) }),
	"equals-ignore-case": func(s string) (condition, error) { return equalsFold(s), nil },
	"wildcard":           func(s string) (condition, error) { return parseWildcard(s) },
}

// compileAnythingBut compiles {"anything-but": arg}: a string, a number, a list of strings or of
// numbers, or an object applying prefix, suffix, equals-ignore-case or wildcard to a string or a
// list of strings.
func compileAnythingBut(arg any) (condition, error) {
	switch a := arg.(type) {
	case map[string]any:
		return anythingButOperator(a)
	case []any:
		return anythingButList(a)
	}
	c, err := anythingButValue(arg)
	if err != nil {
		return nil, err
	}
	return anythingBut{c}, nil
}

// anythingButValue compiles one excluded value, a string or a number.
func anythingButValue(v any) (condition, error) {
	if _, ok := v.(string); !ok {
		if _, ok := toNumber(v); !ok {
			return nil, fmt.Errorf("values must be strings or numbers, not %s", describe(v))
		}
	}
	return exact(v)
}

// anythingButList compiles a non-empty list of excluded strings, or of excluded numbers.
func anythingButList(list []any) (condition, error) {
	if len(list) == 0 {
		return nil, errors.New("empty array")
	}
	c := make(anythingBut, len(list))
	for i, v := range list {
		var err error
		if c[i], err = anythingButValue(v); err != nil {
			return nil, err
		}
		if isStringValue(v) != isStringValue(list[0]) {
			return nil, errors.New("a list must hold only strings or only numbers")
		}
	}
	return c, nil
}

// anythingButOperator compiles {"<operator>": "s" or ["s", ...]}.
func anythingButOperator(op map[string]any) (condition, error) {
	name, arg, err := single(op)
	if err != nil {
		return nil, err
	}
	compile, ok := anythingButOperators[name]
	if !ok {
		return nil, fmt.Errorf("unsupported operator %q", name)
	}
	strs, err := stringArgs(arg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c := make(anythingBut, len(strs))
	for i, s := range strs {
		if c[i], err = compile(s); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return c, nil
}

// stringArgs returns the argument of an anything-but operator: a string or a non-empty list of
// them.
func stringArgs(arg any) ([]string, error) {
	switch a := arg.(type) {
	case string:
		return []string{a}, nil
	case []any:
		if len(a) == 0 {
			return nil, errors.New("empty array")
		}
		strs := make([]string, len(a))
		for i, v := range a {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("values must be strings, not %s", describe(v))
			}
			strs[i] = s
		}
		return strs, nil
	}
	return nil, fmt.Errorf("must be a string or an array of strings, not %s", describe(arg))
}

// nonEmpty wraps a compiler of a prefix or suffix, which must not be empty.
func nonEmpty(compile func(string) condition) func(string) (condition, error) {
	return func(s string) (condition, error) {
		if s == "" {
			return nil, errors.New("must not be empty")
		}
		return compile(s), nil
	}
}

// isStringValue reports whether v is a string.
func isStringValue(v any) bool {
	_, ok := v.(string)
	return ok
}
