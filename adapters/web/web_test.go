package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

func get(t *testing.T, h http.Handler, method, target string, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// mounted serves the handler's routes as serve does: on a shared mux.
func mounted() http.Handler {
	mux := http.NewServeMux()
	for p, h := range New(Options{}).Routes() {
		mux.Handle(p, h)
	}
	return mux
}

func TestPageSecurityHeaders(t *testing.T) {
	resp := get(t, mounted(), "GET", "/", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /: %d", resp.StatusCode)
	}
	h := resp.Header
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
		"connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "*", "http:", "https:"} {
		if strings.Contains(csp, bad) {
			t.Errorf("Content-Security-Policy %q allows %q", csp, bad)
		}
	}
	for k, want := range map[string]string{
		"Content-Type":           "text/html; charset=utf-8",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
		"Cache-Control":          "no-cache",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if h.Get("ETag") == "" {
		t.Error("no ETag")
	}
}

func TestContentTypes(t *testing.T) {
	h := mounted()
	for path, want := range map[string]string{
		"/":                "text/html; charset=utf-8",
		"/widget.js":       "text/javascript; charset=utf-8",
		"/static/chat.js":  "text/javascript; charset=utf-8",
		"/static/app.js":   "text/javascript; charset=utf-8",
		"/static/chat.css": "text/css; charset=utf-8",
		"/static/page.css": "text/css; charset=utf-8",
		"/static/icon.svg": "image/svg+xml",
	} {
		resp := get(t, h, "GET", path, nil)
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
			continue
		}
		if got := resp.Header.Get("Content-Type"); got != want {
			t.Errorf("GET %s: Content-Type %q, want %q", path, got, want)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q", path, got)
		}
		if got := resp.Header.Get("Referrer-Policy"); got != ReferrerPolicy {
			t.Errorf("GET %s: Referrer-Policy %q", path, got)
		}
		if resp.Header.Get("Cache-Control") == "" {
			t.Errorf("GET %s: no Cache-Control", path)
		}
	}
}

// TestWidgetHeaders: any page may load the widget with a script tag; the
// widget itself grants no CORS (that is /v1/ask's, for the listed origins).
func TestWidgetHeaders(t *testing.T) {
	resp := get(t, mounted(), "GET", "/widget.js", http.Header{"Origin": {"https://school.example"}})
	if got := resp.Header.Get("Cross-Origin-Resource-Policy"); got != "cross-origin" {
		t.Errorf("Cross-Origin-Resource-Policy %q, want cross-origin", got)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("Access-Control-Allow-Origin %q on widget.js", got)
	}
	js := body(t, resp)
	for _, want := range []string{"CAREERSBOT_CSS", "CAREERSBOT_MAX_CHARS = 1000", "var CareersbotChat", "attachShadow", "adoptedStyleSheets", ".cbw-panel", ".cb-card"} {
		if !strings.Contains(js, want) {
			t.Errorf("widget.js lacks %q", want)
		}
	}
	if !strings.HasPrefix(js, "/*") || !strings.HasSuffix(js, "})();\n") {
		t.Error("widget.js is not one function scope")
	}
}

var attrURL = regexp.MustCompile(`\s(src|href|action|srcset|poster|data)\s*=\s*"([^"]*)"`)

// TestPageReferencesOnlySameOriginAssets: every URL in the page is one of
// the server's own, each answers, and nothing is inline (the CSP allows
// no inline script or style).
func TestPageReferencesOnlySameOriginAssets(t *testing.T) {
	h := mounted()
	page := body(t, get(t, h, "GET", "/", nil))
	base, _ := url.Parse("https://careersbot.example/")
	refs := attrURL.FindAllStringSubmatch(page, -1)
	if len(refs) < 4 {
		t.Fatalf("only %d references in the page", len(refs))
	}
	for _, m := range refs {
		u, err := base.Parse(m[2])
		if err != nil {
			t.Errorf("%s=%q: %v", m[1], m[2], err)
			continue
		}
		if u.Host != base.Host || u.Scheme != base.Scheme {
			t.Errorf("%s=%q leaves the server", m[1], m[2])
			continue
		}
		if u.Fragment != "" && u.Path == "/" {
			continue // an in-page link
		}
		resp := get(t, h, "GET", u.RequestURI(), nil)
		if resp.StatusCode != 200 {
			t.Errorf("%s=%q: GET %s: %d", m[1], m[2], u.RequestURI(), resp.StatusCode)
		}
		if strings.HasPrefix(u.Path, "/static/") {
			if got := resp.Header.Get("Cache-Control"); !strings.Contains(got, "immutable") {
				t.Errorf("%s names its version but is cached as %q", u, got)
			}
		}
	}
	if regexp.MustCompile(`<script(\s[^>]*)?>[^<]+</script>`).MatchString(page) || !strings.Contains(page, `<script src=`) {
		t.Error("the page has inline script")
	}
	for _, bad := range []string{"<style", " style=", " onclick=", " onload=", " onerror=", "javascript:", "//"} {
		if strings.Contains(strings.ReplaceAll(page, "<!doctype html>", ""), bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	if !strings.Contains(page, `data-max-chars="1000"`) {
		t.Error("the page does not carry the question limit")
	}
}

func TestOtherPathsAreNotThePage(t *testing.T) {
	h := mounted()
	page := body(t, get(t, h, "GET", "/", nil))
	for _, path := range []string{"/index.html", "/nope", "/v1", "/static/", "/static/nope.js", "/static/index.html",
		"/static/widget-main.js", "/static/widget.css", "/static/../web.go", "/widget.js/x", "/static/chat.js/x"} {
		resp := get(t, h, "GET", path, nil)
		b := body(t, resp)
		if resp.StatusCode == 200 || b == page || strings.Contains(b, `id="chat"`) {
			t.Errorf("GET %s: %d, the page or a file", path, resp.StatusCode)
		}
	}
	if resp := get(t, h, "POST", "/", nil); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d, want 405", resp.StatusCode)
	}
	if resp := get(t, h, "HEAD", "/", nil); resp.StatusCode != 200 {
		t.Errorf("HEAD /: %d", resp.StatusCode)
	}
}

func TestCaching(t *testing.T) {
	h := New(Options{})
	a := h.static["chat.js"]
	resp := get(t, h, "GET", "/static/chat.js?v="+a.version, nil)
	if got := resp.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
		t.Errorf("versioned asset: Cache-Control %q", got)
	}
	resp = get(t, h, "GET", "/static/chat.js?v=old", nil)
	if got := resp.Header.Get("Cache-Control"); got != "no-cache" {
		t.Errorf("asset of another version: Cache-Control %q", got)
	}
	for _, path := range []string{"/", "/widget.js", "/static/chat.js"} {
		etag := get(t, h, "GET", path, nil).Header.Get("ETag")
		if resp := get(t, h, "GET", path, http.Header{"If-None-Match": {etag}}); resp.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with its ETag: %d, want 304", path, resp.StatusCode)
		}
	}
	if got := get(t, h, "GET", "/widget.js", nil).Header.Get("Cache-Control"); got != "public, max-age=300" {
		t.Errorf("widget.js: Cache-Control %q", got)
	}
}

func TestQuestionLimitShown(t *testing.T) {
	h := New(Options{MaxQuestionChars: 321})
	if page := body(t, get(t, h, "GET", "/", nil)); !strings.Contains(page, `data-max-chars="321"`) {
		t.Error("page lacks the limit")
	}
	if js := body(t, get(t, h, "GET", "/widget.js", nil)); !strings.Contains(js, "CAREERSBOT_MAX_CHARS = 321;") {
		t.Error("widget lacks the limit")
	}
}

// TestFactsInIntro: the intro states the facts sentence it is given,
// escaped, and follows it when it changes (a reload); with none (the corpus
// still loading) the page promises nothing about facts.
func TestFactsInIntro(t *testing.T) {
	var facts atomic.Value
	facts.Store("")
	h := New(Options{Facts: func() string { return facts.Load().(string) }})
	page := body(t, get(t, h, "GET", "/", nil))
	if !strings.Contains(page, `data-facts=""`) || strings.Contains(page, "{{FACTS}}") {
		t.Errorf("page before the corpus loads: %s", page)
	}
	etag := get(t, h, "GET", "/", nil).Header.Get("ETag")
	facts.Store(`Pay for 644 of 839 standards ("ONS ASHE 2024").`)
	page = body(t, get(t, h, "GET", "/", nil))
	if !strings.Contains(page, `data-facts="Pay for 644 of 839 standards (&#34;ONS ASHE 2024&#34;)."`) {
		t.Errorf("page lacks the escaped facts sentence: %s", page)
	}
	if got := get(t, h, "GET", "/", nil).Header.Get("ETag"); got == etag {
		t.Error("the page's ETag did not change with its facts")
	}
	if js := body(t, get(t, h, "GET", "/widget.js", nil)); !strings.Contains(js, `var CAREERSBOT_FACTS = "Pay for 644 of 839 standards (\"ONS ASHE 2024\").";`) {
		t.Error("widget lacks the facts sentence")
	}
	for _, name := range []string{"chat.js", "index.html"} {
		if src := strings.ToLower(string(mustRead(name))); strings.Contains(src, "salary") {
			t.Errorf("%s promises a salary for every standard", name)
		}
	}
}

// TestScriptsInsertTextOnly: the scripts never parse text as HTML, never
// evaluate strings, never set inline styles (the page's CSP forbids them)
// and request nothing but /v1/ask.
func TestScriptsInsertTextOnly(t *testing.T) {
	for _, name := range []string{"chat.js", "app.js", "widget-main.js"} {
		src := string(mustRead(name))
		for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
			"Function(", "setAttribute(\"style\"", "setAttribute('style'", ".style.", "createContextualFragment",
			"DOMParser", "srcdoc", "import(", "XMLHttpRequest", "sendBeacon", "localStorage", "sessionStorage", "document.cookie"} {
			if strings.Contains(src, bad) {
				t.Errorf("%s uses %s", name, bad)
			}
		}
		if n := strings.Count(src, "fetch("); n > 1 || (n == 1 && name != "chat.js") {
			t.Errorf("%s fetches %d times", name, n)
		}
	}
}

// TestScriptsParse checks every script's syntax, the widget bundle's too,
// with Node.js when it is installed.
func TestScriptsParse(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node to check the scripts' syntax")
	}
	dir := t.TempDir()
	h := New(Options{})
	scripts := map[string]string{"widget.js": body(t, get(t, h, "GET", "/widget.js", nil))}
	for _, name := range []string{"chat.js", "app.js"} {
		scripts[name] = string(mustRead(name))
	}
	for name, src := range scripts {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(node, "--check", p).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", name, err, out)
		}
	}
}
