package ses

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"shopmail/internal/send"
)

// fakeSES speaks the SES v2 REST-JSON protocol for SendEmail. respond answers the nth request
// (counted from 1); the server records every request body.
type fakeSES struct {
	t       *testing.T
	respond func(n int, w http.ResponseWriter, r *http.Request)

	mu     sync.Mutex
	bodies [][]byte
}

func (f *fakeSES) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v2/email/outbound-emails" {
		f.t.Errorf("request %s %s, want POST /v2/email/outbound-emails", r.Method, r.URL.Path)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		f.t.Errorf("read request body: %v", err)
	}
	f.mu.Lock()
	f.bodies = append(f.bodies, body)
	n := len(f.bodies)
	f.mu.Unlock()
	f.respond(n, w, r)
}

func (f *fakeSES) requests() [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bodies
}

func messageID(id string) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"MessageId":%q}`, id)
	}
}

// sesError answers as SES does when it refuses a call.
func sesError(status int, code, message string) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Errortype", code)
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"message":%q}`, message)
	}
}

// failFirst answers the first n requests with fail and the others with then.
func failFirst(n int, fail, then func(int, http.ResponseWriter, *http.Request)) func(int, http.ResponseWriter, *http.Request) {
	return func(i int, w http.ResponseWriter, r *http.Request) {
		if i <= n {
			fail(i, w, r)
			return
		}
		then(i, w, r)
	}
}

func hang(_ int, _ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

// closeConn drops the connection after writing partial (nothing when empty) of a response.
func closeConn(partial string) func(int, http.ResponseWriter, *http.Request) {
	return func(n int, w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil { // answer with success, so that the test fails
			messageID("hijack failed: "+err.Error())(n, w, r)
			return
		}
		buf.WriteString(partial)
		buf.Flush()
		conn.Close()
	}
}

const rateExceeded = "Maximum sending rate exceeded."

type outcome int

const (
	sent outcome = iota
	throttled
	rejectedKind
	refusedKind
	unknown
)

func (o outcome) String() string {
	return [...]string{"sent", "throttled", "rejected", "refused", "unknown"}[o]
}

func kind(err error) outcome {
	switch {
	case err == nil:
		return sent
	case errors.Is(err, send.ErrThrottled):
		return throttled
	case errors.Is(err, send.ErrRejected):
		return rejectedKind
	case errors.Is(err, send.ErrUnavailable):
		return refusedKind
	default:
		return unknown
	}
}

func TestSendRaw(t *testing.T) {
	fast := WithBackoff(time.Millisecond, 2*time.Millisecond)
	tests := []struct {
		name        string
		respond     func(int, http.ResponseWriter, *http.Request)
		opts        []Option
		ctxTimeout  time.Duration // 0: none
		httpTimeout time.Duration // 0: none
		want        outcome
		wantID      string
		requests    int
		errHas      []string // in the error's text
		errIs       error    // also in the error's chain
	}{
		{name: "success", respond: messageID("m-1"), want: sent, wantID: "m-1", requests: 1},
		{
			name:    "throttled twice then success",
			respond: failFirst(2, sesError(429, "TooManyRequestsException", rateExceeded), messageID("m-2")),
			opts:    []Option{fast}, want: sent, wantID: "m-2", requests: 3,
		},
		{
			name:    "ThrottlingException for the send rate is retried",
			respond: failFirst(1, sesError(400, "ThrottlingException", rateExceeded), messageID("m-3")),
			opts:    []Option{fast}, want: sent, wantID: "m-3", requests: 2,
		},
		{
			name:    "throttled forever, default max attempts",
			respond: sesError(429, "TooManyRequestsException", rateExceeded),
			opts:    []Option{fast}, want: throttled, requests: DefaultMaxAttempts,
			errHas: []string{"TooManyRequestsException", rateExceeded},
		},
		{
			name:    "a burst beyond the rate: a caller with time left waits more rounds",
			respond: failFirst(2*DefaultMaxAttempts+1, sesError(429, "TooManyRequestsException", rateExceeded), messageID("m-4")),
			opts:    []Option{fast}, ctxTimeout: time.Minute, want: sent, wantID: "m-4", requests: 2*DefaultMaxAttempts + 2,
		},
		{
			name:    "throttled forever, max attempts option",
			respond: sesError(400, "Throttling", rateExceeded),
			opts:    []Option{fast, WithMaxAttempts(3)}, want: throttled, requests: 3,
			errHas: []string{"Throttling", rateExceeded},
		},
		{
			name:    "context ends while waiting to retry a throttled attempt",
			respond: sesError(429, "TooManyRequestsException", rateExceeded),
			opts:    []Option{WithBackoff(10*time.Second, 10*time.Second)}, ctxTimeout: 100 * time.Millisecond,
			want: throttled, requests: 1, errHas: []string{"TooManyRequestsException"}, errIs: context.DeadlineExceeded,
		},
		{
			name:    "throttled, then the retry hangs past the context deadline",
			respond: failFirst(1, sesError(429, "TooManyRequestsException", rateExceeded), hang),
			opts:    []Option{fast}, ctxTimeout: 200 * time.Millisecond, want: unknown, requests: 2,
			errIs: context.DeadlineExceeded,
		},
		{
			name:    "daily quota is not retried",
			respond: sesError(400, "ThrottlingException", "Daily message quota exceeded."),
			opts:    []Option{fast}, want: throttled, requests: 1, errHas: []string{"ThrottlingException", "Daily message quota exceeded."},
		},
		{
			name:    "a used-up quota is not waited on, however much time is left",
			respond: sesError(400, "ThrottlingException", "Daily message quota exceeded."),
			opts:    []Option{fast}, ctxTimeout: time.Minute, want: throttled, requests: 1,
		},
		{
			name:    "LimitExceededException",
			respond: sesError(400, "LimitExceededException", "limit"),
			opts:    []Option{fast}, want: throttled, requests: 1, errHas: []string{"LimitExceededException"},
		},
		{
			name:    "MessageRejected",
			respond: sesError(400, "MessageRejected", "Email address is not verified."),
			opts:    []Option{fast}, want: rejectedKind, requests: 1,
			errHas: []string{"MessageRejected", "Email address is not verified."},
		},
		{name: "MailFromDomainNotVerified", respond: sesError(400, "MailFromDomainNotVerifiedException", "x"), opts: []Option{fast}, want: refusedKind, requests: 1},
		{name: "AccountSuspended", respond: sesError(400, "AccountSuspendedException", "x"), opts: []Option{fast}, want: refusedKind, requests: 1},
		{name: "SendingPaused", respond: sesError(400, "SendingPausedException", "x"), opts: []Option{fast}, want: refusedKind, requests: 1},
		{
			name:    "configuration set not found",
			respond: sesError(404, "NotFoundException", "Configuration set <cs> does not exist."),
			opts:    []Option{fast}, want: refusedKind, requests: 1, errHas: []string{"NotFoundException", "does not exist"},
		},
		{name: "BadRequest", respond: sesError(400, "BadRequestException", "x"), opts: []Option{fast}, want: rejectedKind, requests: 1},
		{name: "unrecognized client", respond: sesError(403, "UnrecognizedClientException", "x"), opts: []Option{fast}, want: refusedKind, requests: 1},
		{name: "invalid signature", respond: sesError(403, "InvalidSignatureException", "x"), opts: []Option{fast}, want: refusedKind, requests: 1},
		{name: "access denied", respond: sesError(403, "AccessDeniedException", "x"), opts: []Option{fast}, want: refusedKind, requests: 1},
		{
			name:    "500",
			respond: sesError(500, "InternalFailure", "internal"),
			opts:    []Option{fast}, want: unknown, requests: 1, errHas: []string{"InternalFailure", "500"},
		},
		{
			name: "503 without a body",
			respond: func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusServiceUnavailable)
			},
			opts: []Option{fast}, want: unknown, requests: 1, errHas: []string{"503"},
		},
		{name: "unknown error code", respond: sesError(400, "SomethingNewException", "x"), opts: []Option{fast}, want: unknown, requests: 1},
		{
			name: "success without a message id",
			respond: func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{}`)
			},
			want: unknown, requests: 1, errHas: []string{"no message id"},
		},
		{
			name: "server hangs past the context deadline", respond: hang, opts: []Option{fast},
			ctxTimeout: 100 * time.Millisecond, want: unknown, requests: 1, errIs: context.DeadlineExceeded,
		},
		{
			name: "HTTP client timeout", respond: hang, opts: []Option{fast},
			httpTimeout: 100 * time.Millisecond, want: unknown, requests: 1,
		},
		{
			name: "connection closed before the response", respond: closeConn(""), opts: []Option{fast},
			want: unknown, requests: 1,
		},
		{
			name: "connection closed mid-response",
			respond: closeConn("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n" +
				`{"MessageId":"m-`),
			opts: []Option{fast}, want: unknown, requests: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeSES{t: t, respond: tt.respond}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			cfg := testConfig(srv.URL)
			if tt.httpTimeout > 0 {
				cfg.HTTPClient = &http.Client{Timeout: tt.httpTimeout}
			}
			ctx := t.Context()
			if tt.ctxTimeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctxTimeout)
				defer cancel()
			}

			id, err := New(cfg, "shop-cs", tt.opts...).SendRaw(ctx, []byte("raw"), nil)

			if got := kind(err); got != tt.want {
				t.Fatalf("outcome %v (err %v), want %v", got, err, tt.want)
			}
			if id != tt.wantID {
				t.Errorf("message id %q, want %q", id, tt.wantID)
			}
			if got := len(fake.requests()); got != tt.requests {
				t.Errorf("%d requests, want %d", got, tt.requests)
			}
			for _, s := range tt.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if err != nil && !strings.HasPrefix(err.Error(), "ses send email: ") {
				t.Errorf("error %q does not name the operation", err)
			}
			if tt.errIs != nil && !errors.Is(err, tt.errIs) {
				t.Errorf("error %v is not %v", err, tt.errIs)
			}
		})
	}
}

func TestSendRawRequest(t *testing.T) {
	fake := &fakeSES{t: t, respond: messageID("m-1")}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	raw := []byte("Subject: =?UTF-8?B?2LPZhNin2YU=?=\r\n\r\nسلام\r\n\x00\xff")
	tags := []send.Tag{
		{Name: "kind", Value: "thankyou"},
		{Name: "campaign", Value: ""},
		{Name: "send_key", Value: send.TagValue("thankyou#o-1")},
	}

	if _, err := New(testConfig(srv.URL), "shop-cs").SendRaw(t.Context(), raw, tags); err != nil {
		t.Fatal(err)
	}

	var got struct {
		ConfigurationSetName string
		Content              struct{ Raw struct{ Data string } }
		EmailTags            []send.Tag
	}
	if err := json.Unmarshal(fake.requests()[0], &got); err != nil {
		t.Fatalf("request body %s: %v", fake.requests()[0], err)
	}
	if want := base64.StdEncoding.EncodeToString(raw); got.Content.Raw.Data != want {
		t.Errorf("Content.Raw.Data = %q, want %q", got.Content.Raw.Data, want)
	}
	if got.ConfigurationSetName != "shop-cs" {
		t.Errorf("ConfigurationSetName = %q, want shop-cs", got.ConfigurationSetName)
	}
	if fmt.Sprint(got.EmailTags) != fmt.Sprint(tags) {
		t.Errorf("EmailTags = %v, want %v", got.EmailTags, tags)
	}
}

// The retry settings a user can put in the environment (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE)
// reach aws.Config; they must not bring back the SDK's retries.
func TestNewOverridesConfigRetrySettings(t *testing.T) {
	tests := []struct {
		name     string
		respond  func(int, http.ResponseWriter, *http.Request)
		want     outcome
		requests int
	}{
		{name: "500", respond: sesError(500, "InternalFailure", "internal"), want: unknown, requests: 1},
		{name: "throttled", respond: sesError(429, "TooManyRequestsException", rateExceeded), want: throttled, requests: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeSES{t: t, respond: tt.respond}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			cfg := testConfig(srv.URL)
			cfg.RetryMaxAttempts, cfg.RetryMode = 10, aws.RetryModeAdaptive
			cfg.Retryer = func() aws.Retryer { return retry.NewStandard() }
			m := New(cfg, "shop-cs", WithMaxAttempts(3), WithBackoff(time.Millisecond, time.Millisecond))

			_, err := m.SendRaw(t.Context(), []byte("raw"), nil)

			if got := kind(err); got != tt.want {
				t.Errorf("outcome %v (err %v), want %v", got, err, tt.want)
			}
			if got := len(fake.requests()); got != tt.requests {
				t.Errorf("%d requests, want %d", got, tt.requests)
			}
		})
	}
}

func TestBackoffDelay(t *testing.T) {
	b := backoff{base: 100 * time.Millisecond, max: time.Second}
	for attempt, ceiling := range map[int]time.Duration{
		1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond,
		4: 800 * time.Millisecond, 5: time.Second, 30: time.Second,
	} {
		for range 100 {
			d, err := b.BackoffDelay(attempt, nil)
			if err != nil || d < ceiling/2 || d > ceiling {
				t.Fatalf("retry %d: delay %v (err %v), want within [%v, %v]", attempt, d, err, ceiling/2, ceiling)
			}
		}
	}
}

func testConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint: aws.String(endpoint),
	}
}
