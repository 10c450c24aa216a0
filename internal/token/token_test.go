package token

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

const (
	secret1 = "0123456789abcdef0123456789abcdef-one"
	secret2 = "0123456789abcdef0123456789abcdef-two"
)

var now = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func keys(t testing.TB, current string) *Keys {
	t.Helper()
	k, err := ParseKeys(`{"current":"` + current + `","k1":"` + secret1 + `","k2":"` + secret2 + `"}`)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func claims() Claims {
	return Claims{Purpose: Click, ContactID: "c-42", SendKey: "thankyou#o-1001", Arg: "3", Expires: now.Add(time.Hour)}
}

func TestRoundTrip(t *testing.T) {
	k := keys(t, "k1")
	for _, c := range []Claims{
		claims(),
		{Purpose: Unsubscribe, ContactID: "c/ä#%", SendKey: "", Arg: "sales", Expires: now.Add(400 * 24 * time.Hour)},
		{Purpose: Open, ContactID: strings.Repeat("x", 255), SendKey: strings.Repeat("y", 255), Expires: now.Add(time.Second)},
	} {
		tok := k.Sign(c)
		if !strings.HasPrefix(tok, "k1.") || len(tok) > MaxLen {
			t.Fatalf("token %q", tok)
		}
		got, err := k.Verify(tok, c.Purpose, now)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if got != c {
			t.Fatalf("claims = %+v, want %+v", got, c)
		}
	}
}

func TestRotation(t *testing.T) {
	old := keys(t, "k1").Sign(claims())
	k := keys(t, "k2")
	if _, err := k.Verify(old, Click, now); err != nil {
		t.Fatalf("a token signed with the previous key stopped working: %v", err)
	}
	if tok := k.Sign(claims()); !strings.HasPrefix(tok, "k2.") {
		t.Fatalf("signed with the old key: %s", tok)
	}
	retired, _ := ParseKeys(`{"current":"k2","k2":"` + secret2 + `"}`)
	if _, err := retired.Verify(old, Click, now); !errors.Is(err, ErrBad) {
		t.Fatalf("a retired key still verifies: %v", err)
	}
}

func TestRefusals(t *testing.T) {
	k := keys(t, "k1")
	good := k.Sign(claims())
	id, body, _ := strings.Cut(good, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(body)
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 1
		return id + "." + base64.RawURLEncoding.EncodeToString(b)
	}
	other, _ := ParseKeys(`{"current":"k1","k1":"another secret that is long enough!!"}`)
	for name, tc := range map[string]struct {
		tok     string
		purpose Purpose
		at      time.Time
		reason  string
	}{
		"other purpose":       {good, Unsubscribe, now, "not"},
		"expired":             {good, Click, now.Add(time.Hour), "expired"},
		"purpose byte":        {flip(1), Click, now, "signature"},
		"contact byte":        {flip(12), Click, now, "signature"},
		"mac byte":            {flip(len(raw) - 1), Click, now, "signature"},
		"key moved":           {"k2." + body, Click, now, "signature"},
		"unknown key":         {"k9." + body, Click, now, "unknown key"},
		"no key":              {body, Click, now, "unknown key"},
		"foreign secret":      {other.Sign(claims()), Click, now, "signature"},
		"not base64":          {id + ".!!!", Click, now, "malformed"},
		"padded":              {good + "==", Click, now, "malformed"},
		"short":               {id + ".AAAA", Click, now, "malformed"},
		"empty":               {"", Click, now, "unknown key"},
		"huge":                {id + "." + strings.Repeat("A", 5000), Click, now, "longer"},
		"truncated":           {good[:len(good)-4], Click, now, ""},
		"extra byte appended": {id + "." + base64.RawURLEncoding.EncodeToString(append(raw, 0)), Click, now, "signature"},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := k.Verify(tc.tok, tc.purpose, tc.at)
			if !errors.Is(err, ErrBad) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("Verify = %+v, %v; want ErrBad (%s)", c, err, tc.reason)
			}
			if c != (Claims{}) {
				t.Fatalf("claims returned with the error: %+v", c)
			}
		})
	}
}

func TestParseKeys(t *testing.T) {
	for _, bad := range []string{
		``, `[]`, `{"current":"k1"}`, `{"current":"k3","k1":"` + secret1 + `"}`,
		`{"current":"k1","k1":"short"}`, `{"current":"k.1","k.1":"` + secret1 + `"}`, `{"current":"k1","k1":5}`,
	} {
		if _, err := ParseKeys(bad); err == nil {
			t.Errorf("ParseKeys(%s) accepted", bad)
		}
	}
}

func FuzzVerify(f *testing.F) {
	k := keys(f, "k1")
	f.Add(k.Sign(claims()))
	f.Add(k.Sign(Claims{Purpose: Unsubscribe, ContactID: "c", Arg: "sales", Expires: now.Add(time.Minute)}))
	f.Add("k1.")
	f.Add("k1.AQ")
	f.Fuzz(func(t *testing.T, tok string) {
		for _, p := range []Purpose{Open, Click, Unsubscribe} {
			c, err := k.Verify(tok, p, now)
			if err != nil {
				if !errors.Is(err, ErrBad) {
					t.Fatalf("error does not wrap ErrBad: %v", err)
				}
				continue
			}
			// Only a token we signed verifies, and signing its claims again gives it back.
			if c.Purpose != p || !now.Before(c.Expires) || k.Sign(c) != tok {
				t.Fatalf("accepted %q as %+v", tok, c)
			}
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	k := keys(b, "k1")
	tok := k.Sign(claims())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Verify(tok, Click, now); err != nil {
			b.Fatal(err)
		}
	}
}
