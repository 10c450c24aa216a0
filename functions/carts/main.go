// Command carts is the Lambda function that plans and stops abandoned-cart reminders (see internal/cart).
package main

import (
	_ "time/tzdata" // contacts' time zones (the quiet hours), whatever the runtime image ships

	"shopmail/internal/wire"
	"shopmail/internal/wire/carts"
)

func main() { wire.Start(carts.Build) }
