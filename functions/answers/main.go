// Command answers is the Lambda function behind the survey answer pages (see internal/web/answers.go and internal/survey).
package main

import (
	_ "time/tzdata" // contacts' time zones (the apology's coupon expiry), whatever the runtime image ships

	"shopmail/internal/wire"
	"shopmail/internal/wire/answers"
)

func main() { wire.Start(answers.Build) }
