// Command dashboard is the marketers' web dashboard (see internal/web/dashboard).
package main

import (
	_ "time/tzdata" // the shop's and recipients' time zones; Lambda's OS has none

	"shopmail/internal/wire"
	"shopmail/internal/wire/dashboard"
)

func main() { wire.Start(dashboard.Build) }
