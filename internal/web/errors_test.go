package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"shopmail/internal/fault"
	"shopmail/internal/render"
)

// Each kind of domain error has its status; what the client reads of an invalid query is the
// domain's message without the kind; a failure on our side says nothing internal.
func TestErrorKindsMapToStatus(t *testing.T) {
	for _, tt := range []struct {
		err     error
		status  int
		problem string
	}{
		{fmt.Errorf("%w query: from must be before to", fault.ErrInvalid), 400, "from must be before to"},
		{fmt.Errorf("get campaign c-1: %w", fault.ErrNotFound), 404, "not found"},
		{fmt.Errorf("claim send: %w", fault.ErrConflict), 409, "conflict"},
		{errors.New("dynamodb: connection refused"), 503, ""},
	} {
		if got := Status(tt.err); got != tt.status {
			t.Errorf("Status(%v) = %d, want %d", tt.err, got, tt.status)
		}
		if tt.status < 500 {
			if got := problem(tt.err); !strings.Contains(got, tt.problem) || strings.HasPrefix(got, "invalid") {
				t.Errorf("problem(%v) = %q", tt.err, got)
			}
		}
	}
	var logged bytes.Buffer
	r := Fail(context.Background(), slog.New(slog.NewJSONHandler(&logged, nil)), "answer", errors.New("table secret-name unavailable"),
		render.LocaleFor("fa-IR", ""), render.Brand{ShopName: "Tea House"})
	if r.StatusCode != 503 || strings.Contains(r.Body, "secret-name") || !strings.Contains(logged.String(), `"msg":"answer failed"`) ||
		!strings.Contains(r.Body, `dir="rtl"`) || !strings.Contains(r.Body, "مشکلی در سمت ما پیش آمد") {
		t.Errorf("Fail: %d %q, logged %s", r.StatusCode, r.Body, logged.String())
	}
}
