// Package tracking wires the open pixel and click redirect function (functions/tracking):
// DynamoDB and the token keys' secret.
package tracking

import (
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/render"
	"shopmail/internal/secrets"
	"shopmail/internal/tracking"
	"shopmail/internal/web"
	"shopmail/internal/wire"
)

// Build builds the function's handler from its environment.
func Build(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
	cfg, err := tracking.LoadConfig(lookup)
	if err != nil {
		return nil, err
	}
	b, err := wire.New(lookup, cfg.Table)
	if err != nil {
		return nil, err
	}
	keys, err := secrets.TokenKeys(b.AWS.For("SECRETSMANAGER"), cfg.Links.KeysSecret)
	if err != nil {
		return nil, err
	}
	return &web.Tracking{Log: log, Brand: render.Brand{ShopName: cfg.ShopName, ShopURL: cfg.ShopURL, PostalAddress: cfg.PostalAddress}, Service: &tracking.Service{
		Store: b.Store,
		Keys:  keys, ShopURL: cfg.ShopURL, Retention: cfg.Links.Tracking, Now: wire.Now,
	}}, nil
}
