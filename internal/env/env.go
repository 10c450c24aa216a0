// Package env reads a function's configuration from its environment, once, at start, and
// reports every missing or malformed setting at once, by name.
package env

import (
	"fmt"
	"strconv"
	"strings"
)

// Reader reads settings from a lookup function (os.LookupEnv, or a map in tests and the local
// sandbox) and collects the problems it meets.
type Reader struct {
	lookup   func(string) (string, bool)
	problems []string
}

// New returns a Reader over lookup.
func New(lookup func(string) (string, bool)) *Reader { return &Reader{lookup: lookup} }

// Map adapts a map to a lookup function.
func Map(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// String returns a required, non-blank setting.
func (r *Reader) String(name string) string {
	v, _ := r.lookup(name)
	if strings.TrimSpace(v) == "" {
		r.problems = append(r.problems, name+" is not set")
	}
	return strings.TrimSpace(v)
}

// Optional returns a setting, or def when it is unset or blank.
func (r *Reader) Optional(name, def string) string {
	if v, _ := r.lookup(name); strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

// Int returns an integer setting within [min, max], or def when it is unset.
func (r *Reader) Int(name string, def, min, max int) int {
	v := r.Optional(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		r.problems = append(r.problems, fmt.Sprintf("%s=%q is not a whole number from %d to %d", name, v, min, max))
		return def
	}
	return n
}

// Check records a problem with a setting found by the caller.
func (r *Reader) Check(ok bool, name, problem string) {
	if !ok {
		r.problems = append(r.problems, name+" "+problem)
	}
}

// Err returns every problem found, or nil.
func (r *Reader) Err() error {
	if len(r.problems) == 0 {
		return nil
	}
	return fmt.Errorf("configuration: %s", strings.Join(r.problems, "; "))
}
