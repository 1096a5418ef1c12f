package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/server"
	"github.com/careersbot/careersbot/retrieval"
)

// officialList is the official API's list answer built from the testdata
// files, with edit applied to each standard (as decoded JSON).
func officialList(t *testing.T, edit func(std map[string]any)) []byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "official", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/official files: %v", err)
	}
	var list []map[string]any
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var std map[string]any
		if err := json.Unmarshal(b, &std); err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			edit(std)
		}
		list = append(list, std)
	}
	out, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// fakeAPI is the official API at the wire: its answer to
// /api/apprenticeshipstandards can be changed between updates.
type fakeAPI struct {
	*httptest.Server
	mu      sync.Mutex
	handler http.HandlerFunc
}

func newFakeAPI(t *testing.T) *fakeAPI {
	f := &fakeAPI{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/apprenticeshipstandards" {
			http.NotFound(w, r)
			return
		}
		f.mu.Lock()
		h := f.handler
		f.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAPI) serve(h http.HandlerFunc) {
	f.mu.Lock()
	f.handler = h
	f.mu.Unlock()
}

func body(b []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}
}

func TestSeedsUpdate(t *testing.T) {
	env := seedEnv(t)
	api := newFakeAPI(t)
	from := api.URL + "/api/apprenticeshipstandards"
	catalogue := filepath.Join(env["CAREERSBOT_DATA_DIR"], retrieval.CatalogueFile)
	duration := func() string {
		t.Helper()
		r := cli(t, env, "", "ask", "--json", "How long is the cyber security technician apprenticeship?")
		var a bot.Answer
		if err := json.Unmarshal([]byte(r.stdout), &a); err != nil {
			t.Fatalf("ask: %v\n%s", err, r.stderr)
		}
		return a.Text
	}

	// A full update.
	api.serve(body(officialList(t, nil)))
	r := cli(t, env, "", "seeds", "update", "--from", from)
	wantCode(t, r, exitOK, "seeds update")
	for _, want := range []string{"new:", "ST0865", "updated:", "retired:", "unchanged:"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("update report lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "downloading") {
		t.Errorf("no progress line:\n%s", r.stderr)
	}
	if got := duration(); !strings.Contains(got, "18 months") {
		t.Fatalf("after the update: %s", got)
	}

	// An update that changes one standard.
	api.serve(body(officialList(t, func(std map[string]any) {
		if std["referenceNumber"] == "ST0865" {
			std["version"], std["typicalDuration"], std["lastUpdated"] = "1.1", 24, "2025-06-01T00:00:00 +00:00"
		}
	})))
	r = cli(t, env, "", "seeds", "update", "--from", from)
	wantCode(t, r, exitOK, "seeds update")
	if !strings.Contains(r.stdout, "updated:   1 (ST0865)") {
		t.Errorf("report:\n%s", r.stdout)
	}
	if got := duration(); !strings.Contains(got, "24 months") || !strings.Contains(got, "v1.1, 2025-06-01") {
		t.Fatalf("after changing one standard: %s", got)
	}
	good, err := os.ReadFile(catalogue)
	if err != nil {
		t.Fatal(err)
	}

	// Failures leave the catalogue as it was, and say what went wrong.
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		says string
	}{
		{"500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", http.StatusInternalServerError) }, "500"},
		{"truncated body", func(w http.ResponseWriter, r *http.Request) {
			b := officialList(t, nil)
			w.Header().Set("Content-Length", "999999")
			w.Write(b[:len(b)/2])
		}, "cut short"},
		{"invalid JSON", body([]byte(`[{"referenceNumber": "ST0865", "title": `)), "not the official API format"},
		{"empty list", body([]byte(`[]`)), "empty"},
		{"not JSON", body([]byte(`<html>maintenance</html>`)), "not JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api.serve(tc.h)
			r := cli(t, env, "", "seeds", "update", "--from", from)
			wantCode(t, r, exitFailure, "seeds update")
			if !strings.Contains(r.stderr, tc.says) || !strings.Contains(r.stderr, "unchanged") {
				t.Errorf("stderr does not say %q and that the catalogue is unchanged:\n%s", tc.says, r.stderr)
			}
			now, err := os.ReadFile(catalogue)
			if err != nil || !bytes.Equal(now, good) {
				t.Errorf("the catalogue changed after a failed update")
			}
			if got := duration(); !strings.Contains(got, "24 months") {
				t.Errorf("answer after a failed update: %s", got)
			}
		})
	}

	// A server that is not there.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String() + "/api/apprenticeshipstandards"
	ln.Close()
	r = cli(t, env, "", "seeds", "update", "--from", dead)
	wantCode(t, r, exitFailure, "seeds update")
	if now, _ := os.ReadFile(catalogue); !bytes.Equal(now, good) {
		t.Error("the catalogue changed after a network error")
	}
}

func TestSeedsImport(t *testing.T) {
	env := seedEnv(t)
	r := cli(t, env, "", "seeds", "import", filepath.Join("testdata", "official"))
	wantCode(t, r, exitOK, "seeds import")
	// The seed-only corpus has ST0127; the retired v1.0 record changes nothing.
	for _, want := range []string{"imported 6 standards", "new:       4", "unchanged: 1 (ST0127)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
	r = cli(t, env, "", "ask", "Which skills does a network engineer need?")
	if !strings.Contains(r.stdout, "[ST0127 S14]") {
		t.Errorf("the retired import replaced the page's skills:\n%s", r.stdout)
	}
	r = cli(t, env, "", "ask", "What is the maximum funding for the plasterer apprenticeship?")
	if !strings.Contains(r.stdout, "£10,000") {
		t.Errorf("funding:\n%s", r.stdout)
	}
	for _, bad := range [][]string{{"seeds", "import"}, {"seeds"}, {"seeds", "frob"}} {
		wantCode(t, cli(t, env, "", bad...), exitUsage, bad...)
	}
	missing := cli(t, env, "", "seeds", "import", filepath.Join(t.TempDir(), "none.json"))
	wantCode(t, missing, exitFailure, "seeds import none.json")
}

// TestReloadUnderLoad refreshes a running serve (POST /admin/reload and
// SIGHUP) while clients ask questions: none fails, and the new catalogue is
// answered from afterwards.
func TestReloadUnderLoad(t *testing.T) {
	env := seedEnv(t)
	env["CAREERSBOT_ADMIN_TOKEN"] = "0123456789abcdef0123"
	env["CAREERSBOT_RATE_PER_MINUTE"] = "0"
	cfg := serveConfig(t, env)
	hup := make(chan os.Signal, 1)
	s, url, _ := startServerWith(t, cfg, func(s *server.Server) { s.OnSIGHUP(hup) })

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var ok, failed atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				code, _, err := askHTTP(url, "Which skills does a network engineer need?", "")
				if err != nil || code != 200 {
					failed.Add(1)
				} else {
					ok.Add(1)
				}
			}
		}()
	}

	// Import a catalogue, then reload through the admin endpoint.
	r := cli(t, env, "", "seeds", "import", filepath.Join("testdata", "official"))
	wantCode(t, r, exitOK, "seeds import")
	req, _ := http.NewRequest(http.MethodPost, url+"/admin/reload", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Errorf("reload without the token: %v", err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("reload without the token: status %d, want 401", resp.StatusCode)
	}
	req.Header.Set("Authorization", "Bearer "+env["CAREERSBOT_ADMIN_TOKEN"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("reload: status %d", resp.StatusCode)
	}
	code, b, err := askHTTP(url, "How long is the cyber security technician apprenticeship?", "")
	if err != nil || code != 200 || !bytes.Contains(b, []byte("18 months")) {
		t.Errorf("after the reload: %d %v %s", code, err, b)
	}

	// And SIGHUP, with another change: a standard the catalogue lacked.
	before := s.CurrentBot().Searcher()
	if _, ok := before.Occupation("ST9901"); ok {
		t.Fatal("test bug: ST9901 is already in the corpus")
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "official", "standards_1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	rec["referenceNumber"], rec["title"], rec["larsCode"], rec["status"] = "ST9901", "Lighthouse keeper", 9901, "Approved for delivery"
	newFile := filepath.Join(t.TempDir(), "standards_9901.json")
	if b, err := json.Marshal(rec); err != nil {
		t.Fatal(err)
	} else if err := os.WriteFile(newFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	wantCode(t, cli(t, env, "", "seeds", "import", newFile), exitOK, "seeds import (a new standard)")
	hup <- os.Interrupt
	deadline := time.Now().Add(30 * time.Second)
	for s.Reloads() < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if s.Reloads() < 2 {
		t.Fatal("SIGHUP did not reload")
	}
	after := s.CurrentBot().Searcher()
	if after == before {
		t.Error("SIGHUP reloaded, but the bot still answers from the corpus it had")
	}
	if o, ok := after.Occupation("ST9901"); !ok || o.Title != "Lighthouse keeper" {
		t.Errorf("after SIGHUP the imported standard is missing: %v %v", o, ok)
	}
	code, b, err = askHTTP(url, "What level is the lighthouse keeper standard?", "")
	if err != nil || code != 200 || !bytes.Contains(b, []byte("ST9901")) {
		t.Errorf("after SIGHUP, asked about the new standard: %d %v %s", code, err, b)
	}
	cancel()
	wg.Wait()
	if failed.Load() != 0 || ok.Load() == 0 {
		t.Errorf("%d answered, %d failed during reloads", ok.Load(), failed.Load())
	}
	t.Logf("%d questions answered during two reloads, %d failed", ok.Load(), failed.Load())

	// No admin token: the endpoint does not exist.
	_, url2, _ := startServer(t, serveConfig(t, seedEnv(t)))
	resp, err = http.Post(url2+"/admin/reload", "", nil)
	if err != nil {
		t.Errorf("reload without CAREERSBOT_ADMIN_TOKEN: %v", err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusNotFound {
		t.Errorf("reload without CAREERSBOT_ADMIN_TOKEN: status %d, want 404", resp.StatusCode)
	}
}

// factsEnv is a seed folder of a few standards with the built-in fact
// tables, and a fresh data dir: small enough to index at every change.
func factsEnv(t *testing.T) map[string]string {
	t.Helper()
	dir := seedDir(t)
	for _, name := range []string{"facts.jsonl.gz", "soc.jsonl.gz", "ashe-2024-provisional-soc2020-median.csv"} {
		copyFile(t, filepath.Join("seeds", name), filepath.Join(dir, name))
	}
	gz, err := os.Open(filepath.Join("seeds", "standards.jsonl.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer gz.Close()
	zr, err := gzip.NewReader(gz)
	if err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var some []string
	for _, line := range strings.Split(string(all), "\n") {
		for _, ref := range []string{`"ST0152"`, `"ST0096"`, `"FA0001"`} {
			if strings.HasPrefix(line, `{"reference": `+ref) {
				some = append(some, line)
			}
		}
	}
	if len(some) != 3 {
		t.Fatalf("found %d of the 3 catalogue lines", len(some))
	}
	writeFile(t, filepath.Join(dir, "some.jsonl"), strings.Join(some, "\n")+"\n")
	return map[string]string{"CAREERSBOT_SEEDS": dir, "CAREERSBOT_DATA_DIR": t.TempDir()}
}

// TestSeedsImportPayAndSOC: a newer ASHE table and SOC mapping are taken,
// an older one is not, and a bad file changes nothing.
func TestSeedsImportPayAndSOC(t *testing.T) {
	env := factsEnv(t)
	data := env["CAREERSBOT_DATA_DIR"]
	askHas := func(q string, want ...string) {
		t.Helper()
		r := cli(t, env, "", "ask", q)
		wantCode(t, r, exitOK, "ask", q)
		for _, w := range want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%q: answer lacks %q:\n%s", q, w, r.stdout)
			}
		}
	}
	electrician := "How much does an installation electrician and maintenance electrician earn?"
	askHas(electrician, "£38,077", "unit group 5241", "ONS ASHE 2024 (provisional)")
	askHas("How much does a plasterer earn?", "suppressed")

	// A newer edition, named by its file.
	newer := filepath.Join("testdata", "facts", "ashe-2025-provisional-soc2020-median.csv")
	r := cli(t, env, "", "seeds", "import", "--pay", newer)
	wantCode(t, r, exitOK, "seeds import --pay")
	for _, want := range []string{"imported ONS ASHE 2025 (provisional) (412 unit groups", "replaces ONS ASHE 2024 (provisional)", "The next ask picks it up"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
	askHas(electrician, "£39,219", "ONS ASHE 2025 (provisional)")
	askHas("How much does a plasterer earn?", "£30,100", "acceptable (CV 14.1%)", "rough guide")
	kept := filepath.Join(data, "ashe-2025-provisional-soc2020-median.csv")
	good, err := os.ReadFile(kept)
	if err != nil {
		t.Fatal(err)
	}

	// An older edition does not win, and writes nothing.
	r = cli(t, env, "", "seeds", "import", "--pay", filepath.Join("testdata", "facts", "ashe-2023-provisional-soc2020-median.csv"))
	wantCode(t, r, exitOK, "seeds import --pay (older)")
	if !strings.Contains(r.stdout, "kept ONS ASHE 2025 (provisional)") {
		t.Errorf("older table report:\n%s", r.stdout)
	}
	askHas(electrician, "£39,219")

	// Bad tables, and a good SOC mapping given with a bad table: nothing
	// changes.
	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"--pay", filepath.Join("testdata", "facts", "ashe-2026-bad-header.csv")}, exitFailure, "the header lacks"},
		{[]string{"--soc", filepath.Join("testdata", "facts", "soc-update.jsonl"), "--pay", filepath.Join("testdata", "facts", "ashe-2026-bad-median.csv")}, exitFailure, "not a whole number of pounds"},
		{[]string{"--soc", filepath.Join("testdata", "facts", "soc-bad.jsonl")}, exitFailure, "not a four-digit"},
		{[]string{"--pay", filepath.Join(t.TempDir(), "none.csv")}, exitUsage, "--pay-edition"},
		{[]string{"--pay-edition", "2025"}, exitUsage, "give --pay FILE too"},
		{[]string{"--pay", newer, "--pay-edition", "soon"}, exitUsage, "not an ASHE edition"},
	} {
		r := cli(t, env, "", append([]string{"seeds", "import"}, tc.args...)...)
		wantCode(t, r, tc.code, tc.args...)
		if !strings.Contains(r.stderr, tc.says) {
			t.Errorf("%q: stderr does not say %q:\n%s", tc.args, tc.says, r.stderr)
		}
		if now, err := os.ReadFile(kept); err != nil || !bytes.Equal(now, good) {
			t.Errorf("%q: the imported pay table changed", tc.args)
		}
		if _, err := os.Stat(filepath.Join(data, "soc.jsonl")); err == nil {
			t.Errorf("%q: a SOC mapping was written", tc.args)
		}
	}

	// A name without the edition takes --pay-edition; revised follows
	// provisional and replaces it.
	plain := filepath.Join(t.TempDir(), "pay.csv")
	copyFile(t, newer, plain)
	r = cli(t, env, "", "seeds", "import", "--pay", plain, "--pay-edition", "2025 revised")
	wantCode(t, r, exitOK, "seeds import --pay --pay-edition")
	if files, _ := filepath.Glob(filepath.Join(data, "ashe-*.csv")); len(files) != 1 || filepath.Base(files[0]) != "ashe-2025-revised-soc2020-median.csv" {
		t.Errorf("pay tables in the data dir: %q", files)
	}
	askHas(electrician, "ONS ASHE 2025 (revised)")

	// A newer SOC mapping: per standard, the later retrieval wins.
	r = cli(t, env, "", "seeds", "import", "--soc", filepath.Join("testdata", "facts", "soc-update.jsonl"))
	wantCode(t, r, exitOK, "seeds import --soc")
	for _, want := range []string{"updated:     2 (FA0001, ST0152)", "older, kept: 1 (ST0096)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("SOC report lacks %q:\n%s", want, r.stdout)
		}
	}
	askHas(electrician, "unit group 5249", "£46,084")
	askHas("What is the SOC code of the plasterer apprenticeship?", "5321")
	askHas("What could I earn on the building service engineering foundation apprenticeship?", "unit group 5315")
}
