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
	"net/url"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
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
func HTML(src string) Safe { return TrackedHTML(src, nil) }

// TrackedHTML is HTML with the destination of every https link (not images) replaced by
// track(destination), e.g. a send's click tracking, before the sanitiser sees it: the
// sanitiser then checks what the reader will follow. Other links (mailto, and what the
// sanitiser removes: javascript:, relative, http) are left as written. A nil track changes
// nothing.
func TrackedHTML(src string, track func(destination string) string) Safe {
	markdownOnce.Do(initMarkdown)
	source := []byte(src)
	doc := markdownRenderer.Parser().Parse(text.NewReader(source))
	if track != nil {
		var autolinks []*ast.AutoLink
		_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			switch n := n.(type) {
			case *ast.Link:
				if entering && isHTTPS(string(n.Destination)) {
					n.Destination = []byte(track(string(n.Destination)))
				}
			case *ast.AutoLink:
				if entering && n.AutoLinkType == ast.AutoLinkURL && isHTTPS(string(n.URL(source))) {
					autolinks = append(autolinks, n)
				}
			}
			return ast.WalkContinue, nil
		})
		// An autolink's address is its text: it becomes a link whose text stays the address.
		for _, n := range autolinks {
			l := ast.NewLink()
			l.Destination = []byte(track(string(n.URL(source))))
			l.AppendChild(l, ast.NewString(n.Label(source)))
			n.Parent().ReplaceChild(n.Parent(), n, l)
		}
	}
	var b bytes.Buffer
	if err := markdownRenderer.Renderer().Render(&b, source, doc); err != nil {
		return Safe{} // goldmark fails only when its writer does, and a bytes.Buffer does not
	}
	return Safe{html: markdownPolicy.Sanitize(b.String())}
}

// Links lists the destinations of the links and images of Markdown src, as written (an
// email autolink as its mailto: URL), so that a check can refuse what the sanitiser would
// silently drop. Raw HTML is not listed: HTML leaves it out.
func Links(src string) []string {
	markdownOnce.Do(initMarkdown)
	source := []byte(src)
	var out []string
	_ = ast.Walk(markdownRenderer.Parser().Parse(text.NewReader(source)), func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			out = append(out, string(n.Destination))
		case *ast.Image:
			out = append(out, string(n.Destination))
		case *ast.AutoLink:
			u := string(n.URL(source))
			if n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(u), "mailto:") {
				u = "mailto:" + u
			}
			out = append(out, u)
		}
		return ast.WalkContinue, nil
	})
	return out
}

func isHTTPS(u string) bool {
	p, err := url.Parse(u)
	return err == nil && p.Scheme == "https" && p.Host != ""
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
