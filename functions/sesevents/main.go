// Command sesevents is the Lambda function that ingests SES events: send timelines,
// suppression and the reputation guard (see internal/deliverability).
package main

import (
	"shopmail/internal/wire"
	"shopmail/internal/wire/sesevents"
)

func main() { wire.Start(sesevents.Build) }
