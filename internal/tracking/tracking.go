// Package tracking records opens (the pixel) and clicks (the redirect) of the emails a send
// delivered, on the send, on the contact's engagement timeline and on the campaign's counters,
// and tells machines from humans: privacy proxies and image proxies open every email, link
// scanners click every link (DESIGN.md section 7, "engagement is evidence, not truth"). The
// class is kept with the event; only human engagement marks the contact as engaged. Raw IP
// addresses and user agents are looked at, never stored.
package tracking

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shopmail/internal/fault"
	"shopmail/internal/links"
	"shopmail/internal/token"
)

// Kind is what was hit.
type Kind string

// Kinds of hits.
const (
	Open  Kind = "open"
	Click Kind = "click"
)

// Class says who is believed to have caused a hit.
type Class string

// Classes.
const (
	Human   Class = "human"
	Machine Class = "machine"
)

// SendState is what classifying and redirecting need to know about a send.
type SendState struct {
	ContactID, SendKey, Kind, CampaignID string
	Links                                []string
	SentAt, DeliveredAt                  time.Time
	LastClickAt                          time.Time
	LastClickLink                        string
	ScannerAt                            time.Time // when its hidden link was hit
	// Counted is when the last counted hit of each gate (Hit.Gate) was.
	Counted map[string]time.Time
}

// Hit is one open or click, classified.
type Hit struct {
	Kind      Kind
	ContactID string
	SendKey   string
	Stats     string // the counters' key: the campaign id, else the send's kind
	Campaign  string // the send's campaign ("" for a send of no campaign)
	Link      string // the link index ("h" for the hidden link); clicks only
	URL       string // where the click led
	At        time.Time
	Class     Class
	Reason    string // why it is a machine's ("" for humans)
	Expires   time.Time
	Counted   bool // whether it was written (see CountEvery)
}

// CountEvery is how often hits are counted: of one send's opens, and of one send's clicks of
// one link, one of each class (human, machine) in CountEvery; the others are answered (the
// pixel, the redirect) and written nowhere. A class of its own keeps a privacy proxy's open
// (or a link scanner's click) at delivery from hiding the reader's, minutes later.
//
// So one token (the pixel's, or one link's) causes at most 7 item writes per hour: 2 counted
// hits, each written to the send, the timeline and the counters (3 items), and a human one
// also to the contact's engagement (1). Requests racing past the read before the first of
// them is written each cost one refused conditional write, which writes nothing.
const CountEvery = time.Hour

// Gate is the key hits are counted under: its kind, link and class ("open_human",
// "click_0_machine").
func (h Hit) Gate() string {
	if h.Kind == Click {
		return string(h.Kind) + "_" + h.Link + "_" + string(h.Class)
	}
	return string(h.Kind) + "_" + string(h.Class)
}

// due reports whether h is to be counted: no hit of its gate was counted in CountEvery before
// it. The store checks the same again, with a conditional write, for hits that race.
func due(st SendState, h Hit) bool {
	last, ok := st.Counted[h.Gate()]
	return !ok || h.At.Sub(last) >= CountEvery
}

// Store reads sends and records hits.
type Store interface {
	// SendState returns the send, found == false when it does not exist or has expired.
	SendState(ctx context.Context, contactID, sendKey string) (st SendState, found bool, err error)
	// RecordHit records the hit on the send, the contact's timeline and the counters, and
	// a human hit as the contact's latest engagement, unless a hit of its gate (Hit.Gate) was
	// counted in CountEvery before it or the send is gone: then it writes nothing and
	// returns false.
	RecordHit(ctx context.Context, h Hit) (bool, error)
}

// Service handles hits.
type Service struct {
	Store     Store
	Keys      *token.Keys
	ShopURL   string // where a click goes when its link is gone (expired send, hidden link)
	Retention time.Duration
	Now       func() time.Time
}

// ErrBadToken is returned for tokens that are not valid for the endpoint; nothing was written.
// It is of kind fault.ErrNotFound: to the reader, the link leads nowhere.
var ErrBadToken = fmt.Errorf("not a valid link: %w", fault.ErrNotFound)

// Request is what a hit's HTTP request tells.
type Request struct {
	Token     string
	Record    bool // false for HEAD and other prefetches: answer, write nothing
	UserAgent string
}

// Open records an open. Bad tokens and HEAD requests write nothing; the pixel is the answer
// in every case, so the caller ignores the error except for logging.
func (s *Service) Open(ctx context.Context, r Request) (Hit, error) {
	c, err := s.Keys.Verify(r.Token, token.Open, s.Now())
	if err != nil {
		return Hit{}, fmt.Errorf("%w: %w", ErrBadToken, err)
	}
	if !r.Record {
		return Hit{}, nil
	}
	st, found, err := s.Store.SendState(ctx, c.ContactID, c.SendKey)
	if err != nil || !found {
		return Hit{}, err
	}
	return s.record(ctx, st, s.hit(Open, st, r.UserAgent))
}

// Click records a click and returns where to redirect: the URL recorded with the send for the
// token's link, or the shop when the send is gone or the link is the hidden one. A bad token
// writes nothing and returns ErrBadToken.
func (s *Service) Click(ctx context.Context, r Request) (string, Hit, error) {
	c, err := s.Keys.Verify(r.Token, token.Click, s.Now())
	if err != nil {
		return "", Hit{}, fmt.Errorf("%w: %w", ErrBadToken, err)
	}
	st, found, err := s.Store.SendState(ctx, c.ContactID, c.SendKey)
	if err != nil {
		return "", Hit{}, err
	}
	target := s.ShopURL
	if i, err := strconv.Atoi(c.Arg); err == nil && i >= 0 && i < len(st.Links) {
		target = st.Links[i]
	}
	if !found || !r.Record {
		return target, Hit{}, nil
	}
	h := s.hit(Click, st, r.UserAgent)
	h.Link, h.URL = c.Arg, target
	if c.Arg == links.Honeypot {
		h.Class, h.Reason, h.URL = Machine, "hit the hidden link", ""
	} else if h.Class == Human {
		h.Class, h.Reason = classifyClick(st, c.Arg, h.At)
	}
	h, err = s.record(ctx, st, h)
	return target, h, err
}

// record counts h when it is due.
func (s *Service) record(ctx context.Context, st SendState, h Hit) (Hit, error) {
	if !due(st, h) {
		return h, nil
	}
	var err error
	h.Counted, err = s.Store.RecordHit(ctx, h)
	return h, err
}

func (s *Service) hit(k Kind, st SendState, ua string) Hit {
	now := s.Now().UTC()
	h := Hit{
		Kind: k, ContactID: st.ContactID, SendKey: st.SendKey, Stats: st.CampaignID, Campaign: st.CampaignID, At: now,
		Expires: now.Add(s.Retention),
	}
	h.Class, h.Reason = classify(k, ua, st, now)
	return h
}

// Agents that fetch on a reader's behalf or on nobody's, as lower-case fragments of the user
// agent. Image proxies (Gmail, Yahoo) fetch when a reader opens, but without telling who;
// Apple Mail Privacy Protection fetches every image of every email whether or not it is read,
// with the bare user agent "Mozilla/5.0".
var (
	proxyAgents   = []string{"googleimageproxy", "ggpht.com", "yahoomailproxy", "ymailproxy", "imageproxy", "proxy"}
	scannerAgents = []string{"bot", "crawl", "spider", "scan", "preview", "proofpoint", "mimecast", "barracuda",
		"safelinks", "forcepoint", "symantec", "trendmicro", "trend micro", "sophos", "fortiguard", "python", "curl",
		"wget", "go-http-client", "java/", "okhttp", "libwww", "httpclient", "axios", "node-fetch", "headless", "phantomjs"}
)

func anyIn(s string, fragments []string) bool {
	for _, f := range fragments {
		if strings.Contains(s, f) {
			return true
		}
	}
	return false
}

// Thresholds of the timing rules.
const (
	tooSoonOpen  = 2 * time.Second  // no reader opens an email this soon after delivery
	tooSoonClick = 5 * time.Second  // nor clicks in it
	burst        = 2 * time.Second  // two different links of one email within this are a scanner's
	scannerStays = 10 * time.Minute // after the hidden link is hit, the send's clicks are a scanner's
)

func classify(k Kind, ua string, st SendState, at time.Time) (Class, string) {
	ua = strings.TrimSpace(ua)
	delivered := st.DeliveredAt
	if delivered.IsZero() {
		delivered = st.SentAt
	}
	soon := tooSoonOpen
	if k == Click {
		soon = tooSoonClick
	}
	switch {
	case ua == "":
		return Machine, "no user agent"
	case ua == "Mozilla/5.0":
		return Machine, "privacy proxy"
	case anyIn(strings.ToLower(ua), proxyAgents):
		return Machine, "image proxy"
	case anyIn(strings.ToLower(ua), scannerAgents):
		return Machine, "scanner or bot"
	case !delivered.IsZero() && at.Sub(delivered) >= 0 && at.Sub(delivered) < soon: // (clocks may disagree)
		return Machine, "too soon after delivery"
	}
	return Human, ""
}

func classifyClick(st SendState, link string, at time.Time) (Class, string) {
	switch {
	case !st.ScannerAt.IsZero() && at.Sub(st.ScannerAt) < scannerStays:
		return Machine, "the hidden link was hit just before"
	case !st.LastClickAt.IsZero() && st.LastClickLink != link && at.Sub(st.LastClickAt) < burst:
		return Machine, "many links hit at once"
	}
	return Human, ""
}
