// Command reports is the marketer API's reports function: survey results (see internal/web/reports.go and internal/survey).
package main

import (
	"shopmail/internal/wire"
	"shopmail/internal/wire/reports"
)

func main() { wire.Start(reports.Build) }
