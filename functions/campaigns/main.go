// Command campaigns is the marketer API's campaigns function (see internal/web/campaignsapi and internal/campaigns).
package main

import (
	_ "time/tzdata" // segments' time zones, the shop's and recipients' (previews, local send times); Lambda's OS has none

	"shopmail/internal/wire"
	"shopmail/internal/wire/campaigns"
)

func main() { wire.Start(campaigns.Build) }
