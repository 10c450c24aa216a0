package sandbox

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// The dashboard's sign-in in the sandbox: an OpenID Connect provider for one dev marketer,
// standing in for the issuer's hosted page (Cognito's, or any OIDC issuer's) with the same
// authorization code flow and PKCE (S256), so that the dashboard's sign-in code runs here
// exactly as it does in AWS; only the endpoints differ (DashboardOidcDiscoveryURL). Its
// tokens are issued for the template's first JWT authorizer (its issuer, its audience as the
// client id) and carry every route's scopes, as the dev token does.
//
//	GET  /_sandbox/oidc/.well-known/openid-configuration   the discovery document
//	GET  /_sandbox/oidc/authorize   a page with one button: sign in as the dev marketer
//	POST /_sandbox/oidc/authorize   (that button) back to the client with a code
//	POST /_sandbox/oidc/token       the code, its verifier → id_token, access_token
const oidcPath = "/_sandbox/oidc"

// oidcCode is an authorization code waiting to be exchanged (once, within a minute).
type oidcCode struct {
	clientID, redirect, challenge, nonce string
	expires                              time.Time
}

type oidcCodes struct {
	mu    sync.Mutex
	codes map[string]oidcCode
}

func (s *Sandbox) oidcRoutes(mux *http.ServeMux) {
	codes := &oidcCodes{codes: map[string]oidcCode{}}
	mux.HandleFunc("GET "+oidcPath+"/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"issuer": s.firstAuthorizer().issuer, "authorization_endpoint": s.appURL + oidcPath + "/authorize",
			"token_endpoint": s.appURL + oidcPath + "/token", "response_types_supported": []string{"code"},
			"grant_types_supported": []string{"authorization_code"}, "code_challenge_methods_supported": []string{"S256"},
			"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"RS256"},
			"scopes_supported": append([]string{"openid", "email"}, s.allScopes()...),
		})
	})
	mux.HandleFunc("GET "+oidcPath+"/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if err := s.checkAuthorize(q); err != nil {
			http.Error(w, "sign-in refused: "+err.Error(), http.StatusBadRequest)
			return
		}
		var hidden strings.Builder
		for _, k := range []string{"client_id", "redirect_uri", "state", "nonce", "code_challenge", "code_challenge_method", "response_type"} {
			fmt.Fprintf(&hidden, `<input type="hidden" name="%s" value="%s">`, k, html.EscapeString(q.Get(k)))
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' "+s.appURL+"; frame-ancestors 'none'")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · sandbox</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#18181b;background:#fff}
button{font:inherit;min-height:44px;padding:.5rem 1.25rem;border:0;border-radius:6px;background:#1d4ed8;color:#fff}</style>
<h1>Sandbox sign-in</h1><p>In AWS this is your identity provider's page. Here one click signs you in as the dev marketer, with every scope.</p>
<form method="post">%s<button type="submit">Sign in as the dev marketer</button></form></html>`, hidden.String())
	})
	mux.HandleFunc("POST "+oidcPath+"/authorize", s.sameOrigin(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		q := r.PostForm
		if err := s.checkAuthorize(q); err != nil {
			http.Error(w, "sign-in refused: "+err.Error(), http.StatusBadRequest)
			return
		}
		code := newID() + newID()
		codes.mu.Lock()
		codes.codes[code] = oidcCode{clientID: q.Get("client_id"), redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge"),
			nonce: q.Get("nonce"), expires: s.clock.Now().Add(time.Minute)}
		codes.mu.Unlock()
		back, _ := url.Parse(q.Get("redirect_uri"))
		v := back.Query()
		v.Set("code", code)
		v.Set("state", q.Get("state"))
		back.RawQuery = v.Encode()
		http.Redirect(w, r, back.String(), http.StatusSeeOther)
	}))
	mux.HandleFunc("POST "+oidcPath+"/token", func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		if err := r.ParseForm(); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
			return
		}
		f := r.PostForm
		codes.mu.Lock()
		c, ok := codes.codes[f.Get("code")]
		delete(codes.codes, f.Get("code")) // once, whatever follows
		codes.mu.Unlock()
		sum := sha256.Sum256([]byte(f.Get("code_verifier")))
		switch {
		case f.Get("grant_type") != "authorization_code":
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
			return
		case !ok || s.clock.Now().After(c.expires) || c.clientID != f.Get("client_id") || c.redirect != f.Get("redirect_uri") ||
			base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge:
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
			return
		}
		a, now := s.firstAuthorizer(), s.clock.Now()
		id, err := signJWT(map[string]any{"iss": a.issuer, "aud": c.clientID, "sub": "dev-marketer", "email": "marketer@shop.example",
			"email_verified": true, "iat": now.Unix(), "exp": now.Unix() + 3600, "nonce": c.nonce, "token_use": "id"})
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
			return
		}
		access, err := s.mintToken(tokenRequest{Scopes: s.allScopes(), ExpiresIn: 3600})
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, map[string]any{"id_token": id, "access_token": access, "token_type": "Bearer", "expires_in": 3600,
			"scope": strings.Join(append([]string{"openid", "email"}, s.allScopes()...), " ")})
	})
}

// checkAuthorize checks an authorization request as an issuer does: a code for a known client,
// back to a loopback page of the sandbox's app, with an S256 challenge.
func (s *Sandbox) checkAuthorize(q url.Values) error {
	back, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("response_type") != "code":
		return fmt.Errorf("response_type must be code")
	case !slices.Contains(s.firstAuthorizer().audiences, q.Get("client_id")):
		return fmt.Errorf("unknown client_id %q", q.Get("client_id"))
	case err != nil || !strings.HasPrefix(q.Get("redirect_uri"), s.appURL+"/") || back.Fragment != "":
		return fmt.Errorf("redirect_uri must be a page of %s", s.appURL)
	case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43:
		return fmt.Errorf("PKCE with S256 is required")
	case q.Get("state") == "":
		return fmt.Errorf("state is required")
	}
	return nil
}
