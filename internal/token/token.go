// Package token signs and checks the opaque tokens in every public link of an email (open
// pixel, click, unsubscribe, preference centre, subscription confirmation). A token is bound
// to one purpose, one contact, one send and one argument (a link's index, a topic), carries its
// expiry, and is signed with HMAC-SHA256 under a named key, so that keys can rotate without
// breaking links in mail already sent: old keys keep verifying, the current one signs.
//
//	<key id> "." base64url( version | purpose | expiry | contact | send | arg | mac[:16] )
package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"shopmail/internal/ascii"
)

// Purpose is what a token may be used for. A token of one purpose is refused for any other.
type Purpose byte

// Purposes.
const (
	Open        Purpose = 'o' // the open pixel
	Click       Purpose = 'c' // a link; Arg is the link's index in the send
	Unsubscribe Purpose = 'u' // one-click unsubscribe; Arg is the topic
	Preferences Purpose = 'p' // the preference centre
	Confirm     Purpose = 's' // confirm a subscription (double opt-in); Arg is the topic
	Answer      Purpose = 'a' // answer a survey question; Arg is "<question>:<score>", or "next" (what to sell next)
	Session     Purpose = 'd' // a marketer's dashboard session; ContactID is the marketer, Arg their scopes
	SignIn      Purpose = 'i' // a dashboard sign-in under way; ContactID is its state, SendKey the PKCE verifier
)

// Claims is what a token says.
type Claims struct {
	Purpose   Purpose
	ContactID string
	SendKey   string
	Arg       string
	Expires   time.Time // second precision
}

// ErrBad is wrapped by every refusal. The reason (tampered, expired, unknown key, other
// purpose) is in the message, for logs only: callers answer every bad token alike.
var ErrBad = errors.New("bad token")

// Limits. A token longer than MaxLen is refused before it is decoded.
const (
	MaxLen   = 1100
	maxField = 255 // bytes per field; longer ids make tokens that never verify
	macLen   = 16
	version  = 1
)

// validKeyID reports whether id may name a key: 1-16 letters, digits, '_' or '-',
// `^[A-Za-z0-9_-]{1,16}$` (a loop rather than a regular expression compiled at every
// function's start).
func validKeyID(id string) bool { return ascii.All(id, 1, 16, ascii.Word) }

// Keys are the signing keys: every key verifies, the current one signs.
type Keys struct {
	current string
	keys    map[string][]byte
}

// ParseKeys reads keys as stored in the secret: a JSON object whose "current" member names the
// signing key and whose other members are key id → secret (at least 32 bytes), e.g.
// {"current":"k2","k1":"…","k2":"…"}.
func ParseKeys(secret string) (*Keys, error) {
	var m map[string]string
	if err := json.Unmarshal([]byte(secret), &m); err != nil {
		return nil, fmt.Errorf("token keys: not a JSON object of strings: %w", err)
	}
	k := &Keys{current: m["current"], keys: map[string][]byte{}}
	for id, v := range m {
		if id == "current" {
			continue
		}
		if !validKeyID(id) {
			return nil, fmt.Errorf("token keys: key id %q: use 1-16 letters, digits, '_' or '-'", id)
		}
		if len(v) < 32 {
			return nil, fmt.Errorf("token keys: key %s: shorter than 32 characters", id)
		}
		k.keys[id] = []byte(v)
	}
	if _, ok := k.keys[k.current]; !ok {
		return nil, fmt.Errorf("token keys: \"current\" (%q) does not name one of the keys", k.current)
	}
	return k, nil
}

// Sign returns the token for c, signed with the current key. Each field must be at most 255
// bytes (ids are at most 128).
func (k *Keys) Sign(c Claims) string {
	buf := make([]byte, 0, 16+len(c.ContactID)+len(c.SendKey)+len(c.Arg)+macLen)
	buf = append(buf, version, byte(c.Purpose))
	buf = binary.BigEndian.AppendUint64(buf, uint64(max(c.Expires.Unix(), 0)))
	for _, f := range []string{c.ContactID, c.SendKey, c.Arg} {
		buf = binary.AppendUvarint(buf, uint64(len(f)))
		buf = append(buf, f...)
	}
	buf = append(buf, mac(k.current, k.keys[k.current], buf)...)
	return k.current + "." + base64.RawURLEncoding.EncodeToString(buf)
}

// Verify checks tok and returns its claims. It refuses, wrapping ErrBad, a token that is too
// long, malformed, signed with an unknown key, tampered with, of another purpose, or expired.
func (k *Keys) Verify(tok string, want Purpose, now time.Time) (Claims, error) {
	if len(tok) > MaxLen {
		return Claims{}, fmt.Errorf("%w: longer than %d characters", ErrBad, MaxLen)
	}
	id, body, ok := strings.Cut(tok, ".")
	secret, known := k.keys[id]
	if !ok || !known {
		return Claims{}, fmt.Errorf("%w: unknown key", ErrBad)
	}
	buf, err := base64.RawURLEncoding.Strict().DecodeString(body)
	if err != nil || len(buf) < 2+8+3+macLen {
		return Claims{}, fmt.Errorf("%w: malformed", ErrBad)
	}
	payload, sum := buf[:len(buf)-macLen], buf[len(buf)-macLen:]
	if !hmac.Equal(sum, mac(id, secret, payload)) {
		return Claims{}, fmt.Errorf("%w: signature does not match", ErrBad)
	}
	// Signed by us: what follows is well-formed unless a key leaked.
	if payload[0] != version {
		return Claims{}, fmt.Errorf("%w: version %d", ErrBad, payload[0])
	}
	c := Claims{Purpose: Purpose(payload[1]), Expires: time.Unix(int64(binary.BigEndian.Uint64(payload[2:10])), 0).UTC()}
	rest := payload[10:]
	for _, f := range []*string{&c.ContactID, &c.SendKey, &c.Arg} {
		n, w := binary.Uvarint(rest)
		if w <= 0 || n > maxField || n > uint64(len(rest)-w) {
			return Claims{}, fmt.Errorf("%w: malformed", ErrBad)
		}
		*f, rest = string(rest[w:w+int(n)]), rest[w+int(n):]
	}
	switch {
	case len(rest) != 0:
		return Claims{}, fmt.Errorf("%w: malformed", ErrBad)
	case c.Purpose != want:
		return Claims{}, fmt.Errorf("%w: for %q, not %q", ErrBad, c.Purpose, want)
	case !now.Before(c.Expires):
		return Claims{}, fmt.Errorf("%w: expired at %s", ErrBad, c.Expires.Format(time.RFC3339))
	}
	return c, nil
}

// mac is the truncated HMAC of the payload under the key; the key id and a context string are
// signed too, so that a token cannot be moved to another key or another system's tokens.
func mac(id string, secret, payload []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte("shopmail-token\x00"))
	h.Write([]byte(id))
	h.Write([]byte{0})
	h.Write(payload)
	return h.Sum(nil)[:macLen]
}

// Hash is a keyed hash (HMAC-SHA256) of value for one use (label), for values that must be
// compared or looked up but never stored as they are: an email address in a subscriber's id,
// a visitor's IP address in a rate limit. It is keyed with the key of the smallest id, which
// rotation keeps (new keys get new ids; the smallest is the last to go), so that the same value
// maps to the same hash from one invocation, and one deployment, to the next.
func (k *Keys) Hash(label, value string) []byte {
	first := ""
	for id := range k.keys {
		if first == "" || id < first {
			first = id
		}
	}
	h := hmac.New(sha256.New, k.keys[first])
	h.Write([]byte("shopmail-hash\x00"))
	h.Write([]byte(label))
	h.Write([]byte{0})
	h.Write([]byte(value))
	return h.Sum(nil)
}
