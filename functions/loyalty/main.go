// Command loyalty is the Lambda function that takes back the loyalty points of cancelled and
// refunded orders (see internal/loyalty).
package main

import (
	"shopmail/internal/wire"
	"shopmail/internal/wire/loyalty"
)

func main() { wire.Start(loyalty.Build) }
