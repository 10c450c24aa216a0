package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/contact"
	"shopmail/internal/email"
	"shopmail/internal/links"
	"shopmail/internal/preferences"
	"shopmail/internal/render"
	"shopmail/internal/token"
)

// Preferences is the Lambda handler of the unsubscribe (/u/{token}), preference-centre
// (/p/{token}) and subscription (/s/{token}, POST /subscribe) pages. Only POST changes anything.
type Preferences struct {
	Service *preferences.Service
	Log     *slog.Logger
	// Events handles the EventBridge events the function gets (its own subscription
	// requests, sent off the request path); nil refuses them as bad requests.
	Events lambda.Handler
}

// Invoke implements lambda.Handler: an EventBridge event goes to Events, anything else is an
// HTTP API request.
func (h *Preferences) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var probe struct {
		DetailType string `json:"detail-type"`
	}
	if h.Events != nil && json.Unmarshal(payload, &probe) == nil && probe.DetailType != "" {
		return h.Events.Invoke(ctx, payload)
	}
	return Invoke(ctx, h.Serve, payload)
}

// Serve answers one request. Only POST changes anything.
func (h *Preferences) Serve(ctx context.Context, r Request) Response {
	post := Method(r) == "POST"
	path := r.RawPath
	if path == "/subscribe" {
		if !post {
			return Problem(405, h.locale(r), h.Service.Brand, "method")
		}
		return h.subscribe(ctx, r)
	}
	tok := r.PathParameters["token"]
	if len(tok) > token.MaxLen {
		tok = ""
	}
	switch {
	case strings.HasPrefix(path, links.PathUnsubscribe):
		return h.unsubscribe(ctx, r, tok, post)
	case strings.HasPrefix(path, links.PathPreferences):
		return h.centre(ctx, r, tok, post)
	case strings.HasPrefix(path, links.PathConfirm):
		return h.confirm(ctx, r, tok, post)
	}
	return Problem(404, h.locale(r), h.Service.Brand, "not.found")
}

// locale is the reader's language from their browser, for pages that cannot know the contact.
func (h *Preferences) locale(r Request) render.Locale {
	return render.LocaleFor(Language(r), "")
}

func (h *Preferences) contactLocale(c *contact.Contact) render.Locale {
	return render.LocaleFor(c.Locale, c.Timezone)
}

// unsubscribe: GET shows the question; POST (RFC 8058's "List-Unsubscribe=One-Click", from a
// mail client or from our page) withdraws consent to the token's topic at once. Every POST gets
// the same answer, valid token or not.
func (h *Preferences) unsubscribe(ctx context.Context, r Request, tok string, post bool) Response {
	s := h.Service
	c, err := s.Links.Keys.Verify(tok, token.Unsubscribe, s.Now())
	if post {
		if err != nil {
			h.Log.InfoContext(ctx, "unsubscribe refused", "error", err)
			return HTML(200, donePage(h.locale(r), s.Brand))
		}
		if form, err := readForm(r); err != nil || form.Get("List-Unsubscribe") != "One-Click" {
			return Problem(400, h.locale(r), s.Brand, "bad")
		}
		topic := c.Arg
		if !contact.IsTopic(topic) {
			topic = contact.TopicAll
		}
		got, err := s.Choose(ctx, c.ContactID, map[string]bool{topic: false}, "one-click unsubscribe", c.SendKey)
		if err != nil {
			return Fail(ctx, h.Log, "unsubscribe", err, h.locale(r), s.Brand)
		}
		h.Log.InfoContext(ctx, "unsubscribed", "contact_id", c.ContactID, "topic", topic, "send_key", c.SendKey)
		l := h.locale(r)
		if got != nil {
			l = h.contactLocale(got)
		}
		return HTML(200, donePage(l, s.Brand))
	}
	if err != nil {
		return HTML(404, invalidPage(h.locale(r), s.Brand))
	}
	ct, err := s.Store.Contact(ctx, c.ContactID)
	if err != nil {
		return Fail(ctx, h.Log, "unsubscribe page", err, h.locale(r), s.Brand)
	}
	prefs := s.Links.For(c.ContactID, c.SendKey, s.Now()).Preferences()
	return HTML(200, unsubscribePage(h.contactLocale(ct), s.Brand, c.Arg, prefs))
}

// centre is the preference centre: GET shows the choices, POST saves them.
func (h *Preferences) centre(ctx context.Context, r Request, tok string, post bool) Response {
	s := h.Service
	c, err := s.Links.Keys.Verify(tok, token.Preferences, s.Now())
	if err != nil {
		return HTML(404, invalidPage(h.locale(r), s.Brand))
	}
	ct, err := s.Store.Contact(ctx, c.ContactID)
	if err != nil {
		return Fail(ctx, h.Log, "preference centre", err, h.locale(r), s.Brand)
	}
	if ct.Version == 0 {
		return HTML(404, invalidPage(h.locale(r), s.Brand))
	}
	if !post {
		return HTML(200, centrePage(h.contactLocale(ct), s.Brand, ct, false))
	}
	if !FromOurSite(r, h.Service.Links.BaseURL) {
		return Problem(403, h.contactLocale(ct), s.Brand, "form")
	}
	choices, ok := centreChoices(r)
	if !ok {
		return Problem(400, h.contactLocale(ct), s.Brand, "bad")
	}
	got, err := s.Choose(ctx, c.ContactID, choices, "preference centre", c.SendKey)
	if err != nil {
		return Fail(ctx, h.Log, "save preferences", err, h.locale(r), s.Brand)
	}
	h.Log.InfoContext(ctx, "preferences saved", "contact_id", c.ContactID)
	return HTML(200, centrePage(h.contactLocale(got), s.Brand, got, true))
}

// confirm: GET asks, POST records the confirmed subscription (double opt-in).
func (h *Preferences) confirm(ctx context.Context, r Request, tok string, post bool) Response {
	s := h.Service
	c, err := s.Links.Keys.Verify(tok, token.Confirm, s.Now())
	if err != nil || !contact.IsTopic(c.Arg) {
		return HTML(404, invalidPage(h.locale(r), s.Brand))
	}
	ct, err := s.Store.Contact(ctx, c.ContactID)
	if err != nil {
		return Fail(ctx, h.Log, "confirm page", err, h.locale(r), s.Brand)
	}
	if !post {
		return HTML(200, confirmPage(h.contactLocale(ct), s.Brand, c.Arg, false))
	}
	if !FromOurSite(r, h.Service.Links.BaseURL) {
		return Problem(403, h.contactLocale(ct), s.Brand, "form")
	}
	if _, err := s.Choose(ctx, c.ContactID, map[string]bool{c.Arg: true}, "double opt-in", ""); err != nil {
		return Fail(ctx, h.Log, "confirm subscription", err, h.locale(r), s.Brand)
	}
	h.Log.InfoContext(ctx, "subscription confirmed", "contact_id", c.ContactID, "topic", c.Arg)
	return HTML(200, confirmPage(h.contactLocale(ct), s.Brand, c.Arg, true))
}

// centreChoices reads the preference centre's form: the choices of "save" (every topic not
// ticked is off) or of "stop-all". A body that cannot be read, or names neither action, is
// not a choice at all (ok false), and must record nothing: reading it as "nothing ticked"
// would opt the customer out of everything.
func centreChoices(r Request) (map[string]bool, bool) {
	form, err := readForm(r)
	if err != nil {
		return nil, false
	}
	switch form.Get("action") {
	case "stop-all":
		return map[string]bool{contact.TopicAll: false}, true
	case "save":
		choices := map[string]bool{}
		for _, t := range contact.Topics {
			choices[t] = slices.Contains(form["topic"], t)
		}
		return choices, true
	}
	return nil, false
}

// subscribe takes a subscription request from the shop's form. The answer is the same page,
// after the same work, whatever the address (new, known, suppressed, asked already) and
// whether the shop will send anything: the confirmation email, if any, is sent later, off the
// request path (preferences.Service.Subscribe).
func (h *Preferences) subscribe(ctx context.Context, r Request) Response {
	s := h.Service
	form, err := readForm(r)
	if err != nil {
		return Problem(400, h.locale(r), s.Brand, "bad")
	}
	addr, err := email.ParseAddress(form.Get("email"))
	topic := form.Get("topic")
	if topic == "" {
		topic = contact.TopicSales
	}
	switch {
	case err != nil:
		return Problem(400, h.locale(r), s.Brand, "email")
	case !contact.IsTopic(topic):
		return Problem(400, h.locale(r), s.Brand, "topic")
	}
	locale := render.NormalizeTag(form.Get("locale"))
	taken, err := s.Request(ctx, preferences.Request{Email: addr, Topic: topic, Locale: locale}, r.RequestContext.HTTP.SourceIP)
	if err != nil && !errors.Is(err, context.Canceled) {
		return Fail(ctx, h.Log, "subscribe", err, h.locale(r), s.Brand)
	}
	h.Log.InfoContext(ctx, "subscription requested", "topic", topic, "over_client_limit", !taken)
	l := render.LocaleFor(locale, "")
	if locale == "" {
		l = h.locale(r)
	}
	return HTML(200, checkInboxPage(l, s.Brand))
}

// unsubscribePage asks to confirm a one-click unsubscribe (GET shows it, POST acts).
func unsubscribePage(l render.Locale, b render.Brand, topic, prefsURL string) string {
	return render.Page(l, b, l.T("unsub.title"), unsubscribeBody(l, topicName(l, topic), prefsURL))
}

// donePage answers every unsubscribe POST alike, valid token or not.
func donePage(l render.Locale, b render.Brand) string {
	return render.Page(l, b, l.T("unsub.done.title"), paragraph(l.T("unsub.done")))
}

// invalidPage answers links that are not (or no longer) valid.
func invalidPage(l render.Locale, b render.Brand) string {
	return render.Page(l, b, l.T("link.invalid.title"), paragraph(l.T("link.invalid")))
}

// centrePage is the preference centre.
func centrePage(l render.Locale, b render.Brand, c *contact.Contact, saved bool) string {
	return render.Page(l, b, l.T("prefs.title"), centreBody(l, c, saved))
}

// confirmPage asks to confirm a subscription (GET), or says it is confirmed (after POST).
func confirmPage(l render.Locale, b render.Brand, topic string, done bool) string {
	if done {
		return render.Page(l, b, l.T("confirm.done.title"), paragraph(l.T("confirm.done", topicName(l, topic))))
	}
	return render.Page(l, b, l.T("confirm.title"), confirmBody(l, topicName(l, topic)))
}

// checkInboxPage answers every subscription request alike.
func checkInboxPage(l render.Locale, b render.Brand) string {
	return render.Page(l, b, l.T("subscribe.title"), paragraph(l.T("subscribe.sent")))
}

func topicName(l render.Locale, topic string) string { return l.T("topic." + topic) }

// errForm is a form body that cannot be read: none, too large, or not well-formed.
var errForm = errors.New("unreadable form")

// readForm reads a form post's fields, urlencoded or multipart/form-data (RFC 8058 section
// 3.2 asks one-click unsubscribes to be multipart; curl -F sends them so). An empty body, one
// larger than MaxBody, a malformed one, or a file part is an error: a form that cannot be
// read says nothing, and is never taken for one that says "no".
func readForm(r Request) (url.Values, error) {
	body := []byte(r.Body)
	if r.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(r.Body)
		if err != nil {
			return nil, errForm
		}
		body = b
	}
	if len(body) == 0 || len(body) > MaxBody {
		return nil, errForm
	}
	mt, params, err := mime.ParseMediaType(Header(r, "content-type"))
	if err == nil && mt == "multipart/form-data" {
		return readMultipart(body, params["boundary"])
	}
	v, err := url.ParseQuery(string(body))
	if err != nil || len(v) == 0 {
		return nil, errForm
	}
	return v, nil
}

// readMultipart reads the text fields of a multipart/form-data body.
func readMultipart(body []byte, boundary string) (url.Values, error) {
	if boundary == "" {
		return nil, errForm
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	v := url.Values{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil || p.FormName() == "" || p.FileName() != "" {
			return nil, errForm
		}
		b, err := io.ReadAll(io.LimitReader(p, MaxBody))
		if err != nil {
			return nil, errForm
		}
		v.Add(p.FormName(), string(b))
	}
	if len(v) == 0 {
		return nil, errForm
	}
	return v, nil
}
