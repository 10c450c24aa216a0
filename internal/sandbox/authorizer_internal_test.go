package sandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"
	"time"
)

// The registered claims are checked as API Gateway's JWT authorizer checks them.
func TestJWTClaimsLikeAPIGateway(t *testing.T) {
	a := &jwtAuthorizer{issuer: "https://auth.shop.example/", audiences: []string{"dashboard", "cli"}}
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	n := float64(now.Unix())
	base := func(edit func(map[string]any)) map[string]any {
		c := map[string]any{"iss": a.issuer, "aud": "dashboard", "exp": n + 60}
		if edit != nil {
			edit(c)
		}
		return c
	}
	for name, tc := range map[string]struct {
		claims map[string]any
		ok     bool
	}{
		"valid":                   {base(nil), true},
		"aud a list with ours":    {base(func(c map[string]any) { c["aud"] = []any{"x", "cli"} }), true},
		"aud a list without ours": {base(func(c map[string]any) { c["aud"] = []any{"x", "y"} }), false},
		"aud another":             {base(func(c map[string]any) { c["aud"] = "dashboard2" }), false},
		"client_id without aud":   {base(func(c map[string]any) { delete(c, "aud"); c["client_id"] = "cli" }), true},
		"aud wins over client_id": {base(func(c map[string]any) { c["aud"] = "x"; c["client_id"] = "cli" }), false},
		"no audience":             {base(func(c map[string]any) { delete(c, "aud") }), false},
		"another issuer":          {base(func(c map[string]any) { c["iss"] = "https://auth.shop.example" }), false},
		"no exp":                  {base(func(c map[string]any) { delete(c, "exp") }), false},
		"exp now":                 {base(func(c map[string]any) { c["exp"] = n }), false},
		"exp a string":            {base(func(c map[string]any) { c["exp"] = "9999999999" }), false},
		"nbf past":                {base(func(c map[string]any) { c["nbf"] = n - 1 }), true},
		"nbf future":              {base(func(c map[string]any) { c["nbf"] = n + 10 }), false},
		"iat future":              {base(func(c map[string]any) { c["iat"] = n + 10 }), false},
	} {
		if err := a.check(tc.claims, now); (err == nil) != tc.ok {
			t.Errorf("%s: %v, want ok %v", name, err, tc.ok)
		}
	}
	for want, claims := range map[string]map[string]any{
		"a b": {"scope": "a b"},
		"c d": {"scp": []any{"c", "d"}},
		"e":   {"scp": "e"},
		"a c": {"scope": "a", "scp": []any{"c"}},
		"":    {"scope": 7},
	} {
		if got := strings.Join(tokenScopes(claims), " "); got != want {
			t.Errorf("scopes of %v = %q, want %q", claims, got, want)
		}
	}
}

// Only the sandbox's key signs tokens it accepts.
func TestJWTSignedByAnotherKeyIsRefused(t *testing.T) {
	claims := map[string]any{"iss": "x", "aud": "y", "exp": 4102444800}
	good, err := signJWT(claims)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifyJWT(good); err != nil {
		t.Fatalf("the sandbox's own token: %v", err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := signWith(other, claims)
	if _, err := verifyJWT(forged); err == nil {
		t.Error("a token signed by another key was accepted")
	}
}
