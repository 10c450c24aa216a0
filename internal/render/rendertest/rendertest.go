// Package rendertest checks rendered emails as a reader in either colour scheme meets them:
// every element that sets a colour sets its background too, from one of render's colour
// roles, and the dark-scheme style block overrides both for that role, with enough contrast.
package rendertest

import (
	"fmt"
	"regexp"
	"strings"

	"shopmail/internal/render"
)

var (
	tagRe   = regexp.MustCompile(`<[a-zA-Z][^>]*>`)
	styleRe = regexp.MustCompile(`\sstyle="([^"]*)"`)
	classRe = regexp.MustCompile(`\sclass="([^"]*)"`)
	// a declaration of the text colour, not of background-color or border-color
	colorRe = regexp.MustCompile(`(?:^|;)\s*color\s*:\s*([^;]+)`)
	bgRe    = regexp.MustCompile(`(?:^|;)\s*background(?:-color)?\s*:\s*([^;]+)`)
)

// ColorProblems lists every element of html that sets a text colour without the background
// and class of a colour role of b, or with other colours than the role's light pair; and
// every role of b whose pair, light or dark, has a contrast under render.MinContrast, or whose
// dark colours the style block does not set with !important.
func ColorProblems(html string, b render.Brand) []string {
	var out []string
	roles := map[string]render.Role{}
	for _, r := range b.Roles() {
		roles[r.Class] = r
		for scheme, p := range map[string]render.Pair{"light": r.Light, "dark": r.Dark} {
			if c := render.Contrast(p.Background, p.Text); c < render.MinContrast {
				out = append(out, fmt.Sprintf("role %s, %s scheme: %s on %s has contrast %.2f", r.Class, scheme, p.Text, p.Background, c))
			}
		}
		if r.Dark == r.Light {
			continue // inline, in both schemes
		}
		dark := fmt.Sprintf(".%s { background-color: %s !important; color: %s !important;", r.Class, r.Dark.Background, r.Dark.Text)
		if !strings.Contains(html, dark) {
			out = append(out, "the style block lacks "+dark)
		}
	}
	if !strings.Contains(html, "@media (prefers-color-scheme: dark)") || !strings.Contains(html, "color-scheme: light dark") {
		out = append(out, "no dark-scheme style block")
	}
	for _, tag := range tagRe.FindAllString(html, -1) {
		sm := styleRe.FindStringSubmatch(tag)
		if sm == nil {
			continue
		}
		style := sm[1]
		fg := colorRe.FindStringSubmatch(style)
		if fg == nil {
			continue
		}
		bg := bgRe.FindStringSubmatch(style)
		if bg == nil {
			out = append(out, "text colour without a background: "+tag)
			continue
		}
		var role *render.Role
		if cm := classRe.FindStringSubmatch(tag); cm != nil {
			for _, c := range strings.Fields(cm[1]) {
				if r, ok := roles[c]; ok {
					role = &r
				}
			}
		}
		switch {
		case role == nil:
			out = append(out, "a colour without a role's class: "+tag)
		case strings.TrimSpace(fg[1]) != role.Light.Text || strings.TrimSpace(bg[1]) != role.Light.Background:
			out = append(out, fmt.Sprintf("colours %s on %s are not role %s's %s on %s: %s", fg[1], bg[1], role.Class, role.Light.Text, role.Light.Background, tag))
		}
	}
	return out
}
