// Package secrets reads secrets from AWS Secrets Manager: the link tokens' signing keys.
package secrets

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"shopmail/internal/token"
)

// TokenKeys reads the link tokens' keys from the secret (its ARN or name), giving up after 10
// seconds. Functions read it once, at start: a rotated key reaches new instances, and old keys
// stay in the secret so that mail already sent keeps working.
func TokenKeys(cfg aws.Config, secret string) (*token.Keys, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &secret})
	if err != nil {
		return nil, fmt.Errorf("read secret %s: %w", secret, err)
	}
	if out.SecretString == nil {
		return nil, fmt.Errorf("read secret %s: not a string secret", secret)
	}
	keys, err := token.ParseKeys(*out.SecretString)
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", secret, err)
	}
	return keys, nil
}
