// Command contacts is the marketer API's contacts and segments function (see internal/web/contacts.go and internal/contacts).
package main

import (
	"shopmail/internal/wire"
	"shopmail/internal/wire/contacts"
)

func main() { wire.Start(contacts.Build) }
