package lambdaevent_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The layer is linked by every event function: it must not bring an AWS service client into
// a binary whose function does not call that service (wire.TestFunctionsLinkWhatTheirPolicyAllows).
func TestLinksNoAWSServiceClient(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list; skipped with -short")
	}
	out, err := exec.Command("go", "list", "-deps", "shopmail/internal/lambdaevent").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list saw %d packages", len(deps))
	}
	for _, p := range deps {
		if strings.HasPrefix(p, "github.com/aws/aws-sdk-go-v2/service/") {
			t.Errorf("lambdaevent links %s", p)
		}
	}
}

// Nor the campaign sender (package campaignevents): its markdown and HTML sanitiser allocated
// 1.2 MB at every event function's start.
func TestLinksNoCampaignSender(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list; skipped with -short")
	}
	out, err := exec.Command("go", "list", "-deps", "shopmail/internal/lambdaevent").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if p == "shopmail/internal/fanout" || strings.HasPrefix(p, "github.com/yuin/goldmark") || strings.HasPrefix(p, "github.com/microcosm-cc/bluemonday") {
			t.Errorf("lambdaevent links %s", p)
		}
	}
}
