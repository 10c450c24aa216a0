package lambdaevent

import (
	"context"
	"log/slog"

	"shopmail/internal/deliverability"
	"shopmail/internal/deliverability/sesevent"
)

// SESEvents is the Lambda handler of SES events from EventBridge (source aws.ses, every
// SES detail-type: sesevent checks it against the record). An invalid event is dead-lettered
// at once; an error is returned only when a retry can help.
func SESEvents(in *deliverability.Ingest, dead DeadLetters, log *slog.Logger) *Handler {
	return &Handler{Name: "sesevents", DeadLetters: dead, Log: log, Other: sesEvent(in)}
}

// sesEvent applies one SES event; sesevent decodes the whole event, envelope included.
func sesEvent(in *deliverability.Ingest) Route {
	return func(ctx context.Context, ev Event) (Result, error) {
		e, err := sesevent.Decode(ev.Payload)
		if err != nil {
			return Result{}, err
		}
		res := Result{Message: "SES event handled",
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
}
