//go:build browser

// The insights page in headless Chromium (see web_browser_test.go):
//
//	go test -race -count=1 -tags browser -run BrowserInsights .
//
// -update-screenshot writes docs/screenshot-insights.png.
package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/careersbot/careersbot/internal/insights"
)

// pageFigures is what the page shows, read in the browser.
type pageFigures struct {
	Figures     map[string]int `json:"figures"`
	Days        []dayMark      `json:"days"`
	Outcomes    map[string]int `json:"outcomes"`
	Occupations map[string]int `json:"occupations"`
	Terms       map[string]int `json:"terms"`
	Routes      map[string]int `json:"routes"`
	// Drawn counts the marks with a box of some size; Marks all of them.
	Drawn, Marks int
	Charts       int  `json:"charts"`
	CookieSeen   bool `json:"cookieSeen"`
}

type dayMark struct {
	Day   string `json:"day"`
	Value int    `json:"value"`
	Sum   int    `json:"sum"` // of its outcome segments
}

const readPageJS = `(() => {
  const rows = name => Object.fromEntries([...document.querySelectorAll('svg[data-chart="' + name + '"] g.row')]
    .map(g => [g.dataset.key, +g.dataset.value]));
  const marks = [...document.querySelectorAll('svg.chart rect.bar')];
  return {
    figures: Object.fromEntries([...document.querySelectorAll('[data-figure]')].map(e => [e.dataset.figure, parseInt(e.textContent, 10)])),
    days: [...document.querySelectorAll('svg[data-chart="questions per day"] g.day')].map(g => ({
      day: g.dataset.day, value: +g.dataset.value,
      sum: [...g.querySelectorAll('rect.bar')].reduce((s, r) => s + +r.dataset.value, 0)})),
    outcomes: rows('outcomes'), occupations: rows('top occupations'), terms: rows('top unanswered terms'), routes: rows('top routes'),
    Drawn: marks.filter(r => { const b = r.getBBox(); return b.width > 0 && b.height > 0; }).length,
    Marks: marks.length,
    charts: document.querySelectorAll('svg.chart').length,
    cookieSeen: document.cookie.includes('careersbot_insights')
  };
})()`

func TestBrowserInsights(t *testing.T) {
	url, _ := browserServer(t, map[string]string{"CAREERSBOT_ADMIN_TOKEN": insightsToken})
	for _, q := range []string{
		"Which skills does a network engineer need?", "Which skills does a commis chef need?",
		"Is wireless networking part of the network engineer role?", "How do I become an astronaut?",
		"Which apprenticeships involve underwater basket weaving?", "I want to kill myself", "help",
	} {
		if code, body, err := askHTTP(url, q, ""); err != nil || code != http.StatusOK {
			t.Fatalf("%q: %d %v %s", q, code, err, body)
		}
	}
	waitReport(t, url, 7)

	c := newChrome(t)
	c.do(chromedp.EmulateViewport(1024, 900), chromedp.Navigate(url+"/insights"))
	c.wait(`document.getElementById('token') !== null`, 10*time.Second)

	t.Run("nothing without the token", func(t *testing.T) {
		c.t = t
		if n := eval[int](c, `document.querySelectorAll('[data-figure], svg').length`); n != 0 {
			t.Errorf("the login form shows %d figures or charts", n)
		}
		for _, p := range []string{"/insights/api.json", "/insights/report.csv?since=7d"} {
			if got := evalAwait[int](c, fetchJS(p)); got != http.StatusUnauthorized {
				t.Errorf("%s without the token: %d", p, got)
			}
		}
		// A wrong token: the form again, saying so.
		c.do(chromedp.SendKeys(chromedp.CSS("#token"), "not-the-admin-token-0123"), chromedp.KeyEvent(kb.Enter))
		c.waitAcross(`document.getElementById('login-error') !== null`, 10*time.Second)
		if n := eval[int](c, `document.querySelectorAll('[data-figure]').length`); n != 0 {
			t.Error("a wrong token shows figures")
		}
	})

	var api insights.Report
	t.Run("charts match the API", func(t *testing.T) {
		c.t = t
		c.do(chromedp.SendKeys(chromedp.CSS("#token"), insightsToken), chromedp.KeyEvent(kb.Enter))
		c.waitAcross(`document.querySelector('[data-figure="questions"]') !== null`, 10*time.Second)
		raw := evalAwait[string](c, `fetch('/insights/api.json', {credentials: 'same-origin'}).then(r => r.text())`)
		if err := json.Unmarshal([]byte(raw), &api); err != nil {
			t.Fatalf("api.json in the browser: %v: %s", err, raw)
		}
		p := eval[pageFigures](c, readPageJS)
		if p.CookieSeen {
			t.Error("the session cookie is readable from script: it must be HttpOnly")
		}
		if p.Charts < 5 || p.Marks == 0 || p.Drawn != p.Marks {
			t.Errorf("%d charts, %d of %d bars drawn with a size", p.Charts, p.Drawn, p.Marks)
		}
		if p.Figures["questions"] != api.Questions || api.Questions != 7 {
			t.Errorf("questions: page %d, API %d, want 7", p.Figures["questions"], api.Questions)
		}
		for _, o := range api.Outcomes {
			if p.Figures[string(o.Outcome)] != o.Count || p.Outcomes[string(o.Outcome)] != o.Count {
				t.Errorf("%s: page figure %d, chart %d, API %d", o.Outcome, p.Figures[string(o.Outcome)], p.Outcomes[string(o.Outcome)], o.Count)
			}
		}
		if len(p.Days) != len(api.Days) {
			t.Fatalf("%d day columns, the API has %d days", len(p.Days), len(api.Days))
		}
		for i, d := range api.Days {
			if p.Days[i].Day != d.Day || p.Days[i].Value != d.Questions || p.Days[i].Sum != d.Questions {
				t.Errorf("day %s: column %+v, API %d", d.Day, p.Days[i], d.Questions)
			}
		}
		for _, oc := range api.Occupations {
			if p.Occupations[oc.Reference] != oc.Questions {
				t.Errorf("%s: chart %d, API %d", oc.Reference, p.Occupations[oc.Reference], oc.Questions)
			}
		}
		if len(p.Occupations) != len(api.Occupations) || p.Occupations["ST0127"] != 2 || p.Occupations["ST0228"] != 1 {
			t.Errorf("occupations on the page %v, API %+v", p.Occupations, api.Occupations)
		}
		for _, tm := range api.UnansweredTerms {
			if p.Terms[tm.Key] != tm.Count {
				t.Errorf("term %s: chart %d, API %d", tm.Key, p.Terms[tm.Key], tm.Count)
			}
		}
		if p.Terms["astronaut"] != 1 || p.Terms["underwater"] != 1 {
			t.Errorf("unanswered terms on the page: %v", p.Terms)
		}
		for _, r := range api.Routes {
			if p.Routes[r.Key] != r.Count {
				t.Errorf("route %s: chart %d, API %d", r.Key, p.Routes[r.Key], r.Count)
			}
		}
		c.checkContrast("document")
		c.checkFits(1024, "document")
		c.screenshot("screenshot-insights.png")
	})

	t.Run("period and downloads", func(t *testing.T) {
		c.t = t
		c.do(chromedp.SetValue(chromedp.CSS("#since"), "30d"), chromedp.Submit(chromedp.CSS("#since")))
		c.waitAcross(`location.search === '?since=30d' && document.querySelector('[data-figure="questions"]') !== null`, 10*time.Second)
		if n := eval[int](c, `document.querySelectorAll('svg[data-chart="questions per day"] g.day').length`); n < 30 || n > 31 {
			t.Errorf("%d day columns for 30 days", n)
		}
		csv := evalAwait[string](c, `fetch(document.querySelector('a[href*="report.csv"]').href, {credentials: 'same-origin'}).then(r => r.text())`)
		if !strings.HasPrefix(csv, "section,key,label,value\n") || !strings.Contains(csv, "questions,total,,7\n") {
			t.Errorf("the CSV link: %.200s", csv)
		}
		// At a phone's width too.
		c.do(chromedp.EmulateViewport(390, 844))
		c.checkFits(390, "document")
		c.do(chromedp.EmulateViewport(1024, 900))
	})

	t.Run("log out", func(t *testing.T) {
		c.t = t
		c.do(chromedp.Click(chromedp.CSS(".logout button")))
		c.waitAcross(`document.getElementById('token') !== null`, 10*time.Second)
		if got := evalAwait[int](c, fetchJS("/insights/api.json")); got != http.StatusUnauthorized {
			t.Errorf("api.json after logging out: %d", got)
		}
	})

	c.t = t
	// The only errors allowed are the 401s the test asked for.
	c.mu.Lock()
	c.problems = slices.DeleteFunc(c.problems, func(p string) bool {
		return strings.Contains(p, "401") && (strings.Contains(p, "/insights/api.json") || strings.Contains(p, "/insights/report.csv"))
	})
	c.mu.Unlock()
	c.clean(url)
}

func fetchJS(path string) string {
	return `fetch(` + jsString(path) + `, {credentials: 'same-origin'}).then(r => r.status)`
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// evalAwait evaluates a promise and waits for its value.
func evalAwait[T any](c *chrome, js string) T {
	c.t.Helper()
	v, err := chromedp.Run(c.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		c.t.Fatalf("%v\nin: %s", err, js)
	}
	return v
}

// waitAcross polls a JavaScript expression until it is true, through the
// navigation a form's submission starts (when the page's context changes
// under the poll).
func (c *chrome) waitAcross(js string, timeout time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(c.ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatalf("waiting for %s: %v", js, last)
}
