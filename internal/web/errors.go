package web

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"shopmail/internal/fault"
)

// Status is the HTTP status of a domain error, by its kind (internal/fault): invalid input
// 400, not found 404, a conflict 409, anything else (a store or a service unavailable) 503,
// which the client may retry.
func Status(err error) int {
	switch {
	case errors.Is(err, fault.ErrInvalid):
		return 400
	case errors.Is(err, fault.ErrNotFound):
		return 404
	case errors.Is(err, fault.ErrConflict):
		return 409
	}
	return 503
}

// unavailable is what a customer reads when the system could not do what they asked.
const unavailable = "Something went wrong on our side. Please try again in a moment."

// Fail is the answer to a request that failed on our side: logged once, with what failed, and
// the same plain text whatever the cause, so that nothing internal reaches the reader.
func Fail(ctx context.Context, log *slog.Logger, what string, err error) Response {
	log.ErrorContext(ctx, what+" failed", "error", err)
	return Text(503, unavailable)
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
