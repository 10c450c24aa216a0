// Command campaigns is the marketer API's campaigns function (see internal/web/campaignsapi and internal/campaigns).
package main

import (
	"shopmail/internal/wire"
	"shopmail/internal/wire/campaigns"
)

func main() { wire.Start(campaigns.Build) }
