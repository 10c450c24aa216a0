// Package fault defines the kinds of domain error that handlers map to responses: an HTTP
// status for the API, "dead-letter without retry" or "retry" for events.
package fault

import (
	"errors"
	"fmt"
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
