package fanout

import (
	"fmt"
	"time"

	"shopmail/internal/env"
	"shopmail/internal/links"
	"shopmail/internal/render"
)

// Settings are the campaign sender's configuration (names as in template.yaml).
type Settings struct {
	Config
	Table, ConfigurationSet, QueueURL, KeysSecret, DeadLetterQueueURL string
}

// LoadConfig reads the campaign sender's settings, reporting every problem at once.
func LoadConfig(lookup func(string) (string, bool)) (Settings, error) {
	r := env.New(lookup)
	s := Settings{Table: r.String("TABLE_NAME"), ConfigurationSet: r.String("SES_CONFIGURATION_SET"),
		QueueURL: r.String("CAMPAIGN_QUEUE_URL"), DeadLetterQueueURL: r.String("DEAD_LETTER_QUEUE_URL")}
	s.Brand, s.From = render.LoadBrand(r)
	ls := links.Load(r)
	s.Links, s.KeysSecret = ls.Config, ls.KeysSecret
	s.ShopTimezone = r.Optional("SHOP_TIMEZONE", "UTC")
	if _, err := render.Location(s.ShopTimezone); err != nil {
		r.Check(false, "SHOP_TIMEZONE", "is not an IANA time zone, e.g. Asia/Tehran")
	}
	s.FrequencyCap = time.Duration(r.Int("FREQUENCY_CAP_HOURS", 16, 0, 24*30)) * time.Hour
	s.QuietStart, s.QuietEnd = r.Int("QUIET_HOURS_START", 21, 0, 23), r.Int("QUIET_HOURS_END", 8, 0, 23)
	keep := r.Int("TRANSACTIONAL_SHARE_PERCENT", 20, 0, 90)
	s.Keep = float64(keep) / 100
	if err := r.Err(); err != nil {
		return s, fmt.Errorf("campaign sender: %w", err)
	}
	return s, nil
}
