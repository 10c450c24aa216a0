package deliverability

import (
	"time"

	"shopmail/internal/env"
)

// Settings is the SES events function's configuration.
type Settings struct {
	Table              string
	EventBus           string
	DeadLetterQueueURL string
	Retention          time.Duration
	Policy             Policy
}

// LoadConfig reads the settings from the environment and reports every problem at once.
func LoadConfig(lookup func(string) (string, bool)) (Settings, error) {
	r := env.New(lookup)
	s := Settings{
		Table: r.String("TABLE_NAME"), EventBus: r.String("EVENT_BUS_NAME"),
		DeadLetterQueueURL: r.String("DEAD_LETTER_QUEUE_URL"),
		Retention:          time.Duration(r.Int("TRACKING_RETENTION_DAYS", 400, 1, 3650)) * 24 * time.Hour,
		Policy:             DefaultPolicy,
	}
	s.Policy.MinSends = int64(r.Int("REPUTATION_MIN_SENDS", int(DefaultPolicy.MinSends), 1, 1_000_000))
	return s, r.Err()
}
