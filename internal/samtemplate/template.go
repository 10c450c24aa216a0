// Package samtemplate reads the project's SAM template (template.yaml), the single source of
// truth for the table, the functions and their configuration, so that tests and the local
// sandbox never repeat what it says.
//
// Short-form intrinsic tags (!Ref, !Sub, !GetAtt...) are rewritten to their long form
// ({"Ref": x}, {"Fn::Sub": x}, {"Fn::GetAtt": [a, b]}...), so the template is made of plain
// values: map[string]any, []any, string, int, float64, bool and nil.
package samtemplate

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// FileName is the name of the template in the repository root.
const FileName = "template.yaml"

// Template is a parsed SAM or CloudFormation template.
type Template struct {
	// Dir is the directory holding the template; CodeUri paths are relative to it.
	Dir        string
	Parameters map[string]Parameter
	Mappings   map[string]any
	Conditions map[string]any
	Globals    map[string]any
	Resources  map[string]Resource
	Outputs    map[string]any
}

// Parameter is a template parameter.
type Parameter struct {
	Type        string
	Description string
	// Default is the default value; HasDefault tells an empty default from none.
	Default       string
	HasDefault    bool
	AllowedValues []string
}

// Resource is a template resource; Properties and Metadata are nil when absent.
type Resource struct {
	Type       string
	Condition  string
	Properties map[string]any
	Metadata   map[string]any
}

// Load reads and parses the template at path.
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load template: %w", err)
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("load template %s: %w", path, err)
	}
	t.Dir = filepath.Dir(path)
	return t, nil
}

// Default loads the repository's template.yaml, found with Path.
func Default() (*Template, error) {
	path, err := Path()
	if err != nil {
		return nil, err
	}
	return Load(path)
}

// Path returns the path of template.yaml in the repository root (see FindRoot).
func Path() (string, error) {
	root, err := FindRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, FileName), nil
}

// FindRoot returns the repository root: the nearest directory, from the current directory up,
// that holds go.mod. Tests run in their package's directory, so it works from any package.
func FindRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find repository root: %w", err)
	}
	for start := dir; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("find repository root: %w", err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("find repository root: no go.mod in %s or any parent directory", start)
		}
		dir = parent
	}
}

// Parse parses a template from YAML (JSON being YAML, JSON templates parse too). The returned
// template's Dir is empty.
func Parse(data []byte) (*Template, error) {
	doc, err := decodeYAML(data)
	if err != nil {
		return nil, err
	}
	root, err := optMap(doc, "template")
	if err != nil {
		return nil, err
	}
	t := &Template{}
	if t.Parameters, err = parameters(root["Parameters"]); err != nil {
		return nil, err
	}
	if t.Resources, err = resources(root["Resources"]); err != nil {
		return nil, err
	}
	for name, dst := range map[string]*map[string]any{
		"Mappings": &t.Mappings, "Conditions": &t.Conditions, "Globals": &t.Globals, "Outputs": &t.Outputs,
	} {
		if *dst, err = optMap(root[name], name); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func parameters(v any) (map[string]Parameter, error) {
	section, err := optMap(v, "Parameters")
	if err != nil {
		return nil, err
	}
	params := make(map[string]Parameter, len(section))
	for name, def := range section {
		p, err := parameter(def)
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", name, err)
		}
		params[name] = p
	}
	return params, nil
}

func parameter(v any) (Parameter, error) {
	m, err := optMap(v, "definition")
	if err != nil {
		return Parameter{}, err
	}
	var p Parameter
	if p.Type, err = optString(m, "Type"); err != nil {
		return Parameter{}, err
	}
	if p.Description, err = optString(m, "Description"); err != nil {
		return Parameter{}, err
	}
	if def, ok := m["Default"]; ok {
		if p.Default, err = scalarString(def); err != nil {
			return Parameter{}, fmt.Errorf("Default: %w", err)
		}
		p.HasDefault = true
	}
	if p.AllowedValues, err = optStrings(m, "AllowedValues"); err != nil {
		return Parameter{}, err
	}
	return p, nil
}

func resources(v any) (map[string]Resource, error) {
	section, err := optMap(v, "Resources")
	if err != nil {
		return nil, err
	}
	res := make(map[string]Resource, len(section))
	for id, def := range section {
		r, err := resource(def)
		if err != nil {
			return nil, fmt.Errorf("resource %s: %w", id, err)
		}
		res[id] = r
	}
	return res, nil
}

func resource(v any) (Resource, error) {
	m, err := optMap(v, "definition")
	if err != nil {
		return Resource{}, err
	}
	var r Resource
	if r.Type, err = optString(m, "Type"); err != nil {
		return Resource{}, err
	}
	if r.Type == "" {
		return Resource{}, errors.New("no Type")
	}
	if r.Condition, err = optString(m, "Condition"); err != nil {
		return Resource{}, err
	}
	if r.Properties, err = optMap(m["Properties"], "Properties"); err != nil {
		return Resource{}, err
	}
	if r.Metadata, err = optMap(m["Metadata"], "Metadata"); err != nil {
		return Resource{}, err
	}
	return r, nil
}

// ResourcesOfType returns the logical IDs of the resources of the given type, sorted.
func (t *Template) ResourcesOfType(typ string) []string {
	var ids []string
	for id, r := range t.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}
