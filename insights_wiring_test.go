package main

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/careersbot/careersbot/adapters/slack"
	"github.com/careersbot/careersbot/internal/insights"
	"github.com/careersbot/careersbot/internal/server"
	"github.com/careersbot/careersbot/internal/teamsfake"
)

const insightsToken = "serve-insights-admin-token-0123"

// session are questions over the seed (Network engineer alone), one of
// each outcome a question can have there but an error.
var session = []struct {
	question string
	outcome  insights.Outcome
}{
	{"Which skills does a network engineer need?", insights.Answered},
	{"Is wireless networking part of the network engineer role?", insights.Answered},
	{"How do I become an astronaut?", insights.NotCovered},
	{"I want to kill myself", insights.Distress},
	{"help", insights.Help},
}

func authedGet(t *testing.T, u string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+insightsToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// waitReport polls /insights/api.json until it counts n questions: the
// recorder writes in the background.
func waitReport(t *testing.T, base string, n int) insights.Report {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var r insights.Report
	for time.Now().Before(deadline) {
		code, body := authedGet(t, base+"/insights/api.json?since=1d")
		if code == http.StatusOK {
			r = insights.Report{}
			if err := json.Unmarshal(body, &r); err != nil {
				t.Fatal(err)
			}
			if r.Questions >= n {
				return r
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("/insights/api.json never counted %d questions (last %d)", n, r.Questions)
	return r
}

func outcomeCounts(r insights.Report) map[insights.Outcome]int {
	m := map[insights.Outcome]int{}
	for _, o := range r.Outcomes {
		m[o.Outcome] = o.Count
	}
	return m
}

// serve records every answer; /insights and its API show them behind the
// admin token; `careersbot insights` prints the same from the store once
// serve has stopped.
func TestServeRecordsInsights(t *testing.T) {
	env := map[string]string{"CAREERSBOT_ADMIN_TOKEN": insightsToken, "CAREERSBOT_RATE_PER_MINUTE": "0"}
	cfg := serveConfig(t, env)
	_, base, stop := startServer(t, cfg)
	want := map[insights.Outcome]int{}
	for _, s := range session {
		if code, body, err := askHTTP(base, s.question, ""); err != nil || code != http.StatusOK {
			t.Fatalf("%q: %d %v %s", s.question, code, err, body)
		}
		want[s.outcome]++
	}
	// Refused by a limit: not a question to analyse.
	askHTTP(base, strings.Repeat("a", cfg.MaxQuestionChars+1), "")
	r := waitReport(t, base, len(session))
	if got := outcomeCounts(r); r.Questions != len(session) || got[insights.Answered] != 2 || got[insights.NotCovered] != 1 ||
		got[insights.Distress] != 1 || got[insights.Help] != 1 {
		t.Errorf("api.json: %d questions, outcomes %v; want %d, %v", r.Questions, got, len(session), want)
	}
	if len(r.Occupations) != 1 || r.Occupations[0].Reference != "ST0127" || r.Occupations[0].Questions != 2 {
		t.Errorf("occupations %+v, want ST0127 twice", r.Occupations)
	}
	if len(r.UnansweredTerms) != 1 || r.UnansweredTerms[0].Key != "astronaut" {
		t.Errorf("unanswered terms %v, want astronaut", r.UnansweredTerms)
	}
	// Without the token: a login form, and nothing else.
	resp, err := http.Get(base + "/insights")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `id="login"`) || strings.Contains(string(page), "astronaut") {
		t.Errorf("/insights without the token: %d\n%s", resp.StatusCode, page)
	}
	if resp.Header.Get("Content-Security-Policy") == "" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("/insights has policy %q, want the chat page's", resp.Header.Get("Content-Security-Policy"))
	}
	if resp, err := http.Get(base + "/insights/api.json"); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("api.json without the token: %v %v", resp.StatusCode, err)
	}
	resp, err = http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), `careersbot_insights_events_total{result="recorded"} 5`) {
		t.Errorf("/metrics does not count 5 recorded events:\n%s", grepLines(metrics, "insights"))
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	// The CLI reads the same store.
	cliEnv := map[string]string{"CAREERSBOT_DATA_DIR": cfg.DataDir}
	res := cli(t, cliEnv, "", "insights", "--since", "1d", "--json")
	wantCode(t, res, exitOK, "insights --json")
	var fromCLI insights.Report
	if err := json.Unmarshal([]byte(res.stdout), &fromCLI); err != nil {
		t.Fatalf("insights --json: %v\n%s", err, res.stdout)
	}
	if fromCLI.Questions != r.Questions || !equalCounts(outcomeCounts(fromCLI), outcomeCounts(r)) || len(fromCLI.Occupations) != 1 ||
		fromCLI.Occupations[0].Outcomes["answered"] != 2 {
		t.Errorf("the CLI's report differs from the page's API: %+v vs %+v", fromCLI, r)
	}
	res = cli(t, cliEnv, "", "insights")
	wantCode(t, res, exitOK, "insights")
	for _, s := range []string{"Questions: 5", "ST0127", "Network engineer", "astronaut", "Slowest answers", "store: " + filepath.Join(cfg.DataDir, insights.FileName)} {
		if !strings.Contains(res.stdout, s) {
			t.Errorf("insights lacks %q:\n%s", s, res.stdout)
		}
	}
	res = cli(t, cliEnv, "", "insights", "--csv", "--since", "2d")
	wantCode(t, res, exitOK, "insights --csv")
	for _, s := range []string{"section,key,label,value\n", "questions,total,,5\n", "outcome,answered,answered,2\n", "occupation_outcome,ST0127,answered,2\n"} {
		if !strings.Contains(res.stdout, s) {
			t.Errorf("insights --csv lacks %q:\n%s", s, res.stdout)
		}
	}
}

func equalCounts(a, b map[insights.Outcome]int) bool {
	for _, o := range insights.Outcomes {
		if a[o] != b[o] {
			return false
		}
	}
	return true
}

// No admin token: no page (404); insights off: no page and nothing
// recorded, and the CLI says so.
func TestServeInsightsAbsent(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"no token":     {},
		"insights off": {"CAREERSBOT_ADMIN_TOKEN": insightsToken, "CAREERSBOT_INSIGHTS_RETENTION_DAYS": "0"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := serveConfig(t, env)
			_, base, stop := startServer(t, cfg)
			if code, _, err := askHTTP(base, "Which skills does a network engineer need?", ""); err != nil || code != http.StatusOK {
				t.Fatalf("ask: %d %v", code, err)
			}
			for _, p := range []string{"/insights", "/insights/api.json", "/insights/report.csv", "/insights/insights.css"} {
				if code, _ := authedGet(t, base+p); code != http.StatusNotFound {
					t.Errorf("%s: %d, want 404", p, code)
				}
			}
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			_, err := os.Stat(filepath.Join(cfg.DataDir, insights.FileName))
			if off := env["CAREERSBOT_INSIGHTS_RETENTION_DAYS"] == "0"; off != os.IsNotExist(err) {
				t.Errorf("insights off %v, the store file: %v", off, err)
			}
		})
	}
	res := cli(t, map[string]string{"CAREERSBOT_DATA_DIR": t.TempDir(), "CAREERSBOT_INSIGHTS_RETENTION_DAYS": "0"}, "", "insights")
	wantCode(t, res, exitUsage, "insights with insights off")
	if !strings.Contains(res.stderr, "CAREERSBOT_INSIGHTS_RETENTION_DAYS=0") {
		t.Errorf("stderr: %s", res.stderr)
	}
}

// A PostgreSQL that cannot be reached at start stops serve with an error
// naming the variable (it holds the replicas' shared state too: a replica
// must not start with state it cannot share); `careersbot insights` names
// the store. A database lost after the start costs the answers nothing:
// TestReplicasPostgresKilledUnderLoad.
func TestServeInsightsStoreDown(t *testing.T) {
	env := map[string]string{"CAREERSBOT_ADMIN_TOKEN": insightsToken,
		"CAREERSBOT_DATABASE_URL": "postgres://careersbot@127.0.0.1:1/careersbot?connect_timeout=1&sslmode=disable"}
	_, err := server.New(serveConfig(t, env), slog.New(slog.DiscardHandler), serveOptions())
	if err == nil || !strings.Contains(err.Error(), "CAREERSBOT_DATABASE_URL") || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("serve with the database down: %v, want an error naming the variable and the address", err)
	}
	res := cli(t, map[string]string{"CAREERSBOT_DATA_DIR": t.TempDir(), "CAREERSBOT_DATABASE_URL": env["CAREERSBOT_DATABASE_URL"]}, "", "insights")
	wantCode(t, res, exitFailure, "insights with the store down")
	if !strings.Contains(res.stderr, "127.0.0.1:1") {
		t.Errorf("the error does not name the store: %s", res.stderr)
	}
	res = cli(t, map[string]string{"CAREERSBOT_DATA_DIR": t.TempDir(), "CAREERSBOT_HTTP_ADDR": "127.0.0.1:0", "CAREERSBOT_DATABASE_URL": env["CAREERSBOT_DATABASE_URL"]}, "", "serve")
	wantCode(t, res, exitFailure, "serve with the database down")
	if !strings.Contains(res.stderr, "careersbot serve: CAREERSBOT_DATABASE_URL: cannot reach PostgreSQL at postgres://careersbot@127.0.0.1:1/") {
		t.Errorf("serve's error: %s", res.stderr)
	}
}

func TestInsightsUsage(t *testing.T) {
	env := map[string]string{"CAREERSBOT_DATA_DIR": t.TempDir()}
	for _, args := range [][]string{{"--since", "3x"}, {"--since", "0d"}, {"--json", "--csv"}, {"last", "week"}, {"--top", "0"}} {
		res := cli(t, env, "", append([]string{"insights"}, args...)...)
		wantCode(t, res, exitUsage, "insights "+strings.Join(args, " "))
		if strings.Count(strings.TrimSpace(res.stderr), "\n") != 0 {
			t.Errorf("insights %v: the usage error is not one line: %q", args, res.stderr)
		}
	}
	// An empty store: a report of nothing, not an error.
	res := cli(t, env, "", "insights")
	wantCode(t, res, exitOK, "insights on an empty store")
	if !strings.Contains(res.stdout, "Questions: 0") {
		t.Errorf("insights on an empty store:\n%s", res.stdout)
	}
}

// A vote on a Slack answer through serve reaches the insights: the
// button carries the answer's ID, and the page counts the vote against
// the answer's standard.
func TestServeSlackFeedbackReachesInsights(t *testing.T) {
	api := newSlackWebAPI(t)
	const secret = "serve-insights-signing-secret"
	_, base, _ := startServer(t, serveConfig(t, map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-serve-test", "SLACK_SIGNING_SECRET": secret, "SLACK_API_URL": api.URL + "/api/",
		"CAREERSBOT_ADMIN_TOKEN": insightsToken,
	}))
	signed := func(path, contentType string, body []byte) {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", slack.Sign(secret, ts, body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}
	event, _ := json.Marshal(map[string]any{
		"type": "event_callback", "team_id": "T0SERVE", "event_id": "Ev0INSIGHTS1",
		"event": map[string]any{"type": "app_mention", "user": "U0LEARNER", "channel": "C0CAREERS",
			"text": "<@U0BOT> Which skills does a network engineer need?", "ts": "1750000000.000300", "event_ts": "1750000000.000300"},
	})
	signed("/slack/events", "application/json", event)
	post := api.waitPost(t)
	var blocks []map[string]any
	if err := json.Unmarshal([]byte(post.Get("blocks")), &blocks); err != nil {
		t.Fatal(err)
	}
	value := ""
	for _, b := range blocks {
		els, _ := b["elements"].([]any)
		for _, el := range els {
			if em, _ := el.(map[string]any); em["action_id"] == "feedback_up" {
				value, _ = em["value"].(string)
			}
		}
	}
	if parts := strings.Split(value, "|"); len(parts) != 4 || parts[0] != "ST0127" || len(parts[3]) != 16 {
		t.Fatalf("the 👍 button carries %q, want ST0127|intent|outcome|answer ID", value)
	}
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "U0LEARNER"}, "team": map[string]any{"id": "T0SERVE"},
		"channel": map[string]any{"id": "C0CAREERS"}, "response_url": api.URL + "/hooks/fb",
		"actions": []map[string]any{{"type": "button", "action_id": "feedback_up", "block_id": "answer_actions", "value": value}},
	})
	signed("/slack/interactions", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(payload)}}.Encode()))
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := waitReport(t, base, 1)
		if len(r.Feedback) == 1 && r.Feedback[0].Reference == "ST0127" && r.Feedback[0].Up == 1 && r.Feedback[0].Title == "Network engineer" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("feedback %+v, want one 👍 on ST0127", r.Feedback)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// With CAREERSBOT_DATABASE_URL, serve records into PostgreSQL and the CLI
// reports from it (skipped without CAREERSBOT_TEST_DATABASE_URL).
func TestServeInsightsPostgres(t *testing.T) {
	dbURL := postgresTestSchema(t)
	env := map[string]string{"CAREERSBOT_ADMIN_TOKEN": insightsToken, "CAREERSBOT_DATABASE_URL": dbURL}
	_, base, stop := startServer(t, serveConfig(t, env))
	for _, s := range session {
		if code, _, err := askHTTP(base, s.question, ""); err != nil || code != http.StatusOK {
			t.Fatalf("%q: %d %v", s.question, code, err)
		}
	}
	r := waitReport(t, base, len(session))
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	res := cli(t, map[string]string{"CAREERSBOT_DATA_DIR": t.TempDir(), "CAREERSBOT_DATABASE_URL": dbURL}, "", "insights", "--json", "--since", "1d")
	wantCode(t, res, exitOK, "insights --json from PostgreSQL")
	var fromCLI insights.Report
	if err := json.Unmarshal([]byte(res.stdout), &fromCLI); err != nil {
		t.Fatal(err)
	}
	if fromCLI.Questions != len(session) || !equalCounts(outcomeCounts(fromCLI), outcomeCounts(r)) {
		t.Errorf("PostgreSQL: the CLI counts %v, the page %v", outcomeCounts(fromCLI), outcomeCounts(r))
	}
}

// postgresTestSchema is CAREERSBOT_TEST_DATABASE_URL with a schema of the
// test's own as its search_path, dropped at the end; it skips the test
// when the variable is not set.
func postgresTestSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv("CAREERSBOT_TEST_DATABASE_URL")
	if base == "" {
		t.Skip("CAREERSBOT_TEST_DATABASE_URL is not set: the PostgreSQL tests were skipped (.ci/run starts a PostgreSQL and sets it)")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "serve_test_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if db, err := sql.Open("pgx", base); err == nil {
			_, _ = db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			db.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// A vote on a Teams answer through serve reaches the insights, against
// the answer (its button carries the answer's ID) and its standard.
func TestServeTeamsFeedbackReachesInsights(t *testing.T) {
	fake := teamsfake.New(t)
	env := teamsEnv(fake)
	env["CAREERSBOT_ADMIN_TOKEN"] = insightsToken
	_, base, _ := startServer(t, serveConfig(t, env))
	act := map[string]any{
		"type": "message", "id": "1750000000101", "serviceUrl": fake.ServiceURL(), "channelId": "msteams",
		"from":         map[string]any{"id": "29:learner", "aadObjectId": "00000000-0000-4000-8000-0000000a0002"},
		"recipient":    map[string]any{"id": teamsfake.BotID, "name": teamsfake.BotName},
		"conversation": map[string]any{"id": "a:1personal", "conversationType": "personal"},
		"text":         "Which skills does a network engineer need?",
		"channelData":  map[string]any{"tenant": map[string]any{"id": teamsfake.TenantID}},
	}
	send := func(act map[string]any) {
		body, _ := json.Marshal(act)
		req, _ := http.NewRequest(http.MethodPost, base+"/teams/messages", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+fake.Token(teamsfake.Claims{}))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("activity: %d", resp.StatusCode)
		}
	}
	send(act)
	reply := fake.WaitFor(t, "reply", "message", 1, 10*time.Second)[0]
	m := regexp.MustCompile(`"about":"(ST0127\|[a-z-]+\|[a-z_]+\|[0-9a-f]{16})"`).FindStringSubmatch(string(reply.Body))
	if m == nil {
		t.Fatalf("no feedback button carrying the answer's ID in %s", reply.Body)
	}
	vote := map[string]any{}
	for k, v := range act {
		vote[k] = v
	}
	vote["id"], vote["text"] = "1750000000102", ""
	vote["value"] = map[string]any{"careersbot": "feedback", "vote": "down", "about": m[1]}
	send(vote)
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := waitReport(t, base, 1)
		if len(r.Feedback) == 1 && r.Feedback[0].Reference == "ST0127" && r.Feedback[0].Down == 1 &&
			len(r.Platforms) == 1 && r.Platforms[0].Key == "teams" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("feedback %+v, platforms %v; want one 👎 on ST0127 from teams", r.Feedback, r.Platforms)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
