// Command campaignsend is the campaign sender: it plans campaigns onto their queue and sends
// each recipient's email from it (see internal/fanout).
package main

import (
	"shopmail/internal/wire"
	"shopmail/internal/wire/campaignsend"
)

func main() { wire.Start(campaignsend.Build) }
