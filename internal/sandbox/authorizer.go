package sandbox

// The HTTP API's JWT authorizers, run as API Gateway runs them: the token from the identity
// source (with or without "Bearer "), signed RS256 with the sandbox's key, issued by the
// authorizer's issuer for one of its audiences, not expired and already valid; and, when the
// route names scopes, carrying one of them in its "scope" or "scp" claim. A missing or invalid
// token gets 401, a valid one without the route's scopes 403, with API Gateway's bodies.

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// jwtAuthorizer is one JWT authorizer of an HttpApi resource.
type jwtAuthorizer struct {
	name      string
	header    string // the identity source's header, e.g. Authorization
	issuer    string
	audiences []string
}

// signingKey is the key the sandbox signs its JWTs with, standing in for the issuer's JWKS. One
// per process: generating an RSA key takes a while, and tokens never leave this machine.
var signingKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(fmt.Sprintf("sandbox JWT key: %v", err))
	}
	return k
})

// signingKeyID is the "kid" of the sandbox's key.
const signingKeyID = "shopmail-sandbox"

// loadAuthorizers gives each route behind an authorizer that authorizer, as its HttpApi
// declares it (the route's Auth.Authorizer, else the API's DefaultAuthorizer; NONE opts out).
func (s *Sandbox) loadAuthorizers() error {
	apis := map[string]map[string]any{}
	for id, res := range s.tmpl.Resources {
		if res.Type == "AWS::Serverless::HttpApi" {
			props, err := s.tmpl.Resolve(res.Properties, s.resolver())
			if err != nil {
				return fmt.Errorf("HttpApi %s: %w", id, err)
			}
			p, _ := props.(map[string]any)
			auth, _ := p["Auth"].(map[string]any)
			apis[id] = auth
		}
	}
	for i := range s.routes {
		rt := &s.routes[i]
		auth := apis[rt.api]
		name := rt.authorizer
		if name == "" {
			name, _ = auth["DefaultAuthorizer"].(string)
		}
		if name == "" || name == "NONE" {
			continue
		}
		a, err := newJWTAuthorizer(name, auth)
		if err != nil {
			return fmt.Errorf("route %s: %w", rt.key, err)
		}
		rt.jwt = a
	}
	return nil
}

func newJWTAuthorizer(name string, apiAuth map[string]any) (*jwtAuthorizer, error) {
	all, _ := apiAuth["Authorizers"].(map[string]any)
	def, ok := all[name].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("authorizer %s is not declared in its HttpApi's Auth.Authorizers", name)
	}
	cfg, ok := def["JwtConfiguration"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("authorizer %s: only JWT authorizers are run by the sandbox", name)
	}
	a := &jwtAuthorizer{name: name, header: "Authorization"}
	a.issuer, _ = cfg["issuer"].(string)
	a.audiences = strings.Fields(claimList(cfg["audience"]))
	if src, _ := def["IdentitySource"].(string); strings.HasPrefix(src, "$request.header.") {
		a.header = strings.TrimPrefix(src, "$request.header.")
	}
	if a.issuer == "" || len(a.audiences) == 0 {
		return nil, fmt.Errorf("authorizer %s: JwtConfiguration needs an issuer and an audience", name)
	}
	return a, nil
}

// claimList reads a claim that is a string (space-separated values) or a list of strings, as
// one space-separated string.
func claimList(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return strings.Join(out, " ")
	}
	return ""
}

// errForbidden is a valid token without any of the route's scopes.
var errForbidden = errors.New("the token has none of the route's scopes")

// authorize checks the request's token for the route: its claims, or an error (errForbidden
// for a token without the route's scopes, any other for a missing or invalid token).
func (s *Sandbox) authorize(r *http.Request, rt route) (map[string]any, error) {
	token := strings.TrimSpace(r.Header.Get(rt.jwt.header))
	if len(token) > 7 && strings.EqualFold(token[:7], "Bearer ") {
		token = strings.TrimSpace(token[7:])
	}
	claims, err := verifyJWT(token)
	if err != nil {
		return nil, err
	}
	if err := rt.jwt.check(claims, s.clock.Now()); err != nil {
		return nil, err
	}
	if len(rt.scopes) > 0 && !slices.ContainsFunc(tokenScopes(claims), func(sc string) bool { return slices.Contains(rt.scopes, sc) }) {
		return nil, errForbidden
	}
	return claims, nil
}

// verifyJWT checks a compact JWS signed RS256 with the sandbox's key and returns its claims.
func verifyJWT(token string) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a JWT")
	}
	var header struct{ Alg, Kid string }
	if err := decodeSegment(parts[0], &header); err != nil {
		return nil, fmt.Errorf("JWT header: %w", err)
	}
	if header.Alg != "RS256" || header.Kid != signingKeyID {
		return nil, fmt.Errorf("JWT signed %q with key %q, not RS256 with the sandbox's key", header.Alg, header.Kid)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("JWT signature: %w", err)
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&signingKey().PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		return nil, fmt.Errorf("JWT signature: %w", err)
	}
	var claims map[string]any
	if err := decodeSegment(parts[1], &claims); err != nil {
		return nil, fmt.Errorf("JWT claims: %w", err)
	}
	return claims, nil
}

func decodeSegment(seg string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// check validates the registered claims as API Gateway does: iss equal to the issuer; aud (or
// client_id when there is no aud) one of the audiences; exp required and in the future; nbf
// and iat, when present, not in the future.
func (a *jwtAuthorizer) check(claims map[string]any, now time.Time) error {
	if iss, _ := claims["iss"].(string); iss != a.issuer {
		return fmt.Errorf("issuer %q is not %q", iss, a.issuer)
	}
	aud, ok := claims["aud"]
	if !ok {
		aud = claims["client_id"]
	}
	if !slices.ContainsFunc(strings.Fields(claimList(aud)), func(x string) bool { return slices.Contains(a.audiences, x) }) {
		return fmt.Errorf("audience %v is not one of %v", aud, a.audiences)
	}
	exp, ok := claims["exp"].(float64)
	if !ok || float64(now.Unix()) >= exp {
		return errors.New("the token has expired or has no exp")
	}
	for _, c := range []string{"nbf", "iat"} {
		if v, ok := claims[c]; ok {
			t, isNum := v.(float64)
			if !isNum || t > float64(now.Unix()) {
				return fmt.Errorf("the token's %s is in the future", c)
			}
		}
	}
	return nil
}

// tokenScopes are the scopes in a token's "scope" claim (space-separated) or "scp" claim (a
// list or a string).
func tokenScopes(claims map[string]any) []string {
	return strings.Fields(claimList(claims["scope"]) + " " + claimList(claims["scp"]))
}

// eventClaims are the claims as API Gateway passes them to the function: strings as they
// are, other values as JSON text, lists as "[a b]".
func eventClaims(claims map[string]any) map[string]string {
	out := make(map[string]string, len(claims))
	for k, v := range claims {
		switch v := v.(type) {
		case string:
			out[k] = v
		case []any:
			out[k] = "[" + claimList(v) + "]"
		default:
			b, _ := json.Marshal(v)
			out[k] = string(b)
		}
	}
	return out
}

// tokenRequest is the body of POST /_sandbox/token.
type tokenRequest struct {
	Scopes    []string `json:"scopes"`
	ExpiresIn int64    `json:"expiresIn"` // seconds; default 3600
	Subject   string   `json:"sub"`
}

// mintToken signs a JWT for the template's first JWT authorizer (by name) that the HTTP API's
// authorizer accepts with the scopes asked for, valid from the sandbox clock's now.
func (s *Sandbox) mintToken(req tokenRequest) (string, error) {
	a := s.firstAuthorizer()
	now := s.clock.Now()
	claims := map[string]any{
		"iss": a.issuer, "aud": a.audiences, "sub": or(req.Subject, "dev-marketer"), "email": "marketer@shop.example",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Unix() + req.ExpiresIn,
		"scope": strings.Join(req.Scopes, " "), "token_use": "access", "jti": newID(),
	}
	return signJWT(claims)
}

func signJWT(claims map[string]any) (string, error) { return signWith(signingKey(), claims) }

func signWith(key *rsa.PrivateKey, claims map[string]any) (string, error) {
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": signingKeyID})
	body, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signed := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(body)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// firstAuthorizer is the JWT authorizer tokens are minted for: the first by name among the
// routes', or, with none, one for the template's marketer parameters.
func (s *Sandbox) firstAuthorizer() *jwtAuthorizer {
	var first *jwtAuthorizer
	for _, rt := range s.routes {
		if rt.jwt != nil && (first == nil || rt.jwt.name < first.name) {
			first = rt.jwt
		}
	}
	if first == nil {
		first = &jwtAuthorizer{issuer: s.params["MarketerJwtIssuer"], audiences: []string{s.params["MarketerJwtAudience"]}}
	}
	return first
}

// allScopes are the scopes of every route behind an authorizer, for the dev marketer token.
func (s *Sandbox) allScopes() []string {
	var out []string
	for _, rt := range s.routes {
		for _, sc := range rt.scopes {
			if !slices.Contains(out, sc) {
				out = append(out, sc)
			}
		}
	}
	sort.Strings(out)
	return out
}

// devTokenLife is how long the dev marketer token is valid: the sandbox's life, however far
// its clock is moved.
const devTokenLife = 100 * 365 * 24 * 3600

// serveToken mints a token with the scopes asked for: POST /_sandbox/token with
// {"scopes": ["reports:read"], "expiresIn": 3600} answers {"token": "..."}.
func (s *Sandbox) serveToken(w http.ResponseWriter, r *http.Request) {
	req := tokenRequest{ExpiresIn: 3600}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": `send {"scopes": ["reports:read"], "expiresIn": 3600}: ` + err.Error()})
		return
	}
	if req.ExpiresIn <= 0 || req.ExpiresIn > devTokenLife {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "expiresIn: a positive number of seconds"})
		return
	}
	token, err := s.mintToken(req)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": err.Error()})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]string{"token": token})
}
