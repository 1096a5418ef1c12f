package main

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/careersbot/careersbot/adapters/httpapi"
	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/config"
	"github.com/careersbot/careersbot/internal/httpauth"
	"github.com/careersbot/careersbot/internal/safeguard"
	"github.com/careersbot/careersbot/llm"
	"github.com/careersbot/careersbot/metrics"
	"github.com/careersbot/careersbot/retrieval"
)

// Adapter is what serve runs for one platform. An adapter mounts its HTTP
// routes on the one serve mux (HTTP modes) and keeps its connection in Run
// (Socket Mode, the gateway; in HTTP modes Run checks the platform's API at
// start and waits). Run returns an error to be retried with backoff; it
// reports its state through the onState func it was built with.
type Adapter interface {
	Name() string
	Routes() map[string]http.Handler
	Run(ctx context.Context) error
	// Shutdown waits for the answers the adapter acknowledged and is still
	// working on, until ctx ends.
	Shutdown(ctx context.Context) error
}

// deps is what serve hands every adapter's constructor.
type deps struct {
	cfg      *config.Config
	asker    bot.Asker
	log      *slog.Logger
	metrics  *metrics.Metrics
	hashUser func(string) string
	memory   bot.Conversations
	bot      func() *bot.Bot // the bot, once the index is loaded
	onState  func(adapter string) func(connected bool, detail string)
	// feedback records a vote on an answer, for insights.
	feedback func(bot.Feedback)
	insights *insightsService
	stores   *stores // the state between messages: memory or PostgreSQL
}

// onReply counts how an adapter's questions ended.
func (d deps) onReply(adapter string) func(result string) {
	return func(result string) { d.metrics.Replies.WithLabelValues(adapter, result).Inc() }
}

// onReplay counts what an adapter took before and did not answer again.
func (d deps) onReplay(adapter string) func() {
	return d.metrics.Replays.WithLabelValues(adapter).Inc
}

// adapterConstructors builds each configured adapter: adding a platform is
// one constructor and one line here. A constructor returns nil when its
// platform is not configured.
var adapterConstructors = []func(d deps) (Adapter, error){
	// one line per platform
	newDiscordAdapter,
	newSlackAdapter,
	newTeamsAdapter,
	newWebAdapter,
	// Last: its Shutdown writes the events of the answers the others
	// finished in theirs.
	insightsAdapter,
	storesAdapter, // the shared state's probe; its Shutdown closes the pool
}

// shutdownGrace bounds how long answers in flight may take to finish after
// SIGINT or SIGTERM: longer than the LLM timeout.
const shutdownGrace = 20 * time.Second

// server is the serve runtime: the index loaded once and shared, the guard
// every adapter asks through, the HTTP server and the adapters.
type server struct {
	cfg      *config.Config
	log      *slog.Logger
	metrics  *metrics.Metrics
	ready    *readiness
	asker    *lazyAsker
	hashUser func(string) string
	memory   conversations
	mux      *http.ServeMux
	adapters []Adapter
	// alerts tells the safeguarding lead of distress; nil when off.
	alerts *safeguard.Sender
	// llm is the model server's one client, its circuits shared by every
	// answer and kept across reloads; nil when no model is configured.
	llm *llm.Client

	botMu sync.Mutex
	bot   *bot.Bot

	// reloadMu makes reloads one at a time; hup delivers SIGHUP; reloads
	// counts them, done or failed.
	reloadMu sync.Mutex
	hup      <-chan os.Signal
	reloads  atomic.Int64
}

func newServer(cfg *config.Config, log *slog.Logger) (*server, error) {
	st, err := newStores(cfg, log)
	if err != nil {
		return nil, err
	}
	s := &server{
		cfg:      cfg,
		log:      log,
		metrics:  metrics.New(),
		asker:    &lazyAsker{},
		hashUser: bot.UserHasher(),
		memory:   st.memory,
		mux:      http.NewServeMux(),
	}
	s.ready = newReadiness(s.metrics)
	s.ready.set("index", false, "loading")
	s.metrics.WatchStore("memory", s.memory.Len, s.memory.Evicted)
	s.llm = llmClient(cfg, s.circuitChanged)
	for _, op := range s.circuitOps() {
		s.metrics.WatchCircuit(op, func() string { return s.llm.Circuit(op) }, func() int64 { return s.llm.Rejected(op) })
		s.ready.watch("llm_"+op, func() (bool, string) { return s.circuitState(op) })
	}
	if cfg.SafeguardingAlert != "" {
		a, err := newAlerts(cfg, log, s.metrics)
		if err != nil {
			return nil, err
		}
		s.alerts = a
	}

	ins := newInsights(cfg, log, s.metrics, s.hashUser, s.currentBot)
	guard := bot.NewGuard(s.asker, bot.GuardOptions{
		MaxQuestionChars: cfg.MaxQuestionChars,
		PerMinute:        cfg.RatePerMinute,
		MaxConcurrent:    cfg.MaxConcurrent,
		MaxUsers:         cfg.RateUsersMax,
		Metrics: bot.Metrics{ObserveAnswer: func(via string, o bot.Outcome, took time.Duration) {
			s.metrics.ObserveAnswer(via, string(o), took)
		}},
		OnAnswer:   ins.onAnswer(),
		Allowances: st.allowances(),
	})
	s.metrics.WatchStore("rate_users", guard.Users, guard.UsersEvicted)
	api := httpapi.New(guard, httpapi.Options{
		Ready:          s.ready.state,
		TrustedProxies: cfg.TrustedProxies,
		AllowedOrigins: cfg.AllowedOrigins,
		Logger:         log,
		LogQuestions:   cfg.LogQuestions,
		HashUser:       s.hashUser,
	})
	for _, p := range httpapi.Paths {
		s.mux.Handle(p, api)
	}
	s.mux.Handle("GET /metrics", s.metrics.Handler())
	if cfg.AdminToken != "" {
		s.mux.HandleFunc("POST /admin/reload", s.adminReload)
	}

	d := deps{cfg: cfg, asker: guard, log: log, metrics: s.metrics, hashUser: s.hashUser, memory: s.memory,
		bot: s.currentBot, onState: func(name string) func(bool, string) {
			s.ready.set(name, false, "starting")
			return func(ok bool, detail string) { s.ready.set(name, ok, detail) }
		}, feedback: ins.feedback, insights: ins, stores: st}
	for _, construct := range adapterConstructors {
		a, err := construct(d)
		if err != nil {
			return nil, err
		}
		if a == nil {
			continue
		}
		for path, h := range a.Routes() {
			s.mux.Handle(path, h)
		}
		s.adapters = append(s.adapters, a)
	}
	return s, nil
}

// circuitOps are the model server's operations in use: chat for generated
// answers, embed for remote embeddings.
func (s *server) circuitOps() []string {
	var ops []string
	if s.llm == nil {
		return nil
	}
	if s.cfg.LLMModel != "" {
		ops = append(ops, llm.OpChat)
	}
	if s.cfg.EmbedModel != "" {
		ops = append(ops, llm.OpEmbed)
	}
	return ops
}

// circuitChanged counts and logs a circuit's change. It runs under the
// circuit's lock: it must not call the client.
func (s *server) circuitChanged(op, from, to string) {
	s.metrics.LLMCircuitChanges.WithLabelValues(op, to).Inc()
	switch to {
	case llm.StateOpen:
		s.log.Warn("model server circuit open: failing fast", "op", op, "from", from, "cooldown", s.cfg.BreakerCooldown.String())
	case llm.StateClosed:
		s.log.Info("model server circuit closed", "op", op, "from", from)
	}
}

// circuitState is a circuit's check for /readyz: degraded while it is not
// closed (the process still answers, extractively, and stays ready).
func (s *server) circuitState(op string) (degraded bool, detail string) {
	what := map[string]string{llm.OpChat: "answers are extractive", llm.OpEmbed: "questions are ranked lexically"}[op]
	switch s.llm.Circuit(op) {
	case llm.StateOpen:
		return true, fmt.Sprintf("circuit open: the model server failed; %s until a probe succeeds (one is let through every %s)", what, short(s.cfg.BreakerCooldown))
	case llm.StateHalfOpen:
		return true, "circuit half-open: the next call is a probe; " + what + " meanwhile"
	}
	return false, "circuit closed"
}

// short prints a duration without its zero parts: 30s, 1m, 1h.
func short(d time.Duration) string {
	out := d.String()
	if strings.HasSuffix(out, "m0s") {
		out = strings.TrimSuffix(out, "0s")
	}
	if strings.HasSuffix(out, "h0m") {
		out = strings.TrimSuffix(out, "0m")
	}
	return out
}

func (s *server) currentBot() *bot.Bot {
	s.botMu.Lock()
	defer s.botMu.Unlock()
	return s.bot
}

// loadIndex opens the index and makes the bot answer from it.
func (s *server) loadIndex(ctx context.Context) error {
	ix, err := openIndex(ctx, s.cfg, s.log, s.openOptions())
	if err != nil {
		s.ready.set("index", false, err.Error())
		return err
	}
	var onDistress func(context.Context, bot.Question, bot.Safeguarding)
	if s.alerts != nil {
		onDistress = s.alerts.Notify
	}
	b := newBotWith(ix, s.cfg, onDistress, bot.Metrics{
		ObserveRetrieval: func(d time.Duration) { s.metrics.RetrievalSeconds.Observe(d.Seconds()) },
		CountDistress: func(sg bot.Safeguarding) {
			s.metrics.Distress.WithLabelValues(string(sg.Kind), strconv.FormatBool(sg.Now)).Inc()
		},
		CountStripped: func(n int) { s.metrics.CitationsStripped.Add(float64(n)) },
		CountFallback: func(reason string) { s.metrics.LLMFallbacks.WithLabelValues(reason).Inc() },
	}, s.llm)
	s.botMu.Lock()
	s.bot = b
	s.botMu.Unlock()
	s.asker.set(b)
	s.setIndexGauges(ix)
	st := ix.Stats()
	if st.Rebuilt {
		// A build's working memory (the embedding pipeline's copies of
		// every passage) is garbage now: give it back to the system once,
		// so a server that built its index runs as small as one that
		// loaded it.
		debug.FreeOSMemory()
	}
	s.log.Info("index ready", "occupations", st.Occupations, "passages", st.Passages, "file", st.File,
		"loaded_ms", st.LoadTime.Milliseconds(), "built_ms", st.BuildTime.Milliseconds())
	s.ready.set("index", true, fmt.Sprintf("%d occupations, %d passages", st.Occupations, st.Passages))
	// Building an index leaves hundreds of MB of garbage the runtime
	// would keep for minutes: the process settles at its working size now.
	debug.FreeOSMemory()
	return nil
}

// openOptions are serve's: the shared model client, the fallback counted
// (and logged unless the circuit is open, which is logged once), and an
// index that cannot be saved served from memory.
func (s *server) openOptions() openOptions {
	return openOptions{llm: s.llm, keepUnsaved: true, onQueryFallback: func(err error) {
		s.metrics.LLMFallbacks.WithLabelValues("query_embedding").Inc()
		if !errors.Is(err, llm.ErrCircuitOpen) {
			s.log.Warn("the question's remote embedding failed; ranking lexically", "error", err.Error())
		}
	}}
}

func (s *server) setIndexGauges(ix *retrieval.Index) {
	st := ix.Stats()
	s.metrics.Passages.Set(float64(st.Passages))
	s.metrics.Occupations.Set(float64(st.Occupations))
}

// reload re-reads the corpus and the data dir's catalogue, builds the index
// beside the live one, and swaps it in: questions in flight finish on the
// index they started with, and none is dropped.
func (s *server) reload(ctx context.Context) (retrieval.Stats, error) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	defer s.reloads.Add(1)
	b := s.currentBot()
	if b == nil {
		return retrieval.Stats{}, bot.ErrNotReady
	}
	start := time.Now()
	ix, err := openIndex(ctx, s.cfg, s.log, s.openOptions())
	if err != nil {
		s.metrics.Reloads.WithLabelValues("error").Inc()
		s.log.Error("reload failed; the live index stays", "error", err.Error())
		return retrieval.Stats{}, err
	}
	b.Swap(ix)
	s.setIndexGauges(ix)
	s.metrics.Reloads.WithLabelValues("ok").Inc()
	st := ix.Stats()
	s.log.Info("reloaded", "occupations", st.Occupations, "passages", st.Passages, "rebuilt", st.Rebuilt,
		"took_ms", time.Since(start).Milliseconds())
	debug.FreeOSMemory()
	s.ready.set("index", true, fmt.Sprintf("%d occupations, %d passages", st.Occupations, st.Passages))
	return st, nil
}

// adminReload is POST /admin/reload: the same reload as SIGHUP, for the
// holder of CAREERSBOT_ADMIN_TOKEN.
func (s *server) adminReload(w http.ResponseWriter, r *http.Request) {
	token, ok := httpauth.BearerToken(r.Header.Get("Authorization"))
	if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.AdminToken.Reveal())) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="careersbot admin"`)
		writeJSONError(w, http.StatusUnauthorized, "send Authorization: Bearer <CAREERSBOT_ADMIN_TOKEN>")
		return
	}
	st, err := s.reload(r.Context())
	if err != nil {
		writeJSONError(w, http.StatusInternalServerError, "reload failed, the live index stays: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "occupations": st.Occupations, "passages": st.Passages, "rebuilt": st.Rebuilt})
}

func writeJSONError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// httpServer is the one HTTP server, with timeouts so that a slow client
// cannot hold a connection.
func (s *server) httpServer() *http.Server {
	return &http.Server{
		Handler:           s.mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      s.cfg.LLMTimeout + 15*time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          log.New(addrRedactor{next: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn).Writer(), hash: s.hashUser}, "", 0),
	}
}

// reAddr is a client address as net/http writes it in its own log lines
// ("http: panic serving 203.0.113.7:51234", "TLS handshake error from
// [2001:db8::1]:443"): IPv4, or IPv6 in brackets, with a port.
var reAddr = regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b|\[[0-9A-Fa-f:.]+(?:%[^\]]*)?\](?::\d+)?`)

// addrRedactor writes net/http's log lines with each client address as its
// pseudonym: no raw address reaches the logs.
type addrRedactor struct {
	next io.Writer
	hash func(string) string
}

func (a addrRedactor) Write(p []byte) (int, error) {
	line := reAddr.ReplaceAllStringFunc(string(p), func(m string) string {
		host := m
		if h, _, err := net.SplitHostPort(m); err == nil {
			host = h
		}
		return "client " + a.hash(strings.Trim(host, "[]"))
	})
	if _, err := a.next.Write([]byte(line)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// run serves until ctx ends, then shuts down gracefully: no new work, the
// answers in flight finish (at most shutdownGrace), adapters stop.
func (s *server) run(ctx context.Context, ln net.Listener) error {
	srv := s.httpServer()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http server: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		if err := s.loadIndex(gctx); err != nil {
			if gctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("load the index: %w", err)
		}
		return nil
	})
	for _, a := range s.adapters {
		g.Go(func() error {
			supervise(gctx, s.log, s.metrics, a)
			return nil
		})
	}
	if s.hup != nil {
		g.Go(func() error {
			for {
				select {
				case <-gctx.Done():
					return nil
				case <-s.hup:
					s.log.Info("SIGHUP: reloading the catalogue")
					_, _ = s.reload(gctx)
				}
			}
		})
	}
	g.Go(func() error {
		<-gctx.Done()
		s.log.Info("shutting down: finishing answers in flight", "grace", shutdownGrace.String())
		s.ready.set("shutdown", false, "shutting down")
		sctx, cancel := context.WithTimeout(context.WithoutCancel(gctx), shutdownGrace)
		defer cancel()
		err := srv.Shutdown(sctx)
		for _, a := range s.adapters {
			if aerr := a.Shutdown(sctx); aerr != nil {
				err = errors.Join(err, fmt.Errorf("%s: %w", a.Name(), aerr))
			}
		}
		if s.alerts != nil {
			// Answers have finished: the alerts they queued go out now.
			err = errors.Join(err, s.alerts.Close(sctx))
		}
		if err != nil {
			s.log.Warn("shutdown did not finish cleanly", "error", err.Error())
		}
		return nil
	})
	return g.Wait()
}

// supervise runs an adapter's connection, retrying with exponential backoff
// and jitter while ctx lasts; a failing adapter never stops the others.
func supervise(ctx context.Context, log *slog.Logger, m *metrics.Metrics, a Adapter) {
	const minWait, maxWait = time.Second, time.Minute
	wait := minWait
	for {
		start := time.Now()
		err := a.Run(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > 2*maxWait {
			wait = minWait // it ran a good while: start over
		}
		m.AdapterRetries.WithLabelValues(a.Name()).Inc()
		m.SetConnected(a.Name(), false)
		errText := "stopped"
		if err != nil {
			errText = err.Error()
		}
		log.Warn("adapter disconnected; retrying", "adapter", a.Name(), "error", errText, "retry_in", wait.String())
		jitter := time.Duration(rand.Int64N(int64(wait / 4)))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait + jitter):
		}
		wait = min(wait*2, maxWait)
	}
}

// lazyAsker answers with the bot once the index is loaded, and with
// bot.ErrNotReady before.
type lazyAsker struct {
	a atomic.Pointer[askerBox]
}

type askerBox struct{ bot.Asker }

func (l *lazyAsker) set(a bot.Asker) { l.a.Store(&askerBox{a}) }

func (l *lazyAsker) Ask(ctx context.Context, q bot.Question) (bot.Answer, error) {
	b := l.a.Load()
	if b == nil {
		return bot.Answer{}, bot.ErrNotReady
	}
	return b.Ask(ctx, q)
}

// readiness tracks each check /readyz reports: the index and every adapter.
type readiness struct {
	m      *metrics.Metrics
	mu     sync.Mutex
	checks map[string]check
}

type check struct {
	ok     bool
	detail string
	// live, when set, is read at each request instead: a check of how
	// the process serves, not whether, so degraded ("the model server is
	// down, answers are extractive") keeps it ready.
	live func() (degraded bool, detail string)
}

func newReadiness(m *metrics.Metrics) *readiness {
	return &readiness{m: m, checks: map[string]check{}}
}

func (r *readiness) set(name string, ok bool, detail string) {
	r.mu.Lock()
	r.checks[name] = check{ok: ok, detail: detail}
	r.mu.Unlock()
	if name != "index" && name != "shutdown" {
		r.m.SetConnected(name, ok)
	}
}

// watch adds a check read at each request that never makes the process not
// ready: "ok: detail", or "degraded: detail" while it answers in a lesser
// way.
func (r *readiness) watch(name string, live func() (degraded bool, detail string)) {
	r.mu.Lock()
	r.checks[name] = check{ok: true, live: live}
	r.mu.Unlock()
}

// state is ready when every check is; each check says "ok: detail",
// "degraded: detail" (still ready) or "not ready: detail".
func (r *readiness) state() (bool, map[string]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ready := true
	out := map[string]string{}
	names := make([]string, 0, len(r.checks))
	for n := range r.checks {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := r.checks[n]
		state := "ok"
		if c.live != nil {
			var degraded bool
			if degraded, c.detail = c.live(); degraded {
				state = "degraded"
			}
		}
		if !c.ok {
			state, ready = "not ready", false
		}
		out[n] = strings.TrimSuffix(state+": "+c.detail, ": ")
	}
	return ready, out
}

func cmdServe(ctx context.Context, e env, args []string) error {
	fs, cfg, err := flags(e, "serve", "serve [--http-addr ADDR] [--seeds DIR] [--data-dir DIR]")
	if err != nil {
		return err
	}
	if err := parse(fs, cfg, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve takes no arguments, got %q", strings.Join(fs.Args(), " "))
	}
	log := serveLogger(e, cfg)
	s, err := newServer(cfg, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s (CAREERSBOT_HTTP_ADDR): %w", cfg.HTTPAddr, err)
	}
	var names []string
	for _, a := range s.adapters {
		names = append(names, a.Name())
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	s.hup = hup
	log.Info("serving", "addr", ln.Addr().String(), "adapters", strings.Join(append([]string{"http"}, names...), ","))
	return s.run(ctx, ln)
}

// serveLogger logs JSON to stderr, at the configured level.
func serveLogger(e env, cfg *config.Config) *slog.Logger {
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	return slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: level}))
}
