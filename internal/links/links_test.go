package links_test

import (
	"strings"
	"testing"

	"shopmail/internal/env"
	"shopmail/internal/links"
)

func TestLoadPublicURL(t *testing.T) {
	tests := []struct {
		url     string
		problem string // "" when accepted
	}{
		{"https://go.shop.example", ""},
		{"https://go.shop.example/prod/", ""},
		{"http://127.0.0.1:3000", ""}, // the sandbox
		{"http://localhost:3000", ""},
		{"http://[::1]:3000", ""},
		{"http://go.shop.example", "must be an https URL"},
		{"http://127.0.0.1.shop.example", "must be an https URL"},
		{"http://localhost.shop.example:3000", "must be an https URL"},
		{"http://10.0.0.1", "must be an https URL"},
		{"ftp://go.shop.example", "must be an absolute http(s) URL"},
		{"go.shop.example", "must be an absolute http(s) URL"},
		{"https://go.shop.example/?a=1", "must be an absolute http(s) URL"},
	}
	for _, tt := range tests {
		r := env.New(env.Map(map[string]string{"PUBLIC_URL": tt.url, "TOKEN_KEYS_SECRET": "arn:secret"}))
		links.Load(r)
		err := r.Err()
		switch {
		case tt.problem == "" && err != nil:
			t.Errorf("%s: %v", tt.url, err)
		case tt.problem != "" && (err == nil || !strings.Contains(err.Error(), "PUBLIC_URL "+tt.problem)):
			t.Errorf("%s: error %v, want PUBLIC_URL %s", tt.url, err, tt.problem)
		case tt.problem != "" && strings.Count(err.Error(), "PUBLIC_URL") != 1:
			t.Errorf("%s: PUBLIC_URL reported more than once: %v", tt.url, err)
		}
	}
}
