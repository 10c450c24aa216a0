// Command preferences is the Lambda function behind the one-click unsubscribe, the
// preference centre and double opt-in subscriptions (see internal/web/preferences.go and
// internal/preferences).
package main

import (
	_ "time/tzdata" // contacts' time zones, whatever the runtime image ships

	"shopmail/internal/wire"
	"shopmail/internal/wire/preferences"
)

func main() { wire.Start(preferences.Build) }
