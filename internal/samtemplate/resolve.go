package samtemplate

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Resolver supplies what resolving intrinsic functions needs from outside the template.
type Resolver struct {
	// Params overrides parameter values; a parameter not in Params takes its Default.
	Params map[string]string
	// Resource returns the value of Ref for a resource (its physical ID: table name, queue URL,
	// function name...), or "" when it has none.
	Resource func(logicalID string) string
	// Attr returns the value of Fn::GetAtt for a resource attribute, or "" when it has none.
	Attr func(logicalID, attr string) string
	// Region, AccountID, Partition and StackName are the values of the AWS::Region,
	// AWS::AccountId, AWS::Partition and AWS::StackName pseudo parameters.
	Region, AccountID, Partition, StackName string
}

// noValue is what Ref AWS::NoValue resolves to: the property or list item that holds it is
// removed.
type noValue struct{}

// Resolve returns v with every intrinsic function replaced by its value. It resolves Ref
// (parameters, pseudo parameters and resources), Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select,
// Fn::Split, Fn::FindInMap, Fn::Base64 and Fn::If (evaluating the template's Conditions); the
// others (Fn::ImportValue, Fn::GetAZs, Fn::Cidr...) and anything the Resolver does not supply
// are errors that name the function and where in v it is. A value that resolves to
// AWS::NoValue is returned as nil.
func (t *Template) Resolve(v any, r Resolver) (any, error) {
	out, err := (&resolution{t: t, r: r}).value(v, "")
	if _, ok := out.(noValue); ok {
		return nil, err
	}
	return out, err
}

// ResolveString resolves v and requires the result to be a string, number or boolean, which it
// returns as a string.
func (t *Template) ResolveString(v any, r Resolver) (string, error) {
	out, err := t.Resolve(v, r)
	if err != nil {
		return "", err
	}
	return scalarString(out)
}

type resolution struct {
	t *Template
	r Resolver
	// conditions holds the conditions being evaluated, to report cycles.
	conditions []string
}

// value resolves v, found at path (a dotted path inside the value given to Resolve).
func (s *resolution) value(v any, path string) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		if name, ok := intrinsicName(v); ok && name != "Condition" {
			out, err := s.intrinsic(name, v[name])
			if err != nil {
				return nil, fmt.Errorf("%s%s: %w", at(path), name, err)
			}
			return out, nil
		}
		return s.mapping(v, path)
	case []any:
		return s.list(v, path)
	default:
		return v, nil
	}
}

func at(path string) string {
	if path == "" {
		return ""
	}
	return path + ": "
}

func (s *resolution) mapping(m map[string]any, path string) (map[string]any, error) {
	out := make(map[string]any, len(m))
	for k, item := range m {
		v, err := s.value(item, joinPath(path, k))
		if err != nil {
			return nil, err
		}
		if _, ok := v.(noValue); !ok {
			out[k] = v
		}
	}
	return out, nil
}

func (s *resolution) list(l []any, path string) ([]any, error) {
	out := make([]any, 0, len(l))
	for i, item := range l {
		v, err := s.value(item, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		if _, ok := v.(noValue); !ok {
			out = append(out, v)
		}
	}
	return out, nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// intrinsicName returns the function name when m is an intrinsic function call: a mapping with
// the single key Ref, Condition or Fn::*.
func intrinsicName(m map[string]any) (string, bool) {
	if len(m) != 1 {
		return "", false
	}
	for k := range m {
		if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
			return k, true
		}
	}
	return "", false
}

func (s *resolution) intrinsic(name string, arg any) (any, error) {
	switch name {
	case "Ref":
		return s.ref(arg)
	case "Fn::GetAtt":
		return s.getAtt(arg)
	case "Fn::Sub":
		return s.sub(arg)
	case "Fn::Join":
		return s.join(arg)
	case "Fn::Select":
		return s.selectItem(arg)
	case "Fn::Split":
		return s.split(arg)
	case "Fn::FindInMap":
		return s.findInMap(arg)
	case "Fn::Base64":
		return s.base64(arg)
	case "Fn::If":
		return s.ifThen(arg)
	}
	return nil, errors.New("cannot be resolved outside CloudFormation")
}

// stringList resolves arg and requires a list of n strings (numbers and booleans are converted).
func (s *resolution) stringList(arg any, n int) ([]string, error) {
	v, err := s.value(arg, "")
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if !ok || (n > 0 && len(list) != n) {
		want := "a list"
		if n > 0 {
			want = fmt.Sprintf("a list of %d values", n)
		}
		return nil, fmt.Errorf("want %s, got %s", want, describe(v))
	}
	out := make([]string, len(list))
	for i, item := range list {
		if out[i], err = scalarString(item); err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
	}
	return out, nil
}

// str resolves arg and requires a string (numbers and booleans are converted).
func (s *resolution) str(arg any) (string, error) {
	v, err := s.value(arg, "")
	if err != nil {
		return "", err
	}
	return scalarString(v)
}

func (s *resolution) ref(arg any) (any, error) {
	name, err := s.str(arg)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(name, "AWS::") {
		return s.pseudo(name)
	}
	if p, ok := s.t.Parameters[name]; ok {
		return s.parameter(name, p)
	}
	if _, ok := s.t.Resources[name]; ok {
		return s.physicalID(name)
	}
	return nil, fmt.Errorf("%s: no parameter or resource has that name", name)
}

func (s *resolution) pseudo(name string) (any, error) {
	fields := map[string]struct{ value, field string }{
		"AWS::Region":    {s.r.Region, "Region"},
		"AWS::AccountId": {s.r.AccountID, "AccountID"},
		"AWS::Partition": {s.r.Partition, "Partition"},
		"AWS::StackName": {s.r.StackName, "StackName"},
		"AWS::URLSuffix": {urlSuffix(s.r.Partition), "Partition"},
	}
	if name == "AWS::NoValue" {
		return noValue{}, nil
	}
	f, ok := fields[name]
	if !ok {
		return nil, fmt.Errorf("%s: pseudo parameter not supported", name)
	}
	if f.value == "" {
		return nil, fmt.Errorf("%s: Resolver.%s is empty", name, f.field)
	}
	return f.value, nil
}

func urlSuffix(partition string) string {
	switch partition {
	case "":
		return ""
	case "aws-cn":
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

func (s *resolution) parameter(name string, p Parameter) (any, error) {
	value, ok := s.r.Params[name]
	switch {
	case ok && len(p.AllowedValues) > 0 && !slices.Contains(p.AllowedValues, value):
		return nil, fmt.Errorf("%s: value %q is not one of %q", name, value, p.AllowedValues)
	case !ok && !p.HasDefault:
		return nil, fmt.Errorf("%s: parameter has no Default and Resolver.Params has no value for it", name)
	case !ok:
		value = p.Default
	}
	if p.Type == "CommaDelimitedList" || strings.HasPrefix(p.Type, "List<") {
		return toAny(strings.Split(value, ",")), nil
	}
	return value, nil
}

func (s *resolution) physicalID(logicalID string) (any, error) {
	if s.r.Resource == nil {
		return nil, fmt.Errorf("%s is a resource and Resolver.Resource is nil", logicalID)
	}
	id := s.r.Resource(logicalID)
	if id == "" {
		return nil, fmt.Errorf("%s: Resolver.Resource has no value for this resource", logicalID)
	}
	return id, nil
}

func (s *resolution) getAtt(arg any) (any, error) {
	if dotted, ok := arg.(string); ok {
		resource, attr, _ := strings.Cut(dotted, ".")
		arg = []any{resource, attr}
	}
	args, err := s.stringList(arg, 2)
	if err != nil {
		return nil, err
	}
	return s.attr(args[0], args[1])
}

func (s *resolution) attr(logicalID, attr string) (string, error) {
	if _, ok := s.t.Resources[logicalID]; !ok {
		return "", fmt.Errorf("%s.%s: no resource has that name", logicalID, attr)
	}
	if s.r.Attr == nil {
		return "", fmt.Errorf("%s.%s: Resolver.Attr is nil", logicalID, attr)
	}
	v := s.r.Attr(logicalID, attr)
	if v == "" {
		return "", fmt.Errorf("%s.%s: Resolver.Attr has no value for this attribute", logicalID, attr)
	}
	return v, nil
}

func (s *resolution) sub(arg any) (any, error) {
	format, vars, err := s.subArgs(arg)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	for rest := format; ; {
		before, after, found := strings.Cut(rest, "${")
		b.WriteString(before)
		if !found {
			return b.String(), nil
		}
		name, tail, closed := strings.Cut(after, "}")
		if !closed {
			return nil, fmt.Errorf("%q: unterminated ${", format)
		}
		v, err := s.subVariable(name, vars)
		if err != nil {
			return nil, fmt.Errorf("%q: ${%s}: %w", format, name, err)
		}
		b.WriteString(v)
		rest = tail
	}
}

// subArgs splits the argument of Fn::Sub, a string or a list [string, {name: value}], and
// resolves the variables' values.
func (s *resolution) subArgs(arg any) (string, map[string]string, error) {
	if format, ok := arg.(string); ok {
		return format, nil, nil
	}
	list, ok := arg.([]any)
	if !ok || len(list) != 2 {
		return "", nil, fmt.Errorf("want a string or [string, variables], got %s", describe(arg))
	}
	format, ok := list[0].(string)
	if !ok {
		return "", nil, fmt.Errorf("want a string as first argument, got %s", describe(list[0]))
	}
	m, err := optMap(list[1], "variables")
	if err != nil {
		return "", nil, err
	}
	vars := make(map[string]string, len(m))
	for name, v := range m {
		if vars[name], err = s.str(v); err != nil {
			return "", nil, fmt.Errorf("variable %s: %w", name, err)
		}
	}
	return format, vars, nil
}

// subVariable returns the value of ${name} in Fn::Sub: a variable, a literal (${!x} is "${x}"),
// a resource attribute (${Resource.Attr}) or what Ref name gives.
func (s *resolution) subVariable(name string, vars map[string]string) (string, error) {
	if v, ok := vars[name]; ok {
		return v, nil
	}
	if literal, ok := strings.CutPrefix(name, "!"); ok {
		return "${" + literal + "}", nil
	}
	if resource, attr, ok := strings.Cut(name, "."); ok {
		return s.attr(resource, attr)
	}
	v, err := s.ref(name)
	if err != nil {
		return "", err
	}
	return scalarString(v)
}

func (s *resolution) join(arg any) (any, error) {
	list, ok := arg.([]any)
	if !ok || len(list) != 2 {
		return nil, fmt.Errorf("want [delimiter, list], got %s", describe(arg))
	}
	delim, ok := list[0].(string)
	if !ok {
		return nil, fmt.Errorf("want a string delimiter, got %s", describe(list[0]))
	}
	items, err := s.stringList(list[1], 0)
	if err != nil {
		return nil, err
	}
	return strings.Join(items, delim), nil
}

func (s *resolution) selectItem(arg any) (any, error) {
	list, ok := arg.([]any)
	if !ok || len(list) != 2 {
		return nil, fmt.Errorf("want [index, list], got %s", describe(arg))
	}
	index, err := s.str(list[0])
	if err != nil {
		return nil, err
	}
	items, err := s.value(list[1], "")
	if err != nil {
		return nil, err
	}
	l, ok := items.([]any)
	i, convErr := strconv.Atoi(index)
	if !ok || convErr != nil || i < 0 || i >= len(l) {
		return nil, fmt.Errorf("index %s out of range of %s", index, describe(items))
	}
	return l[i], nil
}

func (s *resolution) split(arg any) (any, error) {
	args, err := s.stringList(arg, 2)
	if err != nil {
		return nil, err
	}
	return toAny(strings.Split(args[1], args[0])), nil
}

func (s *resolution) findInMap(arg any) (any, error) {
	keys, err := s.stringList(arg, 3)
	if err != nil {
		return nil, err
	}
	var v any = s.t.Mappings
	for _, key := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%q: no such entry in Mappings", keys)
		}
		if v, ok = m[key]; !ok {
			return nil, fmt.Errorf("%q: no such entry in Mappings", keys)
		}
	}
	return s.value(v, "")
}

func (s *resolution) base64(arg any) (any, error) {
	v, err := s.str(arg)
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString([]byte(v)), nil
}

func (s *resolution) ifThen(arg any) (any, error) {
	list, ok := arg.([]any)
	if !ok || len(list) != 3 {
		return nil, fmt.Errorf("want [condition, value if true, value if false], got %s", describe(arg))
	}
	name, ok := list[0].(string)
	if !ok {
		return nil, fmt.Errorf("want a condition name, got %s", describe(list[0]))
	}
	holds, err := s.condition(name)
	if err != nil {
		return nil, err
	}
	if holds {
		return s.value(list[1], "")
	}
	return s.value(list[2], "")
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
