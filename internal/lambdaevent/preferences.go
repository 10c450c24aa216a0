package lambdaevent

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"shopmail/internal/contact"
	"shopmail/internal/email"
	"shopmail/internal/fault"
	"shopmail/internal/preferences"
	"shopmail/internal/render"
)

// Subscriptions is the event handler of the preferences function: its own `Subscription
// Requested` events, whose confirmation emails it sends off the request path.
func Subscriptions(s *preferences.Service, dead DeadLetters, log *slog.Logger) *Handler {
	return &Handler{Name: "preferences", DeadLetters: dead, Log: log,
		Routes: map[string]Route{preferences.EventRequested: subscriptionRequested(s)}}
}

func subscriptionRequested(s *preferences.Service) Route {
	return func(ctx context.Context, ev Event) (Result, error) {
		var r preferences.Request
		if err := json.Unmarshal(ev.Detail, &r); err != nil {
			return Result{}, fmt.Errorf("%w detail: %v", fault.ErrInvalid, err)
		}
		addr, err := email.ParseAddress(r.Email)
		if err != nil || !contact.IsTopic(r.Topic) {
			return Result{}, fmt.Errorf("%w detail: no valid address and topic", fault.ErrInvalid)
		}
		r.Email, r.Locale = addr, render.NormalizeTag(r.Locale)
		out, err := s.Subscribe(ctx, r)
		res := Result{Message: "subscription request handled", Attrs: []slog.Attr{
			slog.String("topic", r.Topic), slog.String("contact_id", out.Record.ContactID),
			slog.String("send_status", string(out.Record.Status)), slog.Bool("duplicate", out.Duplicate),
			slog.String("message_id", out.Record.MessageID), slog.String("reason", out.Record.Reason)}}
		return res, err
	}
}
