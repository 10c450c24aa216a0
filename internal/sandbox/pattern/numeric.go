package pattern

import (
	"errors"
	"fmt"
)

// numericRange matches a number between its bounds.
type numericRange struct {
	lower, upper bound
}

// bound is one end of a numeric range; an unset bound is unlimited.
type bound struct {
	value     float64
	set, open bool
}

// compileNumeric compiles {"numeric": [...]}: ["=", x], a lower bound [">" or ">=", x], an upper
// bound ["<" or "<=", y], or a lower bound followed by an upper one, x < y.
func compileNumeric(arg any) (condition, error) {
	terms, ok := arg.([]any)
	if !ok {
		return nil, fmt.Errorf("must be an array, not %s", describe(arg))
	}
	op, x, rest, err := comparison(terms)
	if err != nil {
		return nil, err
	}
	var r numericRange
	switch op {
	case "=":
		r = numericRange{lower: bound{value: x, set: true}, upper: bound{value: x, set: true}}
	case "<", "<=":
		r.upper = bound{value: x, set: true, open: op == "<"}
	default:
		r.lower = bound{value: x, set: true, open: op == ">"}
		if len(rest) > 0 {
			return r.withUpper(rest)
		}
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("nothing may follow %q %v", op, x)
	}
	return r, nil
}

// withUpper completes a range that has a lower bound with the upper bound in terms.
func (r numericRange) withUpper(terms []any) (condition, error) {
	op, y, rest, err := comparison(terms)
	switch {
	case err != nil:
		return nil, err
	case op != "<" && op != "<=":
		return nil, fmt.Errorf("the second comparison must be < or <=, not %q", op)
	case len(rest) > 0:
		return nil, errors.New("at most two comparisons are allowed")
	case y <= r.lower.value:
		return nil, fmt.Errorf("the lower bound %v must be less than the upper bound %v", r.lower.value, y)
	}
	r.upper = bound{value: y, set: true, open: op == "<"}
	return r, nil
}

// comparison parses an operator and its number at the start of terms, and returns what follows.
func comparison(terms []any) (op string, x float64, rest []any, err error) {
	if len(terms) < 2 {
		return "", 0, nil, errors.New(`expected an operator ("=", "<", "<=", ">" or ">=") and a number`)
	}
	op, ok := terms[0].(string)
	switch {
	case !ok:
		return "", 0, nil, fmt.Errorf("expected an operator, not %s", describe(terms[0]))
	case op != "=" && op != "<" && op != "<=" && op != ">" && op != ">=":
		return "", 0, nil, fmt.Errorf("unknown operator %q", op)
	}
	n, ok := toNumber(terms[1])
	if !ok || !n.finite {
		return "", 0, nil, fmt.Errorf("%q must be followed by a finite number, not %s", op, describe(terms[1]))
	}
	return op, n.f, terms[2:], nil
}

func (r numericRange) match(v any) bool {
	n, ok := toNumber(v)
	return ok && n.finite && r.aboveLower(n.f) && r.belowUpper(n.f)
}

// aboveLower reports whether x satisfies the lower bound.
func (r numericRange) aboveLower(x float64) bool {
	l := r.lower
	return !l.set || x > l.value || !l.open && x == l.value
}

// belowUpper reports whether x satisfies the upper bound.
func (r numericRange) belowUpper(x float64) bool {
	u := r.upper
	return !u.set || x < u.value || !u.open && x == u.value
}
