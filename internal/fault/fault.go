// Package fault defines the kinds of domain error that handlers map to responses: an HTTP
// status for the API, "dead-letter without retry" or "retry" for events.
package fault

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Kinds of error. Wrap them with %w; test with errors.Is.
var (
	// ErrInvalid: invalid input; retrying the same input cannot succeed.
	ErrInvalid = errors.New("invalid")
	// ErrNotFound: the thing asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the write lost a race or the state does not allow it.
	ErrConflict = errors.New("conflict")
	// ErrTooLarge: the input is over a size limit.
	ErrTooLarge = errors.New("too large")
	// ErrUnsupported: the input is in a format that is not taken.
	ErrUnsupported = errors.New("unsupported format")
)

// Problems collects every problem found in one input so that the sender sees all of them at
// once rather than one per attempt.
type Problems struct {
	what  string
	items []string
}

// NewProblems starts a list of problems with the input it is about, e.g. "order event".
func NewProblems(what string) *Problems { return &Problems{what: what} }

// Add records a problem with a field; the message follows the field name, e.g.
// Add("orderId", "is required").
func (p *Problems) Add(field, format string, args ...any) {
	p.items = append(p.items, field+" "+fmt.Sprintf(format, args...))
}

// Err returns nil when no problem was recorded, else an error of kind ErrInvalid listing them.
func (p *Problems) Err() error {
	if len(p.items) == 0 {
		return nil
	}
	return fmt.Errorf("%w %s: %s", ErrInvalid, p.what, strings.Join(p.items, "; "))
}

// FieldError is input with problems, by JSON path ("email", "sale.products[2].salePrice"; ""
// for the input as a whole), all found at once. It wraps ErrInvalid; the API answers its
// Fields (FieldProblems).
type FieldError struct {
	What   string // what the input is, e.g. "contact"
	Fields map[string]string
}

func (e *FieldError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		if k == "" {
			parts[i] = e.Fields[k]
			continue
		}
		parts[i] = k + ": " + e.Fields[k]
	}
	return "invalid " + e.What + ": " + strings.Join(parts, "; ")
}

// Unwrap returns ErrInvalid: the same input can never pass.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// FieldProblems returns the problems by field, for the API's error answer.
func (e *FieldError) FieldProblems() map[string]string { return e.Fields }

// Add records the first problem of a field (the first is the one to fix first).
func (e *FieldError) Add(field, problem string) {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = problem
	}
}

// Err returns e when it holds a problem, else nil.
func (e *FieldError) Err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}
