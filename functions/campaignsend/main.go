// Command campaignsend is the campaign sender: it plans campaigns onto their queue and sends
// each recipient's email from it (see internal/fanout).
package main

import (
	_ "time/tzdata" // recipients' time zones (quiet hours, local send times); Lambda's OS has none

	"shopmail/internal/wire"
	"shopmail/internal/wire/campaignsend"
)

func main() { wire.Start(campaignsend.Build) }
