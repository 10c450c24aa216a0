// Package markdown turns Markdown written at run time (a marketer's campaign text) into the only
// HTML a template may output unescaped: Safe, produced by one sanitiser, HTML.
//
// It is a package of its own, not part of package render, so that only the functions that
// render Markdown link goldmark and bluemonday (about 100 KB): package render is in every
// function's binary, and a package's dependencies are linked whenever it is imported.
package markdown

import (
	"bytes"
	"context"
	"io"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
)

// Safe is HTML written at run time (a marketer's Markdown) after the one sanitiser, HTML,
// has made it safe to show. Its field is unexported, so no other code can make one from a
// string: it is the only HTML a template outputs unescaped (`@safe` in a template; it is a
// templ.Component). The zero value shows nothing.
type Safe struct{ html string }

// Render implements templ.Component.
func (s Safe) Render(_ context.Context, w io.Writer) error {
	_, err := io.WriteString(w, s.html)
	return err
}

// HTML turns Markdown written at run time into Safe HTML: goldmark renders CommonMark
// (raw HTML in the source is left out), then a bluemonday policy like its UGC policy keeps
// only text formatting, lists, quotes, code, headings, images and links, with https and
// mailto URLs only (no relative ones), and links get rel="noopener" (with target="_blank").
func HTML(src string) Safe {
	markdownOnce.Do(initMarkdown)
	var b bytes.Buffer
	if err := markdownRenderer.Convert([]byte(src), &b); err != nil {
		return Safe{} // goldmark fails only when its writer does, and a bytes.Buffer does not
	}
	return Safe{html: markdownPolicy.Sanitize(b.String())}
}

// The renderer and policy are built on first use, not at start, so that a function pays for
// them on its first Markdown, not on every cold start. (What keeps them out of the binaries of
// functions that render none is that only this package imports them.)
var (
	markdownOnce     sync.Once
	markdownRenderer goldmark.Markdown
	markdownPolicy   *bluemonday.Policy
)

func initMarkdown() {
	markdownRenderer = goldmark.New()
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "strong", "b", "em", "i", "s", "del", "code", "pre", "blockquote",
		"ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("title").Globally()
	p.AllowAttrs("dir").Matching(bluemonday.Direction).Globally()
	p.AllowAttrs("href").OnElements("a")
	// Not p.AllowImages: it allows http and relative URLs and adds rel="nofollow".
	p.AllowAttrs("src", "alt").OnElements("img")
	p.AllowAttrs("width", "height").Matching(bluemonday.NumberOrPercent).OnElements("img")
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	p.AllowURLSchemes("https", "mailto")
	p.AddTargetBlankToFullyQualifiedLinks(true) // adds rel="noopener" as well
	markdownPolicy = p
}
