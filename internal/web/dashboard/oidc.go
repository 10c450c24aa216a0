package dashboard

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// OIDC is the sign-in through the configured OpenID Connect issuer (a Cognito user pool's
// hosted page, or any issuer): the authorization code flow with PKCE (S256) for a public
// client, as OAuth 2.0 for browser-based apps recommends (RFC 9700 2.1.1).
//
// The ID token comes straight from the issuer's token endpoint over TLS, so its claims are
// checked (issuer, audience, expiry, nonce) and its signature is not: OpenID Connect Core
// 3.1.3.7 (6) lets TLS server validation stand for it then, and it keeps a JWKS client and RSA
// out of the function. The marketer's scopes are the token response's scope, or the access
// token's scope claim (Cognito puts them only there), as the API's JWT authorizer reads them.
type OIDC struct {
	Issuer    string // the iss of the tokens (the API's JWT authorizer's issuer)
	ClientID  string // the app client (the authorizer's audience)
	Discovery string // the issuer's discovery document; "" for <Issuer>/.well-known/openid-configuration
	HTTP      *http.Client

	mu   sync.Mutex
	meta *provider
}

// provider is what the discovery document says.
type provider struct {
	Issuer    string `json:"issuer"`
	Authorize string `json:"authorization_endpoint"`
	Token     string `json:"token_endpoint"`
}

// Identity is who signed in, and what they may do.
type Identity struct {
	Subject, Email string
	Scopes         []string
}

func (o *OIDC) client() *http.Client {
	if o.HTTP != nil {
		return o.HTTP
	}
	return &http.Client{Timeout: 10 * time.Second}
}

// discover reads the issuer's discovery document once (a failure is tried again next time).
func (o *OIDC) discover(ctx context.Context) (provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.meta != nil {
		return *o.meta, nil
	}
	u := o.Discovery
	if u == "" {
		u = strings.TrimRight(o.Issuer, "/") + "/.well-known/openid-configuration"
	}
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return provider{}, fmt.Errorf("discovery %s: %w", u, err)
	}
	var p provider
	if err := o.do(req, &p); err != nil {
		return provider{}, fmt.Errorf("discovery %s: %w", u, err)
	}
	if p.Issuer != o.Issuer || p.Authorize == "" || p.Token == "" {
		return provider{}, fmt.Errorf("discovery %s: issuer %q, want %q, with both endpoints", u, p.Issuer, o.Issuer)
	}
	o.meta = &p
	return p, nil
}

func (o *OIDC) do(req *http.Request, v any) error {
	res, err := o.client().Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return err
	}
	if res.StatusCode != 200 {
		return fmt.Errorf("status %d: %.200s", res.StatusCode, body)
	}
	return json.Unmarshal(body, v)
}

// AuthorizeURL is where the browser goes to sign in, back to redirect with a code.
func (o *OIDC) AuthorizeURL(ctx context.Context, redirect, state, verifier, nonce string) (string, error) {
	p, err := o.discover(ctx)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(p.Authorize)
	if err != nil {
		return "", fmt.Errorf("authorization endpoint: %w", err)
	}
	q := u.Query()
	q.Set("response_type", "code")
	q.Set("client_id", o.ClientID)
	q.Set("redirect_uri", redirect)
	q.Set("scope", "openid email")
	q.Set("state", state)
	q.Set("nonce", nonce)
	q.Set("code_challenge", challenge(verifier))
	q.Set("code_challenge_method", "S256")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// errSignIn is a sign-in the issuer or its tokens refused.
var errSignIn = errors.New("sign-in refused")

// Exchange trades the code for the marketer's identity, checking the ID token's claims.
func (o *OIDC) Exchange(ctx context.Context, redirect, code, verifier, nonce string, now time.Time) (Identity, error) {
	p, err := o.discover(ctx)
	if err != nil {
		return Identity{}, err
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect},
		"client_id": {o.ClientID}, "code_verifier": {verifier}}
	req, err := http.NewRequestWithContext(ctx, "POST", p.Token, strings.NewReader(form.Encode()))
	if err != nil {
		return Identity{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var tok struct {
		IDToken     string `json:"id_token"`
		AccessToken string `json:"access_token"`
		Scope       string `json:"scope"`
	}
	if err := o.do(req, &tok); err != nil {
		return Identity{}, fmt.Errorf("%w: token endpoint: %v", errSignIn, err)
	}
	var id struct {
		Iss, Sub, Email, Nonce string
		Aud                    audience
		Exp                    int64
	}
	if err := claims(tok.IDToken, &id); err != nil {
		return Identity{}, fmt.Errorf("%w: id token: %v", errSignIn, err)
	}
	switch {
	case id.Iss != o.Issuer:
		return Identity{}, fmt.Errorf("%w: id token from %q", errSignIn, id.Iss)
	case !slices.Contains(id.Aud, o.ClientID):
		return Identity{}, fmt.Errorf("%w: id token for %v", errSignIn, id.Aud)
	case now.Unix() >= id.Exp:
		return Identity{}, fmt.Errorf("%w: id token expired", errSignIn)
	case id.Nonce != nonce:
		return Identity{}, fmt.Errorf("%w: id token for another sign-in", errSignIn)
	case id.Sub == "":
		return Identity{}, fmt.Errorf("%w: id token without a subject", errSignIn)
	}
	scope := tok.Scope
	if scope == "" {
		var access struct{ Scope string }
		if claims(tok.AccessToken, &access) == nil {
			scope = access.Scope
		}
	}
	return Identity{Subject: id.Sub, Email: id.Email, Scopes: strings.Fields(scope)}, nil
}

// audience is a JWT's aud: one string or a list.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*a = audience{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(a))
}

// claims decodes a JWT's payload.
func claims(jwt string, v any) error {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return errors.New("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return errors.New("not a JWT")
	}
	return json.Unmarshal(b, v)
}
