package main

import (
	"net"
	"net/http"
	"strings"
	"testing"

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
