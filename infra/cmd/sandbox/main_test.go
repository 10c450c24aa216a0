package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shopmail/internal/dynamo/dynamolocal"
	"shopmail/internal/sandbox"
)

func free(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// occupy serves h on a free address until the test ends.
func occupy(t *testing.T, h http.Handler) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

// make run DATA=dir, end to end: run serves the app and the AWS endpoint, and when stopped it
// finishes the invocations under way before it saves the state (an order put just before the
// Ctrl-C has its thank-you in the saved inbox).
func TestRunFinishesTheWorkUnderWayThenSaves(t *testing.T) {
	if testing.Short() {
		t.Skip("starts DynamoDB Local; skipped with -short")
	}
	t.Setenv(dynamolocal.EndpointEnv, "") // run starts its own, on disk under DATA
	awsAddr, appAddr, data := free(t), free(t), t.TempDir()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := make(chan error, 1)
	go func() { done <- run(ctx, awsAddr, appAddr, data) }()
	for ready := false; !ready; {
		select {
		case err := <-done:
			t.Fatalf("run ended before serving: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
		if resp, err := http.Get("http://" + appAddr + "/_sandbox/"); err == nil {
			resp.Body.Close()
			ready = resp.Header.Get(sandbox.MarkerHeader) == "1"
		}
	}
	if _, _, err := listen(free(t), appAddr); err == nil || !strings.Contains(err.Error(), "a sandbox is already running") {
		t.Errorf("a second sandbox: %v", err)
	}
	resp, err := http.PostForm("http://"+appAddr+"/_sandbox/put-event", url.Values{"sample": {"thankyou/first-order.json"}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("put-event: %v %v", resp, err)
	}
	resp.Body.Close()
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("run did not stop")
	}
	b, err := os.ReadFile(filepath.Join(data, "sandbox.json"))
	if err != nil {
		t.Fatal(err)
	}
	var saved struct{ Messages []struct{ ID string } }
	if err := json.Unmarshal(b, &saved); err != nil || len(saved.Messages) != 1 {
		t.Errorf("saved %d messages (%v), want the order's thank-you", len(saved.Messages), err)
	}
	if _, err := http.Get("http://" + awsAddr + "/"); err == nil {
		t.Error("the AWS endpoint still answers after run returned")
	}
}

func TestSecondSandboxSaysOneIsRunning(t *testing.T) {
	app := occupy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_sandbox/" {
			w.Header().Set(sandbox.MarkerHeader, "1")
			w.Write([]byte("shopmail sandbox"))
			return
		}
		http.NotFound(w, r)
	}))
	_, _, err := listen(free(t), app)
	if err == nil || !strings.Contains(err.Error(), "a sandbox is already running: open http://"+app+"/_sandbox/") {
		t.Errorf("err = %v", err)
	}
}

// Another web server that happens to answer /_sandbox/ is not taken for a sandbox.
func TestAnotherServerIsNotTakenForASandbox(t *testing.T) {
	app := occupy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) }))
	_, _, err := listen(free(t), app)
	if err == nil || !strings.Contains(err.Error(), "another program uses") {
		t.Errorf("err = %v", err)
	}
}

func TestAnotherProgramOnThePortIsNamed(t *testing.T) {
	aws := occupy(t, http.NotFoundHandler())
	_, _, err := listen(aws, free(t))
	if err == nil || !strings.Contains(err.Error(), "another program uses "+aws) {
		t.Errorf("err = %v", err)
	}
}

func TestListenTakesBothAddresses(t *testing.T) {
	a, b, err := listen(free(t), free(t))
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	b.Close()
}
