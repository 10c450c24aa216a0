package dashboard

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"time"

	"shopmail/internal/token"
	"shopmail/internal/web"
)

// A marketer's session is a cookie holding a token (internal/token: HMAC under the rotating
// keys, purpose Session) that names them, carries their scopes and a random session id, and
// expires after sessionLife. It is HttpOnly, Secure and SameSite=Lax (the issuer's redirect
// back is a cross-site navigation that must carry the sign-in cookie; Strict would drop it).
// Every form carries a CSRF token derived from the session id, and a post must also come from
// our own pages (web.FromOurSite): either failing changes nothing.
const (
	sessionCookie = "__Host-shopmail-session"
	signInCookie  = "__Host-shopmail-signin"
	langCookie    = "__Host-shopmail-lang"
	sessionLife   = 8 * time.Hour
	signInLife    = 10 * time.Minute
)

// session is a signed-in marketer.
type session struct {
	who    string
	id     string // random; the CSRF token is derived from it
	scopes []string
}

func (s session) can(scope string) bool { return slices.Contains(s.scopes, scope) }

// cookie returns a request cookie's value.
func cookie(r web.Request, name string) string {
	for _, c := range r.Cookies {
		if k, v, ok := strings.Cut(c, "="); ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// setCookie is a Set-Cookie value for the dashboard's cookies.
func setCookie(name, value string, life time.Duration) string {
	c := name + "=" + value + "; Path=/; Secure; HttpOnly; SameSite=Lax"
	if life <= 0 {
		return c + "; Max-Age=0"
	}
	return c + "; Max-Age=" + itoa(int(life/time.Second))
}

func (d *Dashboard) session(r web.Request) (session, bool) {
	v := cookie(r, sessionCookie)
	if v == "" {
		return session{}, false
	}
	c, err := d.Keys.Verify(v, token.Session, d.Now())
	if err != nil {
		return session{}, false
	}
	return session{who: c.ContactID, id: c.SendKey, scopes: strings.Fields(c.Arg)}, true
}

func (d *Dashboard) newSession(who string, scopes []string) string {
	var kept []string
	for _, s := range scopes { // the API's scopes only, and as many as a token field holds
		if strings.Contains(s, ":") && len(strings.Join(append(kept, s), " ")) <= 255 {
			kept = append(kept, s)
		}
	}
	if len(who) > 128 {
		who = who[:128]
	}
	return d.Keys.Sign(token.Claims{Purpose: token.Session, ContactID: who, SendKey: random(), Arg: strings.Join(kept, " "),
		Expires: d.Now().Add(sessionLife)})
}

// csrf is the session's form token.
func (d *Dashboard) csrf(s session) string {
	return base64.RawURLEncoding.EncodeToString(d.Keys.Hash("dashboard-csrf", s.id)[:18])
}

// random is 32 random bytes, base64url (43 characters: also a PKCE verifier's length).
func random() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// challenge is a PKCE verifier's S256 challenge.
func challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// localPath returns next when it is a dashboard page to come back to, else the home page: a
// sign-in never sends anyone to another site.
func localPath(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") ||
		(u.Path != "/dashboard" && !strings.HasPrefix(u.Path, "/dashboard/")) {
		return "/dashboard"
	}
	return next
}
