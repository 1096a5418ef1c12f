package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The commands run in-process through run(), with a getenv over a map:
// the tests never read or change the real environment, and every run has
// CAREERSBOT_DATA_DIR set to a temporary folder.

// sharedDataDir holds the index of the default (839-standard) corpus:
// made and built once by buildShared, only when a test needs it, and
// removed by TestMain.
var sharedDataDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedDataDir != "" {
		os.RemoveAll(sharedDataDir)
	}
	if binaryDir != "" {
		os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}

// result is what one run printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s\n--- stderr:\n%s", r.code, r.stdout, r.stderr)
}

// buildShared builds the default corpus's index in sharedDataDir once; its
// result is the first `careersbot index` output.
var buildShared = sync.OnceValues(func() (result, error) {
	dir, err := os.MkdirTemp("", "careersbot-cli-test-")
	if err != nil {
		return result{}, fmt.Errorf("make the shared data dir: %w", err)
	}
	sharedDataDir = dir
	r := invoke(context.Background(), map[string]string{"CAREERSBOT_DATA_DIR": sharedDataDir}, "", "index")
	if r.code != exitOK {
		return r, fmt.Errorf("careersbot index on the default corpus: %v", r)
	}
	return r, nil
})

// defaultEnv is the environment of a run over the default corpus, its
// index already built.
func defaultEnv(t *testing.T) map[string]string {
	t.Helper()
	if _, err := buildShared(); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"CAREERSBOT_DATA_DIR": sharedDataDir}
}

const seedPage = "network-engineer-ST0127.txt"

// seedDir is a folder holding only the Network engineer page, for tests
// that do not need the default corpus.
func seedDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	copyFile(t, filepath.Join("seeds", seedPage), filepath.Join(dir, seedPage))
	return dir
}

// seedEnv is the environment of a run over the seed-only folder, with a
// fresh data dir.
func seedEnv(t *testing.T) map[string]string {
	t.Helper()
	return map[string]string{"CAREERSBOT_SEEDS": seedDir(t), "CAREERSBOT_DATA_DIR": t.TempDir()}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, string(b))
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// invoke runs one command without a test: buildShared uses it.
func invoke(ctx context.Context, env map[string]string, stdin string, args ...string) result {
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := run(ctx, args, strings.NewReader(stdin), &stdout, &stderr, getenv)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// cli runs careersbot with args, env and stdin in-process. env must set
// CAREERSBOT_DATA_DIR (a t.TempDir() or the shared one); cli checks that
// run neither panics nor prints a stack trace.
func cli(t *testing.T, env map[string]string, stdin string, args ...string) (r result) {
	t.Helper()
	if env["CAREERSBOT_DATA_DIR"] == "" {
		t.Fatal("test bug: every run sets CAREERSBOT_DATA_DIR")
	}
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("careersbot %q panicked: %v", args, p)
		}
	}()
	r = invoke(t.Context(), env, stdin, args...)
	if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, ".go:") {
		t.Errorf("careersbot %q printed a stack trace:\n%s", args, r.stderr)
	}
	return r
}

func wantCode(t *testing.T, r result, code int, args ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("careersbot %q: exit %d, want %d\n%v", args, r.code, code, r)
	}
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return ls[len(ls)-1]
}

// markers are the citation markers in text, such as "ST0127 S1", in order.
var reMarker = regexp.MustCompile(`\[((?:ST|FA)\d{4}) ([A-Za-z0-9-]+)\]`)

func markers(text string) []string {
	var out []string
	for _, m := range reMarker.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1]+" "+m[2])
	}
	return out
}

// ids is prefix1..prefixN.
func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strconv.Itoa(i+1)
	}
	return out
}

func withRef(ref string, ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = ref + " " + id
	}
	return out
}

const skillsQ = "Which skills does a network engineer need?"

func TestAskDefaultCorpus(t *testing.T) {
	t.Parallel()
	env := defaultEnv(t)
	args := []string{"ask", skillsQ}
	r := cli(t, env, "", args...)
	wantCode(t, r, exitOK, args...)

	if got, want := markers(r.stdout), withRef("ST0127", ids("S", 14)); !slices.Equal(got, want) {
		t.Errorf("markers = %q\nwant %q\n%s", got, want, r.stdout)
	}
	// Each marker appears once, S1 to S14 in order.
	pos := -1
	for _, m := range withRef("ST0127", ids("S", 14)) {
		i := strings.Index(r.stdout, "["+m+"]")
		if i <= pos {
			t.Errorf("[%s] is missing or out of order", m)
		}
		pos = i
	}
	var source string
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(l, "Source: Skills England") {
			source = l
		}
	}
	if source == "" || !strings.Contains(source, "Open Government Licence v3.0") {
		t.Errorf("no \"Source: Skills England ... Open Government Licence v3.0\" line in:\n%s", r.stdout)
	}
	if !strings.Contains(source, "ST0127") {
		t.Errorf("source line %q does not name ST0127", source)
	}
	if strings.Contains(r.stderr, "built the index") {
		t.Errorf("ask rebuilt the index that index had already built:\n%s", r.stderr)
	}
}

// decodeOne decodes stdout as exactly one JSON object, nothing after it.
func decodeOne(t *testing.T, stdout string) map[string]json.RawMessage {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, stdout)
	}
	var more json.RawMessage
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		t.Fatalf("stdout has more than one JSON value (next: %s, %v)", more, err)
	}
	if strings.Count(strings.TrimSpace(stdout), "\n") != 0 {
		t.Errorf("the JSON answer spans several lines:\n%s", stdout)
	}
	return obj
}

func keysOf(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sorted(s ...string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func unmarshal(t *testing.T, raw json.RawMessage, v any, what string) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s = %s: %v", what, raw, err)
	}
}

// citation is a section 3 citation, its fields checked for type.
type citation struct {
	Reference, Occupation, ID, Kind, Text, URL, Version, LastUpdated string
	Level                                                            float64
	Score                                                            float64
}

// checkAnswer checks one section 3 object and returns its citations.
func checkAnswer(t *testing.T, obj map[string]json.RawMessage, question string, grounded bool) []citation {
	t.Helper()
	if got, want := keysOf(obj), sorted("question", "answer", "grounded", "citations"); !slices.Equal(got, want) {
		t.Fatalf("top-level keys = %q, want exactly %q", got, want)
	}
	var q, answer string
	var g bool
	unmarshal(t, obj["question"], &q, "question")
	unmarshal(t, obj["answer"], &answer, "answer")
	unmarshal(t, obj["grounded"], &g, "grounded")
	if q != question {
		t.Errorf("question = %q, want %q", q, question)
	}
	if strings.TrimSpace(answer) == "" {
		t.Errorf("answer is empty")
	}
	if g != grounded {
		t.Errorf("grounded = %v, want %v", g, grounded)
	}
	var raws []map[string]json.RawMessage
	unmarshal(t, obj["citations"], &raws, "citations")
	if raws == nil {
		t.Fatalf("citations = %s, want an array", obj["citations"])
	}
	wantKeys := sorted("reference", "occupation", "level", "id", "kind", "text", "score", "url", "version", "last_updated")
	var out []citation
	for i, raw := range raws {
		if got := keysOf(raw); !slices.Equal(got, wantKeys) {
			t.Fatalf("citation %d keys = %q, want exactly %q", i, got, wantKeys)
		}
		for k, v := range raw {
			if string(v) == "null" {
				t.Errorf("citation %d %s is null", i, k)
			}
		}
		var c citation
		strs := map[string]*string{"reference": &c.Reference, "occupation": &c.Occupation, "id": &c.ID, "kind": &c.Kind,
			"text": &c.Text, "url": &c.URL, "version": &c.Version, "last_updated": &c.LastUpdated}
		for k, p := range strs {
			unmarshal(t, raw[k], p, fmt.Sprintf("citation %d %s (a string)", i, k))
		}
		// A float64 takes a JSON number, never a string.
		unmarshal(t, raw["level"], &c.Level, fmt.Sprintf("citation %d level (a number)", i))
		unmarshal(t, raw["score"], &c.Score, fmt.Sprintf("citation %d score (a number)", i))
		if c.Score < 0 || c.Score > 1 {
			t.Errorf("citation %d score = %v, want 0..1", i, c.Score)
		}
		if c.Level != float64(int(c.Level)) || c.Level < 1 || c.Level > 8 {
			t.Errorf("citation %d level = %v, want a whole number 1..8", i, c.Level)
		}
		if !slices.Contains([]string{"knowledge", "skill", "behaviour", "duty", "overview", "profile"}, c.Kind) {
			t.Errorf("citation %d kind = %q", i, c.Kind)
		}
		if c.LastUpdated != "" && !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(c.LastUpdated) {
			t.Errorf("citation %d last_updated = %q, want YYYY-MM-DD", i, c.LastUpdated)
		}
		if strings.TrimSpace(c.Text) == "" {
			t.Errorf("citation %d has no text", i)
		}
		out = append(out, c)
	}
	return out
}

func TestAskJSON(t *testing.T) {
	t.Parallel()
	env := defaultEnv(t)
	args := []string{"ask", "--json", skillsQ}
	r := cli(t, env, "", args...)
	wantCode(t, r, exitOK, args...)
	cits := checkAnswer(t, decodeOne(t, r.stdout), skillsQ, true)

	var got []string
	for i, c := range cits {
		got = append(got, c.ID)
		if c.Reference != "ST0127" || c.Occupation != "Network engineer" || c.Level != 4 || c.Kind != "skill" ||
			c.Version != "1.2" || c.LastUpdated != "2025-03-18" {
			t.Errorf("citation %d = %+v, want ST0127 Network engineer, level 4, skill, version 1.2, 2025-03-18", i, c)
		}
	}
	if want := ids("S", 14); !slices.Equal(got, want) {
		t.Errorf("citation ids = %q, want %q", got, want)
	}
	var answer string
	unmarshal(t, decodeOne(t, r.stdout)["answer"], &answer, "answer")
	if got, want := markers(answer), withRef("ST0127", ids("S", 14)); !slices.Equal(got, want) {
		t.Errorf("answer markers = %q, want %q", got, want)
	}
	if !strings.Contains(answer, "Open Government Licence v3.0") {
		t.Errorf("answer does not credit the Open Government Licence:\n%s", answer)
	}
}

func TestAskNotCovered(t *testing.T) {
	t.Parallel()
	env := defaultEnv(t)
	const q = "What is the capital of France?"
	for _, args := range [][]string{{"ask", "--json", q}, {"ask", "--json", "What", "is", "the", "capital", "of", "France?"}} {
		r := cli(t, env, "", args...)
		wantCode(t, r, exitOK, args...)
		obj := decodeOne(t, r.stdout)
		if cits := checkAnswer(t, obj, q, false); len(cits) != 0 {
			t.Errorf("citations = %+v, want none", cits)
		}
		if got := string(obj["citations"]); got != "[]" {
			t.Errorf("citations = %s, want [] (an empty array, not null)", got)
		}
	}
	// In plain text too, exit 0 and no citation markers.
	r := cli(t, env, "", "ask", q)
	wantCode(t, r, exitOK, "ask", q)
	if m := markers(r.stdout); len(m) != 0 || strings.TrimSpace(r.stdout) == "" {
		t.Errorf("not-covered answer = %q (markers %q), want a plain answer without citations", r.stdout, m)
	}
}

func TestAskOccupationFlag(t *testing.T) {
	t.Parallel()
	env := seedEnv(t)
	args := []string{"ask", "--json", "--occupation", "ST0127", "What behaviours are expected?"}
	r := cli(t, env, "", args...)
	wantCode(t, r, exitOK, args...)
	cits := checkAnswer(t, decodeOne(t, r.stdout), "What behaviours are expected?", true)
	var got []string
	for _, c := range cits {
		got = append(got, c.ID)
	}
	if want := ids("B", 6); !slices.Equal(got, want) {
		t.Errorf("citation ids = %q, want %q", got, want)
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	env := map[string]string{"CAREERSBOT_DATA_DIR": t.TempDir()}
	tests := []struct {
		args       []string
		code       int
		stdout     string
		stderr     string
		emptyOther bool
	}{
		{args: nil, code: exitUsage, stderr: "Usage:"},
		{args: []string{"help"}, code: exitOK, stdout: "Usage:"},
		{args: []string{"help"}, code: exitOK, stdout: "pay for 644 of 839"}, // counted from the corpus
		{args: []string{"--help"}, code: exitOK, stdout: "Usage:"},
		{args: []string{"-h"}, code: exitOK, stdout: "Usage:"},
		{args: []string{"ask", "-h"}, code: exitOK, stderr: "Usage: careersbot ask"},
		{args: []string{"eval", "--help"}, code: exitOK, stderr: "-min"},
	}
	for _, tt := range tests {
		r := cli(t, env, "", tt.args...)
		if r.code != tt.code || !strings.Contains(r.stdout, tt.stdout) || !strings.Contains(r.stderr, tt.stderr) {
			t.Errorf("careersbot %q: %v\nwant exit %d, stdout with %q, stderr with %q", tt.args, r, tt.code, tt.stdout, tt.stderr)
		}
	}
	if entries, _ := os.ReadDir(env["CAREERSBOT_DATA_DIR"]); len(entries) != 0 {
		t.Errorf("help wrote to the data dir: %v", entries)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	seeds := seedDir(t)
	long := strings.Repeat("a", 100*1024)
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string // substrings of the one-line message
	}{
		{name: "no question", args: []string{"ask"}, want: []string{"careersbot ask:", "question is empty"}},
		{name: "no question, json", args: []string{"ask", "--json"}, want: []string{"question is empty"}},
		{name: "whitespace question", args: []string{"ask", " \t  "}, want: []string{"question is empty"}},
		{name: "whitespace words", args: []string{"ask", " ", "\n", " "}, want: []string{"question is empty"}},
		{name: "question too long", args: []string{"ask", long}, want: []string{"Sorry", "too long", "1,000", "102,400"}},
		{name: "question too long, json", args: []string{"ask", "--json", long}, want: []string{"too long", "1,000"}},
		{name: "question over a lower limit", args: []string{"ask", "Which skills?"},
			env: map[string]string{"CAREERSBOT_MAX_QUESTION_CHARS": "5"}, want: []string{"too long", "up to 5"}},
		{name: "unknown flag", args: []string{"ask", "--frobnicate", "q"}, want: []string{"careersbot ask:", "-frobnicate", "ask -h"}},
		{name: "flag without its value", args: []string{"ask", "--occupation"}, want: []string{"-occupation"}},
		{name: "unknown command", args: []string{"frobnicate"}, want: []string{`"frobnicate"`, "ask", "chat", "eval", "index", "config"}},
		{name: "max question chars not a number", args: []string{"ask", skillsQ},
			env: map[string]string{"CAREERSBOT_MAX_QUESTION_CHARS": "abc"}, want: []string{"CAREERSBOT_MAX_QUESTION_CHARS", "whole number", `"abc"`}},
		{name: "llm timeout not a duration", args: []string{"chat"},
			env: map[string]string{"CAREERSBOT_LLM_TIMEOUT": "soon"}, want: []string{"CAREERSBOT_LLM_TIMEOUT", "duration"}},
		{name: "slack bot token alone", args: []string{"ask", skillsQ},
			env:  map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"},
			want: []string{"SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP mode) is"}},
		{name: "bad listen address", args: []string{"index"},
			env: map[string]string{"CAREERSBOT_HTTP_ADDR": "localhost"}, want: []string{"CAREERSBOT_HTTP_ADDR", ":8080"}},
		{name: "bad listen address flag", args: []string{"serve", "--http-addr", ":99999"},
			want: []string{"CAREERSBOT_HTTP_ADDR", "65535"}},
		{name: "several bad settings on one line", args: []string{"ask", skillsQ},
			env:  map[string]string{"SLACK_APP_TOKEN": "xapp-1", "CAREERSBOT_ADMIN_TOKEN": "short"},
			want: []string{"SLACK_BOT_TOKEN", "CAREERSBOT_ADMIN_TOKEN"}},
		{name: "chat with arguments", args: []string{"chat", skillsQ}, want: []string{"stdin", "careersbot ask"}},
		{name: "index with arguments", args: []string{"index", "now"}, want: []string{"no arguments", `"now"`}},
		{name: "eval without a file", args: []string{"eval"}, want: []string{"FILE.jsonl", "got 0"}},
		{name: "eval with two files", args: []string{"eval", "a.jsonl", "b.jsonl"}, want: []string{"FILE.jsonl", "got 2"}},
		{name: "eval min above 1", args: []string{"eval", "--min", "1.01", "testdata/eval/network-engineer.jsonl"}, want: []string{"--min", "between 0 and 1", "1.01"}},
		{name: "eval min below 0", args: []string{"eval", "--min", "-0.5", "testdata/eval/network-engineer.jsonl"}, want: []string{"--min", "between 0 and 1"}},
		{name: "eval min not a number", args: []string{"eval", "--min", "most", "testdata/eval/network-engineer.jsonl"}, want: []string{"-min", `"most"`}},
		{name: "config with a bad setting", args: []string{"config"},
			env: map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, want: []string{"careersbot config:", "SLACK_BOT_TOKEN is set but neither"}},
		{name: "config unknown flag", args: []string{"config", "--frobnicate"}, want: []string{"careersbot config:", "-frobnicate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"CAREERSBOT_SEEDS": seeds, "CAREERSBOT_DATA_DIR": t.TempDir()}
			for k, v := range tt.env {
				env[k] = v
			}
			r := cli(t, env, "", tt.args...)
			wantCode(t, r, exitUsage, tt.args...)
			if tt.args[0] != "config" && r.stdout != "" {
				t.Errorf("stdout = %q, want it empty", r.stdout)
			}
			// The message is the last line of stderr; before it, at most
			// the command's usage (see TestUsageErrorIsOneLine).
			msg := lastLine(r.stderr)
			if !strings.HasPrefix(msg, "careersbot") {
				t.Errorf("last stderr line = %q, want a careersbot message", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not contain %q", msg, w)
				}
			}
			if len(msg) > 1000 {
				t.Errorf("message is %d bytes long: it should not echo the question", len(msg))
			}
			// A usage error is found before the index is built.
			if entries, _ := os.ReadDir(env["CAREERSBOT_DATA_DIR"]); len(entries) != 0 {
				t.Errorf("a usage error wrote to the data dir: %v", entries)
			}
		})
	}
}

func TestUsageErrorIsOneLine(t *testing.T) {
	t.Parallel()
	// Interfaces.md section 2: a usage error prints "a one-line message
	// naming what was wrong and what would be valid".
	tests := []struct {
		name string
		args []string
		bug  string
	}{
		{"no question", []string{"ask"}, ""},
		{"whitespace question", []string{"ask", " "}, ""},
		{"question too long", []string{"ask", strings.Repeat("x", 100*1024)}, ""},
		{"eval min above 1", []string{"eval", "--min", "1.01", "x.jsonl"}, ""},
		{"unknown command", []string{"frobnicate"}, ""},
		{"bad setting", []string{"ask", "--http-addr", "localhost", skillsQ}, ""},
		{"unknown flag", []string{"ask", "--frobnicate", "q"}, ""},
		{"unknown flag of config", []string{"config", "--frobnicate"}, ""},
		{"bad flag value", []string{"eval", "--min", "most", "x.jsonl"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := tt.args
			r := cli(t, map[string]string{"CAREERSBOT_DATA_DIR": t.TempDir()}, "", args...)
			wantCode(t, r, exitUsage, args...)
			if n := strings.Count(r.stderr, "\n"); n != 1 || !strings.HasSuffix(r.stderr, "\n") {
				t.Errorf("stderr has %d lines, want exactly one:\n%s", n, r.stderr)
			}
		})
	}
}

func TestTooLongIsPolite(t *testing.T) {
	t.Parallel()
	args := []string{"ask", strings.Repeat("why ", 25*1024)}
	r := cli(t, map[string]string{"CAREERSBOT_DATA_DIR": t.TempDir()}, "", args...)
	wantCode(t, r, exitUsage, "ask", "<100 KB>")
	if r.stdout != "" {
		t.Errorf("stdout = %q, want it empty", r.stdout)
	}
	want := "careersbot ask: Sorry, that question is too long for me: it has 102,399 characters and I can take up to 1,000. Please ask it in fewer words.\n"
	if r.stderr != want {
		t.Errorf("stderr = %q\nwant     %q", r.stderr, want)
	}
}

func TestRuntimeFailures(t *testing.T) {
	t.Parallel()
	root := t.TempDir()

	broken := filepath.Join(root, "broken")
	if err := os.Mkdir(broken, 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join("seeds", seedPage), filepath.Join(broken, seedPage))
	writeFile(t, filepath.Join(broken, "bad.txt"), "Pastry chef\n\nLevel 3\n\nA page without its knowledge, skills and behaviours.\n")

	empty := filepath.Join(root, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(root, "does-not-exist")
	aFile := filepath.Join(root, "a-file")
	writeFile(t, aFile, "not a folder\n")
	underFile := filepath.Join(aFile, "data")
	good := seedDir(t)

	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string // substrings of stderr
	}{
		{name: "broken page file", args: []string{"ask", "--seeds", broken, skillsQ},
			want: []string{filepath.Join(broken, "bad.txt") + ":", "bad.txt:"}},
		{name: "broken page file, chat", args: []string{"chat", "--seeds", broken},
			want: []string{"bad.txt:"}},
		{name: "broken page file, index", args: []string{"index"}, env: map[string]string{"CAREERSBOT_SEEDS": broken},
			want: []string{"bad.txt:"}},
		{name: "seed folder missing", args: []string{"ask", "--seeds", missing, skillsQ},
			want: []string{missing}},
		{name: "seed folder is a file", args: []string{"ask", "--seeds", aFile, skillsQ},
			want: []string{aFile, "folder"}},
		{name: "seed folder empty", args: []string{"index", "--seeds", empty},
			want: []string{empty, "*.txt"}},
		{name: "data dir under a file", args: []string{"ask", "--seeds", good, skillsQ},
			env:  map[string]string{"CAREERSBOT_DATA_DIR": underFile},
			want: []string{underFile, "CAREERSBOT_DATA_DIR"}},
		{name: "data dir flag under a file", args: []string{"index", "--seeds", good, "--data-dir", underFile},
			want: []string{underFile}},
		{name: "eval file missing", args: []string{"eval", "--seeds", good, filepath.Join(root, "nope.jsonl")},
			want: []string{filepath.Join(root, "nope.jsonl")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"CAREERSBOT_DATA_DIR": t.TempDir()}
			for k, v := range tt.env {
				env[k] = v
			}
			r := cli(t, env, skillsQ+"\n", tt.args...)
			wantCode(t, r, exitFailure, tt.args...)
			if r.stdout != "" {
				t.Errorf("stdout = %q, want it empty", r.stdout)
			}
			msg := lastLine(r.stderr)
			if !strings.HasPrefix(msg, "careersbot "+tt.args[0]+": ") {
				t.Errorf("last stderr line = %q, want \"careersbot %s: ...\"", msg, tt.args[0])
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not name %q", msg, w)
				}
			}
		})
	}
}

func TestChatFollowUp(t *testing.T) {
	t.Parallel()
	stdin := skillsQ + "\nand what about the behaviours?\n"

	t.Run("text", func(t *testing.T) {
		t.Parallel()
		r := cli(t, seedEnv(t), stdin, "chat")
		wantCode(t, r, exitOK, "chat")
		// Each answer ends with its "Source: Skills England ..." line.
		parts := strings.Split(r.stdout, "Source: Skills England")
		if len(parts) != 3 {
			t.Fatalf("got %d answers, want 2:\n%s", len(parts)-1, r.stdout)
		}
		// parts[1] is the rest of the first source line, then the second answer.
		first, second := parts[0], parts[1]
		if got, want := markers(first), withRef("ST0127", ids("S", 14)); !slices.Equal(got, want) {
			t.Errorf("first answer markers = %q, want %q", got, want)
		}
		if got, want := markers(second), withRef("ST0127", ids("B", 6)); !slices.Equal(got, want) {
			t.Errorf("follow-up markers = %q, want %q (the follow-up keeps the occupation)\n%s", got, want, second)
		}
	})

	t.Run("json", func(t *testing.T) {
		t.Parallel()
		r := cli(t, seedEnv(t), stdin, "chat", "--json")
		wantCode(t, r, exitOK, "chat", "--json")
		lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
		if len(lines) != 2 {
			t.Fatalf("got %d lines, want 2 (one JSON object a line):\n%s", len(lines), r.stdout)
		}
		want := []struct {
			q   string
			ids []string
		}{{skillsQ, ids("S", 14)}, {"and what about the behaviours?", ids("B", 6)}}
		for i, l := range lines {
			cits := checkAnswer(t, decodeOne(t, l+"\n"), want[i].q, true)
			var got []string
			for _, c := range cits {
				if c.Reference != "ST0127" {
					t.Errorf("answer %d cites %s %s, want ST0127 only", i+1, c.Reference, c.ID)
				}
				got = append(got, c.ID)
			}
			if !slices.Equal(got, want[i].ids) {
				t.Errorf("answer %d citation ids = %q, want %q", i+1, got, want[i].ids)
			}
		}
	})

	t.Run("blank and too-long lines", func(t *testing.T) {
		t.Parallel()
		in := "\n   \n" + strings.Repeat("z", 2000) + "\n" + skillsQ + "\n\n"
		r := cli(t, seedEnv(t), in, "chat", "--json")
		wantCode(t, r, exitOK, "chat", "--json")
		if n := strings.Count(r.stdout, "\n"); n != 1 {
			t.Errorf("got %d answers, want 1 (blank lines skipped, the long one refused):\n%s", n, r.stdout)
		}
		if !strings.Contains(r.stderr, "too long") || !strings.Contains(r.stderr, "1,000") {
			t.Errorf("stderr = %q, want the polite too-long message", r.stderr)
		}
	})

	t.Run("empty stdin", func(t *testing.T) {
		t.Parallel()
		r := cli(t, seedEnv(t), "", "chat")
		wantCode(t, r, exitOK, "chat")
		if r.stdout != "" {
			t.Errorf("stdout = %q, want nothing", r.stdout)
		}
	})
}

// indexLine finds "name  value" in index output.
func indexLine(t *testing.T, out, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\s{2,}(.+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("index output has no %q line:\n%s", name, out)
	}
	return m[1]
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return n
}

// checkIndexOutput checks the counts of index's output.
func checkIndexOutput(t *testing.T, out string, occupations int) {
	t.Helper()
	if got := atoi(t, indexLine(t, out, "occupations")); got != occupations {
		t.Errorf("occupations = %d, want %d", got, occupations)
	}
	passages := atoi(t, indexLine(t, out, "passages"))
	sum := 0
	for _, kind := range []string{"profile", "overview", "knowledge", "skill", "behaviour", "duty"} {
		n := atoi(t, indexLine(t, out, "  "+kind))
		if n <= 0 {
			t.Errorf("%s passages = %d, want some", kind, n)
		}
		sum += n
	}
	if sum != passages {
		t.Errorf("passages by kind add up to %d, want %d", sum, passages)
	}
}

func TestIndex(t *testing.T) {
	t.Parallel()

	t.Run("default corpus", func(t *testing.T) {
		t.Parallel()
		first, err := buildShared()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(first.stdout, "built in") {
			t.Errorf("first index run did not build:\n%s", first.stdout)
		}
		checkIndexOutput(t, first.stdout, 839)
		if got := indexLine(t, first.stdout, "index"); !strings.HasPrefix(got, sharedDataDir+string(filepath.Separator)) {
			t.Errorf("index file %q is not in the data dir %s", got, sharedDataDir)
		}

		r := cli(t, defaultEnv(t), "", "index")
		wantCode(t, r, exitOK, "index")
		if !strings.Contains(r.stdout, "loaded in") || strings.Contains(r.stdout, "built in") {
			t.Errorf("second index run did not report loaded:\n%s", r.stdout)
		}
		checkIndexOutput(t, r.stdout, 839)
		for _, name := range []string{"occupations", "passages", "  skill", "index"} {
			if a, b := indexLine(t, first.stdout, name), indexLine(t, r.stdout, name); a != b {
				t.Errorf("%s: first run %q, second %q", name, a, b)
			}
		}
	})

	t.Run("seed only, twice, then rebuild", func(t *testing.T) {
		t.Parallel()
		env := seedEnv(t)
		steps := []struct {
			args []string
			want string
		}{
			{[]string{"index"}, "built in"},
			{[]string{"index"}, "loaded in"},
			{[]string{"index", "--rebuild"}, "built in"},
			{[]string{"index"}, "loaded in"},
		}
		for i, s := range steps {
			r := cli(t, env, "", s.args...)
			wantCode(t, r, exitOK, s.args...)
			if !strings.Contains(r.stdout, s.want) {
				t.Errorf("run %d (%q): want %q in:\n%s", i+1, s.args, s.want, r.stdout)
			}
			checkIndexOutput(t, r.stdout, 1)
		}
		files, _ := filepath.Glob(filepath.Join(env["CAREERSBOT_DATA_DIR"], "*"))
		if len(files) != 1 {
			t.Errorf("data dir holds %q, want one index file", files)
		}
	})
}

func TestEval(t *testing.T) {
	t.Parallel()
	passLine := regexp.MustCompile(`^pass \d+/30 = \d\.\d\d$`)

	t.Run("network engineer", func(t *testing.T) {
		t.Parallel()
		args := []string{"eval", "testdata/eval/network-engineer.jsonl"}
		r := cli(t, seedEnv(t), "", args...)
		wantCode(t, r, exitOK, args...)
		if l := lastLine(r.stdout); !passLine.MatchString(l) {
			t.Errorf("last stdout line = %q, want %s", l, passLine)
		}
		// -v prints every question.
		args = []string{"eval", "-v", "testdata/eval/network-engineer.jsonl"}
		r = cli(t, seedEnv(t), "", args...)
		wantCode(t, r, exitOK, args...)
		if n := len(strings.Split(strings.TrimSpace(r.stdout), "\n")); n != 31 {
			t.Errorf("eval -v printed %d lines, want 30 questions and the pass line", n)
		}
	})

	t.Run("catalogue on the default corpus", func(t *testing.T) {
		t.Parallel()
		args := []string{"eval", "testdata/eval/catalogue.jsonl"}
		r := cli(t, defaultEnv(t), "", args...)
		wantCode(t, r, exitOK, args...)
		if l := lastLine(r.stdout); !regexp.MustCompile(`^pass \d+/14 = \d\.\d\d$`).MatchString(l) {
			t.Errorf("last stdout line = %q", l)
		}
	})

	t.Run("min above 1", func(t *testing.T) {
		t.Parallel()
		args := []string{"eval", "--min", "1.01", "testdata/eval/network-engineer.jsonl"}
		r := cli(t, seedEnv(t), "", args...)
		wantCode(t, r, exitUsage, args...)
	})

	t.Run("below min", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "hard.jsonl")
		writeFile(t, path, `{"q":"What is the capital of France?","grounded":true}`+"\n"+
			`{"q":"Which skills does a network engineer need?","all":["S1","S14"]}`+"\n")
		args := []string{"eval", "--min", "0.9", path}
		r := cli(t, seedEnv(t), "", args...)
		wantCode(t, r, exitFailure, args...)
		missLine := regexp.MustCompile(`(?m)^miss ` + regexp.QuoteMeta(path) + `:1 "What is the capital of France\?": .+$`)
		if !missLine.MatchString(r.stdout) {
			t.Errorf("stdout has no miss line for line 1:\n%s", r.stdout)
		}
		if strings.Count(r.stdout, "miss ") != 1 {
			t.Errorf("want exactly one miss:\n%s", r.stdout)
		}
		if l := lastLine(r.stdout); l != "pass 1/2 = 0.50" {
			t.Errorf("last stdout line = %q, want \"pass 1/2 = 0.50\"", l)
		}
		if !strings.Contains(r.stderr, "below --min") {
			t.Errorf("stderr = %q, want it to say the rate is below --min", r.stderr)
		}

		// Without --min (default 0) the same file exits 0.
		r = cli(t, seedEnv(t), "", "eval", path)
		wantCode(t, r, exitOK, "eval", path)
	})

	t.Run("malformed file", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		files := map[string]struct{ content, want string }{
			"bad-json.jsonl": {`{"q":"Which skills does a network engineer need?","all":["S1"]}` + "\n\n" + `{"q": nope}` + "\n", ":3:"},
			"no-check.jsonl": {`# a comment` + "\n" + `{"q":"Which skills does a network engineer need?"}` + "\n", ":2:"},
			"no-q.jsonl":     {`{"all":["S1"]}` + "\n", ":1:"},
			"unknown.jsonl":  {`{"q":"x","alll":["S1"]}` + "\n", ":1:"},
		}
		for name, f := range files {
			path := filepath.Join(dir, name)
			writeFile(t, path, f.content)
			r := cli(t, seedEnv(t), "", "eval", path)
			wantCode(t, r, exitFailure, "eval", path)
			if msg := lastLine(r.stderr); !strings.Contains(msg, path+f.want) {
				t.Errorf("%s: message %q does not name %s%s", name, msg, path, f.want)
			}
		}
	})
}

func TestConfigCommand(t *testing.T) {
	t.Parallel()
	secrets := map[string]string{"SLACK_BOT_TOKEN": "xoxb-secret-value", "SLACK_SIGNING_SECRET": "s3cr3t"}

	t.Run("redacts secrets", func(t *testing.T) {
		t.Parallel()
		env := map[string]string{"CAREERSBOT_DATA_DIR": t.TempDir()}
		for k, v := range secrets {
			env[k] = v
		}
		r := cli(t, env, "", "config")
		wantCode(t, r, exitOK, "config")
		if !strings.Contains(r.stdout, "REDACTED") {
			t.Errorf("stdout has no REDACTED:\n%s", r.stdout)
		}
		for _, v := range []string{"xoxb-secret-value", "secret-value", "s3cr3t"} {
			if strings.Contains(r.stdout+r.stderr, v) {
				t.Errorf("config printed %q:\n%v", v, r)
			}
		}
		for _, name := range []string{"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"} {
			if !regexp.MustCompile(`(?m)^` + name + `\s+REDACTED\s+\(env\)$`).MatchString(r.stdout) {
				t.Errorf("no %q REDACTED (env) line:\n%s", name, r.stdout)
			}
		}
		if !regexp.MustCompile(`(?m)^CAREERSBOT_DATA_DIR\s+` + regexp.QuoteMeta(env["CAREERSBOT_DATA_DIR"]) + `\s+\(env\)$`).MatchString(r.stdout) {
			t.Errorf("no CAREERSBOT_DATA_DIR (env) line:\n%s", r.stdout)
		}
	})

	t.Run("invalid secret is not echoed", func(t *testing.T) {
		t.Parallel()
		env := map[string]string{"CAREERSBOT_DATA_DIR": t.TempDir(),
			"SLACK_BOT_TOKEN": "xoxp-user-secret-value", "SLACK_APP_TOKEN": "xoxb-app-secret-value",
			"CAREERSBOT_ADMIN_TOKEN": "tiny-secret"}
		for _, args := range [][]string{{"config"}, {"ask", skillsQ}} {
			r := cli(t, env, "", args...)
			wantCode(t, r, exitUsage, args...)
			for _, v := range []string{"user-secret", "app-secret", "tiny-secret"} {
				if strings.Contains(r.stdout+r.stderr, v) {
					t.Errorf("careersbot %q printed %q:\n%v", args, v, r)
				}
			}
			// ask says it on one line; config gives each problem a line.
			msg := lastLine(r.stderr)
			if args[0] == "config" {
				msg = r.stderr
			}
			for _, name := range []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "CAREERSBOT_ADMIN_TOKEN"} {
				if !strings.Contains(msg, name) {
					t.Errorf("careersbot %q: message %q does not name %s", args, msg, name)
				}
			}
		}
	})

	t.Run("flag wins", func(t *testing.T) {
		t.Parallel()
		env := map[string]string{"CAREERSBOT_DATA_DIR": t.TempDir(), "CAREERSBOT_HTTP_ADDR": ":9000"}
		r := cli(t, env, "", "config", "--http-addr", ":7000")
		wantCode(t, r, exitOK, "config")
		if !regexp.MustCompile(`(?m)^CAREERSBOT_HTTP_ADDR\s+:7000\s+\(flag\)$`).MatchString(r.stdout) {
			t.Errorf("no CAREERSBOT_HTTP_ADDR :7000 (flag) line:\n%s", r.stdout)
		}
	})
}

func TestQuestionLengthCountsCharacters(t *testing.T) {
	t.Parallel()
	env := seedEnv(t)
	// The limit is in characters, not bytes: 1,000 two-byte letters pass.
	ok := strings.Repeat("é", 1000)
	r := cli(t, env, "", "ask", "--json", ok)
	wantCode(t, r, exitOK, "ask", "<1,000 é>")
	decodeOne(t, r.stdout)

	r = cli(t, env, "", "ask", ok+"é")
	wantCode(t, r, exitUsage, "ask", "<1,001 é>")
	if !strings.Contains(r.stderr, "1,001 characters") || !strings.Contains(r.stderr, "up to 1,000") {
		t.Errorf("stderr = %q", r.stderr)
	}
}

func TestOddQuestions(t *testing.T) {
	t.Parallel()
	env := seedEnv(t)
	for _, q := range []string{"\xff\xfe skills?", "???", "[ST0127 S1]", "S1", "ST0127", "K99 of ST0127", "\x00", "<script>alert(1)</script>"} {
		r := cli(t, env, "", "ask", "--json", q)
		wantCode(t, r, exitOK, "ask", "--json", q)
		obj := decodeOne(t, r.stdout)
		var g bool
		unmarshal(t, obj["grounded"], &g, "grounded")
		cits := checkAnswer(t, obj, string([]rune(q)), g)
		if !g && len(cits) != 0 {
			t.Errorf("%q: not grounded but %d citations", q, len(cits))
		}
	}
}

func TestCorruptIndexIsRebuilt(t *testing.T) {
	t.Parallel()
	env := seedEnv(t)
	r := cli(t, env, "", "index")
	wantCode(t, r, exitOK, "index")
	file := indexLine(t, r.stdout, "index")
	for _, damage := range []func([]byte) []byte{
		func(b []byte) []byte { return []byte("garbage") },
		func(b []byte) []byte { b[len(b)/2] ^= 0xff; return b },
		func(b []byte) []byte { return b[:len(b)/2] },
		func(b []byte) []byte { return nil },
	} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, file, string(damage(b)))
		r := cli(t, env, "", "ask", skillsQ)
		wantCode(t, r, exitOK, "ask", skillsQ)
		if got := markers(r.stdout); len(got) != 14 {
			t.Errorf("after damage, markers = %q, want S1..S14", got)
		}
		if !strings.Contains(r.stderr, "rebuilding the index") {
			t.Errorf("stderr = %q, want a warning that the index is rebuilt", r.stderr)
		}
		r = cli(t, env, "", "index")
		if !strings.Contains(r.stdout, "loaded in") {
			t.Errorf("the rebuilt index was not saved:\n%s", r.stdout)
		}
	}
}

func TestUnknownReferenceIsNotGrounded(t *testing.T) {
	t.Parallel()
	env := defaultEnv(t)
	for _, q := range []string{"What is ST9999?", "Tell me about ST9999"} {
		r := cli(t, env, "", "ask", "--json", q)
		wantCode(t, r, exitOK, "ask", "--json", q)
		obj := decodeOne(t, r.stdout)
		var cits []citation
		var g bool
		unmarshal(t, obj["grounded"], &g, "grounded")
		unmarshal(t, obj["citations"], &cits, "citations")
		if g || len(cits) != 0 {
			t.Errorf("%q: grounded %v with %d citations (%s), want not grounded", q, g, len(cits), obj["citations"])
		}
	}
}
