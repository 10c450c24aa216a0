package samtemplate

import (
	"fmt"
	"slices"
)

// condition evaluates the template condition called name.
func (s *resolution) condition(name string) (bool, error) {
	def, ok := s.t.Conditions[name]
	if !ok {
		return false, fmt.Errorf("condition %s: not in Conditions", name)
	}
	if slices.Contains(s.conditions, name) {
		return false, fmt.Errorf("condition %s: refers to itself through %q", name, s.conditions)
	}
	s.conditions = append(s.conditions, name)
	defer func() { s.conditions = s.conditions[:len(s.conditions)-1] }()
	holds, err := s.conditionExpr(def)
	if err != nil {
		return false, fmt.Errorf("condition %s: %w", name, err)
	}
	return holds, nil
}

// conditionExpr evaluates a condition function: Fn::Equals, Fn::Not, Fn::And, Fn::Or or
// Condition.
func (s *resolution) conditionExpr(expr any) (bool, error) {
	m, _ := expr.(map[string]any)
	name, ok := intrinsicName(m)
	if !ok {
		return false, fmt.Errorf("want a condition function, got %s", describe(expr))
	}
	arg := m[name]
	switch name {
	case "Condition":
		ref, ok := arg.(string)
		if !ok {
			return false, fmt.Errorf("condition reference: want a name, got %s", describe(arg))
		}
		return s.condition(ref)
	case "Fn::Equals":
		values, err := s.stringList(arg, 2)
		if err != nil {
			return false, fmt.Errorf("%s: %w", name, err)
		}
		return values[0] == values[1], nil
	case "Fn::Not", "Fn::And", "Fn::Or":
		return s.logical(name, arg)
	}
	return false, fmt.Errorf("%s is not a condition function", name)
}

func (s *resolution) logical(name string, arg any) (bool, error) {
	operands, ok := arg.([]any)
	if !ok || len(operands) == 0 || (name == "Fn::Not" && len(operands) != 1) {
		return false, fmt.Errorf("%s: wrong operands: %s", name, describe(arg))
	}
	results := make([]bool, len(operands))
	for i, op := range operands {
		var err error
		if results[i], err = s.conditionExpr(op); err != nil {
			return false, fmt.Errorf("%s[%d]: %w", name, i, err)
		}
	}
	switch name {
	case "Fn::Not":
		return !results[0], nil
	case "Fn::And":
		return !slices.Contains(results, false), nil
	default:
		return slices.Contains(results, true), nil
	}
}
