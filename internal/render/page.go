package render

import "github.com/a-h/templ"

// Page is a public page (unsubscribe, preferences, survey answers): a heading and the body
// in the locale, with the shop's name and postal address (page.templ).
func Page(l Locale, b Brand, title string, body templ.Component) string {
	return toString(pageLayout(l, b, title, body))
}
