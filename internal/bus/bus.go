// Package bus says how this system's events (source marketing.automation: Survey Answered,
// Customer Unhappy, Contact Unsubscribed, Contact Suppressed...) leave it, for the domain
// packages that publish them. It imports no AWS package: internal/eventbridge implements
// Publisher on an EventBridge bus, eventbridgetest.Bus records what was published in tests.
package bus

import "context"

// Publisher puts this system's events (source marketing.automation) on the bus. An event the
// bus refused is an error.
type Publisher interface {
	Publish(ctx context.Context, detailType string, detail any) error
}
