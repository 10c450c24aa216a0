package deliverability

import (
	"context"
	"log/slog"

	"shopmail/internal/deliverability/sesevent"
	"shopmail/internal/lambdaevent"
)

// NewHandler returns the Lambda handler of SES events from EventBridge (source aws.ses, every
// SES detail-type: sesevent checks it against the record). An invalid event is dead-lettered
// at once; an error is returned only when a retry can help.
func NewHandler(in *Ingest, dead lambdaevent.DeadLetters, log *slog.Logger) *lambdaevent.Handler {
	return &lambdaevent.Handler{Name: "sesevents", DeadLetters: dead, Log: log, Other: in.event}
}

// event applies one SES event; sesevent decodes the whole event, envelope included.
func (in *Ingest) event(ctx context.Context, ev lambdaevent.Event) (lambdaevent.Result, error) {
	e, err := sesevent.Decode(ev.Payload)
	if err != nil {
		return lambdaevent.Result{}, err
	}
	res := lambdaevent.Result{Message: "SES event handled",
		Attrs: []slog.Attr{slog.String("ses_event", string(e.Type)), slog.String("message_id", e.MessageID)}}
	out, err := in.Handle(ctx, e)
	if err != nil {
		return res, err
	}
	if out.Reputation != "" {
		res.Level = slog.LevelWarn
	}
	res.Attrs = append(res.Attrs, slog.Bool("duplicate", out.Duplicate), slog.Bool("settled", out.Settled),
		slog.Int("suppressed", len(out.Suppressed)), slog.String("reputation", out.Reputation))
	return res, nil
}
