package env_test

import (
	"strings"
	"testing"

	"shopmail/internal/env"
)

func TestEveryProblemIsReportedAtOnce(t *testing.T) {
	r := env.New(env.Map(map[string]string{"DAYS": "many", "BLANK": "  ", "NAME": " shop "}))
	if got := r.String("NAME"); got != "shop" {
		t.Errorf("NAME = %q", got)
	}
	r.String("MISSING")
	r.String("BLANK")
	r.Int("DAYS", 60, 1, 3650)
	r.Check(false, "URL", "must be absolute")
	err := r.Err()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"MISSING is not set", "BLANK is not set", `DAYS="many" is not a whole number from 1 to 3650`, "URL must be absolute"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
}

func TestDefaults(t *testing.T) {
	r := env.New(env.Map(nil))
	if r.Optional("X", "d") != "d" || r.Int("N", 7, 1, 9) != 7 || r.Err() != nil {
		t.Error("defaults not applied")
	}
}
