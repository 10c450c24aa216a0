package lambdaevent

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"shopmail/internal/deliverability"
	"shopmail/internal/deliverability/sesevent"
	"shopmail/internal/fault"
)

// SESEvents is the Lambda handler of SES events from EventBridge (source aws.ses, every
// SES detail-type: sesevent checks it against the record). An invalid event is dead-lettered
// at once; an error is returned only when a retry can help.
func SESEvents(in *deliverability.Ingest, dead DeadLetters, log *slog.Logger) *Handler {
	return &Handler{Name: "sesevents", DeadLetters: dead, Log: log, Other: sesEvent(in), Raw: flush(in)}
}

// flushInput is the input of the outbox's schedule.
type flushInput struct {
	Flush string `json:"flush"`
}

// flush publishes the events the outbox still holds (deliverability.Ingest.Flush).
func flush(in *deliverability.Ingest) RawRoute {
	return func(ctx context.Context, payload []byte) (Result, error) {
		var f flushInput
		if err := json.Unmarshal(payload, &f); err != nil || f.Flush != "outbox" {
			return Result{}, fmt.Errorf(`%w input: the SES-events function takes SES events and {"flush": "outbox"}, not %s`, fault.ErrInvalid, short(string(payload)))
		}
		n, err := in.Flush(ctx)
		return Result{Message: "outbox flushed", Attrs: []slog.Attr{slog.Int("published", n)}}, err
	}
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
		res.Attrs = append(res.Attrs, slog.Bool("duplicate", out.Duplicate),
			slog.Int("suppressed", len(out.Suppressed)), slog.String("reputation", out.Reputation))
		return res, nil
	}
}
