package web

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"shopmail/internal/links"
	"shopmail/internal/render"
	"shopmail/internal/token"
	"shopmail/internal/tracking"
)

// Tracking is the Lambda handler of the open pixel (GET /o/{token}) and the click redirect
// (GET /c/{token}).
type Tracking struct {
	Service *tracking.Service
	Brand   render.Brand // for the page of a link that is not valid
	Log     *slog.Logger
}

// Invoke implements lambda.Handler.
func (h *Tracking) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return Invoke(ctx, h.Serve, payload)
}

// Serve answers one request. The pixel is always the pixel; a click with a bad token gets a
// plain "not found" page, and every other click a redirect to a URL recorded at send time.
// Only GET records anything: HEAD and other methods are answered the same and write nothing.
func (h *Tracking) Serve(ctx context.Context, r Request) Response {
	method := Method(r)
	req := tracking.Request{
		Token:     r.PathParameters["token"],
		Record:    method == "GET",
		UserAgent: Header(r, "user-agent"),
	}
	if len(req.Token) > token.MaxLen {
		req.Token = "" // refused without being read
	}
	log := h.Log.With("method", method)
	switch {
	case strings.HasPrefix(r.RawPath, links.PathOpen):
		hit, err := h.Service.Open(ctx, req)
		h.logHit(ctx, log, "open", hit, err)
		return Pixel()
	case strings.HasPrefix(r.RawPath, links.PathClick):
		target, hit, err := h.Service.Click(ctx, req)
		l := render.LocaleFor(Language(r), "")
		h.logHit(ctx, log, "click", hit, err)
		switch {
		case errors.Is(err, tracking.ErrBadToken):
			return HTML(Status(err), render.Page(l, h.Brand, l.T("link.invalid.title"), paragraph(l.T("error.not.found"))))
		case target == "":
			return Problem(503, l, h.Brand, "unavailable")
		}
		// Even when recording failed the reader goes where the link leads.
		return Redirect(target)
	}
	return Problem(404, render.LocaleFor(Language(r), ""), h.Brand, "not.found")
}

func (h *Tracking) logHit(ctx context.Context, log *slog.Logger, kind string, hit tracking.Hit, err error) {
	switch {
	case errors.Is(err, tracking.ErrBadToken):
		log.InfoContext(ctx, kind+" refused", "error", err)
	case err != nil:
		log.ErrorContext(ctx, kind+" not recorded", "error", err)
	case hit.Kind != "" && !hit.Counted:
		log.InfoContext(ctx, kind+" not counted again", "contact_id", hit.ContactID, "send_key", hit.SendKey,
			"class", string(hit.Class))
	case hit.Kind != "":
		log.InfoContext(ctx, kind+" recorded", "contact_id", hit.ContactID, "send_key", hit.SendKey,
			"class", string(hit.Class), "reason", hit.Reason)
	}
}
