package insights

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

const testToken = "insights-test-token-0123456789"

const testCSP = "default-src 'self'; script-src 'self'"

// pageServer serves the page over the sample events, its clock at the end
// of the sample period.
func pageServer(t *testing.T, now *time.Time) (*httptest.Server, *DB) {
	t.Helper()
	db := openStore(t, Options{DataDir: t.TempDir()})
	if err := db.Add(t.Context(), sampleEvents()); err != nil {
		t.Fatal(err)
	}
	if err := db.AddFeedback(t.Context(), sampleFeedback()); err != nil {
		t.Fatal(err)
	}
	p := NewPage(PageOptions{Token: testToken, CSP: testCSP, Reporter: func() (Reporter, error) { return db, nil },
		Now: func() time.Time { return *now }})
	mux := http.NewServeMux()
	for pattern, h := range p.Routes() {
		mux.Handle(pattern, h)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, db
}

func get(t *testing.T, c *http.Client, u string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func noRedirects() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// The page holds nothing without the token: a login form, and 401 from
// its API and CSV, whatever the credentials that are not the token.
func TestPageNeedsTheToken(t *testing.T) {
	now := period.To
	srv, _ := pageServer(t, &now)
	c := noRedirects()
	resp, body := get(t, c, srv.URL+"/insights?since=3d")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="login"`) || strings.Contains(body, "data-figure") {
		t.Fatalf("GET /insights without the token: %d\n%s", resp.StatusCode, body)
	}
	if strings.Contains(body, "Network engineer") || strings.Contains(body, "quantum") {
		t.Error("the login form shows figures")
	}
	for _, path := range []string{"/insights/api.json", "/insights/report.csv"} {
		for _, h := range [][]string{nil, {"Authorization", "Bearer wrong-token-0123456789"}, {"Authorization", "Basic " + testToken},
			{"Cookie", cookieName + "=" + testToken}, {"Cookie", cookieName + "=1.abc"}} {
			resp, body := get(t, c, srv.URL+path, h...)
			if resp.StatusCode != http.StatusUnauthorized || strings.Contains(body, "ST0127") {
				t.Errorf("GET %s with %q: %d %s", path, h, resp.StatusCode, body)
			}
		}
	}
	for name, want := range map[string]string{"Content-Security-Policy": testCSP, "X-Frame-Options": "DENY",
		"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

func TestPageBearer(t *testing.T) {
	now := period.To
	srv, db := pageServer(t, &now)
	resp, body := get(t, http.DefaultClient, srv.URL+"/insights/api.json?since=3d", "Authorization", "Bearer "+testToken)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("api.json with the token: %d %s", resp.StatusCode, body)
	}
	var got Report
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	checkSampleReport(t, &got)
	want, err := db.Report(t.Context(), period)
	if err != nil {
		t.Fatal(err)
	}
	if got.Questions != want.Questions || !got.From.Equal(want.From) {
		t.Errorf("api.json differs from the report: %+v", got)
	}
	resp, body = get(t, http.DefaultClient, srv.URL+"/insights/report.csv?since=3d", "Authorization", "Bearer "+testToken)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "outcome,not_covered,not covered,3\n") ||
		!strings.Contains(body, "occupation_outcome,ST0127,answered,2\n") || !strings.Contains(body, "unanswered_term,quantum,,2\n") {
		t.Errorf("report.csv: %d\n%s", resp.StatusCode, body)
	}
	for q, code := range map[string]int{"since=3x": 400, "since=0d": 400, "top=0": 400, "top=5": 200} {
		resp, body := get(t, http.DefaultClient, srv.URL+"/insights/api.json?"+q, "Authorization", "Bearer "+testToken)
		if resp.StatusCode != code {
			t.Errorf("api.json?%s: %d %s, want %d", q, resp.StatusCode, body, code)
		}
	}
}

var reFigure = regexp.MustCompile(`data-figure="([a-z_-]+)">([0-9]+)<`)

func TestPageLogin(t *testing.T) {
	now := period.To
	srv, _ := pageServer(t, &now)
	c := noRedirects()
	// A wrong token: the form again, saying so, and no cookie.
	resp, err := c.PostForm(srv.URL+"/insights/login", url.Values{"token": {"not-the-token-0123456789"}, "since": {"3d"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `id="login-error"`) || len(resp.Cookies()) != 0 {
		t.Fatalf("wrong token: %d %v\n%s", resp.StatusCode, resp.Cookies(), b)
	}
	// The token: a session cookie, HttpOnly and SameSite=Strict, holding
	// no token, and back to the page.
	resp, err = c.PostForm(srv.URL+"/insights/login", url.Values{"token": {testToken}, "since": {"3d"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/insights?since=3d" {
		t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	cookies := resp.Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies: %v", cookies)
	}
	ck := cookies[0]
	if ck.Name != cookieName || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/insights" ||
		ck.MaxAge != 0 || !ck.Expires.IsZero() || strings.Contains(ck.Value, testToken) {
		t.Errorf("the session cookie: %+v", ck)
	}
	resp, body := get(t, c, srv.URL+"/insights?since=3d")
	if resp.StatusCode != http.StatusOK || strings.Contains(body, `id="login"`) {
		t.Fatalf("the page after login: %d\n%s", resp.StatusCode, body)
	}
	figures := map[string]int{}
	for _, m := range reFigure.FindAllStringSubmatch(body, -1) {
		figures[m[1]], _ = strconv.Atoi(m[2])
	}
	want := map[string]int{"questions": 7, "answered": 2, "partial": 1, "not_covered": 3, "distress": 1, "help": 0, "error": 0}
	for k, v := range want {
		if figures[k] != v {
			t.Errorf("figure %s = %d, want %d (%v)", k, figures[k], v, figures)
		}
	}
	for _, s := range []string{`data-chart="questions per day"`, `data-day="2026-03-03" data-value="4"`, `data-chart="outcomes"`,
		`data-key="ST0127" data-value="4"`, `data-key="quantum" data-value="2"`, `<svg`, `Commis chef (ST0228)`} {
		if !strings.Contains(body, s) {
			t.Errorf("the page lacks %s", s)
		}
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "style=") {
		t.Error("the page has a script or an inline style: the policy forbids both")
	}
	// The session ends after sessionFor, and at logout.
	later := now.Add(sessionFor + time.Minute)
	now = later
	if _, body := get(t, c, srv.URL+"/insights"); !strings.Contains(body, `id="login"`) {
		t.Error("a session older than sessionFor still opens the page")
	}
	now = period.To
	resp, err = c.PostForm(srv.URL+"/insights/logout", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, body := get(t, c, srv.URL+"/insights"); !strings.Contains(body, `id="login"`) {
		t.Error("logged out, the page still opens")
	}
}

func TestPageWithoutStore(t *testing.T) {
	p := NewPage(PageOptions{Token: testToken, CSP: testCSP, Reporter: func() (Reporter, error) { return nil, ErrNoStore }})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/insights/api.json", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	p.Routes()["GET /insights/api.json"].ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "not open yet") {
		t.Errorf("no store: %d %s", rec.Code, rec.Body)
	}
}

func TestParseSince(t *testing.T) {
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "36h": 36 * time.Hour, " 1d ": 24 * time.Hour} {
		if got, err := ParseSince(in); err != nil || got != want {
			t.Errorf("ParseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "0d", "-1d", "7", "seven days", "-3h", "99999d"} {
		if _, err := ParseSince(in); err == nil {
			t.Errorf("ParseSince(%q) accepted", in)
		}
	}
}
