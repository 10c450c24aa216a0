// Command answers is the Lambda function behind the survey answer pages (see internal/survey).
package main

import "shopmail/internal/functions"

func main() { functions.Start(functions.Answers) }
