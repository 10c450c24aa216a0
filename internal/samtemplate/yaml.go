package samtemplate

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// shortForms maps CloudFormation's YAML short-form tags to the key of their long form.
var shortForms = map[string]string{
	"!Ref":         "Ref",
	"!Condition":   "Condition",
	"!GetAtt":      "Fn::GetAtt",
	"!Sub":         "Fn::Sub",
	"!Join":        "Fn::Join",
	"!If":          "Fn::If",
	"!Equals":      "Fn::Equals",
	"!Not":         "Fn::Not",
	"!And":         "Fn::And",
	"!Or":          "Fn::Or",
	"!Select":      "Fn::Select",
	"!Split":       "Fn::Split",
	"!FindInMap":   "Fn::FindInMap",
	"!ImportValue": "Fn::ImportValue",
	"!GetAZs":      "Fn::GetAZs",
	"!Base64":      "Fn::Base64",
	"!Cidr":        "Fn::Cidr",
}

// decodeYAML parses a YAML document into plain values (map[string]any, []any, string, int,
// float64, bool, nil) with every short-form tag rewritten to its long form.
func decodeYAML(data []byte) (any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	return plain(&doc)
}

func plain(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return plain(n.Content[0])
	case yaml.AliasNode:
		return plain(n.Alias)
	}
	tag := n.ShortTag()
	if !strings.HasPrefix(tag, "!") || strings.HasPrefix(tag, "!!") {
		return untagged(n)
	}
	long, ok := shortForms[tag]
	if !ok {
		return nil, fmt.Errorf("line %d: unknown tag %s", n.Line, tag)
	}
	return shortForm(n, tag, long)
}

// untagged converts a node that carries no CloudFormation tag.
func untagged(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.MappingNode:
		return mapping(n)
	case yaml.SequenceNode:
		return sequence(n)
	default:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return v, nil
	}
}

func mapping(n *yaml.Node) (map[string]any, error) {
	m := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i]
		if key.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: mapping key is not a scalar", key.Line)
		}
		if _, dup := m[key.Value]; dup {
			return nil, fmt.Errorf("line %d: duplicate key %q", key.Line, key.Value)
		}
		v, err := plain(n.Content[i+1])
		if err != nil {
			return nil, err
		}
		m[key.Value] = v
	}
	return m, nil
}

func sequence(n *yaml.Node) ([]any, error) {
	s := make([]any, 0, len(n.Content))
	for _, item := range n.Content {
		v, err := plain(item)
		if err != nil {
			return nil, err
		}
		s = append(s, v)
	}
	return s, nil
}

// shortForm turns a node tagged with a short form (!Sub "x") into its long form ({"Fn::Sub": "x"}).
func shortForm(n *yaml.Node, tag, long string) (any, error) {
	var arg any
	var err error
	switch n.Kind {
	case yaml.MappingNode:
		arg, err = mapping(n)
	case yaml.SequenceNode:
		arg, err = sequence(n)
	default:
		arg = n.Value
	}
	if err != nil {
		return nil, err
	}
	if s, ok := arg.(string); ok && tag == "!GetAtt" {
		resource, attr, found := strings.Cut(s, ".")
		if !found {
			return nil, fmt.Errorf("line %d: !GetAtt %q: want Resource.Attribute", n.Line, s)
		}
		arg = []any{resource, attr}
	}
	return map[string]any{long: arg}, nil
}
