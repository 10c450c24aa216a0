package money

import (
	"errors"
	"fmt"
)

// UnmarshalJSON accepts only a JSON number token, parsed as ParseDecimal does. A JSON null is
// an error here; a *Decimal field set to null is left nil by encoding/json instead.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return errors.New("money: null amount")
	}
	if kind := jsonKind(b); kind != "" {
		return fmt.Errorf("money: amount must be a JSON number, not %s: %s", kind, quote(string(b)))
	}
	v, err := ParseDecimal(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalJSON writes d as a JSON number in its canonical form (String).
func (d Decimal) MarshalJSON() ([]byte, error) { return []byte(d.String()), nil }

// jsonKind names the kind of a JSON value other than a number by its first byte, or returns "".
func jsonKind(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	switch b[0] {
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return ""
}
