package tracking

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"shopmail/internal/httpapi"
	"shopmail/internal/links"
	"shopmail/internal/token"
)

// Handler is the Lambda handler of the open pixel and the click redirect.
type Handler struct {
	Service *Service
	Log     *slog.Logger
}

// Invoke implements lambda.Handler.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return httpapi.Invoke(ctx, h.Serve, payload)
}

// Serve answers one request. The pixel is always the pixel; a click with a bad token gets a
// plain "not found" page, and every other click a redirect to a URL recorded at send time.
// Only GET records anything: HEAD and other methods are answered the same and write nothing.
func (h *Handler) Serve(ctx context.Context, r httpapi.Request) httpapi.Response {
	method := httpapi.Method(r)
	req := Request{
		Token:     r.PathParameters["token"],
		Record:    method == "GET",
		UserAgent: httpapi.Header(r, "user-agent"),
	}
	if len(req.Token) > token.MaxLen {
		req.Token = "" // refused without being read
	}
	log := h.Log.With("method", method)
	switch {
	case strings.HasPrefix(r.RawPath, links.PathOpen):
		hit, err := h.Service.Open(ctx, req)
		h.logHit(ctx, log, "open", hit, err)
		return httpapi.Pixel()
	case strings.HasPrefix(r.RawPath, links.PathClick):
		target, hit, err := h.Service.Click(ctx, req)
		h.logHit(ctx, log, "click", hit, err)
		switch {
		case errors.Is(err, ErrBadToken):
			return httpapi.Text(404, "This link is not valid.")
		case target == "":
			return httpapi.Text(503, "Please try again in a moment.")
		}
		// Even when recording failed the reader goes where the link leads.
		return httpapi.Redirect(target)
	}
	return httpapi.Text(404, "Not found.")
}

func (h *Handler) logHit(ctx context.Context, log *slog.Logger, kind string, hit Hit, err error) {
	switch {
	case errors.Is(err, ErrBadToken):
		log.InfoContext(ctx, kind+" refused", "error", err)
	case err != nil:
		log.ErrorContext(ctx, kind+" not recorded", "error", err)
	case hit.Kind != "":
		log.InfoContext(ctx, kind+" recorded", "contact_id", hit.ContactID, "send_key", hit.SendKey,
			"class", string(hit.Class), "reason", hit.Reason)
	}
}
