// Package reports wires the marketer API's reports (functions/reports): DynamoDB only.
package reports

import (
	"context"
	"time"

	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/cart"
	"shopmail/internal/dynamo"
	"shopmail/internal/env"
	"shopmail/internal/loyalty"
	"shopmail/internal/survey"
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
	return &web.Reports{Log: log, Now: wire.Now, Surveys: &survey.Reporter{Store: b.Store},
		Retention: loyalty.Retentions{Profiles: &dynamo.Marketing{Store: b.Store}, Now: wire.Now},
		Draws:     loyalty.DrawReader{Store: b.Store}, Carts: cartNumbers{b.Store}}, nil
}

// cartNumbers reports the numbers of the table's carts.
type cartNumbers struct{ r cart.Reader }

func (c cartNumbers) CartNumbers(ctx context.Context, from, to time.Time) (any, error) {
	return cart.Report(ctx, c.r, from, to)
}
