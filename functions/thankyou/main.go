// Command thankyou is the Lambda function that sends the thank-you email for each
// `Order Placed` event (see internal/thankyou; wiring in internal/wire/thankyou).
package main

import (
	_ "time/tzdata" // contacts' time zones, whatever the runtime image ships

	"shopmail/internal/wire"
	"shopmail/internal/wire/thankyou"
)

func main() { wire.Start(thankyou.Build) }
