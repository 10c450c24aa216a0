// Package dashboard is the marketers' web dashboard at the HTTP edge: server-rendered pages
// (templ) over the same domain services the marketer API calls (campaigns, contacts and
// segments, occasions, survey results), behind a sign-in through the configured OpenID
// Connect issuer (oidc.go) and a session cookie with CSRF tokens (session.go). Each action
// needs the scope of the API route that does the same thing, so the dashboard can do nothing
// the marketer's token could not.
//
//	/dashboard                      home: sending now, scheduled next, the last 30 days
//	/dashboard/campaigns[/{id}...]  campaigns.go
//	/dashboard/customers[/{id}...]  customers.go
//	/dashboard/segments[/{id}...]   segments.go
//	/dashboard/surveys              surveys.go
//	/dashboard/occasions            occasions.go
//	/dashboard/signin, /auth/callback, /signout, /language, /static/*
package dashboard

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"shopmail/internal/campaigns"
	"shopmail/internal/cart"
	"shopmail/internal/contacts"
	"shopmail/internal/deliverability"
	"shopmail/internal/loyalty"
	"shopmail/internal/occasions"
	"shopmail/internal/survey"
	"shopmail/internal/token"
	"shopmail/internal/web"
)

// Dashboard serves the dashboard's pages.
type Dashboard struct {
	Campaigns *campaigns.Service
	Contacts  *contacts.Service
	Occasions *occasions.Service
	Surveys   *survey.Reporter
	Answers   Answers
	FollowUps FollowUps
	Hours     Hours
	// Reputation counts the emails the shop's sender sent (the deliverability guard's daily
	// counts), for the home page.
	Reputation interface {
		ReputationRates(ctx context.Context, sender string, since time.Time) (deliverability.Rates, error)
	}
	// Carts are the abandoned carts, for the retention page (nil: none shown).
	Carts cart.Reader
	// Draws are the prize draws' records, for the retention page (nil: none shown).
	Draws interface {
		Draws(ctx context.Context) ([]loyalty.Draw, error)
	}
	Sender   string
	Keys     *token.Keys
	Auth     *OIDC
	BaseURL  string         // the public URL the issuer sends the browser back to
	Timezone *time.Location // the shop's: dates on the pages
	Now      func() time.Time
	Log      *slog.Logger
}

// maxForm bounds a form post (a campaign in two languages is a few kilobytes); maxUpload a
// contact list uploaded (Lambda takes 6 MB, base64 a third more).
const (
	maxForm   = 256 << 10
	maxUpload = 4 << 20
)

// strictCSP lets a page run only our own script and style: no inline script or style, no
// other site's anything, no framing but our own previews, forms only to us.
const strictCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

//go:embed static
var static embed.FS

// Invoke implements lambda.Handler.
func (d *Dashboard) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return web.Invoke(ctx, d.Serve, payload)
}

// request is one request as the pages see it.
type request struct {
	web.Request
	ctx    context.Context
	parts  []string // the path under /dashboard, unescaped
	form   url.Values
	files  map[string][]byte // a multipart form's files, by field
	s      session
	v      view
	method string
}

// Serve answers one request.
func (d *Dashboard) Serve(ctx context.Context, r web.Request) web.Response {
	rq := &request{Request: r, ctx: ctx, method: web.Method(r)}
	for p := range strings.SplitSeq(strings.Trim(strings.TrimPrefix(r.RawPath, "/dashboard"), "/"), "/") {
		if p == "" {
			continue
		}
		u, err := url.PathUnescape(p)
		if err != nil {
			return web.Text(404, "not found")
		}
		rq.parts = append(rq.parts, u)
	}
	rq.v = d.view(r)
	first := ""
	if len(rq.parts) > 0 {
		first = rq.parts[0]
	}
	if rq.method == "HEAD" {
		rq.method = "GET"
	}
	switch first {
	case "static":
		return d.static(rq)
	case "signin":
		return d.signIn(rq)
	case "auth":
		return d.callback(rq)
	}
	s, ok := d.session(r)
	if !ok {
		if rq.method == "GET" {
			return web.Redirect("/dashboard/signin?next=" + url.QueryEscape(r.RawPath+query(r)))
		}
		return d.seeOther("/dashboard/signin") // a post without a session changes nothing
	}
	rq.s = s
	rq.v.csrf, rq.v.who = d.csrf(s), s.who
	if rq.method == "POST" {
		if resp := d.checkPost(rq); resp != nil {
			return *resp
		}
	} else if rq.method != "GET" {
		return web.Text(405, "method not allowed")
	}
	switch first {
	case "":
		return d.home(rq)
	case "signout":
		return d.signOut(rq)
	case "language":
		return d.language(rq)
	case "campaigns":
		return d.campaigns(rq)
	case "customers":
		return d.customers(rq)
	case "import":
		return d.importContacts(rq)
	case "segments":
		return d.segments(rq)
	case "surveys":
		return d.surveys(rq)
	case "retention":
		return d.retention(rq)
	case "occasions":
		return d.occasions(rq)
	}
	return d.notFound(rq)
}

// multipartForm reads a multipart form: its values and its files.
func multipartForm(b []byte, boundary string) (url.Values, map[string][]byte, error) {
	if boundary == "" {
		return nil, nil, errors.New("no boundary")
	}
	f, err := multipart.NewReader(bytes.NewReader(b), boundary).ReadForm(maxUpload)
	if err != nil {
		return nil, nil, err
	}
	defer f.RemoveAll()
	files := map[string][]byte{}
	for k, fhs := range f.File {
		if len(fhs) == 0 {
			continue
		}
		fh, err := fhs[0].Open()
		if err != nil {
			return nil, nil, err
		}
		files[k], err = io.ReadAll(fh)
		fh.Close()
		if err != nil {
			return nil, nil, err
		}
	}
	return url.Values(f.Value), files, nil
}

func query(r web.Request) string {
	if r.RawQueryString == "" {
		return ""
	}
	return "?" + r.RawQueryString
}

// checkPost refuses a post that is not from our own pages or lacks the session's CSRF token,
// and reads its form.
func (d *Dashboard) checkPost(rq *request) *web.Response {
	b, err := web.Body(rq.Request)
	mt, params, _ := mime.ParseMediaType(web.Header(rq.Request, "content-type"))
	if limit := map[bool]int{true: maxUpload, false: maxForm}[mt == "multipart/form-data"]; err == nil && len(b) > limit {
		resp := web.Text(413, "the form is too large")
		return &resp
	}
	if err == nil && mt == "multipart/form-data" {
		rq.form, rq.files, err = multipartForm(b, params["boundary"])
	} else if err == nil {
		rq.form, err = url.ParseQuery(string(b))
	}
	if err != nil {
		resp := web.Text(400, "bad form")
		return &resp
	}
	if !web.FromOurSite(rq.Request, d.BaseURL) || rq.form.Get("csrf") != rq.v.csrf {
		resp := d.page(rq, 403, rq.v.T("forbidden.title"), message(rq.v.T("forbidden.body")))
		return &resp
	}
	return nil
}

// page is a whole page in the layout.
func (d *Dashboard) page(rq *request, status int, title string, body templ.Component) web.Response {
	var sb strings.Builder
	if err := layout(rq.v, title, body).Render(rq.ctx, &sb); err != nil {
		d.Log.ErrorContext(rq.ctx, "render page", "error", err)
		return web.Text(500, "the page could not be shown")
	}
	return strict(web.HTML(status, sb.String()))
}

// fragment is part of a page, fetched by the page's script to update itself.
func (d *Dashboard) fragment(rq *request, body templ.Component) web.Response {
	var sb strings.Builder
	if err := body.Render(rq.ctx, &sb); err != nil {
		return web.Text(500, "")
	}
	return strict(web.HTML(200, sb.String()))
}

func strict(resp web.Response) web.Response {
	resp.Headers["content-security-policy"] = strictCSP
	return resp
}

// seeOther answers a post: the page to show now (303, so a reload does not post again).
func (d *Dashboard) seeOther(to string) web.Response {
	resp := web.Redirect(to)
	resp.StatusCode = 303
	return resp
}

func (d *Dashboard) notFound(rq *request) web.Response {
	return d.page(rq, 404, rq.v.T("notfound.title"), message(rq.v.T("notfound.body")))
}

// need answers 403 unless the marketer has the scope.
func (d *Dashboard) need(rq *request, scope string) *web.Response {
	if rq.s.can(scope) {
		return nil
	}
	resp := d.page(rq, 403, rq.v.T("forbidden.title"), message(rq.v.T("scope.missing", scope)))
	return &resp
}

// fail shows what went wrong: the domain's message for what the marketer can fix, a retry
// hint for the rest (logged once).
func (d *Dashboard) fail(rq *request, what string, err error) web.Response {
	status := web.Status(err)
	if status >= 500 {
		d.Log.ErrorContext(rq.ctx, what+" failed", "error", err)
		return d.page(rq, 503, rq.v.T("error.title"), message(rq.v.T("error.retry")))
	}
	return d.page(rq, status, rq.v.T("error.title"), message(err.Error()))
}

func (d *Dashboard) static(rq *request) web.Response {
	name := strings.Join(rq.parts[1:], "/")
	types := map[string]string{"app.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8"}
	b, err := static.ReadFile("static/" + name)
	if err != nil || types[name] == "" || rq.method != "GET" {
		return web.Text(404, "not found")
	}
	resp := web.Response{StatusCode: 200, Headers: map[string]string{"content-type": types[name], "cache-control": "public, max-age=300",
		"x-content-type-options": "nosniff"}, Body: string(b)}
	return resp
}

// signIn shows the sign-in page (GET /dashboard/signin), or starts a sign-in at the issuer
// (GET /dashboard/signin/start): a state, a PKCE verifier and a nonce, kept in a signed
// cookie until the issuer sends the browser back.
func (d *Dashboard) signIn(rq *request) web.Response {
	next := localPath(rq.QueryStringParameters["next"])
	if len(rq.parts) == 1 && rq.method == "GET" {
		return d.page(rq, 200, rq.v.T("signin.title"), signInPage(rq.v, next, rq.QueryStringParameters["failed"] != ""))
	}
	if len(rq.parts) != 2 || rq.parts[1] != "start" || rq.method != "GET" {
		return d.notFound(rq)
	}
	state, verifier, nonce := random(), random(), random()
	to, err := d.Auth.AuthorizeURL(rq.ctx, d.redirect(), state, verifier, nonce)
	if err != nil {
		d.Log.ErrorContext(rq.ctx, "sign-in failed", "error", err)
		return d.page(rq, 503, rq.v.T("error.title"), message(rq.v.T("signin.unavailable")))
	}
	resp := web.Redirect(to)
	resp.Cookies = []string{setCookie(signInCookie, d.Keys.Sign(token.Claims{Purpose: token.SignIn, ContactID: state, SendKey: verifier,
		Arg: nonce + " " + next, Expires: d.Now().Add(signInLife)}), signInLife)}
	return resp
}

func (d *Dashboard) redirect() string {
	return strings.TrimRight(d.BaseURL, "/") + "/dashboard/auth/callback"
}

// callback finishes a sign-in: the state must be the cookie's, the code is exchanged with the
// cookie's verifier, and the ID token must carry the cookie's nonce.
func (d *Dashboard) callback(rq *request) web.Response {
	if len(rq.parts) != 2 || rq.parts[1] != "callback" || rq.method != "GET" {
		return d.notFound(rq)
	}
	q := rq.QueryStringParameters
	failed := func(why string, err error) web.Response {
		d.Log.WarnContext(rq.ctx, "sign-in refused", "reason", why, "error", err)
		resp := web.Redirect("/dashboard/signin?failed=1")
		resp.Cookies = []string{setCookie(signInCookie, "", 0)}
		return resp
	}
	c, err := d.Keys.Verify(cookie(rq.Request, signInCookie), token.SignIn, d.Now())
	if err != nil {
		return failed("no sign-in under way", err)
	}
	if q["state"] != c.ContactID || q["code"] == "" {
		return failed("state or code", nil)
	}
	nonce, next, _ := strings.Cut(c.Arg, " ")
	id, err := d.Auth.Exchange(rq.ctx, d.redirect(), q["code"], c.SendKey, nonce, d.Now())
	if err != nil {
		return failed("exchange", err)
	}
	who := id.Email
	if who == "" {
		who = id.Subject
	}
	d.Log.InfoContext(rq.ctx, "signed in", "subject", id.Subject, "scopes", strings.Join(id.Scopes, " "))
	resp := web.Redirect(localPath(next))
	resp.Cookies = []string{setCookie(signInCookie, "", 0), setCookie(sessionCookie, d.newSession(who, id.Scopes), sessionLife)}
	return resp
}

func (d *Dashboard) signOut(rq *request) web.Response {
	if rq.method != "POST" {
		return d.notFound(rq)
	}
	resp := d.seeOther("/dashboard/signin?out=1")
	resp.Cookies = []string{setCookie(sessionCookie, "", 0)}
	return resp
}

// language sets the interface's language (a form in the header).
func (d *Dashboard) language(rq *request) web.Response {
	if rq.method != "POST" {
		return d.notFound(rq)
	}
	lang := rq.form.Get("lang")
	if _, ok := words[lang]; !ok {
		lang = "en"
	}
	resp := d.seeOther(localPath(rq.form.Get("back")))
	resp.Cookies = []string{setCookie(langCookie, lang, 365*24*time.Hour)}
	return resp
}

func itoa(n int) string { return strconv.Itoa(n) }
