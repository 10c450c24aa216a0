package coldstart_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"shopmail/internal/samtemplate"
)

// runs is how many times each binary is started.
const runs = 20

// hello is the hello-world Lambda's name among the binaries, and helloDynamoDB the same with
// a DynamoDB client, which every function has (what the AWS SDK alone costs at start).
const (
	hello         = "hello"
	helloDynamoDB = "hellodynamodb"
)

// BenchmarkColdStart builds every function and a hello-world Lambda for this machine with the
// Makefile's LAMBDA_FLAGS, starts each 20 times, round-robin (all binaries once a round, the
// order rotated each round, so that the machine's drift hits all alike), against a fake Lambda
// Runtime API on loopback, and reports the median and p90 of the time from exec to the first
// GET .../invocation/next, and the ratio of each function's median to hello-world's. The
// issue's target is at most 1.5 times. Each function gets its environment from
// infra/sam-local/env.json (the sandbox's, held equal to it by a sandbox test), with its AWS
// endpoint on the fake, which serves the token keys' secret (what the functions read at start)
// and refuses any other AWS call, listed in the table. One more start of each, before the
// timed ones, runs with GODEBUG=inittrace=1: the sum of its packages' init allocations and
// the packages that cost most. A hello-world with a DynamoDB client (testdata/hellodynamodb),
// which every function has, shows what the AWS SDK alone costs at start.
func BenchmarkColdStart(b *testing.B) {
	root, err := samtemplate.FindRoot()
	if err != nil {
		b.Fatal(err)
	}
	bins := build(b, root)
	fake := startFake(b)
	envs := environments(b, root, fake.url)

	names := slices.Sorted(func(yield func(string) bool) {
		for n := range bins {
			if !yield(n) {
				return
			}
		}
	})
	if len(names) < 2 {
		b.Fatalf("built %v: no functions", names)
	}
	b.ResetTimer()
	for range b.N {
		results := map[string]*result{}
		for _, n := range names {
			r := &result{}
			results[n] = r
			// The traced start also warms the page cache for the timed ones.
			_, stderr := run(b, fake, bins[n], append(slices.Clone(envs[n]), "GODEBUG=inittrace=1"), n, &r.calls)
			r.trace = parseInitTrace(stderr)
		}
		for round := range runs {
			for i := range names {
				n := names[(i+round)%len(names)]
				d, _ := run(b, fake, bins[n], envs[n], n, &results[n].calls)
				results[n].times = append(results[n].times, d)
			}
		}
		report(b, names, results)
	}
}

// result is what one binary's starts measured.
type result struct {
	times []time.Duration
	trace initTrace
	calls []string // AWS calls other than the token keys' secret, made at start
}

// build compiles ./functions/... and the hello-world Lambda into a temporary folder for this
// machine's OS and architecture, with the Makefile's LAMBDA_FLAGS and LAMBDA_ENV (GOOS and
// GOARCH aside), and returns each binary's path by name.
func build(b *testing.B, root string) map[string]string {
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		b.Fatal(err)
	}
	flags, env := makeVar(b, mk, "LAMBDA_FLAGS"), makeVar(b, mk, "LAMBDA_ENV")
	out := b.TempDir()
	args := append([]string{"build", "-o", out + string(filepath.Separator)}, flags...)
	cmd := exec.Command("go", append(args, "./functions/...", "./infra/coldstart/testdata/hello", "./infra/coldstart/testdata/hellodynamodb")...)
	cmd.Dir = root
	cmd.Env = os.Environ()
	for _, kv := range env {
		if !strings.HasPrefix(kv, "GOOS=") && !strings.HasPrefix(kv, "GOARCH=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%v: %v\n%s", cmd.Args, err, msg)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		b.Fatal(err)
	}
	bins := map[string]string{}
	for _, e := range entries {
		bins[strings.TrimSuffix(e.Name(), ".exe")] = filepath.Join(out, e.Name())
	}
	if _, ok := bins[hello]; !ok {
		b.Fatalf("no hello-world binary among %v", entries)
	}
	return bins
}

// makeVar returns the words of a `NAME := ...` line of the Makefile, split as the shell splits
// them (single and double quotes; no variables).
func makeVar(b *testing.B, mk []byte, name string) []string {
	for line := range strings.Lines(string(mk)) {
		k, v, ok := strings.Cut(line, ":=")
		if !ok || strings.TrimSpace(k) != name {
			continue
		}
		var words []string
		var word strings.Builder
		var quote rune
		inWord := false
		for _, c := range strings.TrimSpace(v) {
			switch {
			case quote != 0 && c == quote:
				quote = 0
			case quote != 0:
				word.WriteRune(c)
			case c == '\'' || c == '"':
				quote, inWord = c, true
			case c == ' ' || c == '\t':
				if inWord {
					words, inWord = append(words, word.String()), false
					word.Reset()
				}
			default:
				word.WriteRune(c)
				inWord = true
			}
		}
		if inWord {
			words = append(words, word.String())
		}
		return words
	}
	b.Fatalf("Makefile: no %s := line", name)
	return nil
}

// environments returns each binary's environment: the function's from env.json, by the
// folder under functions/ its template resource names, pointed at the fake, with Lambda's own
// variables; hello-world gets Lambda's alone.
func environments(b *testing.B, root, fakeURL string) map[string][]string {
	raw, err := os.ReadFile(filepath.Join(root, "infra", "sam-local", "env.json"))
	if err != nil {
		b.Fatal(err)
	}
	var byID map[string]map[string]string
	if err := json.Unmarshal(raw, &byID); err != nil {
		b.Fatal(err)
	}
	tmpl, err := samtemplate.Load(filepath.Join(root, samtemplate.FileName))
	if err != nil {
		b.Fatal(err)
	}
	fns, err := tmpl.Functions()
	if err != nil {
		b.Fatal(err)
	}
	lambdaEnv := func(name string, memory int) []string {
		return []string{
			"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(fakeURL, "http://"),
			"AWS_LAMBDA_FUNCTION_NAME=" + name, "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
			fmt.Sprintf("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%d", memory), "TZ=:UTC", "LANG=en_US.UTF-8",
		}
	}
	envs := map[string][]string{hello: lambdaEnv(hello, 128), helloDynamoDB: lambdaEnv(helloDynamoDB, 128)}
	for _, fn := range fns {
		vars, ok := byID[fn.LogicalID]
		if !ok {
			b.Fatalf("env.json has no %s", fn.LogicalID)
		}
		env := lambdaEnv(fn.LogicalID, fn.MemorySize)
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range vars {
				if !yield(k) {
					return
				}
			}
		}) {
			v := vars[k]
			switch k {
			case "AWS_ENDPOINT_URL":
				v = fakeURL
			case "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY":
				v = "coldstart"
			}
			env = append(env, k+"="+strings.ReplaceAll(v, "http://host.docker.internal:4566", fakeURL))
		}
		envs[filepath.Base(fn.CodeURI)] = env
	}
	return envs
}

// fake is the Lambda Runtime API and AWS endpoint the binaries start against, one at a time.
type fake struct {
	url string

	mu    sync.Mutex
	next  chan time.Time // the arrival of the current binary's first GET .../invocation/next
	fail  chan string    // its POST .../init/error
	calls *[]string      // its AWS calls other than the secret
}

// The token keys' secret, as the stack creates it.
var secretString = `{"current":"k1","k1":"` + strings.Repeat("coldstart", 8) + `"}`

func startFake(b *testing.B) *fake {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	f := &fake{url: "http://" + l.Addr().String()}
	srv := &http.Server{Handler: f}
	go func() { _ = srv.Serve(l) }()
	b.Cleanup(func() { _ = srv.Close() })
	return f
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	f.mu.Lock()
	next, fail, calls := f.next, f.fail, f.calls
	f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	switch target := r.Header.Get("X-Amz-Target"); {
	case r.URL.Path == "/2018-06-01/runtime/invocation/next":
		select {
		case next <- at:
		default:
		}
		<-r.Context().Done() // the binary is killed while it waits
	case strings.HasPrefix(r.URL.Path, "/2018-06-01/runtime/"):
		select {
		case fail <- r.Method + " " + r.URL.Path + ": " + string(body):
		default:
		}
		w.WriteHeader(http.StatusAccepted)
	case target == "secretsmanager.GetSecretValue":
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"ARN": "arn:aws:secretsmanager:us-east-1:000000000000:secret:TokenKeys", "Name": "TokenKeys",
			"SecretString": secretString, "VersionId": "v1", "CreatedDate": 0,
		})
	default:
		f.mu.Lock()
		if calls != nil {
			name := target
			if name == "" {
				name = r.Method + " " + r.URL.Path
			}
			*calls = append(*calls, name)
		}
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"__type":"com.amazon.coral.validate#ValidationException","message":"coldstart: no AWS call at start"}`)
	}
}

// run starts a binary and returns the time from exec to its first request for an invocation,
// and what it wrote on stderr.
func run(b *testing.B, f *fake, bin string, env []string, name string, calls *[]string) (time.Duration, []byte) {
	next, fail := make(chan time.Time, 1), make(chan string, 1)
	f.mu.Lock()
	f.next, f.fail, f.calls = next, fail, calls
	f.mu.Unlock()
	var stderr bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, io.Discard, &stderr
	exited := make(chan error, 1)
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	go func() { exited <- cmd.Wait() }()
	var d time.Duration
	select {
	case at := <-next:
		d = at.Sub(t0)
	case msg := <-fail:
		_ = cmd.Process.Kill()
		<-exited
		b.Fatalf("%s did not start: %s\n%s", name, msg, stderr.Bytes())
	case err := <-exited:
		b.Fatalf("%s exited before asking for an invocation: %v\n%s", name, err, stderr.Bytes())
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		b.Fatalf("%s asked for no invocation in 30 s\n%s", name, stderr.Bytes())
	}
	_ = cmd.Process.Kill()
	<-exited
	f.mu.Lock()
	f.calls = nil
	f.mu.Unlock()
	return d, stderr.Bytes()
}

// initTrace sums what GODEBUG=inittrace=1 printed: one line a package,
// "init shopmail/internal/send @1.2 ms, 3.1 ms clock, 241000 bytes, 300 allocs".
type initTrace struct {
	clock         float64 // ms
	bytes, allocs int64
	pkgs          []pkgInit
}

type pkgInit struct {
	name          string
	clock         float64
	bytes, allocs int64
}

func parseInitTrace(stderr []byte) initTrace {
	var t initTrace
	sc := bufio.NewScanner(bytes.NewReader(stderr))
	for sc.Scan() {
		var p pkgInit
		var at float64
		if _, err := fmt.Sscanf(sc.Text(), "init %s @%f ms, %f ms clock, %d bytes, %d allocs", &p.name, &at, &p.clock, &p.bytes, &p.allocs); err != nil {
			continue
		}
		t.clock += p.clock
		t.bytes += p.bytes
		t.allocs += p.allocs
		t.pkgs = append(t.pkgs, p)
	}
	slices.SortFunc(t.pkgs, func(a, b pkgInit) int { return int(b.bytes - a.bytes) })
	return t
}

// median and p90 (nearest rank) of ds, in milliseconds.
func stats(ds []time.Duration) (median, p90 float64) {
	s := slices.Clone(ds)
	slices.Sort(s)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	n := len(s)
	median = ms(s[n/2])
	if n%2 == 0 {
		median = (ms(s[n/2-1]) + ms(s[n/2])) / 2
	}
	return median, ms(s[int(math.Ceil(0.9*float64(n)))-1])
}

func report(b *testing.B, names []string, results map[string]*result) {
	helloMedian, helloP90 := stats(results[hello].times)
	var tbl strings.Builder
	fmt.Fprintf(&tbl, "BenchmarkColdStart: %d starts each, round-robin; init = exec to the first GET .../invocation/next\n", runs)
	fmt.Fprintf(&tbl, "%-13s %9s %8s %8s %9s %8s %8s  %s\n", "binary", "median ms", "p90 ms", "x hello", "init KB", "allocs", "init ms", "heaviest inits (KB)")
	worst := 0.0
	var worstKB float64
	reference := func(n string) bool { return n == hello || n == helloDynamoDB }
	for _, n := range append([]string{hello, helloDynamoDB}, slices.DeleteFunc(slices.Clone(names), reference)...) {
		r := results[n]
		median, p90 := stats(r.times)
		ratio := median / helloMedian
		if !reference(n) {
			b.ReportMetric(median, n+"-med-ms")
			b.ReportMetric(p90, n+"-p90-ms")
			b.ReportMetric(ratio, n+"-x")
			worst = max(worst, ratio)
			worstKB = max(worstKB, float64(r.trace.bytes)/1024)
		}
		var heavy []string
		for _, p := range r.trace.pkgs[:min(3, len(r.trace.pkgs))] {
			heavy = append(heavy, fmt.Sprintf("%s %.0f", p.name, float64(p.bytes)/1024))
		}
		fmt.Fprintf(&tbl, "%-13s %9.2f %8.2f %8.2f %9.0f %8d %8.2f  %s\n", n, median, p90, ratio,
			float64(r.trace.bytes)/1024, r.trace.allocs, r.trace.clock, strings.Join(heavy, ", "))
		if len(r.calls) > 0 {
			slices.Sort(r.calls)
			fmt.Fprintf(&tbl, "%-13s AWS calls at start besides the secret: %s\n", "", strings.Join(slices.Compact(r.calls), ", "))
		}
	}
	b.ReportMetric(helloMedian, "hello-med-ms")
	b.ReportMetric(helloP90, "hello-p90-ms")
	ddbMedian, _ := stats(results[helloDynamoDB].times)
	b.ReportMetric(ddbMedian/helloMedian, "hellodynamodb-x")
	b.ReportMetric(worst, "worst-x")
	b.ReportMetric(worstKB, "worst-init-KB")
	table = tbl.String()
}

// table is the last BenchmarkColdStart's table. The testing package trims a benchmark's log to
// 10 lines, so TestMain prints it after the benchmarks.
var table string

func TestMain(m *testing.M) {
	code := m.Run()
	if table != "" {
		fmt.Print(table)
	}
	os.Exit(code)
}
