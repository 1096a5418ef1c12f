// Package web is the web chat: a page at / and an embeddable widget at
// /widget.js, plain HTML, CSS and JavaScript embedded in the binary (no
// build step, no CDN, no third-party request), asking the same POST
// /v1/ask as any client. It serves files only: the answers, their limits
// and the CORS of /v1/ask for other sites are the HTTP API's.
package web

import (
	"context"

	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/careersbot/careersbot/adapters"
)

//go:embed static
var files embed.FS

// Options configure the web chat.
type Options struct {
	// MaxQuestionChars is the longest question the server accepts, shown
	// beside the question box; 0 means 1000.
	MaxQuestionChars int
	// Facts, when set, says which everyday facts (pay, duration...) the
	// corpus has and for how many standards, for the chat's intro: counted
	// from the corpus, so the page promises nothing the data can't give.
	// It is asked at each page load; "" (the corpus still loading) leaves
	// the intro without it.
	Facts func() string
}

// ContentSecurityPolicy is the page's policy: its own scripts, styles,
// images and requests only; no inline script or style; never framed.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// ReferrerPolicy is sent with every response: links out (to the standards'
// pages) and requests carry no referrer.
const ReferrerPolicy = "no-referrer"

// Patterns are the routes the handler serves, for mounting on a shared mux.
var Patterns = []string{"GET /{$}", "GET /static/{name}", "GET /widget.js"}

// served are the files under /static/, with their content types. The
// widget's sources (widget-main.js, widget.css) are served only inside
// /widget.js.
var served = map[string]string{
	"chat.css": "text/css; charset=utf-8",
	"page.css": "text/css; charset=utf-8",
	"chat.js":  "text/javascript; charset=utf-8",
	"app.js":   "text/javascript; charset=utf-8",
	"icon.svg": "image/svg+xml",
}

// Handler serves the page, its assets and the widget.
type Handler struct {
	mux      *http.ServeMux
	maxChars int
	facts    func() string
	page     string // index.html with its asset URLs and limit filled in
	static   map[string]asset
	// built holds the page and the widget for the facts sentence they
	// were last built with: rebuilt when it changes (a reload).
	built atomic.Pointer[builtAssets]
}

type builtAssets struct {
	facts        string
	page, widget asset
}

type asset struct {
	body    []byte
	ctype   string
	version string // a hash of body, for URLs that name the content
}

func newAsset(body []byte, ctype string) asset {
	sum := sha256.Sum256(body)
	return asset{body: body, ctype: ctype, version: hex.EncodeToString(sum[:6])}
}

func (a asset) etag() string { return `"` + a.version + `"` }

// New returns the web chat's handler.
func New(o Options) *Handler {
	maxChars := o.MaxQuestionChars
	if maxChars <= 0 {
		maxChars = 1000
	}
	h := &Handler{static: map[string]asset{}, mux: http.NewServeMux(), maxChars: maxChars, facts: o.Facts}
	for name, ctype := range served {
		h.static[name] = newAsset(mustRead(name), ctype)
	}
	page := string(mustRead("index.html"))
	// Each asset's URL names its content, so a browser may keep it for good
	// and a new release is fetched at once.
	for name, a := range h.static {
		page = strings.ReplaceAll(page, `"static/`+name+`"`, `"static/`+name+`?v=`+a.version+`"`)
	}
	h.page = strings.ReplaceAll(page, "{{MAX_CHARS}}", strconv.Itoa(maxChars))
	h.assets()

	h.mux.HandleFunc("GET /{$}", h.servePage)
	h.mux.HandleFunc("GET /static/{name}", h.serveStatic)
	h.mux.HandleFunc("GET /widget.js", h.serveWidget)
	return h
}

// assets returns the page and the widget for the current facts sentence,
// building them when it has changed.
func (h *Handler) assets() *builtAssets {
	facts := ""
	if h.facts != nil {
		facts = h.facts()
	}
	if b := h.built.Load(); b != nil && b.facts == facts {
		return b
	}
	b := &builtAssets{
		facts:  facts,
		page:   newAsset([]byte(strings.ReplaceAll(h.page, "{{FACTS}}", html.EscapeString(facts))), "text/html; charset=utf-8"),
		widget: newAsset(widgetBundle(h.maxChars, facts), "text/javascript; charset=utf-8"),
	}
	h.built.Store(b)
	return b
}

// Name is the adapter's name: the web chat.
func (h *Handler) Name() string { return "web" }

// Run has nothing to connect: the page and the widget are served by serve's
// HTTP server. It waits for the end.
func (h *Handler) Run(ctx context.Context) error {
	<-ctx.Done()
	return nil
}

// Shutdown has nothing to wait for: the HTTP server finishes the requests
// in flight.
func (h *Handler) Shutdown(context.Context) error { return nil }

// The serve runtime holds it as an adapters.Adapter.
var _ adapters.Adapter = (*Handler)(nil)

// Routes maps each of Patterns to the handler.
func (h *Handler) Routes() map[string]http.Handler {
	r := make(map[string]http.Handler, len(Patterns))
	for _, p := range Patterns {
		r[p] = h
	}
	return r
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	secure(w.Header())
	h.mux.ServeHTTP(w, r)
}

func mustRead(name string) []byte {
	b, err := files.ReadFile("static/" + name)
	if err != nil {
		panic(fmt.Sprintf("web: embedded file %s: %v", name, err))
	}
	return b
}

// widgetBundle is /widget.js: chat.js and the widget's code in one
// function scope, with the styles the widget adopts into its shadow root.
func widgetBundle(maxChars int, facts string) []byte {
	css, err := json.Marshal(string(mustRead("chat.css")) + "\n" + string(mustRead("widget.css")))
	if err != nil {
		panic(err)
	}
	var b bytes.Buffer
	b.WriteString("/* careersbot widget: <script src=\"https://YOUR-CAREERSBOT/widget.js\" defer></script>\n" +
		"   adds the careersbot chat to a page as a floating panel. */\n")
	b.WriteString("(function () {\n\"use strict\";\n")
	factsJSON, err := json.Marshal(facts)
	if err != nil {
		panic(err)
	}
	fmt.Fprintf(&b, "var CAREERSBOT_CSS = %s;\nvar CAREERSBOT_MAX_CHARS = %d;\nvar CAREERSBOT_FACTS = %s;\n", css, maxChars, factsJSON)
	b.Write(mustRead("chat.js"))
	b.WriteString("\n")
	b.Write(mustRead("widget-main.js"))
	b.WriteString("})();\n")
	return b.Bytes()
}

// secure sets the headers every response carries.
func secure(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", ReferrerPolicy)
}

func (h *Handler) servePage(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", ContentSecurityPolicy)
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	hd.Set("Cache-Control", "no-cache")
	serve(w, r, h.assets().page)
}

func (h *Handler) serveStatic(w http.ResponseWriter, r *http.Request) {
	a, ok := h.static[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	if r.URL.Query().Get("v") == a.version {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "no-cache")
	}
	serve(w, r, a)
}

// serveWidget serves /widget.js to any page that includes it: a script
// tag needs no CORS, and Cross-Origin-Resource-Policy lets pages that
// isolate themselves load it too. Its calls to /v1/ask are what
// CAREERSBOT_ALLOWED_ORIGINS governs.
func (h *Handler) serveWidget(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Cross-Origin-Resource-Policy", "cross-origin")
	hd.Set("Cache-Control", "public, max-age=300")
	serve(w, r, h.assets().widget)
}

// serve writes an asset with its type and ETag; a request that names the
// ETag gets 304.
func serve(w http.ResponseWriter, r *http.Request, a asset) {
	w.Header().Set("Content-Type", a.ctype)
	w.Header().Set("ETag", a.etag())
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}
