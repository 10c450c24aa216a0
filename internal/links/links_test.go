package links_test

import (
	"strings"
	"testing"
	"time"

	"shopmail/internal/env"
	"shopmail/internal/links"
	"shopmail/internal/token"
)

// PUBLIC_URL is normalised once, at start, to the origin browsers name in an Origin header;
// what cannot be one is refused by name.
func TestLoadPublicURL(t *testing.T) {
	keys, err := token.ParseKeys(`{"current":"k1","k1":"0123456789abcdef0123456789abcdef"}`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url     string
		base    string // what the links start with
		problem string // "" when accepted
	}{
		{"https://go.shop.example", "https://go.shop.example", ""},
		{"https://go.shop.example/", "https://go.shop.example", ""},
		{"https://Go.Shop.Example", "https://go.shop.example", ""},
		{"HTTPS://GO.SHOP.EXAMPLE:443/", "https://go.shop.example", ""},
		{"https://go.shop.example:0443", "https://go.shop.example", ""},
		{"https://go.shop.example:8443", "https://go.shop.example:8443", ""},
		{" https://go.shop.example:443 ", "https://go.shop.example", ""},
		{"http://127.0.0.1:3000", "http://127.0.0.1:3000", ""}, // the sandbox
		{"http://LocalHost:3000/", "http://localhost:3000", ""},
		{"http://localhost:80", "http://localhost", ""},
		{"http://[::1]:3000", "http://[::1]:3000", ""},
		{"http://[::1]", "http://[::1]", ""},
		{"https://go.shop.example:80", "https://go.shop.example:80", ""},
		{"http://go.shop.example", "", "must be an https URL"},
		{"http://Go.Shop.Example:443", "", "must be an https URL"},
		{"http://127.0.0.1.shop.example", "", "must be an https URL"},
		{"http://localhost.shop.example:3000", "", "must be an https URL"},
		{"http://10.0.0.1", "", "must be an https URL"},
		{"ftp://go.shop.example", "", "must be an absolute http(s) URL"},
		{"go.shop.example", "", "must be an absolute http(s) URL"},
		{"https://:443", "", "must be an absolute http(s) URL"},
		{"https:go.shop.example", "", "must be an absolute http(s) URL"},
		{"https://go.shop.example/?a=1", "", "must be an absolute http(s) URL without path, query"},
		{"https://go.shop.example?", "", "must be an absolute http(s) URL without path, query"},
		{"https://go.shop.example/prod", "", "must be an absolute http(s) URL without path, query"},
		{"https://go.shop.example/prod/", "", "must be an absolute http(s) URL without path, query"},
		{"https://go.shop.example#top", "", "must be an absolute http(s) URL without path, query"},
		{"https://go.shop.example#", "", "must be an absolute http(s) URL without path, query"},
		{"https://user:pass@go.shop.example", "", "must be an absolute http(s) URL without path, query"},
		{"https://go.shop.example:99999", "", "must be an absolute http(s) URL with a port"},
	}
	for _, tt := range tests {
		r := env.New(env.Map(map[string]string{"PUBLIC_URL": tt.url, "TOKEN_KEYS_SECRET": "arn:secret"}))
		s := links.Load(r)
		s.Keys = keys
		err := r.Err()
		switch {
		case tt.problem == "" && err != nil:
			t.Errorf("%s: %v", tt.url, err)
		case tt.problem == "" && s.BaseURL != tt.base:
			t.Errorf("%s: base %q, want %q", tt.url, s.BaseURL, tt.base)
		case tt.problem == "" && !strings.HasPrefix(s.For("c-1", "k", time.Now()).Preferences(), tt.base+"/p/"):
			t.Errorf("%s: link %s, want it under %s", tt.url, s.For("c-1", "k", time.Now()).Preferences(), tt.base)
		case tt.problem != "" && (err == nil || !strings.Contains(err.Error(), "PUBLIC_URL "+tt.problem)):
			t.Errorf("%s: error %v, want PUBLIC_URL %s", tt.url, err, tt.problem)
		case tt.problem != "" && strings.Count(err.Error(), "PUBLIC_URL") != 1:
			t.Errorf("%s: PUBLIC_URL reported more than once: %v", tt.url, err)
		}
	}
}
