// Command cartsend is the Lambda function that sends an abandoned-cart reminder when its schedule fires (see internal/cart).
package main

import (
	_ "time/tzdata" // contacts' time zones (the coupon's expiry), whatever the runtime image ships

	"shopmail/internal/wire"
	"shopmail/internal/wire/cartsend"
)

func main() { wire.Start(cartsend.Build) }
