// Package lambdaevent is the event layer of the functions that EventBridge (rules) and
// EventBridge Scheduler invoke: it decodes the EventBridge envelope, hands the event to the
// route of its detail-type, and decides what becomes of it. An error of kind fault.ErrInvalid
// puts the event on the dead-letter queue and ends the invocation without an error, since a
// retry of the same input cannot succeed; any other error is returned, so that Lambda retries.
// Each event gets one log line, written here, with the event id, the detail-type and what the
// route says about it.
//
// It is the event edge, as package web is the HTTP edge: the routes of each event function
// live here too (thankyou.go, sesevents.go, surveys.go), decode the detail into the domain's
// types and call the domain, which knows nothing of envelopes, dead letters or Lambda. The
// layer links no AWS service client.
package lambdaevent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"shopmail/internal/fault"
	"shopmail/internal/send"
)

// DeadLetters keeps events that cannot be handled, with the reason, so that nothing is lost.
// source names the function that refused the event.
type DeadLetters interface {
	Put(ctx context.Context, source string, reason error, event []byte) error
}

// Event is an EventBridge event as a rule delivers it to a Lambda function.
type Event struct {
	ID         string
	Source     string
	DetailType string
	Detail     json.RawMessage // as it came; nil when the event has none
	// Payload is the whole event as it came, for decoders that read the envelope themselves.
	Payload []byte
	time    string
}

// Time is the event's time: zero when the event has none, an error of kind fault.ErrInvalid
// when it is not an RFC 3339 time. Routes that use it ask for it, so that a route that does
// not is not refused an event for it.
func (e Event) Time() (time.Time, error) {
	if e.time == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, e.time)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w event: time %q is not an RFC 3339 time", fault.ErrInvalid, short(e.time))
	}
	return t, nil
}

// Result is what a route says about the event for its log line: the message (default "event
// handled"), the level (default Info) and attributes such as order_id, send_status or
// duplicate. A route returns it with its error too: the attributes it knew by then (an order
// id) go on the failure's line.
type Result struct {
	Message string
	Level   slog.Level
	Attrs   []slog.Attr
}

// Route handles the events of one detail-type.
type Route func(ctx context.Context, ev Event) (Result, error)

// RawRoute handles a payload that is not an EventBridge event: the input of an EventBridge
// Scheduler schedule, delivered as it was written, without an envelope.
type RawRoute func(ctx context.Context, payload []byte) (Result, error)

// Handler is a Lambda handler of events. It implements lambda.Handler, so that the runtime
// hands over the payload as it came, malformed JSON included, rather than failing before the
// event could be dead-lettered.
type Handler struct {
	// Name names the function on its dead letters ("thankyou").
	Name string
	// Routes handle EventBridge events, by detail-type.
	Routes map[string]Route
	// Raw, when set, handles payloads without a detail-type: a schedule's input.
	Raw RawRoute
	// Other, when set, handles the events of every detail-type Routes does not name, and those
	// without one when Raw is not set (SES events, whose decoder checks the detail-type against
	// the record). Events no route takes are dead-lettered.
	Other       Route
	DeadLetters DeadLetters
	Log         *slog.Logger
}

// envelope is the part of an EventBridge event the layer reads. Unknown fields are ignored;
// time is read as it is and parsed only when a route asks for it.
type envelope struct {
	ID         string          `json:"id"`
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Time       json.RawMessage `json:"time"`
	Detail     json.RawMessage `json:"detail"`
}

// Invoke implements lambda.Handler.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return nil, h.Handle(ctx, payload)
}

// Handle handles one payload. It returns an error only when a retry can help: a route failed
// with an error other than fault.ErrInvalid, or the dead-letter queue could not take an
// invalid event (then the retry dead-letters it, and nothing is lost).
func (h *Handler) Handle(ctx context.Context, payload []byte) error {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		// Lambda keeps the request id across its retries of an asynchronous invocation: a
		// retry recognises the sends its earlier tries claimed as its own.
		ctx = send.WithAttempt(ctx, lc.AwsRequestID)
	}
	ev, res, err := h.route(ctx, payload)
	attrs := make([]slog.Attr, 0, len(res.Attrs)+4)
	if ev.ID != "" {
		attrs = append(attrs, slog.String("event_id", ev.ID))
	}
	if ev.DetailType != "" {
		attrs = append(attrs, slog.String("detail_type", ev.DetailType))
	}
	attrs = append(attrs, res.Attrs...)
	log := h.Log
	if log == nil {
		log = slog.Default()
	}
	switch {
	case err == nil:
		msg := res.Message
		if msg == "" {
			msg = "event handled"
		}
		log.LogAttrs(ctx, res.Level, msg, attrs...)
		return nil
	case errors.Is(err, fault.ErrInvalid):
		attrs = append(attrs, slog.String("error", err.Error()))
		if dlErr := h.DeadLetters.Put(ctx, h.Name, err, payload); dlErr != nil {
			attrs = append(attrs, slog.String("dead_letter_error", dlErr.Error()))
			log.LogAttrs(ctx, slog.LevelError, "event rejected, but the dead-letter queue is unavailable; the event will be retried", attrs...)
			return fmt.Errorf("dead-letter event (%v): %w", err, dlErr)
		}
		log.LogAttrs(ctx, slog.LevelError, "event rejected; sent to the dead-letter queue", attrs...)
		return nil
	default:
		attrs = append(attrs, slog.String("error", err.Error()))
		log.LogAttrs(ctx, slog.LevelError, "event failed; it will be retried", attrs...)
		return err
	}
}

// route decodes the payload and runs its route.
func (h *Handler) route(ctx context.Context, payload []byte) (Event, Result, error) {
	var env envelope
	if err := json.Unmarshal(payload, &env); err != nil {
		what := "not an EventBridge event"
		if h.Raw != nil {
			what = "not an EventBridge event nor a schedule's input"
		}
		return Event{}, Result{}, fmt.Errorf("%w event: %s: %v", fault.ErrInvalid, what, err)
	}
	ev := Event{ID: env.ID, Source: env.Source, DetailType: env.DetailType, Detail: env.Detail, Payload: payload}
	if len(env.Time) > 0 && string(env.Time) != "null" {
		if err := json.Unmarshal(env.Time, &ev.time); err != nil {
			ev.time = string(env.Time) // not a string: Time reports it
		}
	}
	if r, ok := h.Routes[ev.DetailType]; ok && ev.DetailType != "" {
		res, err := r(ctx, ev)
		return ev, res, err
	}
	switch {
	case ev.DetailType == "" && h.Raw != nil:
		res, err := h.Raw(ctx, payload)
		return ev, res, err
	case h.Other != nil:
		res, err := h.Other(ctx, ev)
		return ev, res, err
	}
	return ev, Result{}, fmt.Errorf("%w event: detail-type %s is not %s", fault.ErrInvalid, short(ev.DetailType), h.handles())
}

// handles says which detail-types the handler takes, for a refusal.
func (h *Handler) handles() string {
	var names []string
	for name := range h.Routes {
		names = append(names, fmt.Sprintf("%q", name))
	}
	slices.Sort(names)
	switch len(names) {
	case 0:
		return "one this function handles"
	case 1:
		return names[0]
	}
	return "one of " + strings.Join(names, ", ")
}

// short quotes v for a message, cut to 64 bytes: a detail-type is the sender's text.
func short(v string) string {
	if len(v) > 64 {
		return fmt.Sprintf("%q...", v[:64])
	}
	return fmt.Sprintf("%q", v)
}
