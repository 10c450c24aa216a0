// Command verify-draw re-runs a prize draw offline from its published record (the JSON that
// GET /draws/{id} answers) and prints the winner, or says what does not match:
//
//	make verify-draw DRAW=draw.json
//
// It checks that the eligible list is sorted and hashes to the committed listHash, that the
// revealed seed hashes to the committed seedHash, and that the seed and the list's hash give
// the recorded winner (internal/loyalty, draw.go, documents the function).
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"shopmail/internal/loyalty"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: verify-draw <file with a draw record as GET /draws/{id} returns it>")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "verify-draw:", err)
		os.Exit(1)
	}
}

func run(path string, out io.Writer) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var d loyalty.Draw
	if err := json.Unmarshal(b, &d); err != nil {
		return fmt.Errorf("%s is not a draw record: %v", path, err)
	}
	w, err := loyalty.VerifyDraw(d)
	if err != nil {
		return fmt.Errorf("draw %s does not verify: %w", d.ID, err)
	}
	if w == "" {
		fmt.Fprintf(out, "draw %s verifies: nobody was eligible, nobody won\n", d.ID)
		return nil
	}
	fmt.Fprintf(out, "draw %s verifies: %d eligible, the winner is %s\n", d.ID, len(d.Eligible), w)
	return nil
}
