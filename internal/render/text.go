package render

import "strings"

// Text writes an email's plain-text part, line by line. It is plain text: nothing is escaped,
// and it never reaches an HTML part.
type Text struct {
	b strings.Builder
	L Locale
}

// Line writes the strings and ends the line.
func (t *Text) Line(parts ...string) *Text {
	for _, p := range parts {
		t.b.WriteString(p)
	}
	t.b.WriteByte('\n')
	return t
}

// T writes a translated sentence as a line.
func (t *Text) T(key string, args ...any) *Text { return t.Line(t.L.T(key, args...)) }

// String returns what was written.
func (t *Text) String() string { return t.b.String() }
