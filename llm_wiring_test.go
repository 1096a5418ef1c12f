package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/careersbot/careersbot/internal/app"
	"github.com/careersbot/careersbot/internal/llm"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/openaifake"
)

// llmConfig is a seed-only configuration whose answers and embeddings come
// from the fake server.
func llmConfig(t *testing.T, f *openaifake.Server, extra map[string]string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join("seeds", "network-engineer-ST0127.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "seed.txt"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"CAREERSBOT_SEEDS":       dir,
		"CAREERSBOT_DATA_DIR":    t.TempDir(),
		"OPENAI_BASE_URL":        f.BaseURL(),
		"OPENAI_API_KEY":         "sk-test-secret",
		"CAREERSBOT_EMBED_MODEL": "fake-embed-1",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

func TestRemoteEmbeddingsIndexedOnceAndReused(t *testing.T) {
	f := openaifake.New(t)
	env := llmConfig(t, f, nil)
	cfg := serveConfig(t, env)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	ix, err := app.OpenIndex(context.Background(), cfg, log, app.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st := ix.Stats()
	if !st.Rebuilt || st.Dims != 64 || !strings.HasPrefix(st.Embedder, "remote:fake-embed-1@") {
		t.Fatalf("first open: rebuilt %v, dims %d, embedder %q", st.Rebuilt, st.Dims, st.Embedder)
	}
	calls := f.EmbeddingCalls()
	var embedded int
	for _, c := range calls {
		if len(c) > llm.EmbedBatch {
			t.Errorf("a request of %d texts, batches are at most %d", len(c), llm.EmbedBatch)
		}
		embedded += len(c)
	}
	if embedded != st.Passages || len(calls) != (st.Passages+llm.EmbedBatch-1)/llm.EmbedBatch {
		t.Errorf("%d texts embedded in %d requests, want the %d passages in batches", embedded, len(calls), st.Passages)
	}

	// Reopened: loaded, and the server is not asked again.
	ix2, err := app.OpenIndex(context.Background(), cfg, log, app.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ix2.Stats().Rebuilt || len(f.EmbeddingCalls()) != len(calls) {
		t.Errorf("reopen rebuilt %v, embedding requests %d -> %d", ix2.Stats().Rebuilt, len(calls), len(f.EmbeddingCalls()))
	}

	// A question is answered with the remote model's vectors too.
	a, err := app.NewBot(ix2, cfg, nil, bot.Metrics{}).Ask(context.Background(), bot.Question{Text: "Is wireless networking part of the role?"})
	if err != nil || !a.Grounded || a.Citations[0].ID != "K12" {
		t.Fatalf("answer over remote embeddings: %v %v", err, a.Citations)
	}
	if last := f.EmbeddingCalls()[len(f.EmbeddingCalls())-1]; len(last) != 1 || !strings.Contains(last[0], "wireless") {
		t.Errorf("the question was not embedded remotely: %q", last)
	}

	// Another model rebuilds.
	env["CAREERSBOT_EMBED_MODEL"] = "fake-embed-2"
	ix3, err := app.OpenIndex(context.Background(), serveConfig(t, env), log, app.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !ix3.Stats().Rebuilt || ix3.Stats().File == st.File {
		t.Errorf("a changed model did not Rebuild: rebuilt %v, file %s", ix3.Stats().Rebuilt, ix3.Stats().File)
	}
}

func TestQueryEmbeddingFailureRanksLexically(t *testing.T) {
	f := openaifake.New(t)
	cfg := serveConfig(t, llmConfig(t, f, nil))
	var logged bytes.Buffer
	ix, err := app.OpenIndex(context.Background(), cfg, slog.New(slog.NewTextHandler(&logged, nil)), app.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f.Set(func(s *openaifake.Server) { s.FailNext, s.FailStatus = 100, http.StatusBadRequest })
	a, err := app.NewBot(ix, cfg, nil, bot.Metrics{}).Ask(context.Background(), bot.Question{Text: "Do network engineers need to understand DNS and DHCP?"})
	if err != nil || !a.Grounded || a.Citations[0].ID != "K14" {
		t.Fatalf("answer with the embedding server failing: %v %v", err, a.Citations)
	}
	if !strings.Contains(logged.String(), "ranking lexically") {
		t.Errorf("the fallback was not logged:\n%s", logged.String())
	}
}

func TestServeWithGeneratedAnswers(t *testing.T) {
	f := openaifake.New(t)
	env := llmConfig(t, f, map[string]string{"CAREERSBOT_LLM_MODEL": "fake-chat", "CAREERSBOT_LLM_TIMEOUT": "2s"})
	delete(env, "CAREERSBOT_EMBED_MODEL")
	s, url, _ := startServer(t, serveConfig(t, env))
	f.Set(func(srv *openaifake.Server) {
		srv.Reply = func(string, string) string {
			return "Yes, wireless is in it [ST0127 K12], and astronauts too [ST0127 K99]."
		}
	})
	code, body, err := askHTTP(url, "Is wireless networking part of the role?", "")
	if err != nil || code != 200 {
		t.Fatalf("%d %v", code, err)
	}
	if !bytes.Contains(body, []byte("wireless is in it [ST0127 K12]")) || bytes.Contains(body, []byte("K99")) {
		t.Errorf("answer %s", body)
	}
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(m, []byte("careersbot_llm_citations_stripped_total 1")) {
		t.Errorf("stripped citation not counted:\n%s", grepLines(m, "careersbot_llm"))
	}
	_ = s
}

func grepLines(b []byte, sub string) string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestEmbedBatchesOfAtMost64(t *testing.T) {
	f := openaifake.New(t)
	cfg := serveConfig(t, llmConfig(t, f, nil))
	emb := app.Embedder(cfg, app.LLMClient(cfg, nil), nil)
	texts := make([]string, 150)
	for i := range texts {
		texts[i] = "passage " + strings.Repeat("x", i%7)
	}
	vs, err := emb.EmbedBatch(context.Background(), texts)
	if err != nil || len(vs) != 150 {
		t.Fatalf("%d vectors, %v", len(vs), err)
	}
	var sizes []int
	for _, c := range f.EmbeddingCalls() {
		sizes = append(sizes, len(c))
	}
	if len(sizes) != 3 || sizes[0] != 64 || sizes[1] != 64 || sizes[2] != 22 {
		t.Errorf("batch sizes %v, want 64 64 22", sizes)
	}
}

// TestEmbeddingCircuitRanksLexicallyAtOnce is point 2 for embeddings: with
// the embeddings server gone, the first questions find it failing and open
// its circuit; the rest are ranked lexically at once, without a call.
func TestEmbeddingCircuitRanksLexicallyAtOnce(t *testing.T) {
	f := openaifake.New(t)
	cfg := serveConfig(t, llmConfig(t, f, map[string]string{"CAREERSBOT_LLM_BREAKER_COOLDOWN": "10m"}))
	var fallbacks []error
	c := app.LLMClient(cfg, nil)
	ix, err := app.OpenIndex(context.Background(), cfg, slog.New(slog.DiscardHandler), app.OpenOptions{LLM: c,
		OnQueryFallback: func(err error) { fallbacks = append(fallbacks, err) }})
	if err != nil {
		t.Fatal(err)
	}
	f.Set(func(s *openaifake.Server) { s.FailNext, s.FailStatus = 1_000_000, http.StatusBadGateway })
	b := app.NewBotWith(ix, cfg, nil, bot.Metrics{}, c)
	for i := range 10 {
		a, err := b.Ask(context.Background(), bot.Question{Text: "Do network engineers need to understand DNS and DHCP?"})
		if err != nil || !a.Grounded || a.Citations[0].ID != "K14" {
			t.Fatalf("question %d with the embeddings server failing: %v %v", i, err, a.Citations)
		}
	}
	if c.Circuit("embed") != "open" {
		t.Errorf("embed circuit %s, want open", c.Circuit("embed"))
	}
	// The first question's attempts opened it (3 failures in a row); the
	// other nine made no call.
	if n := f.Failures(); n != 3 {
		t.Errorf("%d calls reached the failing server, want 3", n)
	}
	if len(fallbacks) != 10 {
		t.Errorf("%d fallbacks counted, want 10", len(fallbacks))
	}
}
