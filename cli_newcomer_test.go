package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestNewcomerCLI pins what a new user trips over first: flags after the
// question, chat's greeting and its words to leave, seeds' help, the
// reason index gives for a rebuild and config with a bad value.
func TestNewcomerCLI(t *testing.T) {
	env := defaultEnv(t)

	r := cli(t, env, "", "ask", "What level is the network engineer apprenticeship?", "--json")
	wantCode(t, r, exitOK, "ask ... --json")
	if !strings.HasPrefix(r.stdout, "{") || strings.Contains(r.stdout, `"question":"What level is the network engineer apprenticeship? --json"`) {
		t.Errorf("a flag after the question was not taken as a flag:\n%s", r.stdout)
	}
	r = cli(t, env, "", "ask", "What level is a chef?", "--jsn")
	wantCode(t, r, exitUsage, "ask ... --jsn")
	if r.stdout != "" || !strings.Contains(r.stderr, "-jsn") {
		t.Errorf("a mistyped flag after the question was not refused by name:\n%s", r)
	}
	r = cli(t, env, "", "ask", "--", "what does --json mean")
	wantCode(t, r, exitOK, "ask -- ...")
	if strings.HasPrefix(r.stdout, "{") {
		t.Errorf("a word after -- was taken as a flag:\n%s", r.stdout)
	}

	r = cli(t, env, "help\nquit\nWhat level is a plumber?\n", "chat")
	wantCode(t, r, exitOK, "chat")
	if n := strings.Count(strings.TrimSpace(r.stderr), "\n"); !strings.Contains(r.stderr, `"quit"`) || n != 0 {
		t.Errorf("chat's greeting is not one line naming help and quit:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "Try, for example") || strings.Contains(r.stdout, "plumb") {
		t.Errorf("chat did not answer help, then leave on quit:\n%s", r.stdout)
	}

	r = cli(t, env, "", "seeds", "--help")
	wantCode(t, r, exitOK, "seeds --help")
	if !strings.Contains(r.stdout, "seeds import") || !strings.Contains(r.stdout, "seeds update") {
		t.Errorf("seeds --help:\n%s", r)
	}

	r = cli(t, env, "", "ask", "-h")
	if strings.Contains(r.stderr, "http-addr") {
		t.Errorf("ask -h shows serve's --http-addr:\n%s", r.stderr)
	}

	bad := map[string]string{"CAREERSBOT_DATA_DIR": env["CAREERSBOT_DATA_DIR"], "CAREERSBOT_RATE_PER_MINUTE": "lots", "CAREERSBOT_HTTP_ADDR": "nowhere"}
	r = cli(t, bad, "", "config")
	wantCode(t, r, exitUsage, "config with bad values")
	if !strings.Contains(r.stdout, "CAREERSBOT_DATA_DIR") {
		t.Errorf("config with a bad value printed no table:\n%s", r)
	}
	if !strings.Contains(r.stderr, "CAREERSBOT_RATE_PER_MINUTE") || !strings.Contains(r.stderr, "CAREERSBOT_HTTP_ADDR") || strings.Count(r.stderr, "\n") < 2 {
		t.Errorf("config does not give each problem a line:\n%s", r.stderr)
	}
}

func TestIndexRebuildSaysWhy(t *testing.T) {
	t.Parallel()
	env := seedEnv(t)
	wantCode(t, cli(t, env, "", "index"), exitOK, "index")
	r := cli(t, env, "", "index", "--rebuild")
	wantCode(t, r, exitOK, "index --rebuild")
	if !strings.Contains(r.stdout, "--rebuild asked") {
		t.Errorf("index --rebuild gives another reason:\n%s", r.stdout)
	}
}

func TestHealthcheck(t *testing.T) {
	t.Parallel()
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(healthy.Close)
	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusServiceUnavailable)
	}))
	t.Cleanup(sick.Close)
	dir := t.TempDir()
	for _, tc := range []struct {
		addr string
		code int
	}{
		{strings.TrimPrefix(healthy.URL, "http://"), exitOK},
		{strings.TrimPrefix(sick.URL, "http://"), exitFailure},
		{"127.0.0.1:1", exitFailure},
	} {
		r := cli(t, map[string]string{"CAREERSBOT_DATA_DIR": dir, "CAREERSBOT_HTTP_ADDR": tc.addr}, "", "healthcheck")
		wantCode(t, r, tc.code, "healthcheck "+tc.addr)
	}
}
