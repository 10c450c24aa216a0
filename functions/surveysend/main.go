// Command surveysend is the Lambda function EventBridge Scheduler invokes when a survey is
// due: it sends the survey email (see internal/survey).
package main

import (
	_ "time/tzdata" // contacts' time zones, whatever the runtime image ships

	"shopmail/internal/wire"
	"shopmail/internal/wire/surveysend"
)

func main() { wire.Start(surveysend.Build) }
