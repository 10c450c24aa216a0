// Package eventbridge publishes this system's events (source marketing.automation) on an
// EventBridge bus, for help desks, CRMs and the shop to subscribe to (DESIGN.md section 6).
package eventbridge

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"shopmail/internal/bus"
)

// Source is the source of every event this system publishes.
const Source = "marketing.automation"

// Client is the part of the EventBridge API the publisher uses.
type Client interface {
	PutEvents(context.Context, *eventbridge.PutEventsInput, ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// Publisher puts events on one bus.
type Publisher struct {
	client Client
	bus    string
}

var _ bus.Publisher = (*Publisher)(nil)

// New returns a publisher to the bus (name or ARN).
func New(cfg aws.Config, bus string) *Publisher {
	return &Publisher{client: eventbridge.NewFromConfig(cfg), bus: bus}
}

// Publish puts one event. An entry the bus refused is an error.
func (p *Publisher) Publish(ctx context.Context, detailType string, detail any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("publish %s: %w", detailType, err)
	}
	out, err := p.client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
		EventBusName: &p.bus, Source: aws.String(Source), DetailType: &detailType, Detail: aws.String(string(b)),
	}}})
	if err != nil {
		return fmt.Errorf("publish %s: %w", detailType, err)
	}
	if out.FailedEntryCount > 0 && len(out.Entries) > 0 {
		e := out.Entries[0]
		return fmt.Errorf("publish %s: refused: %s: %s", detailType, aws.ToString(e.ErrorCode), aws.ToString(e.ErrorMessage))
	}
	return nil
}
