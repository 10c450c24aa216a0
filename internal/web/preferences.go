package web

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"

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
}

// Invoke implements lambda.Handler.
func (h *Preferences) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
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
		if Form(r).Get("List-Unsubscribe") != "One-Click" {
			return Problem(400, h.locale(r), s.Brand, "bad")
		}
		topic := c.Arg
		if !contact.IsTopic(topic) {
			topic = contact.TopicAll
		}
		got, err := s.Choose(ctx, c.ContactID, map[string]bool{topic: false}, "one-click unsubscribe")
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
	form := Form(r)
	choices := map[string]bool{}
	if form.Get("action") == "stop-all" {
		choices[contact.TopicAll] = false
	} else {
		for _, t := range contact.Topics {
			choices[t] = slices.Contains(form["topic"], t)
		}
	}
	got, err := s.Choose(ctx, c.ContactID, choices, "preference centre")
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
	if _, err := s.Choose(ctx, c.ContactID, map[string]bool{c.Arg: true}, "double opt-in"); err != nil {
		return Fail(ctx, h.Log, "confirm subscription", err, h.locale(r), s.Brand)
	}
	h.Log.InfoContext(ctx, "subscription confirmed", "contact_id", c.ContactID, "topic", c.Arg)
	return HTML(200, confirmPage(h.contactLocale(ct), s.Brand, c.Arg, true))
}

// subscribe asks an address to confirm a subscription. The answer is the same whatever the
// address (new, known, suppressed, already asked today).
func (h *Preferences) subscribe(ctx context.Context, r Request) Response {
	s := h.Service
	form := Form(r)
	if form == nil {
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
	locale := form.Get("locale")
	if len(locale) > 35 || email.CheckText(locale) != nil {
		locale = ""
	}
	out, err := s.Subscribe(ctx, addr, topic, locale)
	if err != nil && !errors.Is(err, context.Canceled) {
		return Fail(ctx, h.Log, "subscribe", err, h.locale(r), s.Brand)
	}
	h.Log.InfoContext(ctx, "subscription requested", "topic", topic, "send_status", out.Record.Status,
		"duplicate", out.Duplicate, "reason", out.Record.Reason)
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
