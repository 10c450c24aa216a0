package pattern

import (
	"fmt"
	"maps"
	"slices"
)

// orKey is the field name that introduces alternative sub-patterns.
const orKey = "$or"

// maxCombinations is how many combinations of $or branches a pattern may expand to: PutRule
// rejects a pattern beyond it (eb-create-pattern-operators.html, "$or matching").
const maxCombinations = 1000

// object is a compiled pattern object: every field must match, and one branch of every $or.
type object struct {
	fields []field
	ors    [][]*object
	// absenceOnly is set when every condition in the object is {"exists": false}.
	absenceOnly bool
}

// field is a named field of a pattern object: a nested object or a leaf list of values.
type field struct {
	name  string
	child *object
	leaf  *leaf
}

// compileObject compiles the pattern object m found at path.
func compileObject(m map[string]any, path string) (*object, error) {
	if len(m) == 0 {
		return nil, errorf(path, "empty object")
	}
	o := &object{}
	for _, name := range slices.Sorted(maps.Keys(m)) {
		if err := o.add(name, m[name], join(path, name)); err != nil {
			return nil, err
		}
	}
	o.absenceOnly = o.onlyAbsence()
	return o, nil
}

// add compiles the field name, whose pattern is v.
func (o *object) add(name string, v any, path string) error {
	if name == orKey {
		branches, err := compileOr(v, path)
		if err != nil {
			return err
		}
		o.ors = append(o.ors, branches)
		return nil
	}
	f := field{name: name}
	var err error
	switch v := v.(type) {
	case map[string]any:
		f.child, err = compileObject(v, path)
	case []any:
		f.leaf, err = compileLeaf(v, path)
	default:
		err = errorf(path, "must be an object or an array of values, not %s", describe(v))
	}
	if err != nil {
		return err
	}
	o.fields = append(o.fields, f)
	return nil
}

// compileOr compiles the branches of a $or.
func compileOr(v any, path string) ([]*object, error) {
	list, ok := v.([]any)
	if !ok || len(list) < 2 {
		return nil, errorf(path, "must be an array of at least two pattern objects")
	}
	branches := make([]*object, len(list))
	for i, b := range list {
		at := fmt.Sprintf("%s[%d]", path, i)
		m, ok := b.(map[string]any)
		if !ok {
			return nil, errorf(at, "must be a pattern object, not %s", describe(b))
		}
		var err error
		if branches[i], err = compileObject(m, at); err != nil {
			return nil, err
		}
	}
	return branches, nil
}

// onlyAbsence reports whether every condition of o is {"exists": false}.
func (o *object) onlyAbsence() bool {
	for _, f := range o.fields {
		if f.child != nil && !f.child.absenceOnly || f.leaf != nil && !f.leaf.absenceOnly() {
			return false
		}
	}
	for _, branches := range o.ors {
		for _, b := range branches {
			if !b.absenceOnly {
				return false
			}
		}
	}
	return true
}

// combinations returns how many combinations of $or branches o expands to, capped just above
// maxCombinations.
func (o *object) combinations() int {
	n := 1
	for _, f := range o.fields {
		if f.child != nil {
			n = capped(n * f.child.combinations())
		}
	}
	for _, branches := range o.ors {
		sum := 0
		for _, b := range branches {
			sum = capped(sum + b.combinations())
		}
		n = capped(n * sum)
	}
	return n
}

// capped limits n to maxCombinations+1, which keeps the products in combinations from overflowing.
func capped(n int) int {
	return min(n, maxCombinations+1)
}

// match reports whether v, the event's value where o sits, matches o.
func (o *object) match(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		return o.matchFields(v)
	case []any:
		return o.matchArray(v)
	default:
		// A leaf has no fields: they are all absent.
		return o.matchFields(nil)
	}
}

// matchArray matches o against the elements of an array: one of them must match, or all of them
// when o only asks for fields to be absent. An empty array is no value at all.
func (o *object) matchArray(a []any) bool {
	if len(a) == 0 {
		return o.matchFields(nil)
	}
	if o.absenceOnly {
		return !slices.ContainsFunc(a, func(e any) bool { return !o.match(e) })
	}
	return slices.ContainsFunc(a, o.match)
}

// matchFields reports whether the fields of an event object (nil for none) match o.
func (o *object) matchFields(m map[string]any) bool {
	for _, f := range o.fields {
		if !f.match(m) {
			return false
		}
	}
	for _, branches := range o.ors {
		if !slices.ContainsFunc(branches, func(b *object) bool { return b.matchFields(m) }) {
			return false
		}
	}
	return true
}

// match reports whether the field matches in the event object m.
func (f field) match(m map[string]any) bool {
	v, ok := m[f.name]
	switch {
	case f.child != nil && ok:
		return f.child.match(v)
	case f.child != nil:
		return f.child.matchFields(nil)
	case ok:
		return f.leaf.match(v)
	default:
		return f.leaf.absent
	}
}

// join returns the path of the field name inside the object at path.
func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// describe names the JSON type of a decoded value, for errors.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	if _, ok := toNumber(v); ok {
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}
