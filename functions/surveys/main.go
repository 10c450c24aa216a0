// Command surveys is the Lambda function that plans post-purchase surveys from order
// events (see internal/survey).
package main

import (
	_ "time/tzdata" // contacts' time zones, whatever the runtime image ships

	"shopmail/internal/wire"
	"shopmail/internal/wire/surveys"
)

func main() { wire.Start(surveys.Build) }
