// Command contacts is the marketer API's contacts and segments function (see internal/web/contacts.go and internal/contacts).
package main

import (
	_ "time/tzdata" // time zones are checked against the IANA database (contacts, segments), which Lambda's OS lacks

	"shopmail/internal/wire"
	"shopmail/internal/wire/contacts"
)

func main() { wire.Start(contacts.Build) }
