package samtemplate

import (
	"fmt"
	"strconv"
)

// optMap returns v as a map, or nil when v is nil.
func optMap(v any, what string) (map[string]any, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: want a mapping, got %s", what, describe(v))
	}
	return m, nil
}

// optString returns m[key] as a string, or "" when absent.
func optString(m map[string]any, key string) (string, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s: want a string, got %s", key, describe(v))
	}
	return s, nil
}

// optInt returns m[key] as an int, or 0 when absent.
func optInt(m map[string]any, key string) (int, error) {
	switch v := m[key].(type) {
	case nil:
		return 0, nil
	case int:
		return v, nil
	case string:
		if n, err := strconv.Atoi(v); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("%s: want an integer, got %s", key, describe(m[key]))
}

// optStrings returns m[key] as a list of strings (scalars are converted), or nil when absent.
func optStrings(m map[string]any, key string) ([]string, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: want a list, got %s", key, describe(v))
	}
	out := make([]string, len(list))
	for i, item := range list {
		s, err := scalarString(item)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", key, i, err)
		}
		out[i] = s
	}
	return out, nil
}

// scalarString converts a string, number or boolean to the string CloudFormation would see.
func scalarString(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case int:
		return strconv.Itoa(v), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(v), nil
	}
	return "", fmt.Errorf("want a string, number or boolean, got %s", describe(v))
}

// describe names a value's kind for error messages, showing intrinsic functions by name.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "nothing"
	case map[string]any:
		if name, ok := intrinsicName(v); ok {
			return name
		}
		return "a mapping"
	case []any:
		return fmt.Sprintf("a list of %d values", len(v))
	default:
		return fmt.Sprintf("%T %v", v, v)
	}
}
