// Package campaigns wires the marketer API's campaigns (functions/campaigns): DynamoDB only,
// for now (sending comes with scheduling).
package campaigns

import (
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/campaigns"
	"shopmail/internal/dynamo"
	"shopmail/internal/env"
	"shopmail/internal/render"
	"shopmail/internal/web/campaignsapi"
	"shopmail/internal/wire"
)

// Build builds the function's handler from its environment.
func Build(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	r := env.New(lookup)
	table := r.String("TABLE_NAME")
	shop, from := render.LoadBrand(r)
	if err := r.Err(); err != nil {
		return nil, err
	}
	b, err := wire.New(lookup, table)
	if err != nil {
		return nil, err
	}
	svc := &campaigns.Service{Store: &dynamo.Marketing{Store: b.Store}, Shop: shop, From: from, Now: time.Now}
	return &campaignsapi.Campaigns{Service: svc, Log: log}, nil
}
