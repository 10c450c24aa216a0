package pattern

import (
	"fmt"
	"slices"
)

// leaf is a compiled array of values: the field matches if any of them does.
type leaf struct {
	conds []condition
	// exists and absent are set by {"exists": true} and {"exists": false}.
	exists, absent bool
}

// compileLeaf compiles the array of values found at path.
func compileLeaf(values []any, path string) (*leaf, error) {
	if len(values) == 0 {
		return nil, errorf(path, "empty array")
	}
	l := &leaf{}
	for _, v := range values {
		if err := l.add(v, path); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// add compiles one value of the array: an operator object or a value to match exactly.
func (l *leaf) add(v any, path string) error {
	op, ok := v.(map[string]any)
	if !ok {
		c, err := exact(v)
		if err != nil {
			return errorf(path, "%v", err)
		}
		l.conds = append(l.conds, c)
		return nil
	}
	name, arg, err := single(op)
	if err != nil {
		return errorf(path, "%v", err)
	}
	if name == "exists" {
		return l.addExists(arg, path)
	}
	compile, ok := operators[name]
	if !ok {
		return errorf(path, "unknown operator %q", name)
	}
	c, err := compile(arg)
	if err != nil {
		return errorf(path, "%s: %v", name, err)
	}
	l.conds = append(l.conds, c)
	return nil
}

// addExists compiles {"exists": arg}.
func (l *leaf) addExists(arg any, path string) error {
	b, ok := arg.(bool)
	if !ok {
		return errorf(path, "exists: must be true or false, not %s", describe(arg))
	}
	if b {
		l.exists = true
	} else {
		l.absent = true
	}
	return nil
}

// single returns the only key of an operator object and its argument.
func single(op map[string]any) (string, any, error) {
	for name, arg := range op {
		if len(op) == 1 {
			return name, arg, nil
		}
	}
	return "", nil, fmt.Errorf("an operator object must have exactly one key, not %d", len(op))
}

// absenceOnly reports whether the leaf is only {"exists": false}.
func (l *leaf) absenceOnly() bool {
	return l.absent && !l.exists && len(l.conds) == 0
}

// match reports whether v, the event's value for the field, matches. An object has no value, and
// neither has an array without leaf values: only {"exists": false} matches them.
func (l *leaf) match(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		return l.absent
	case []any:
		matched, present := l.matchArray(v)
		return matched || !present && l.absent
	default:
		return l.matchValue(v)
	}
}

// matchArray reports whether a leaf value of the array (searched through nested arrays) matches,
// and whether the array holds any leaf value at all.
func (l *leaf) matchArray(a []any) (matched, present bool) {
	for _, e := range a {
		switch e := e.(type) {
		case map[string]any:
		case []any:
			m, p := l.matchArray(e)
			if m {
				return true, true
			}
			present = present || p
		default:
			if l.matchValue(e) {
				return true, true
			}
			present = true
		}
	}
	return false, present
}

// matchValue reports whether the leaf value v matches.
func (l *leaf) matchValue(v any) bool {
	return l.exists || slices.ContainsFunc(l.conds, func(c condition) bool { return c.match(v) })
}
