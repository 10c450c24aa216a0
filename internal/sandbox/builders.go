package sandbox

import "shopmail/internal/functions"

// Builders maps a function's folder under functions/ to the code that builds it from its
// environment: the same code its main package runs under Lambda.
var Builders = map[string]functions.Builder{
	"thankyou":    functions.ThankYou,
	"tracking":    functions.Tracking,
	"preferences": functions.Preferences,
	"sesevents":   functions.SESEvents,
	"surveys":     functions.Surveys,
	"surveysend":  functions.SurveySend,
	"answers":     functions.Answers,
	"reports":     functions.Reports,
}
