// Package links builds the public links of one send: the open pixel, tracked clicks, the
// one-click unsubscribe and the preference centre, each with a signed token bound to the send
// and its purpose (package token), and the List-Unsubscribe headers of RFC 2369 and RFC 8058.
// The URLs a send's clicks may lead to are recorded with the send (URLs), so that the click
// endpoint redirects only to them, never to a URL it is given.
package links

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"shopmail/internal/email"
	"shopmail/internal/env"
	"shopmail/internal/render"
	"shopmail/internal/token"
)

// Paths of the public endpoints (template.yaml routes them).
const (
	PathOpen        = "/o/"
	PathClick       = "/c/"
	PathUnsubscribe = "/u/"
	PathPreferences = "/p/"
	PathConfirm     = "/s/"
	PathAnswer      = "/a/"
)

// Honeypot is the Arg of the hidden link's click token.
const Honeypot = "h"

// MaxLinks is the most links of one send that are tracked; later ones are left as they are.
const MaxLinks = 50

// Config is where the links point and how long they work.
type Config struct {
	BaseURL string // the public HTTP API, e.g. https://go.shop.example
	Keys    *token.Keys
	// Tracking is how long the pixel and click links work (the tracking retention).
	Tracking time.Duration
	// Unsubscribe is how long unsubscribe and preference links work (RFC 8058 asks for
	// long; mail is read years later).
	Unsubscribe time.Duration
	// Mailto, when set, is an address that also accepts unsubscribe requests
	// (List-Unsubscribe's mailto: form).
	Mailto string
}

// Send builds the links of one send.
type Send struct {
	cfg       Config
	contactID string
	sendKey   string
	now       time.Time
	urls      []string
}

// For starts the links of a send.
func (c Config) For(contactID, sendKey string, now time.Time) *Send {
	return &Send{cfg: c, contactID: contactID, sendKey: sendKey, now: now}
}

func (s *Send) url(path string, p token.Purpose, arg string, valid time.Duration) string {
	return strings.TrimRight(s.cfg.BaseURL, "/") + path + s.cfg.Keys.Sign(token.Claims{
		Purpose: p, ContactID: s.contactID, SendKey: s.sendKey, Arg: arg, Expires: s.now.Add(valid),
	})
}

// Click returns the tracked form of an http(s) link and records the URL; other links
// (mailto:, tel:, anything unparsable) and links past MaxLinks are returned as they are. The
// same URL is recorded once.
func (s *Send) Click(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return u
	}
	i := -1
	for j, v := range s.urls {
		if v == u {
			i = j
		}
	}
	if i < 0 {
		if len(s.urls) == MaxLinks {
			return u
		}
		i = len(s.urls)
		s.urls = append(s.urls, u)
	}
	return s.url(PathClick, token.Click, strconv.Itoa(i), s.cfg.Tracking)
}

// URLs returns the recorded URLs, in link-index order: what the send row keeps.
func (s *Send) URLs() []string { return s.urls }

// Tracking returns the render.Tracking of the send. A topic makes it marketing: the footer then
// carries the unsubscribe and preference-centre links.
func (s *Send) Tracking(topic string) render.Tracking {
	t := render.Tracking{
		Link:     s.Click,
		Pixel:    s.url(PathOpen, token.Open, "", s.cfg.Tracking),
		Honeypot: s.url(PathClick, token.Click, Honeypot, s.cfg.Tracking),
	}
	if topic != "" {
		t.Unsubscribe = s.Unsubscribe(topic)
		t.Preferences = s.Preferences()
	}
	return t
}

// Unsubscribe returns the one-click unsubscribe link for the topic.
func (s *Send) Unsubscribe(topic string) string {
	return s.url(PathUnsubscribe, token.Unsubscribe, topic, s.cfg.Unsubscribe)
}

// Headers returns the List-Unsubscribe and List-Unsubscribe-Post header fields of a marketing
// email of the topic (RFC 8058 one-click: an HTTPS URI, plus mailto: when configured).
func (s *Send) Headers(topic string) []email.Header {
	u := s.Unsubscribe(topic)
	v := "<" + u + ">"
	if s.cfg.Mailto != "" {
		// The subject carries the token, so that whoever processes the mailbox knows who.
		v += ", <mailto:" + s.cfg.Mailto + "?subject=unsubscribe%20" + u[strings.LastIndex(u, "/")+1:] + ">"
	}
	return []email.Header{
		{Name: "List-Unsubscribe", Value: v},
		{Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click"},
	}
}

// Settings are the links' settings from the environment (names as in template.yaml); the keys
// come from the secret they name (KeysSecret), read by the function at start.
type Settings struct {
	Config
	KeysSecret string
}

// Load reads the settings, reporting problems to r.
func Load(r *env.Reader) Settings {
	s := Settings{KeysSecret: r.String("TOKEN_KEYS_SECRET")}
	if raw := r.String("PUBLIC_URL"); raw != "" {
		base, err := NormalizeBaseURL(raw)
		if err != nil {
			r.Check(false, "PUBLIC_URL", err.Error())
		}
		s.BaseURL = base
	}
	s.Tracking = time.Duration(r.Int("TRACKING_RETENTION_DAYS", 400, 1, 3650)) * 24 * time.Hour
	s.Unsubscribe = max(s.Tracking, 2*365*24*time.Hour)
	s.Mailto = r.Optional("UNSUBSCRIBE_MAILTO", "")
	if s.Mailto != "" {
		addr, err := email.ParseAddress(s.Mailto)
		r.Check(err == nil, "UNSUBSCRIBE_MAILTO", "is not a valid email address")
		s.Mailto = addr
	}
	return s
}

// NormalizeBaseURL returns the origin a base URL names, as browsers write it in an Origin
// header: scheme and host in lower case, without the scheme's default port or a trailing
// slash ("https://Go.Shop.Example:443/" is "https://go.shop.example"). It must be http(s)
// with a host and nothing else: no path, query, fragment or user info (our routes are at the
// root of the API). Plain http is only for a loopback host, a local run: RFC 8058 requires
// an HTTPS unsubscribe link. Every function reads PUBLIC_URL through it (Load), and the forms'
// Origin check (web.FromOurSite) compares with it.
func NormalizeBaseURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Opaque != "" {
		return "", errors.New("must be an absolute http(s) URL, e.g. https://go.shop.example")
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#") {
		return "", fmt.Errorf("must be an absolute http(s) URL without path, query, fragment or user info: %q", raw)
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if host == "" {
		return "", errors.New("must be an absolute http(s) URL, e.g. https://go.shop.example")
	}
	if u.Scheme != "https" && !loopback(host) {
		return "", errors.New("must be an https URL (http only for localhost, 127.0.0.1 or ::1): RFC 8058 requires an HTTPS unsubscribe link")
	}
	if port != "" {
		p, err := strconv.Atoi(port)
		if err != nil || p < 1 || p > 65535 {
			return "", fmt.Errorf("must be an absolute http(s) URL with a port from 1 to 65535: %q", raw)
		}
		if port = strconv.Itoa(p); (u.Scheme == "https" && p == 443) || (u.Scheme == "http" && p == 80) {
			port = ""
		}
	}
	switch {
	case port != "":
		host = net.JoinHostPort(host, port)
	case strings.Contains(host, ":"): // IPv6
		host = "[" + host + "]"
	}
	return u.Scheme + "://" + host, nil
}

// loopback reports whether host names this machine: the only hosts PUBLIC_URL may reach over
// plain HTTP.
func loopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// Confirm returns the link that confirms a subscription to the topic.
func (s *Send) Confirm(topic string) string {
	return s.url(PathConfirm, token.Confirm, topic, 7*24*time.Hour) // a week to confirm
}

// Preferences returns the preference-centre link.
func (s *Send) Preferences() string {
	return s.url(PathPreferences, token.Preferences, "", s.cfg.Unsubscribe)
}

// Answer returns the link that answers a survey question with a score.
func (s *Send) Answer(question string, score int) string {
	return s.url(PathAnswer, token.Answer, question+":"+strconv.Itoa(score), s.cfg.Tracking)
}

// FreeText returns the link that opens a survey's free-text question (what to sell next).
func (s *Send) FreeText(question string) string {
	return s.url(PathAnswer, token.Answer, question, s.cfg.Tracking)
}
