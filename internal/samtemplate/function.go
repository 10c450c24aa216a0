package samtemplate

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// FunctionType is the resource type of a SAM function.
const FunctionType = "AWS::Serverless::Function"

// Function is an AWS::Serverless::Function with the Globals.Function section merged in, the way
// SAM merges it: the function's own scalar properties win, mappings (such as
// Environment.Variables) are merged key by key, lists are concatenated.
type Function struct {
	LogicalID     string
	CodeURI       string
	Handler       string
	Runtime       string
	Architectures []string
	// Timeout is in seconds and MemorySize in MB; 0 when not given.
	Timeout    int
	MemorySize int
	// Environment holds the environment variables, unresolved (see Env).
	Environment map[string]any
	// Metadata is the resource's Metadata (BuildMethod...), nil when absent.
	Metadata map[string]any
	// EventInvokeConfig is the EventInvokeConfig property, nil when absent.
	EventInvokeConfig map[string]any
	// Events are the event sources, sorted by name.
	Events []Event
	// Properties are all the merged properties, unresolved.
	Properties map[string]any

	template *Template
}

// Event is an event source of a function.
type Event struct {
	Name       string
	Type       string
	Properties map[string]any
}

// Functions returns the template's AWS::Serverless::Function resources, sorted by logical ID.
func (t *Template) Functions() ([]Function, error) {
	global, err := optMap(t.Globals["Function"], "Globals.Function")
	if err != nil {
		return nil, err
	}
	var fns []Function
	for _, id := range t.ResourcesOfType(FunctionType) {
		r := t.Resources[id]
		props, _ := mergeGlobal(global, r.Properties).(map[string]any)
		fn, err := newFunction(id, props, r.Metadata)
		if err != nil {
			return nil, fmt.Errorf("function %s: %w", id, err)
		}
		fn.template = t
		fns = append(fns, fn)
	}
	return fns, nil
}

func newFunction(id string, props, metadata map[string]any) (Function, error) {
	fn := Function{LogicalID: id, Properties: props, Metadata: metadata}
	var err error
	for key, dst := range map[string]*string{"CodeUri": &fn.CodeURI, "Handler": &fn.Handler, "Runtime": &fn.Runtime} {
		if *dst, err = optString(props, key); err != nil {
			return Function{}, err
		}
	}
	for key, dst := range map[string]*int{"Timeout": &fn.Timeout, "MemorySize": &fn.MemorySize} {
		if *dst, err = optInt(props, key); err != nil {
			return Function{}, err
		}
	}
	if fn.Architectures, err = optStrings(props, "Architectures"); err != nil {
		return Function{}, err
	}
	if fn.Environment, err = environment(props["Environment"]); err != nil {
		return Function{}, err
	}
	if fn.EventInvokeConfig, err = optMap(props["EventInvokeConfig"], "EventInvokeConfig"); err != nil {
		return Function{}, err
	}
	if fn.Events, err = events(props["Events"]); err != nil {
		return Function{}, err
	}
	return fn, nil
}

func environment(v any) (map[string]any, error) {
	env, err := optMap(v, "Environment")
	if err != nil {
		return nil, err
	}
	vars, err := optMap(env["Variables"], "Environment.Variables")
	if err != nil {
		return nil, err
	}
	if vars == nil {
		vars = map[string]any{}
	}
	return vars, nil
}

func events(v any) ([]Event, error) {
	section, err := optMap(v, "Events")
	if err != nil {
		return nil, err
	}
	var evs []Event
	for _, name := range slices.Sorted(maps.Keys(section)) {
		ev, err := event(name, section[name])
		if err != nil {
			return nil, fmt.Errorf("event %s: %w", name, err)
		}
		evs = append(evs, ev)
	}
	return evs, nil
}

func event(name string, v any) (Event, error) {
	m, err := optMap(v, "definition")
	if err != nil {
		return Event{}, err
	}
	ev := Event{Name: name}
	if ev.Type, err = optString(m, "Type"); err != nil {
		return Event{}, err
	}
	if ev.Type == "" {
		return Event{}, errors.New("no Type")
	}
	if ev.Properties, err = optMap(m["Properties"], "Properties"); err != nil {
		return Event{}, err
	}
	if ev.Properties == nil {
		ev.Properties = map[string]any{}
	}
	return ev, nil
}

// Env resolves the function's environment variables (see Template.Resolve). A variable that
// resolves to AWS::NoValue is left out.
func (f Function) Env(r Resolver) (map[string]string, error) {
	env := make(map[string]string, len(f.Environment))
	var errs []string
	for _, name := range slices.Sorted(maps.Keys(f.Environment)) {
		v, err := f.template.Resolve(f.Environment[name], r)
		if err == nil && v == nil {
			continue
		}
		if err == nil {
			env[name], err = scalarString(v)
		}
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", name, err))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("function %s: environment: %s", f.LogicalID, strings.Join(errs, "; "))
	}
	return env, nil
}

// mergeGlobal merges a global value under a resource's own value, the way SAM does: mappings
// are merged recursively, lists concatenated (global first), and otherwise (scalars, intrinsic
// functions, different kinds) the local value wins.
func mergeGlobal(global, local any) any {
	gm, gIsMap := global.(map[string]any)
	lm, lIsMap := local.(map[string]any)
	if gIsMap && lIsMap && !isIntrinsic(gm) && !isIntrinsic(lm) {
		merged := make(map[string]any, len(gm)+len(lm))
		maps.Copy(merged, gm)
		for k, l := range lm {
			if g, ok := merged[k]; ok {
				merged[k] = mergeGlobal(g, l)
			} else {
				merged[k] = l
			}
		}
		return merged
	}
	gl, gIsList := global.([]any)
	ll, lIsList := local.([]any)
	if gIsList && lIsList {
		return slices.Concat(gl, ll)
	}
	return local
}

func isIntrinsic(m map[string]any) bool {
	_, ok := intrinsicName(m)
	return ok
}
