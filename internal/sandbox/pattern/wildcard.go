package pattern

import (
	"errors"
	"fmt"
	"strings"
)

// wildcard matches a string against a pattern in which "*" stands for any sequence of characters:
// it holds the literal parts between the stars, so a pattern with n stars has n+1 parts.
type wildcard []string

// compileWildcard compiles {"wildcard": "s"}.
func compileWildcard(arg any) (condition, error) {
	s, ok := arg.(string)
	if !ok {
		return nil, fmt.Errorf("must be a string, not %s", describe(arg))
	}
	return parseWildcard(s)
}

// parseWildcard parses a wildcard pattern. As the documentation says, `\*` is a literal star and
// `\\` a literal backslash; a backslash before anything else and two consecutive stars are
// rejected.
func parseWildcard(s string) (wildcard, error) {
	var parts []string
	var part strings.Builder
	star := false // whether the previous character was an unescaped star
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '*' && star {
			return nil, errors.New("consecutive wildcard characters are not allowed")
		}
		star = c == '*'
		switch c {
		case '*':
			parts = append(parts, part.String())
			part.Reset()
		case '\\':
			if i+1 == len(s) || s[i+1] != '*' && s[i+1] != '\\' {
				return nil, errors.New(`a backslash may only escape "*" or "\"`)
			}
			i++
			part.WriteByte(s[i])
		default:
			part.WriteByte(c)
		}
	}
	return append(parts, part.String()), nil
}

func (w wildcard) match(v any) bool {
	s, ok := v.(string)
	return ok && w.matchString(s)
}

// matchString reports whether s matches: it begins with the first part, ends with the last one,
// and holds the others in order in between. Taking the leftmost occurrence of each middle part is
// enough, as a star matches any sequence.
func (w wildcard) matchString(s string) bool {
	first, last := w[0], w[len(w)-1]
	if len(w) == 1 {
		return s == first
	}
	if !strings.HasPrefix(s, first) {
		return false
	}
	s = s[len(first):]
	if !strings.HasSuffix(s, last) {
		return false
	}
	s = s[:len(s)-len(last)]
	for _, part := range w[1 : len(w)-1] {
		i := strings.Index(s, part)
		if i < 0 {
			return false
		}
		s = s[i+len(part):]
	}
	return true
}
