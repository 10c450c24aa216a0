// Package readme holds the README to the code: every benchmark it quotes a figure of must
// still exist, so that a figure cannot outlive what measured it.
package readme

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	named    = regexp.MustCompile(`\bBenchmark[A-Z][A-Za-z0-9_]*`)
	declared = regexp.MustCompile(`(?m)^func (Benchmark[A-Z][A-Za-z0-9_]*)\(b \*testing\.B\)`)
)

// benchmarks returns the benchmarks declared in the repository's tests.
func benchmarks(t *testing.T, root string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range declared.FindAllSubmatch(src, -1) {
			out[string(m[1])] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// missing returns the benchmarks readme names that have does not hold, and how many it names.
func missing(readme string, have map[string]bool) (out []string, count int) {
	seen := map[string]bool{}
	for _, name := range named.FindAllString(readme, -1) {
		if seen[name] {
			continue
		}
		seen[name] = true
		if !have[name] {
			out = append(out, name)
		}
	}
	return out, len(seen)
}

func TestEveryBenchmarkTheREADMENamesExists(t *testing.T) {
	root := filepath.Join("..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	have := benchmarks(t, root)
	if len(have) == 0 {
		t.Fatal("no benchmarks found: the walk looked in the wrong place")
	}
	gone, n := missing(string(readme), have)
	if n == 0 {
		t.Error("README.md names no benchmark")
	}
	for _, name := range gone {
		t.Errorf("README.md quotes %s, which no test file declares", name)
	}
}

// The check finds what it must: a README naming a benchmark that is gone fails, a
// sub-benchmark's name counts as its benchmark's.
func TestAMissingBenchmarkIsFound(t *testing.T) {
	gone, n := missing("`BenchmarkOrderPlaced/first-order.json` 281 µs; BenchmarkGone 3 µs; BenchmarkGone again",
		map[string]bool{"BenchmarkOrderPlaced": true})
	if strings.Join(gone, ",") != "BenchmarkGone" || n != 2 {
		t.Errorf("missing = %v of %d, want BenchmarkGone of 2", gone, n)
	}
}
