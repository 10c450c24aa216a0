package deliverability

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"shopmail/internal/fault"
	"shopmail/internal/sesevent"
)

// DeadLetters keeps events that cannot be handled, with the reason, so that nothing is lost.
type DeadLetters interface {
	Put(ctx context.Context, source string, reason error, event []byte) error
}

// Handler is the Lambda handler for SES events from EventBridge.
type Handler struct {
	Ingest      *Ingest
	DeadLetters DeadLetters
	Log         *slog.Logger
}

// Invoke implements lambda.Handler, so that malformed events reach the handler and are
// dead-lettered rather than failing in the runtime.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return nil, h.Handle(ctx, payload)
}

// Handle applies one SES event. An invalid event is dead-lettered at once; an error is
// returned only when a retry can help.
func (h *Handler) Handle(ctx context.Context, raw []byte) error {
	ev, err := sesevent.Decode(raw)
	if err != nil {
		h.Log.ErrorContext(ctx, "SES event rejected; sent to the dead-letter queue", "error", err)
		if err := h.DeadLetters.Put(ctx, "sesevents", err, raw); err != nil {
			return fmt.Errorf("dead-letter SES event: %w", err)
		}
		return nil
	}
	log := h.Log.With("event_id", ev.EventID, "ses_event", string(ev.Type), "message_id", ev.MessageID)
	out, err := h.Ingest.Handle(ctx, ev)
	if errors.Is(err, fault.ErrInvalid) {
		log.ErrorContext(ctx, "SES event rejected; sent to the dead-letter queue", "error", err)
		return h.DeadLetters.Put(ctx, "sesevents", err, raw)
	}
	if err != nil {
		log.ErrorContext(ctx, "SES event failed; it will be retried", "error", err)
		return err
	}
	level := slog.LevelInfo
	if out.Reputation != "" {
		level = slog.LevelWarn
	}
	log.Log(ctx, level, "SES event handled", "duplicate", out.Duplicate, "settled", out.Settled,
		"suppressed", len(out.Suppressed), "reputation", out.Reputation)
	return nil
}
