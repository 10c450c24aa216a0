package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shopmail/internal/loyalty"
)

func TestItPrintsTheWinnerOrWhatDoesNotMatch(t *testing.T) {
	seed := strings.Repeat("5e", 32)
	ids := []string{"c-10", "c-11", "c-12"}
	d := loyalty.Draw{ID: "2026-11", Status: loyalty.DrawDrawn, Seed: seed, SeedHash: loyalty.SeedHash(seed), Eligible: ids, ListHash: loyalty.ListHash(ids)}
	d.Winner = ids[loyalty.WinnerIndex(seed, d.ListHash, 3)]
	write := func(d loyalty.Draw) string {
		p := filepath.Join(t.TempDir(), "draw.json")
		b, _ := json.Marshal(d)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var out strings.Builder
	if err := run(write(d), &out); err != nil || out.String() != "draw 2026-11 verifies: 3 eligible, the winner is "+d.Winner+"\n" {
		t.Errorf("%q, %v", out.String(), err)
	}
	d.Winner = "c-99"
	if err := run(write(d), &out); err == nil || !strings.Contains(err.Error(), "not the recorded winner c-99") {
		t.Errorf("a tampered winner: %v", err)
	}
	if err := run(filepath.Join(t.TempDir(), "none.json"), &out); err == nil {
		t.Error("a missing file verified")
	}
}
