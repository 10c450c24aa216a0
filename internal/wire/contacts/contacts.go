// Package contacts wires the marketer API's contacts and segments (functions/contacts):
// DynamoDB only.
package contacts

import (
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/contacts"
	"shopmail/internal/dynamo"
	"shopmail/internal/env"
	"shopmail/internal/loyalty"
	"shopmail/internal/web/contactsapi"
	"shopmail/internal/wire"
)

// Build builds the function's handler from its environment.
func Build(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	r := env.New(lookup)
	table := r.String("TABLE_NAME")
	programme, shop := loyalty.Load(r), r.Optional("SHOP_URL", "")
	if err := r.Err(); err != nil {
		return nil, err
	}
	b, err := wire.New(lookup, table)
	if err != nil {
		return nil, err
	}
	st := &dynamo.Marketing{Store: b.Store}
	svc := &contacts.Service{Store: st, Segments: st, Profiles: st, Pages: st, Ledger: st, Programme: programme, ShopURL: shop, Now: wire.Now}
	return &contactsapi.Contacts{Service: svc, Log: log}, nil
}
