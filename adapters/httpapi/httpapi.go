// Package httpapi is the HTTP API adapter: POST /v1/ask answers a question
// as the JSON of docs/interfaces.md section 3; /healthz and /readyz report the
// process's state. It only translates between HTTP and the bot.
package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/careersbot/careersbot/adapters"

	"github.com/careersbot/careersbot/bot"
)

// MaxBodyBytes is the largest request body /v1/ask reads.
const MaxBodyBytes = 64 << 10

// Options configure the API.
type Options struct {
	// Ready reports whether the process is ready, with each check's state
	// (the index, each adapter). Nil means always ready.
	Ready func() (bool, map[string]string)
	// TrustedProxies are the peers whose X-Forwarded-For names the client.
	TrustedProxies []netip.Prefix
	// AllowedOrigins may call /v1/ask from a browser (CORS).
	AllowedOrigins []string
	Logger         *slog.Logger
	LogQuestions   bool
	// HashUser turns a client address into a pseudonym for logs.
	HashUser func(string) string
}

// API serves the HTTP API.
type API struct {
	asker bot.Asker
	opts  Options
	mux   *http.ServeMux
}

// New returns the API over an Asker.
func New(asker bot.Asker, o Options) *API {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.HashUser == nil {
		o.HashUser = bot.UserHasher()
	}
	a := &API{asker: asker, opts: o, mux: http.NewServeMux()}
	a.mux.HandleFunc("/v1/ask", a.cors(a.ask))
	a.mux.HandleFunc("GET /healthz", a.healthz)
	a.mux.HandleFunc("GET /readyz", a.readyz)
	return a
}

// Paths are the routes the API serves, for mounting on a shared mux.
var Paths = []string{"/v1/ask", "/healthz", "/readyz"}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// The serve runtime holds it as an adapters.Adapter.
var _ adapters.Adapter = (*API)(nil)

// Name is the adapter's name: the HTTP API.
func (a *API) Name() string { return "http" }

// Routes mounts the API on each of Paths.
func (a *API) Routes() map[string]http.Handler {
	r := make(map[string]http.Handler, len(Paths))
	for _, p := range Paths {
		r[p] = a
	}
	return r
}

// Run has no connection to keep: serve's HTTP server serves the API. It
// waits for the end.
func (a *API) Run(ctx context.Context) error {
	<-ctx.Done()
	return nil
}

// Shutdown has nothing to wait for: the HTTP server finishes the requests
// in flight.
func (a *API) Shutdown(context.Context) error { return nil }

// askRequest is the body of POST /v1/ask.
type askRequest struct {
	Question   *string `json:"question"`
	Occupation string  `json:"occupation"`
}

// errorBody is every error reply: one sentence for a person, and the
// bot's error code for a program (invalid, too_many, unavailable,
// internal).
type errorBody struct {
	Error string   `json:"error"`
	Code  bot.Code `json:"code"`
}

// codeOf is the error code of an HTTP status this API answers with: what
// the request was refused for, whether the bot or the transport refused it.
func codeOf(status int) bot.Code {
	switch {
	case status == http.StatusTooManyRequests:
		return bot.TooMany
	case status == http.StatusServiceUnavailable:
		return bot.Unavailable
	case status >= 500:
		return bot.Internal
	}
	return bot.Invalid
}

func (a *API) ask(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	client := clientKey(a.clientAddr(r))
	status := http.StatusOK
	var question string
	defer func() {
		attrs := []any{"method", r.Method, "path", r.URL.Path, "status", status,
			"took_ms", float64(time.Since(start).Microseconds()) / 1000, "user", a.opts.HashUser(client)}
		if a.opts.LogQuestions && question != "" {
			attrs = append(attrs, "question", question)
		}
		a.opts.Logger.Info("ask", attrs...)
	}()
	fail := func(code int, msg string) {
		status = code
		writeJSON(w, code, errorBody{Error: msg, Code: codeOf(code)})
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST, OPTIONS")
		fail(http.StatusMethodNotAllowed, "Use POST with a JSON body such as {\"question\": \"Which skills does a network engineer need?\"}.")
		return
	}
	var req askRequest
	// The whole body is read (up to the limit) before it is judged, so an
	// oversized body is 413 whatever it holds, JSON or not.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("The request body is over %d KiB: send a shorter question.", MaxBodyBytes>>10))
			return
		}
		fail(http.StatusBadRequest, "The body could not be read: send it again.")
		return
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		fail(http.StatusBadRequest, "The body is not valid JSON: send {\"question\": \"...\", \"occupation\": \"ST0127\"} (occupation optional).")
		return
	}
	if dec.More() {
		fail(http.StatusBadRequest, "The body holds more than one JSON value: send one object.")
		return
	}
	if req.Question == nil {
		fail(http.StatusBadRequest, "The body has no \"question\": send {\"question\": \"Which skills does a network engineer need?\"}.")
		return
	}
	question = *req.Question
	ans, err := a.asker.Ask(r.Context(), bot.Question{Text: question, User: client, Occupation: req.Occupation, Via: "http"})
	if err != nil {
		code, msg := errorStatus(err), bot.ErrorMessage(err)
		if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", strconv.Itoa(retryAfter(err)))
		}
		if code == http.StatusInternalServerError {
			a.opts.Logger.Error("answering failed", "error", err.Error(), "user", a.opts.HashUser(client))
		}
		if errors.Is(err, context.Canceled) {
			status = 499 // the client went away; nothing to write
			return
		}
		fail(code, msg)
		return
	}
	writeJSON(w, http.StatusOK, ans)
}

// errorStatus maps the bot's errors to HTTP: the one place this transport
// reads them.
func errorStatus(err error) int {
	switch bot.ErrorCode(err) {
	case bot.Invalid:
		return http.StatusBadRequest
	case bot.TooMany:
		return http.StatusTooManyRequests
	case bot.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// retryAfter is the Retry-After header's whole seconds: at least one.
func retryAfter(err error) int {
	return max(1, int(math.Ceil(bot.ErrorRetryAfter(err).Seconds())))
}

func (a *API) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintln(w, "ok")
}

func (a *API) readyz(w http.ResponseWriter, r *http.Request) {
	ready, checks := true, map[string]string{}
	if a.opts.Ready != nil {
		ready, checks = a.opts.Ready()
	}
	code := http.StatusOK
	if !ready {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, struct {
		Ready  bool              `json:"ready"`
		Checks map[string]string `json:"checks"`
	}{ready, checks})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// clientKey is the user an address counts as for the rate limit: an IPv4
// address itself, an IPv6 address its /64, the block one subscriber holds
// (a client that rotates through its /64 is still one client).
func clientKey(ip netip.Addr) string {
	if ip.Is6() && !ip.Is4In6() {
		return netip.PrefixFrom(ip, 64).Masked().String()
	}
	return ip.String()
}

// clientAddr is who is asking, for the rate limit: the peer's address, or,
// when the peer is a trusted proxy, the nearest address in X-Forwarded-For
// that is not one.
func (a *API) clientAddr(r *http.Request) netip.Addr {
	peer := remoteIP(r.RemoteAddr)
	if !a.trusted(peer) {
		return peer
	}
	hops := r.Header.Values("X-Forwarded-For")
	var chain []string
	for _, h := range hops {
		for _, p := range strings.Split(h, ",") {
			if p = strings.TrimSpace(p); p != "" {
				chain = append(chain, p)
			}
		}
	}
	for i := len(chain) - 1; i >= 0; i-- {
		ip, err := netip.ParseAddr(chain[i])
		if err != nil {
			break // a forged or broken entry: trust nothing left of it
		}
		ip = ip.Unmap()
		if !a.trusted(ip) {
			return ip
		}
	}
	return peer
}

func (a *API) trusted(ip netip.Addr) bool {
	for _, p := range a.opts.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func remoteIP(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return ip.Unmap()
}

// cors lets the allowed origins' pages call an endpoint from a browser;
// others get no CORS headers, so browsers refuse them.
func (a *API) cors(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		allowed := origin != "" && a.originAllowed(origin)
		if allowed {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
			h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Content-Type")
			h.Set("Access-Control-Max-Age", "600")
			h.Set("Access-Control-Expose-Headers", "Retry-After")
		}
		if r.Method == http.MethodOptions {
			if !allowed {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next(w, r)
	}
}

func (a *API) originAllowed(origin string) bool {
	for _, o := range a.opts.AllowedOrigins {
		if strings.EqualFold(o, origin) {
			return true
		}
	}
	return false
}
