package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/config"
	"github.com/careersbot/careersbot/internal/server"
)

// serveConfig is a serve configuration over the seed alone, in temp dirs.
func serveConfig(t testing.TB, env map[string]string) *config.Config {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["CAREERSBOT_SEEDS"]; !ok {
		dir := t.TempDir()
		b, err := os.ReadFile(filepath.Join("seeds", "network-engineer-ST0127.txt"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "seed.txt"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		env["CAREERSBOT_SEEDS"] = dir
	}
	if _, ok := env["CAREERSBOT_DATA_DIR"]; !ok {
		env["CAREERSBOT_DATA_DIR"] = t.TempDir()
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, flag.NewFlagSet("test", flag.ContinueOnError))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// startServer runs a server in-process on a loopback port until the
// returned stop is called; stop returns what run returned.
func startServer(t testing.TB, cfg *config.Config) (s *server.Server, url string, stop func() error) {
	t.Helper()
	return startServerWith(t, cfg, nil)
}

// startServerWith is startServer with a chance to adjust the server before
// it runs.
func startServerWith(t testing.TB, cfg *config.Config, adjust func(*server.Server)) (s *server.Server, url string, stop func() error) {
	t.Helper()
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	s, err := server.New(cfg, log, serveOptions())
	if err != nil {
		t.Fatal(err)
	}
	if adjust != nil {
		adjust(s)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ln) }()
	url = "http://" + ln.Addr().String()
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(server.ShutdownGrace + 5*time.Second):
				runErr = fmt.Errorf("server did not stop")
			}
		})
		return runErr
	}
	t.Cleanup(func() { stop() })
	waitReady(t, url)
	return s, url, stop
}

func waitReady(t testing.TB, url string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s/readyz never became ready", url)
}

func askHTTP(url, question, occupation string) (int, []byte, error) {
	body, _ := json.Marshal(map[string]string{"question": question, "occupation": occupation})
	resp, err := http.Post(url+"/v1/ask", "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func TestServeEndpoints(t *testing.T) {
	_, url, _ := startServer(t, serveConfig(t, nil))
	code, body, err := askHTTP(url, "Which skills does a network engineer need?", "")
	if err != nil || code != 200 {
		t.Fatalf("POST /v1/ask: %d %v %s", code, err, body)
	}
	var a bot.Answer
	if err := json.Unmarshal(body, &a); err != nil || len(a.Citations) != 14 {
		t.Fatalf("answer with %d citations: %v", len(a.Citations), err)
	}
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`careersbot_questions_total{adapter="http",outcome="grounded"} 1`,
		`careersbot_index_passages 61`,
		`careersbot_index_occupations 1`,
		`careersbot_answer_seconds_bucket`,
		`careersbot_retrieval_seconds_bucket`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, line := range strings.Split(string(metrics), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "careersbot_") &&
			!strings.HasPrefix(line, "go_") && !strings.HasPrefix(line, "process_") {
			t.Errorf("metric not named careersbot_ (nor the Go collectors'): %s", line)
		}
	}
}

func TestServeRateLimit(t *testing.T) {
	_, url, _ := startServer(t, serveConfig(t, map[string]string{"CAREERSBOT_RATE_PER_MINUTE": "3"}))
	var codes []int
	for range 5 {
		code, _, err := askHTTP(url, "What level is a network engineer?", "")
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, code)
	}
	if !slices.Equal(codes, []int{200, 200, 200, 429, 429}) {
		t.Errorf("statuses %v, want three answers then 429s", codes)
	}
}

// gate is an Asker that holds the first answer until released: an answer
// in flight whose end the test controls. Later questions pass through.
type gate struct {
	once    sync.Once
	started chan struct{}
	release chan struct{}
	next    bot.Asker
}

func (g *gate) Ask(ctx context.Context, q bot.Question) (bot.Answer, error) {
	first := false
	g.once.Do(func() { first = true })
	if first {
		close(g.started)
		<-g.release
	}
	return g.next.Ask(ctx, q)
}

// TestGracefulShutdownFinishesAnswersInFlight stops the server (as SIGTERM
// does) while an answer is being worked on: the answer still arrives, new
// connections are refused, and run returns cleanly.
func TestGracefulShutdownFinishesAnswersInFlight(t *testing.T) {
	s, url, stop := startServer(t, serveConfig(t, nil))
	g := &gate{started: make(chan struct{}), release: make(chan struct{}), next: s.CurrentBot()}
	s.Use(g)

	type result struct {
		code int
		body []byte
		err  error
	}
	inflight := make(chan result, 1)
	go func() {
		code, body, err := askHTTP(url, "Which skills does a network engineer need?", "")
		inflight <- result{code, body, err}
	}()
	<-g.started
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()

	// Shutdown has begun: the listener closes and new work is refused.
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, _, err := askHTTP(url, "another", "")
		if err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server still takes new requests during shutdown")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-stopped:
		t.Fatalf("server stopped (%v) before the answer in flight finished", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(g.release)
	r := <-inflight
	if r.err != nil || r.code != 200 || !bytes.Contains(r.body, []byte("[ST0127 S14]")) {
		t.Fatalf("answer in flight: %d %v %s", r.code, r.err, r.body)
	}
	if err := <-stopped; err != nil {
		t.Errorf("run returned %v, want nil", err)
	}
}

// TestServeProcessExitsZeroOnSIGTERM runs the built binary as operators do:
// no platform variables, /v1/ask answers, SIGTERM exits 0.
func TestServeProcessExitsZeroOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := binary(t)
	cfg := serveConfig(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{"CAREERSBOT_SEEDS=" + cfg.Seeds, "CAREERSBOT_DATA_DIR=" + cfg.DataDir, "CAREERSBOT_HTTP_ADDR=" + addr, "HOME=" + t.TempDir()}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	waitReady(t, "http://"+addr)
	if code, body, err := askHTTP("http://"+addr, "How much does a network engineer earn?", ""); err != nil || code != 200 || !bytes.Contains(body, []byte("43,692")) {
		t.Fatalf("POST /v1/ask: %d %v %s", code, err, body)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exited with %v after SIGTERM\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("serve did not exit after SIGTERM\n%s", stderr.String())
	}
	if strings.Contains(stderr.String(), "goroutine ") {
		t.Errorf("stack trace on stderr:\n%s", stderr.String())
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("log line is not JSON: %s", line)
		}
	}
}
