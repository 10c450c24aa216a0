// Command tracking is the Lambda function behind the open pixel and the click redirect
// (see internal/tracking; wiring in internal/wire/tracking).
package main

import (
	"shopmail/internal/wire"
	"shopmail/internal/wire/tracking"
)

func main() { wire.Start(tracking.Build) }
