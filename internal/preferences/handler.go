package preferences

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"

	"shopmail/internal/contact"
	"shopmail/internal/email"
	"shopmail/internal/links"
	"shopmail/internal/message"
	"shopmail/internal/token"
	"shopmail/internal/web"
)

// Handler is the Lambda handler of the unsubscribe, preference-centre and subscription pages.
type Handler struct {
	Service *Service
	Log     *slog.Logger
}

// Invoke implements lambda.Handler.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return web.Invoke(ctx, h.Serve, payload)
}

// Serve answers one request. Only POST changes anything.
func (h *Handler) Serve(ctx context.Context, r web.Request) web.Response {
	post := web.Method(r) == "POST"
	path := r.RawPath
	if path == "/subscribe" {
		if !post {
			return web.Text(405, "Use POST.")
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
	return web.Text(404, "Not found.")
}

// locale is the reader's language from their browser, for pages that cannot know the contact.
func (h *Handler) locale(r web.Request) message.Locale {
	return message.LocaleFor(web.Language(r), "")
}

func (h *Handler) contactLocale(c *contact.Contact) message.Locale {
	return message.LocaleFor(c.Locale, c.Timezone)
}

func (h *Handler) fail(ctx context.Context, what string, err error) web.Response {
	h.Log.ErrorContext(ctx, what+" failed", "error", err)
	return web.Text(503, "Something went wrong on our side. Please try again in a moment.")
}

// unsubscribe: GET shows the question; POST (RFC 8058's "List-Unsubscribe=One-Click", from a
// mail client or from our page) withdraws consent to the token's topic at once. Every POST gets
// the same answer, valid token or not.
func (h *Handler) unsubscribe(ctx context.Context, r web.Request, tok string, post bool) web.Response {
	s := h.Service
	c, err := s.Links.Keys.Verify(tok, token.Unsubscribe, s.Now())
	if post {
		if err != nil {
			h.Log.InfoContext(ctx, "unsubscribe refused", "error", err)
			return web.HTML(200, donePage(h.locale(r), s.Brand))
		}
		if web.Form(r).Get("List-Unsubscribe") != "One-Click" {
			return web.Text(400, "Expected List-Unsubscribe=One-Click.")
		}
		topic := c.Arg
		if !contact.IsTopic(topic) {
			topic = contact.TopicAll
		}
		got, err := s.Choose(ctx, c.ContactID, map[string]bool{topic: false}, "one-click unsubscribe")
		if err != nil {
			return h.fail(ctx, "unsubscribe", err)
		}
		h.Log.InfoContext(ctx, "unsubscribed", "contact_id", c.ContactID, "topic", topic, "send_key", c.SendKey)
		l := h.locale(r)
		if got != nil {
			l = h.contactLocale(got)
		}
		return web.HTML(200, donePage(l, s.Brand))
	}
	if err != nil {
		return web.HTML(404, invalidPage(h.locale(r), s.Brand))
	}
	ct, err := s.Store.Contact(ctx, c.ContactID)
	if err != nil {
		return h.fail(ctx, "unsubscribe page", err)
	}
	prefs := s.Links.For(c.ContactID, c.SendKey, s.Now()).Preferences()
	return web.HTML(200, unsubscribePage(h.contactLocale(ct), s.Brand, c.Arg, prefs))
}

// centre is the preference centre: GET shows the choices, POST saves them.
func (h *Handler) centre(ctx context.Context, r web.Request, tok string, post bool) web.Response {
	s := h.Service
	c, err := s.Links.Keys.Verify(tok, token.Preferences, s.Now())
	if err != nil {
		return web.HTML(404, invalidPage(h.locale(r), s.Brand))
	}
	ct, err := s.Store.Contact(ctx, c.ContactID)
	if err != nil {
		return h.fail(ctx, "preference centre", err)
	}
	if ct.Version == 0 {
		return web.HTML(404, invalidPage(h.locale(r), s.Brand))
	}
	if !post {
		return web.HTML(200, centrePage(h.contactLocale(ct), s.Brand, ct, false))
	}
	if !web.SameOrigin(r, h.Service.Links.BaseURL) {
		return web.Text(403, "Forms are accepted from this site only.")
	}
	form := web.Form(r)
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
		return h.fail(ctx, "save preferences", err)
	}
	h.Log.InfoContext(ctx, "preferences saved", "contact_id", c.ContactID)
	return web.HTML(200, centrePage(h.contactLocale(got), s.Brand, got, true))
}

// confirm: GET asks, POST records the confirmed subscription (double opt-in).
func (h *Handler) confirm(ctx context.Context, r web.Request, tok string, post bool) web.Response {
	s := h.Service
	c, err := s.Links.Keys.Verify(tok, token.Confirm, s.Now())
	if err != nil || !contact.IsTopic(c.Arg) {
		return web.HTML(404, invalidPage(h.locale(r), s.Brand))
	}
	ct, err := s.Store.Contact(ctx, c.ContactID)
	if err != nil {
		return h.fail(ctx, "confirm page", err)
	}
	if !post {
		return web.HTML(200, confirmPage(h.contactLocale(ct), s.Brand, c.Arg, false))
	}
	if !web.SameOrigin(r, h.Service.Links.BaseURL) {
		return web.Text(403, "Forms are accepted from this site only.")
	}
	if _, err := s.Choose(ctx, c.ContactID, map[string]bool{c.Arg: true}, "double opt-in"); err != nil {
		return h.fail(ctx, "confirm subscription", err)
	}
	h.Log.InfoContext(ctx, "subscription confirmed", "contact_id", c.ContactID, "topic", c.Arg)
	return web.HTML(200, confirmPage(h.contactLocale(ct), s.Brand, c.Arg, true))
}

// subscribe asks an address to confirm a subscription. The answer is the same whatever the
// address (new, known, suppressed, already asked today).
func (h *Handler) subscribe(ctx context.Context, r web.Request) web.Response {
	s := h.Service
	form := web.Form(r)
	if form == nil {
		return web.Text(400, "Send a form with email and topic.")
	}
	addr, err := email.ParseAddress(form.Get("email"))
	topic := form.Get("topic")
	if topic == "" {
		topic = contact.TopicSales
	}
	switch {
	case err != nil:
		return web.Text(400, "That is not an email address.")
	case !contact.IsTopic(topic):
		return web.Text(400, "Unknown topic; one of: "+strings.Join(contact.Topics, ", "))
	}
	locale := form.Get("locale")
	if len(locale) > 35 || email.CheckText(locale) != nil {
		locale = ""
	}
	out, err := s.Subscribe(ctx, addr, topic, locale)
	if err != nil && !errors.Is(err, context.Canceled) {
		return h.fail(ctx, "subscribe", err)
	}
	h.Log.InfoContext(ctx, "subscription requested", "topic", topic, "send_status", out.Record.Status,
		"duplicate", out.Duplicate, "reason", out.Record.Reason)
	l := message.LocaleFor(locale, "")
	if locale == "" {
		l = h.locale(r)
	}
	return web.HTML(200, checkInboxPage(l, s.Brand))
}
