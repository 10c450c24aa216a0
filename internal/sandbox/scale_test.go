package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"shopmail/internal/sandbox"
	"shopmail/internal/wire"
	"shopmail/internal/wire/campaignsend"
)

// crashing is the campaign sender, stopped now and then: before it handles a batch, or after
// it sent the batch's emails and before it could say so (the batch is delivered again).
type crashing struct {
	h       lambda.Handler
	batches atomic.Int64
}

func (c *crashing) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if !strings.Contains(string(payload), `"Records"`) {
		return c.h.Invoke(ctx, payload)
	}
	switch n := c.batches.Add(1); {
	case n%11 == 5:
		return nil, errors.New("crashed before the batch")
	case n%7 == 3:
		c.h.Invoke(ctx, payload)
		return nil, errors.New("crashed after the batch")
	}
	return c.h.Invoke(ctx, payload)
}

// A 10,000-recipient sale at an SES rate of 100 a second, with 30% of SendEmail calls
// throttled, a sender that crashes now and then, and a pause and resume midway: every
// consenting contact gets it exactly once, and the campaign completes only then.
func TestTenThousandRecipientsOnceThroughThrottlingCrashesAndAPause(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 recipients through the sandbox")
	}
	const n = 10000
	c := &crashing{}
	r := startWith(t, sandbox.Config{Template: repoTemplate(t), SendRate: 100, SESThrottle: 0.3, Log: logTo(t),
		Builders: map[string]wire.Builder{"campaignsend": func(lookup func(string) (string, bool), log *slog.Logger) (lambda.Handler, error) {
			h, err := campaignsend.Build(lookup, log)
			c.h = h
			return c, err
		}}})
	importContacts(t, r, "big", "big", 0, n, zoneAt(time.Now(), 12), true)
	status, cmp := r.api(t, "POST", "/campaigns", "application/json", saleBody(t, "big"))
	if status != 201 {
		t.Fatalf("create: %d %v", status, cmp)
	}
	id := cmp["id"].(string)
	withoutDaysOff(t, r)
	start := time.Now()
	if status, res := r.api(t, "POST", "/campaigns/"+id+"/schedule", "application/json", `{"at": "`+time.Now().UTC().Format(time.RFC3339)+`"}`); status != 200 {
		t.Fatalf("schedule: %d %v", status, res)
	}
	for len(campaignMail(r, id)) < n/3 {
		time.Sleep(100 * time.Millisecond)
	}
	if status, res := r.api(t, "POST", "/campaigns/"+id+"/pause", "", ""); status != 200 || res["status"] != "paused" {
		t.Fatalf("pause: %d %v", status, res)
	}
	// Sends under way when the pause came end (the senders' copy of the campaign is at most
	// 5 s old); then nothing goes out.
	paused := settle(r, 3*time.Second, 30*time.Second)
	time.Sleep(3 * time.Second)
	if got := len(r.sb.Messages()); got != paused {
		t.Errorf("%d emails went out while the campaign was paused", got-paused)
	}
	if st := awaitStatus(t, r, id, "paused", time.Second); st["sent"].(float64) >= n {
		t.Fatalf("everyone was sent to before the pause: %v", st["sent"])
	}
	if status, res := r.api(t, "POST", "/campaigns/"+id+"/resume", "", ""); status != 200 || res["status"] != "sending" {
		t.Fatalf("resume: %d %v", status, res)
	}
	// A crashed batch is delivered again after the queue's visibility timeout (12 minutes, on
	// the sandbox's clock): when sending stops, the clock is moved on. (The pollers take
	// messages as soon as they are visible, so batches are small and there are some 3,000 of
	// them, a few hundred crashed: on two shared cores the rest takes up to 6 minutes.)
	var stats map[string]any
	for deadline := time.Now().Add(10 * time.Minute); time.Now().Before(deadline); {
		settle(r, 2*time.Second, 5*time.Minute)
		if _, stats = r.api(t, "GET", "/campaigns/"+id+"/stats", "", ""); stats["status"] == "completed" {
			break
		}
		r.sb.Clock().Advance(13 * time.Minute)
	}
	if stats["status"] != "completed" {
		t.Fatalf("the campaign is %v: %s", stats["status"], mustJSON(stats))
	}
	took := time.Since(start)
	got := campaignMail(r, id)
	twice, missing := 0, 0
	for i := range n {
		switch got[fmt.Sprintf("buyer%d@big.example", i)] {
		case 0:
			missing++
		case 1:
		default:
			twice++
		}
	}
	if missing != 0 || twice != 0 || len(got) != n {
		t.Errorf("of %d contacts, %d got nothing and %d more than one email (%d recipients in all)", n, missing, twice, len(got))
	}
	// The marketer's numbers are the contacts': a batch delivered again after a crash is
	// neither targeted nor skipped a second time.
	if stats["sent"] != float64(n) || stats["queued"] != 0.0 || stats["failed"] != 0.0 || stats["targeted"] != float64(n) ||
		mustJSON(stats["skipped"]) != "{}" {
		t.Errorf("stats: %s", mustJSON(stats))
	}
	for _, d := range r.sb.DeadLetters() {
		t.Errorf("dead-lettered: %s %s", d.Attributes["reason"], d.Body)
	}
	t.Logf("%d recipients in %s (with the pause), %d batches, one in 11 crashed before and one in 7 after", n, took.Round(time.Second), c.batches.Load())
}

// settle waits until no email has gone out for quiet (at most within), and returns how many
// have.
func settle(r *running, quiet, within time.Duration) int {
	deadline := time.Now().Add(within)
	n, since := len(r.sb.Messages()), time.Now()
	for time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		if m := len(r.sb.Messages()); m != n {
			n, since = m, time.Now()
		} else if time.Since(since) >= quiet {
			break
		}
	}
	return n
}

// logTo is where a long test's function logs go: a file named in SANDBOX_TEST_LOG, else nowhere.
func logTo(t *testing.T) io.Writer {
	name := os.Getenv("SANDBOX_TEST_LOG")
	if name == "" {
		return io.Discard
	}
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
