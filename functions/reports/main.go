// Command reports is the marketer API's reports function: survey results (see internal/survey).
package main

import "shopmail/internal/functions"

func main() { functions.Start(functions.Reports) }
