package sandbox

import (
	"shopmail/internal/wire"
	"shopmail/internal/wire/answers"
	"shopmail/internal/wire/preferences"
	"shopmail/internal/wire/reports"
	"shopmail/internal/wire/sesevents"
	"shopmail/internal/wire/surveys"
	"shopmail/internal/wire/surveysend"
	"shopmail/internal/wire/thankyou"
	"shopmail/internal/wire/tracking"
)

// Builders maps a function's folder under functions/ to the code that builds it from its
// environment: the same wiring its main package runs under Lambda.
var Builders = map[string]wire.Builder{
	"thankyou":    thankyou.Build,
	"tracking":    tracking.Build,
	"preferences": preferences.Build,
	"sesevents":   sesevents.Build,
	"surveys":     surveys.Build,
	"surveysend":  surveysend.Build,
	"answers":     answers.Build,
	"reports":     reports.Build,
}
