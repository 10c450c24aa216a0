// Package web is the HTTP edge: the public endpoints customers reach from their email
// (tracking.go, preferences.go, answers.go) and the marketer API (reports.go), served by API
// Gateway's HTTP API (payload format 2.0). It reads what a request says, calls the domain,
// and maps what the domain answers, errors included (errors.go), to statuses and pages with the
// security headers every response carries. Domain packages know nothing of HTTP or Lambda.
package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"shopmail/internal/links"
)

// Request is an HTTP API request.
type Request = events.APIGatewayV2HTTPRequest

// Response is an HTTP API response.
type Response = events.APIGatewayV2HTTPResponse

// MaxBody is the largest request body read (forms are a few hundred bytes).
const MaxBody = 16 << 10

// Handler handles one request.
type Handler func(ctx context.Context, r Request) Response

// Invoke adapts h to lambda.Handler's Invoke. A payload that is not an HTTP API event gets a 400.
func Invoke(ctx context.Context, h Handler, payload []byte) ([]byte, error) {
	var r Request
	if err := json.Unmarshal(payload, &r); err != nil {
		return json.Marshal(Text(400, "bad request"))
	}
	return json.Marshal(h(ctx, r))
}

// Method returns the request's method.
func Method(r Request) string { return r.RequestContext.HTTP.Method }

// Header returns a request header (names are matched case-insensitively).
func Header(r Request, name string) string {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// Language returns the first language the browser asks for (Accept-Language), e.g. "fa-IR".
func Language(r Request) string {
	lang := Header(r, "accept-language")
	if i := strings.IndexAny(lang, ",;"); i >= 0 {
		lang = lang[:i]
	}
	return strings.TrimSpace(lang)
}

// FromOurSite reports whether a form post comes from one of our own pages at base, as the
// browser tells it. Sec-Fetch-Site, which every current browser sends, must be
// "same-origin". Without it, an Origin must be base's: "null" (what a page with
// Referrer-Policy no-referrer makes the browser send) cannot be told apart from a sandboxed
// page of another site, so it is refused. A request with neither header comes from no browser
// (a script or an old client), which a cross-site forgery needs, and is accepted. base is
// compared as the origin it names (links.NormalizeBaseURL: "https://Go.Shop.Example:443" is
// "https://go.shop.example"), as browsers write Origin.
func FromOurSite(r Request, base string) bool {
	if site := Header(r, "sec-fetch-site"); site != "" {
		return site == "same-origin"
	}
	origin := Header(r, "origin")
	if origin == "" {
		return true
	}
	ours, err := links.NormalizeBaseURL(base)
	return err == nil && origin == ours
}

// headers every response carries: nothing is cached, framed or sniffed, and no token in our
// URLs reaches another site by referrer ("same-origin" sends the referrer, and so a proper
// Origin with a form post, to our own pages only).
func headers(contentType string) map[string]string {
	return map[string]string{
		"content-type":            contentType,
		"cache-control":           "no-store, max-age=0",
		"x-content-type-options":  "nosniff",
		"referrer-policy":         "same-origin",
		"x-frame-options":         "DENY",
		"content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
	}
}

// HTML is a page.
func HTML(status int, page string) Response {
	return Response{StatusCode: status, Headers: headers("text/html; charset=utf-8"), Body: page}
}

// Text is a plain-text answer.
func Text(status int, body string) Response {
	return Response{StatusCode: status, Headers: headers("text/plain; charset=utf-8"), Body: body}
}

// Redirect sends the reader to u (302: every click is counted, never cached).
func Redirect(u string) Response {
	h := headers("text/plain; charset=utf-8")
	h["location"] = u
	return Response{StatusCode: 302, Headers: h}
}

// pixel is a transparent 1×1 GIF.
var pixel = base64.StdEncoding.EncodeToString([]byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"))

// Pixel is the open-tracking image.
func Pixel() Response {
	return Response{StatusCode: 200, Headers: headers("image/gif"), Body: pixel, IsBase64Encoded: true}
}
