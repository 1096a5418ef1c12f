package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/careersbot/careersbot/internal/app"
	"github.com/careersbot/careersbot/internal/server"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/openaifake"
)

// loopClient keeps its connections: the load tests measure the server,
// not the dialling.
func loopClient(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns}, Timeout: 60 * time.Second}
}

func postAsk(c *http.Client, url string, body []byte) (int, []byte, time.Duration, error) {
	start := time.Now()
	resp, err := c.Post(url+"/v1/ask", "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, nil, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, time.Since(start), err
}

// longOccupation is a /v1/ask body whose occupation is n characters of
// words, each a different typo to look up, were it not refused.
func longOccupation(n int) []byte {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "netwrk%dengneer ", i)
	}
	body, _ := json.Marshal(map[string]string{"question": "What does it involve?", "occupation": b.String()[:n]})
	return body
}

// TestServeRefusesLongOccupationCheaply is point 1 of the hardening,
// against the built binary over the default corpus: six clients send a
// 60 KB occupation in a loop, each gets 400 with the error saying what
// was wrong, and four other clients asking questions meanwhile all get
// answers, none 503.
func TestServeRefusesLongOccupationCheaply(t *testing.T) {
	p := startProcess(t, map[string]string{"CAREERSBOT_DATA_DIR": defaultEnv(t)["CAREERSBOT_DATA_DIR"], "CAREERSBOT_RATE_PER_MINUTE": "0"})
	long := longOccupation(60_000)
	questions := make([][]byte, len(loadQuestions))
	for i, q := range loadQuestions {
		questions[i], _ = json.Marshal(map[string]string{"question": q})
	}
	c := loopClient(16)
	until := time.Now().Add(3 * time.Second)
	var mu sync.Mutex
	var refused []time.Duration
	var answered atomic.Int64
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 2000 && time.Now().Before(until); n++ {
				code, body, took, err := postAsk(c, p.url, long)
				if err != nil || code != http.StatusBadRequest || !bytes.Contains(body, []byte("occupation is too long")) || len(body) > 400 {
					t.Errorf("60 KB occupation: %d %v %.200s", code, err, body)
					return
				}
				mu.Lock()
				refused = append(refused, took)
				mu.Unlock()
			}
		}()
	}
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := i; time.Now().Before(until); n++ {
				code, body, _, err := postAsk(c, p.url, questions[n%len(questions)])
				if err != nil || code != http.StatusOK {
					t.Errorf("a question beside the loop: %d %v %.200s", code, err, body)
					return
				}
				answered.Add(1)
			}
		}()
	}
	wg.Wait()
	slices.Sort(refused)
	if len(refused) == 0 || answered.Load() == 0 {
		t.Fatalf("%d refused, %d answered", len(refused), answered.Load())
	}
	t.Logf("60 KB occupations refused: %d, p50 %v, p99 %v; questions answered meanwhile: %d, none 503",
		len(refused), refused[len(refused)/2], refused[len(refused)*99/100], answered.Load())
}

// BenchmarkServeLongOccupation is the time of the 400 a 60 KB occupation
// gets from serve on loopback, beside the 400 of an empty question (the
// cheapest refusal) measured in the same run.
func BenchmarkServeLongOccupation(b *testing.B) {
	dataDir, err := os.MkdirTemp("", "careersbot-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dataDir) })
	cfg := serveConfig(b, map[string]string{"CAREERSBOT_SEEDS": "", "CAREERSBOT_DATA_DIR": dataDir, "CAREERSBOT_RATE_PER_MINUTE": "0"})
	_, url, _ := startServer(b, cfg)
	c := loopClient(4)
	empty, _ := json.Marshal(map[string]string{"question": " "})
	for _, bc := range []struct {
		name string
		body []byte
	}{{"occupation-60KB", longOccupation(60_000)}, {"empty-question", empty}} {
		b.Run(bc.name, func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				code, _, took, err := postAsk(c, url, bc.body)
				if err != nil || code != http.StatusBadRequest {
					b.Fatalf("%d %v", code, err)
				}
				lat = append(lat, took)
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}

// TestServeModelServerDownAnswersExtractively is point 2, against the
// built binary over the default corpus: the model server is configured
// but nothing listens there. Sixteen clients ask at once; every answer is
// 200 and the extractive one, the circuit shows open in /readyz (still
// ready) and /metrics.
func TestServeModelServerDownAnswersExtractively(t *testing.T) {
	dataDir := defaultEnv(t)["CAREERSBOT_DATA_DIR"]
	p := startProcess(t, map[string]string{
		"CAREERSBOT_DATA_DIR":             dataDir,
		"CAREERSBOT_RATE_PER_MINUTE":      "0",
		"OPENAI_BASE_URL":                 "http://" + freeAddr(t) + "/v1",
		"CAREERSBOT_LLM_MODEL":            "model-on-a-dead-server",
		"CAREERSBOT_LLM_BREAKER_COOLDOWN": "10m",
	})
	// The extractive answers, from the same corpus with no model.
	cfg := serveConfig(t, map[string]string{"CAREERSBOT_SEEDS": "", "CAREERSBOT_DATA_DIR": dataDir})
	ix, err := app.OpenIndex(context.Background(), cfg, nil, app.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	extractive := app.NewBot(ix, cfg, nil, bot.Metrics{})
	want := map[string]string{}
	for _, q := range loadQuestions {
		a, err := extractive.Ask(context.Background(), bot.Question{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		want[q] = a.Text
	}

	c := loopClient(16)
	var mu sync.Mutex
	var slowest time.Duration
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 6 {
				q := loadQuestions[(i+n)%len(loadQuestions)]
				body, _ := json.Marshal(map[string]string{"question": q})
				code, b, took, err := postAsk(c, p.url, body)
				if err != nil || code != http.StatusOK {
					t.Errorf("client %d: %d %v %.200s", i, code, err, b)
					return
				}
				var a bot.Answer
				if err := json.Unmarshal(b, &a); err != nil || a.Text != want[q] {
					t.Errorf("client %d, %q: not the extractive answer: %.300s", i, q, b)
					return
				}
				mu.Lock()
				slowest = max(slowest, took)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()

	resp, err := http.Get(p.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	var ready struct {
		Ready  bool              `json:"ready"`
		Checks map[string]string `json:"checks"`
	}
	json.NewDecoder(resp.Body).Decode(&ready)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !ready.Ready || !strings.HasPrefix(ready.Checks["llm_chat"], "degraded: circuit open") {
		t.Errorf("/readyz %d %+v, want ready with llm_chat degraded", resp.StatusCode, ready)
	}
	if v := p.metric(t, `careersbot_llm_circuit_state{op="chat"}`); v != 2 {
		t.Errorf("careersbot_llm_circuit_state{op=chat} = %v, want 2 (open)", v)
	}
	// Lists stay extractive and never ask the model; of the answers that
	// would, at most the few that opened the circuit paid for a failure.
	open := p.metric(t, `careersbot_llm_fallbacks_total{reason="circuit_open"}`)
	paid := max(p.metric(t, `careersbot_llm_fallbacks_total{reason="error"}`), 0) + max(p.metric(t, `careersbot_llm_fallbacks_total{reason="timeout"}`), 0)
	if open < 40 || paid > 3 {
		t.Errorf("fallbacks: %v circuit_open, %v error or timeout; want most of the 96 failed fast", open, paid)
	}
	// Each such fallback was a call failed fast, but for the few whose own
	// failure opened the circuit.
	if v := p.metric(t, `careersbot_llm_circuit_rejected_total{op="chat"}`); v < open-3 {
		t.Errorf("careersbot_llm_circuit_rejected_total{op=chat} = %v, for %v circuit_open fallbacks", v, open)
	}
	t.Logf("96 answers from 16 clients with the model server down: all 200 and extractive; slowest %v", slowest)
}

// TestServeModelServerRecovers: the circuit opens on a failing server,
// and after the cooldown (3 s, longer than the questions asked while open
// take even on a loaded machine) one probe finds it back: answers are generated
// again and /readyz says the circuit is closed.
func TestServeModelServerRecovers(t *testing.T) {
	f := openaifake.New(t)
	f.Set(func(s *openaifake.Server) { s.FailNext, s.FailStatus = 1_000_000, http.StatusServiceUnavailable })
	env := llmConfig(t, f, map[string]string{"CAREERSBOT_LLM_MODEL": "fake-chat", "CAREERSBOT_LLM_BREAKER_COOLDOWN": "3s"})
	delete(env, "CAREERSBOT_EMBED_MODEL")
	p := startProcess(t, env)
	q, _ := json.Marshal(map[string]string{"question": "Is wireless networking part of the role?"})
	ask := func() string {
		code, b, _, err := postAsk(http.DefaultClient, p.url, q)
		if err != nil || code != 200 {
			t.Fatalf("%d %v %s", code, err, b)
		}
		var a bot.Answer
		json.Unmarshal(b, &a)
		return a.Text
	}
	extractive := ask()
	if v := p.metric(t, `careersbot_llm_circuit_state{op="chat"}`); v != 2 {
		t.Fatalf("circuit %v after a failing call, want 2 (open)", v)
	}
	before := len(f.Chats())
	for range 5 {
		if got := ask(); got != extractive {
			t.Errorf("answer while open: %q", got)
		}
	}
	if n := len(f.Chats()) - before; n != 0 {
		t.Errorf("%d calls reached the server while its circuit was open", n)
	}
	f.Set(func(s *openaifake.Server) { s.FailNext = 0 })
	time.Sleep(3200 * time.Millisecond)
	if got := ask(); got == extractive || !strings.Contains(got, "[ST0127") {
		t.Errorf("after the cooldown, with the server back: %q, want a generated answer", got)
	}
	resp, err := http.Get(p.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(b, []byte(`"llm_chat":"ok: circuit closed"`)) {
		t.Errorf("/readyz after recovery: %s", b)
	}
}

// TestServeStartsOnReadOnlyDataDir is point 5: serve on a data dir it may
// read but not write starts, serves the index it built in memory, and
// says so in its log. The folder is read-only to the process: mode 0555,
// and, when the test runs as root (whom modes do not stop), the process
// runs as nobody.
func TestServeStartsOnReadOnlyDataDir(t *testing.T) {
	root, err := os.MkdirTemp("", "careersbot-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	seed, data, home := filepath.Join(root, "seed"), filepath.Join(root, "data"), filepath.Join(root, "home")
	for _, d := range []string{seed, data, home} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(t, filepath.Join("seeds", seedPage), filepath.Join(seed, seedPage))
	for _, d := range []string{root, seed, home} {
		os.Chmod(d, 0o755)
	}
	if err := os.Chmod(data, 0o555); err != nil {
		t.Fatal(err)
	}
	asNobody := func(cmd *exec.Cmd) {
		if os.Geteuid() == 0 {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		}
	}
	p := startProcessWith(t, map[string]string{"CAREERSBOT_SEEDS": seed, "CAREERSBOT_DATA_DIR": data, "HOME": home}, asNobody)
	code, b, _, err := postAsk(http.DefaultClient, p.url, []byte(`{"question": "How much does a network engineer earn?"}`))
	if err != nil || code != 200 || !bytes.Contains(b, []byte("43,692")) {
		t.Fatalf("answer: %d %v %s", code, err, b)
	}
	logs := p.stderr.String()
	if !strings.Contains(logs, "serving the index built in memory") || !strings.Contains(logs, `"level":"WARN"`) || !strings.Contains(logs, data) {
		t.Errorf("no warning naming the folder in the log:\n%s", logs)
	}
	if entries, _ := os.ReadDir(data); len(entries) != 0 {
		t.Errorf("files written into the read-only folder: %v", entries)
	}
	// The index command, whose job is the file, still fails naming it.
	file := filepath.Join(t.TempDir(), "a-file")
	writeFile(t, file, "x")
	r := cli(t, map[string]string{"CAREERSBOT_SEEDS": seedDir(t), "CAREERSBOT_DATA_DIR": filepath.Join(file, "data")}, "", "index")
	if r.code != exitFailure || !strings.Contains(r.stderr, filepath.Join(file, "data")) {
		t.Errorf("index on an unusable data dir: %v", r)
	}
}

// TestOrphanTempFilesRemovedAtStart is point 5: temp files a killed import
// or index write left in the data dir go at the next start; one a live
// writer holds stays.
func TestOrphanTempFilesRemovedAtStart(t *testing.T) {
	dataDir := t.TempDir()
	orphans := []string{".tmp-index-0123456789abcdef.cbx-2745110", ".tmp-catalogue.jsonl-88812"}
	for _, name := range orphans {
		writeFile(t, filepath.Join(dataDir, name), strings.Repeat("partial ", 1000))
	}
	held := filepath.Join(dataDir, ".tmp-soc.jsonl-31337")
	writeFile(t, held, "being written")
	f, err := os.Open(held)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	p := startProcess(t, map[string]string{"CAREERSBOT_SEEDS": seedDir(t), "CAREERSBOT_DATA_DIR": dataDir})
	for _, name := range orphans {
		if _, err := os.Stat(filepath.Join(dataDir, name)); !os.IsNotExist(err) {
			t.Errorf("%s is still there (%v)", name, err)
		}
		if !strings.Contains(p.stderr.String(), name) {
			t.Errorf("removing %s was not logged", name)
		}
	}
	if _, err := os.Stat(held); err != nil {
		t.Errorf("the temp file a live writer holds was removed: %v", err)
	}
}

// TestAdminBearerSchemeAnyCase is point 5: the Bearer scheme's name is
// matched case-insensitively, the token exactly.
func TestAdminBearerSchemeAnyCase(t *testing.T) {
	const token = "a-long-enough-admin-token-1234"
	_, url, _ := startServer(t, serveConfig(t, map[string]string{"CAREERSBOT_ADMIN_TOKEN": token}))
	for _, tc := range []struct {
		header string
		code   int
	}{
		{"Bearer " + token, 200},
		{"bearer " + token, 200},
		{"BEARER  " + token, 200},
		{"Bearer " + strings.ToUpper(token), 401},
		{"Basic " + token, 401},
		{"Bearer", 401},
		{token, 401},
	} {
		req, _ := http.NewRequest(http.MethodPost, url+"/admin/reload", nil)
		req.Header.Set("Authorization", tc.header)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.code {
			t.Errorf("Authorization %q: %d, want %d", tc.header, resp.StatusCode, tc.code)
		}
	}
}

// TestConfigRedactsURLCredentials is point 5: `careersbot config` shows no
// password put in a URL.
func TestConfigRedactsURLCredentials(t *testing.T) {
	r := cli(t, map[string]string{"CAREERSBOT_DATA_DIR": t.TempDir(),
		"OPENAI_BASE_URL": "http://user:hunter2@localhost:11434/v1", "CAREERSBOT_LLM_MODEL": "m"}, "", "config")
	if r.code != exitOK || strings.Contains(r.stdout, "hunter2") || !strings.Contains(r.stdout, "http://REDACTED@localhost:11434/v1") {
		t.Errorf("config: %v", r)
	}
}

// TestAskOccupationLimit: the CLI refuses a long --occupation as a usage
// error, before opening the index.
func TestAskOccupationLimit(t *testing.T) {
	r := cli(t, map[string]string{"CAREERSBOT_DATA_DIR": t.TempDir()}, "", "ask", "--occupation", strings.Repeat("x", 201), "what skills?")
	if r.code != exitUsage || !strings.Contains(r.stderr, "occupation is too long") {
		t.Errorf("ask with a 201-character occupation: %v", r)
	}
}

// TestSeedsImportRefusesOversizedStandard is point 5: an import with a
// standard of more than 500 KSBs and duties fails naming it, and changes
// nothing.
func TestSeedsImportRefusesOversizedStandard(t *testing.T) {
	env := seedEnv(t)
	var ks []map[string]string
	for i := range 501 {
		ks = append(ks, map[string]string{"knowledgeId": fmt.Sprint("k", i), "detail": fmt.Sprint("Knowledge ", i)})
	}
	b, _ := json.Marshal([]map[string]any{{"referenceNumber": "ST9002", "title": "Huge", "level": 3, "knowledges": ks}})
	path := filepath.Join(t.TempDir(), "huge.json")
	writeFile(t, path, string(b))
	r := cli(t, env, "", "seeds", "import", path)
	if r.code != exitFailure || !strings.Contains(r.stderr, "ST9002") || !strings.Contains(r.stderr, "501") || !strings.Contains(r.stderr, "huge.json") {
		t.Errorf("import of a 501-KSB standard: %v", r)
	}
	if _, err := os.Stat(filepath.Join(env["CAREERSBOT_DATA_DIR"], "catalogue.jsonl")); !os.IsNotExist(err) {
		t.Errorf("the refused import wrote the catalogue (%v)", err)
	}
}

// TestServerLogHasNoClientAddress is point 5: net/http's own log lines
// (a handler's panic, a bad TLS handshake) name the client by pseudonym.
func TestServerLogHasNoClientAddress(t *testing.T) {
	var out bytes.Buffer
	// The server is built with it.
	s, err := server.New(serveConfig(t, nil), slog.New(slog.NewJSONHandler(&out, nil)), serveOptions())
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	s.HTTPServer().ErrorLog.Print("http: panic serving 198.51.100.9:4000: boom")
	if strings.Contains(out.String(), "198.51.100.9") || !strings.Contains(out.String(), `"level":"WARN"`) {
		t.Errorf("the server's error log wrote %s", out.String())
	}
}
