// Package contacts wires the marketer API's contacts and segments (functions/contacts):
// DynamoDB only.
package contacts

import (
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/contacts"
	"shopmail/internal/env"
	"shopmail/internal/web"
	"shopmail/internal/wire"
)

// Build builds the function's handler from its environment.
func Build(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	r := env.New(lookup)
	table := r.String("TABLE_NAME")
	if err := r.Err(); err != nil {
		return nil, err
	}
	b, err := wire.New(lookup, table)
	if err != nil {
		return nil, err
	}
	svc := &contacts.Service{Store: b.Store, Segments: b.Store, Profiles: b.Store, Pages: b.Store, Now: time.Now}
	return &web.Contacts{Service: svc, Log: log}, nil
}
