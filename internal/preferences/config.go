package preferences

import (
	"shopmail/internal/email"
	"shopmail/internal/env"
	"shopmail/internal/links"
	"shopmail/internal/render"
)

// Settings is the preferences function's configuration.
type Settings struct {
	Links              links.Settings
	Brand              render.Brand
	From               email.Address
	Table              string
	ConfigurationSet   string
	EventBus           string
	DeadLetterQueueURL string
	Limits             Limits
}

// LoadConfig reads the settings from the environment and reports every problem at once.
func LoadConfig(lookup func(string) (string, bool)) (Settings, error) {
	r := env.New(lookup)
	s := Settings{Links: links.Load(r), Table: r.String("TABLE_NAME"),
		ConfigurationSet: r.String("SES_CONFIGURATION_SET"), EventBus: r.String("EVENT_BUS_NAME")}
	s.DeadLetterQueueURL = r.String("DEAD_LETTER_QUEUE_URL")
	s.Limits.PerClient = int64(r.Int("SUBSCRIBE_REQUESTS_PER_CLIENT", int(DefaultLimits.PerClient), 1, 1_000_000))
	s.Limits.ConfirmationsPerHour = int64(r.Int("SUBSCRIBE_CONFIRMATIONS_PER_HOUR", int(DefaultLimits.ConfirmationsPerHour), 1, 1_000_000))
	s.Brand, s.From = render.LoadBrand(r)
	return s, r.Err()
}
