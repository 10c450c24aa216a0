// Package campaignevents is the event edge of the campaign sender (see package lambdaevent). It
// is a package of its own so that the other event functions, which link lambdaevent, do not
// link the campaign sender: its markdown and HTML sanitiser (goldmark, bluemonday) alone
// allocated 1.2 MB at every start.
package campaignevents

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"shopmail/internal/fanout"
	"shopmail/internal/fault"
	"shopmail/internal/lambdaevent"
	"shopmail/internal/send"
)

// Campaigns is the Lambda handler of the campaign sender: batches from the campaign queue
// (through its event source mapping, answered with the messages to deliver again, as
// ReportBatchItemFailures asks), the schedules' steps ({"campaign": id, "step": "start"}), and
// the hourly greeting sweep ({"step": "sweep"}).
type Campaigns struct {
	Service     *fanout.Service
	DeadLetters lambdaevent.DeadLetters
	Log         *slog.Logger
}

// StepSweep is the hourly schedule's step ({"step": "sweep"}): the day's greeting cards.
const StepSweep = "sweep"

// stepInput is a schedule's input.
type stepInput struct {
	Campaign string `json:"campaign"`
	Step     string `json:"step"`
}

// Invoke implements lambda.Handler.
func (h *Campaigns) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var probe struct {
		Records []json.RawMessage `json:"Records"`
	}
	if err := json.Unmarshal(payload, &probe); err != nil {
		return nil, h.reject(ctx, payload)
	}
	if probe.Records != nil {
		var ev events.SQSEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, fmt.Errorf("%w: SQS batch: %v", fault.ErrInvalid, err)
		}
		batch := make([]fanout.Received, len(ev.Records))
		for i, r := range ev.Records {
			batch[i] = fanout.Received{ID: r.MessageId, Receipt: r.ReceiptHandle, Body: r.Body}
		}
		again := h.Service.Deliver(ctx, batch)
		resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
		for _, id := range again {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: id})
		}
		h.Log.InfoContext(ctx, "campaign batch handled", "messages", len(batch), "again", len(again))
		return json.Marshal(resp)
	}
	var in stepInput
	if err := json.Unmarshal(payload, &in); err != nil || in.Step == "" || in.Campaign == "" && in.Step != StepSweep {
		return nil, h.reject(ctx, payload)
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		ctx = send.WithAttempt(ctx, lc.AwsRequestID)
	}
	if in.Step == StepSweep {
		if err := h.Service.Sweep(ctx); err != nil {
			h.Log.ErrorContext(ctx, "greeting sweep failed; the next hour's sweep tries again", "error", err)
			return nil, err
		}
		h.Log.InfoContext(ctx, "greeting sweep done")
		return nil, nil
	}
	if err := h.Service.Step(ctx, fanout.Message{Campaign: in.Campaign, Step: in.Step}); err != nil {
		h.Log.ErrorContext(ctx, "campaign step failed; it will be retried", "campaign", in.Campaign, "step", in.Step, "error", err)
		return nil, err
	}
	h.Log.InfoContext(ctx, "campaign step done", "campaign", in.Campaign, "step", in.Step)
	return nil, nil
}

// reject dead-letters an input that no retry can make valid (an error only when the
// dead-letter queue is unavailable: the retry then dead-letters it).
func (h *Campaigns) reject(ctx context.Context, payload []byte) error {
	err := fmt.Errorf(`%w input: the campaign sender takes SQS batches, {"campaign": id, "step": step} and {"step": "sweep"}, not %s`, fault.ErrInvalid, short(string(payload)))
	if dlErr := h.DeadLetters.Put(ctx, "campaignsend", err, payload); dlErr != nil {
		h.Log.ErrorContext(ctx, "input rejected, but the dead-letter queue is unavailable; it will be retried", "error", err, "dead_letter_error", dlErr)
		return fmt.Errorf("dead-letter input (%v): %w", err, dlErr)
	}
	h.Log.ErrorContext(ctx, "input rejected; sent to the dead-letter queue", "error", err)
	return nil
}

// short quotes v for a message, cut to 64 bytes, as lambdaevent does.
func short(v string) string {
	if len(v) > 64 {
		return fmt.Sprintf("%q...", v[:64])
	}
	return fmt.Sprintf("%q", v)
}
