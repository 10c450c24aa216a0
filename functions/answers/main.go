// Command answers is the Lambda function behind the survey answer pages (see internal/web/answers.go and internal/survey).
package main

import (
	"shopmail/internal/wire"
	"shopmail/internal/wire/answers"
)

func main() { wire.Start(answers.Build) }
