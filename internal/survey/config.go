package survey

import (
	"time"

	"shopmail/internal/ascii"
	"shopmail/internal/email"
	"shopmail/internal/env"
	"shopmail/internal/links"
	"shopmail/internal/render"
)

// Settings are the survey functions' configuration (names as in template.yaml).
type Settings struct {
	Config
	KeysSecret         string
	Table              string
	ConfigurationSet   string
	DeadLetterQueueURL string
	// Scheduling (surveys function).
	ScheduleGroup, TargetARN, RoleARN string
	// Answers (answers function).
	Support        email.Address
	PauseMarketing time.Duration
	ReviewURL      string
	Apology        Apology
	EventBus       string
}

// validPrefix reports whether p may start coupon codes: 1-20 upper-case letters or digits,
// `^[A-Z0-9]{1,20}$` (a loop rather than a regular expression compiled at every function's start).
func validPrefix(p string) bool {
	return ascii.All(p, 1, 20, func(c byte) bool { return ascii.Upper(c) || ascii.Digit(c) })
}

func days(r *env.Reader, name string, def, lo, hi int) time.Duration {
	return time.Duration(r.Int(name, def, lo, hi)) * 24 * time.Hour
}

// LoadConfig reads the settings every survey function shares; need names the groups of
// others it needs, by their first variable.
func LoadConfig(lookup func(string) (string, bool), need ...string) (Settings, error) {
	r := env.New(lookup)
	s := Settings{Table: r.String("TABLE_NAME")}
	var err error
	if s.Questions, err = ParseQuestions(r.Optional("SURVEY_QUESTIONS", "csat,nps")); err != nil {
		r.Check(false, "SURVEY_QUESTIONS", err.Error())
	}
	s.AfterDelivery = days(r, "SURVEY_AFTER_DELIVERY_DAYS", 3, 0, 90)
	s.AfterPlaced = days(r, "SURVEY_AFTER_PLACED_DAYS", 14, 1, 180)
	s.Throttle = days(r, "SURVEY_THROTTLE_DAYS", 30, 0, 365)
	ask := r.Optional("SURVEY_ASK_NEXT", "true")
	r.Check(ask == "true" || ask == "false", "SURVEY_ASK_NEXT", "must be true or false")
	s.AskNext = ask == "true"
	for _, name := range need {
		v := r.String(name)
		switch name {
		case "TOKEN_KEYS_SECRET":
			ls := links.Load(r)
			s.Links, s.KeysSecret = ls.Config, v
		case "SES_CONFIGURATION_SET": // a function that sends email
			s.ConfigurationSet = v
			s.Brand, s.From = render.LoadBrand(r)
		case "DEAD_LETTER_QUEUE_URL":
			s.DeadLetterQueueURL = v
		case "SURVEY_TARGET_ARN":
			s.TargetARN, s.RoleARN, s.ScheduleGroup = v, r.String("SCHEDULER_ROLE_ARN"), r.Optional("SCHEDULE_GROUP", "default")
		case "EVENT_BUS_NAME":
			s.EventBus = v
			s.PauseMarketing = days(r, "UNHAPPY_MARKETING_PAUSE_DAYS", 30, 0, 365)
			s.ReviewURL = r.Optional("REVIEW_URL", "")
			s.Apology = Apology{Prefix: r.Optional("APOLOGY_COUPON_PREFIX", ""), Valid: days(r, "COUPON_VALID_DAYS", 60, 1, 3650),
				Offer: map[string]string{"en": r.Optional("APOLOGY_COUPON_OFFER", ""), "fa": r.Optional("APOLOGY_COUPON_OFFER_FA", "")}}
			if s.Apology.Offer["fa"] == "" {
				delete(s.Apology.Offer, "fa")
			}
			r.Check(s.Apology.Prefix == "" || validPrefix(s.Apology.Prefix), "APOLOGY_COUPON_PREFIX", "must be 1-20 upper-case letters or digits")
			r.Check(s.Apology.Prefix == "" || s.Apology.Offer["en"] != "", "APOLOGY_COUPON_OFFER", "is required when APOLOGY_COUPON_PREFIX is set")
			if addr := r.Optional("SUPPORT_ADDRESS", ""); addr != "" {
				a, err := email.ParseAddress(addr)
				r.Check(err == nil, "SUPPORT_ADDRESS", "is not a valid email address")
				s.Support = email.Address{Email: a}
			}
		}
	}
	return s, r.Err()
}
