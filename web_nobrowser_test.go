package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestServeWebChat checks, with no browser, that serve mounts the web chat
// beside the API: the page at / (and only at /), its assets, the widget,
// and /readyz unaffected. The browser tests are web_browser_test.go's.
func TestServeWebChat(t *testing.T) {
	_, url, _ := startServer(t, serveConfig(t, map[string]string{"CAREERSBOT_MAX_QUESTION_CHARS": "500"}))
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, page := get("/")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(page, `id="chat"`) || !strings.Contains(page, `data-max-chars="500"`) {
		t.Fatalf("GET /: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	for _, path := range []string{"/widget.js", "/static/chat.js", "/static/app.js", "/static/chat.css", "/static/page.css", "/static/icon.svg"} {
		if resp, _ := get(path); resp.StatusCode != 200 || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}
	for _, path := range []string{"/nope", "/index.html", "/static/", "/v1"} {
		if resp, body := get(path); resp.StatusCode != 404 || strings.Contains(body, `id="chat"`) {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}
	if resp, body := get("/readyz"); resp.StatusCode != 200 || strings.Contains(body, "web") {
		t.Errorf("GET /readyz: %d %s", resp.StatusCode, body)
	}
	if resp, _ := get("/healthz"); resp.StatusCode != 200 {
		t.Errorf("GET /healthz: %d", resp.StatusCode)
	}
	if code, body, err := askHTTP(url, "What level is a network engineer?", ""); err != nil || code != 200 {
		t.Errorf("POST /v1/ask beside the web chat: %d %v %s", code, err, body)
	}
}
