package web

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"shopmail/internal/fault"
	"shopmail/internal/render"
)

// Status is the HTTP status of a domain error, by its kind (internal/fault): invalid input
// 400, not found 404, a conflict 409, too large 413, an unsupported format 415, anything else (a store or a service unavailable) 503,
// which the client may retry.
func Status(err error) int {
	switch {
	case errors.Is(err, fault.ErrInvalid):
		return 400
	case errors.Is(err, fault.ErrNotFound):
		return 404
	case errors.Is(err, fault.ErrConflict):
		return 409
	case errors.Is(err, fault.ErrTooLarge):
		return 413
	case errors.Is(err, fault.ErrUnsupported):
		return 415
	}
	return 503
}

// Problem is an error page in the reader's language, with the site's look: what went wrong
// and what to do (the translation "error."+key, e.g. "error.form").
func Problem(status int, l render.Locale, b render.Brand, key string) Response {
	return HTML(status, render.Page(l, b, l.T("error.title"), paragraph(l.T("error."+key))))
}

// Fail is the answer to a request that failed on our side: logged once, with what failed, and
// the same page whatever the cause, so that nothing internal reaches the reader.
func Fail(ctx context.Context, log *slog.Logger, what string, err error, l render.Locale, b render.Brand) Response {
	log.ErrorContext(ctx, what+" failed", "error", err)
	return Problem(503, l, b, "unavailable")
}

// problem is what a domain error of kind invalid, not found or conflict tells the client: its
// message without the kind and the input it is about ("invalid query: from must be before to"
// says "from must be before to").
func problem(err error) string {
	msg := err.Error()
	if _, rest, ok := strings.Cut(msg, ": "); ok {
		return rest
	}
	return msg
}
