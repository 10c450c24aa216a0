package render

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"shopmail/internal/ascii"
)

// Colours. Every element of an email that sets a colour takes its background and its text
// colour together from one Role: inline (the light scheme, which every client shows) and, by
// the role's class, in the dark-scheme style block (Apple Mail, iOS Mail and others that honour
// prefers-color-scheme), so no client ever shows our text on a background we did not choose.
// Every pair has a contrast of at least 4.5:1 (WCAG AA for text); a test checks each.

// Pair is a background and the text colour shown on it.
type Pair struct{ Background, Text string }

// Role is how one kind of element is painted in the light and the dark scheme. Border is the
// border colour of elements that have one ("" for none), per scheme.
type Role struct {
	Class       string
	Light, Dark Pair
	Border      [2]string
}

// Colours of the light and dark schemes.
const (
	pageLight, pageDark = "#f4f4f5", "#111113"
	cardLight, cardDark = "#ffffff", "#1f1f23"
	boxLight, boxDark   = "#fafafa", "#27272a"
	textLight, textDark = "#18181b", "#f4f4f5"
	mutedLight          = "#52525b"
	mutedDark           = "#a1a1aa"
	lineLight, lineDark = "#e4e4e7", "#3f3f46"
	// DefaultBrandColor is the buttons' colour when the shop set none (today's dark button).
	DefaultBrandColor = "#18181b"
)

// Role names, for templates: e.Paint(render.RoleMuted) and class={ render.RoleMuted }.
const (
	RolePage    = "c-page"    // the background around the card
	RoleCard    = "c-card"    // text on the card
	RoleMuted   = "c-muted"   // secondary text on the card: dates, table headers, struck prices, footer
	RoleLink    = "c-link"    // links on the card
	RoleBox     = "c-box"     // the coupon box
	RoleBoxText = "c-boxtext" // secondary text in the coupon box
	RoleButton  = "c-btn"     // buttons: the brand colour
	RoleScore   = "c-score"   // a survey score
	RoleLogo    = "c-logo"    // the logo's own background, so a dark logo stays visible in dark mode
)

// hexColor reports whether c has the only form a brand colour may take, `^#[0-9a-fA-F]{6}$`
// (a loop rather than a regular expression compiled at every function's start).
func hexColor(c string) bool { return len(c) == 7 && c[0] == '#' && ascii.All(c[1:], 6, 6, ascii.Hex) }

// Roles lists how every role is painted for the brand.
func (b Brand) Roles() []Role {
	brand := b.Color
	if !hexColor(brand) {
		brand = DefaultBrandColor
	}
	brand = strings.ToLower(brand)
	link := brand
	if Contrast(link, cardLight) < MinContrast || Contrast(link, boxLight) < MinContrast {
		link = textLight // a light brand colour is for buttons only
	}
	btn := Pair{brand, ButtonText(brand)}
	return []Role{
		{Class: RolePage, Light: Pair{pageLight, textLight}, Dark: Pair{pageDark, textDark}},
		{Class: RoleCard, Light: Pair{cardLight, textLight}, Dark: Pair{cardDark, textDark}, Border: [2]string{lineLight, lineDark}},
		{Class: RoleMuted, Light: Pair{cardLight, mutedLight}, Dark: Pair{cardDark, mutedDark}, Border: [2]string{lineLight, lineDark}},
		{Class: RoleLink, Light: Pair{cardLight, link}, Dark: Pair{cardDark, textDark}},
		{Class: RoleBox, Light: Pair{boxLight, textLight}, Dark: Pair{boxDark, textDark}, Border: [2]string{"#71717a", mutedDark}},
		{Class: RoleBoxText, Light: Pair{boxLight, mutedLight}, Dark: Pair{boxDark, mutedDark}},
		{Class: RoleButton, Light: btn, Dark: btn, Border: [2]string{brand, mutedDark}},
		{Class: RoleScore, Light: Pair{cardLight, textLight}, Dark: Pair{boxDark, textDark}, Border: [2]string{"#71717a", mutedDark}},
		{Class: RoleLogo, Light: Pair{cardLight, textLight}, Dark: Pair{cardLight, textLight}},
	}
}

// styles is the inline style of every role for the brand: its background and text colour
// (and border colour) in the light scheme. Roles weighs the brand colour's contrast, so an
// email works this out once, not for each element it paints.
func (b Brand) styles() map[string]string {
	m := map[string]string{}
	for _, r := range b.Roles() {
		s := "background-color:" + r.Light.Background + ";color:" + r.Light.Text + ";"
		if r.Border[0] != "" {
			s += "border-color:" + r.Border[0] + ";"
		}
		m[r.Class] = s
	}
	return m
}

// Paint is the inline style of an element of the role class (see styles). The element also
// carries the class, for the dark scheme. An unknown class is a defect in a template.
func (e Email) Paint(class string) string {
	if e.styles == nil {
		e.styles = e.Brand.styles()
	}
	s, ok := e.styles[class]
	if !ok {
		panic("render: no colour role " + class)
	}
	return s
}

// baseCSS is the style block of layout.templ before the dark scheme (darkCSS): both schemes
// are supported, images shrink to the screen, and on phones the padding narrows and columns
// stack. A test checks layout.templ writes both.
const baseCSS = `:root { color-scheme: light dark; supported-color-schemes: light dark; }
body { margin: 0; padding: 0; }
img { border: 0; max-width: 100%; height: auto; }
@media (max-width: 620px) { .pad { padding: 16px !important; } .col { display: block !important; width: 100% !important; } }
`

// darkCSS is the style block's dark scheme: the dark colours of each role that has other
// ones than its light colours (the others keep their inline colours in both schemes), and
// dark border colours. It depends on no brand setting, so layout.templ holds it as written
// (templ writes no computed style block); a test checks the two agree.
func (b Brand) darkCSS() string {
	var sb strings.Builder
	sb.WriteString("@media (prefers-color-scheme: dark) {\n")
	for _, r := range b.Roles() {
		var decls []string
		if r.Dark != r.Light {
			decls = append(decls, "background-color: "+r.Dark.Background+" !important;", "color: "+r.Dark.Text+" !important;")
		}
		if r.Border[1] != "" {
			decls = append(decls, "border-color: "+r.Border[1]+" !important;")
		}
		if len(decls) > 0 {
			fmt.Fprintf(&sb, "  .%s { %s }\n", r.Class, strings.Join(decls, " "))
		}
	}
	sb.WriteString("}\n")
	return sb.String()
}

// MinContrast is the least contrast of text with its background (WCAG 2 AA).
const MinContrast = 4.5

// ButtonText is the text colour of a button of colour bg: white when it reads well enough,
// black otherwise (every colour has a contrast of at least 4.58 with one of the two).
func ButtonText(bg string) string {
	if Contrast(bg, "#ffffff") >= MinContrast {
		return "#ffffff"
	}
	return "#000000"
}

// ValidColor reports why c cannot be a brand colour, or "".
func ValidColor(c string) string {
	if !hexColor(c) {
		return "must be a colour written #rrggbb, e.g. #0b6e4f"
	}
	return ""
}

// Contrast is the WCAG 2 contrast ratio of two #rrggbb colours, from 1 to 21.
func Contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// luminance is the WCAG 2 relative luminance of a #rrggbb colour (0 for anything else).
func luminance(c string) float64 {
	if !hexColor(c) {
		return 0
	}
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(c[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.04045 {
			s /= 12.92
		} else {
			s = math.Pow((s+0.055)/1.055, 2.4)
		}
		l += w * s
	}
	return l
}

// ButtonStyle is the shape of a button (a link painted RoleButton): at least 44 px high, the
// tap target phones need.
const ButtonStyle = "display:inline-block;padding:12px 20px;border:1px solid;border-radius:6px;line-height:20px;min-height:20px;font-weight:bold;text-decoration:none;"

// ScreenReaderOnly hides text from sight but not from screen readers (the "was" before a
// struck price). A client that drops position shows the text, which still reads right.
const ScreenReaderOnly = "position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0;"

// StyleBlock is the CSS of the layout's style block for the brand (for tests: layout.templ
// writes it as it is).
func StyleBlock(b Brand) string { return baseCSS + b.darkCSS() }
