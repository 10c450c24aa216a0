// Command tracking is the Lambda function behind the open pixel and the click redirect
// (see internal/tracking; wiring in internal/functions).
package main

import "shopmail/internal/functions"

func main() { functions.Start(functions.Tracking) }
