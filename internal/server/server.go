// Package server is the serve process: the index loaded once and shared,
// the Guard every platform asks through, one HTTP server, the adapters run
// side by side and supervised with backoff, readiness, reloads (SIGHUP,
// POST /admin/reload) and the graceful drain. Package main gives it the
// adapters to run; it knows no platform.
package server

import (
	"log/slog"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/careersbot/careersbot/adapters"
	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/config"
	"github.com/careersbot/careersbot/internal/app"
	"github.com/careersbot/careersbot/internal/llm"
	"github.com/careersbot/careersbot/internal/metrics"
	"github.com/careersbot/careersbot/internal/safeguard"
)

// Deps is what serve hands every adapter's constructor: everything a
// platform needs of the process, and nothing of another platform.
type Deps struct {
	Config   *config.Config
	Asker    bot.Asker // the Guard every platform asks through
	Log      *slog.Logger
	Metrics  *metrics.Metrics
	HashUser func(string) string
	Memory   bot.Conversations
	// Stores are the state between messages an adapter keeps (what it
	// took, what to take once): in memory, or shared by replicas.
	Stores *Stores
	Bot    func() *bot.Bot // the bot, once the index is loaded; nil before
	// OnState registers an adapter's check in /readyz and returns how the
	// adapter reports it.
	OnState func(adapter string) func(connected bool, detail string)
	// Ready is /readyz's state: ready, and each check's detail.
	Ready func() (bool, map[string]string)
	// Feedback records a vote on an answer, for insights.
	Feedback func(bot.Feedback)
}

// OnReply counts how an adapter's questions ended.
func (d Deps) OnReply(adapter string) func(result string) {
	return func(result string) { d.Metrics.Replies.WithLabelValues(adapter, result).Inc() }
}

// OnReplay counts what an adapter took before and did not answer again.
func (d Deps) OnReplay(adapter string) func() {
	return d.Metrics.Replays.WithLabelValues(adapter).Inc
}

// Constructor builds one platform's adapter from the process's Deps, or nil
// when its platform is not configured. Package main lists them: adding a
// platform is one constructor and one line there.
type Constructor func(d Deps) (adapters.Adapter, error)

// Options are what package main gives the runtime.
type Options struct {
	// Adapters are built in order and run side by side; the HTTP API is
	// one of them.
	Adapters []Constructor
	// PageCSP is the Content-Security-Policy of the pages serve shows
	// (the chat page's), for the insights page.
	PageCSP string
}

// ShutdownGrace bounds how long answers in flight may take to finish after
// SIGINT or SIGTERM: longer than the LLM timeout.
const ShutdownGrace = 20 * time.Second

// Server is the serve runtime: the index loaded once and shared, the guard
// every adapter asks through, the HTTP server and the adapters.
type Server struct {
	cfg      *config.Config
	log      *slog.Logger
	metrics  *metrics.Metrics
	ready    *readiness
	asker    *lazyAsker
	hashUser func(string) string
	memory   conversations
	stores   *Stores
	mux      *http.ServeMux
	adapters []adapters.Adapter
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

func New(cfg *config.Config, log *slog.Logger, o Options) (*Server, error) {
	st, err := openStores(cfg, log)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      cfg,
		log:      log,
		metrics:  metrics.New(),
		asker:    &lazyAsker{},
		hashUser: bot.UserHasher(),
		memory:   st.memory,
		stores:   st,
		mux:      http.NewServeMux(),
	}
	s.ready = newReadiness(s.metrics)
	s.ready.set("index", false, "loading")
	s.metrics.WatchStore("memory", s.memory.Len, s.memory.Evicted)
	s.llm = app.LLMClient(cfg, s.circuitChanged)
	for _, op := range s.circuitOps() {
		s.metrics.WatchCircuit(op, func() string { return s.llm.Circuit(op) }, func() int64 { return s.llm.Rejected(op) })
		s.ready.watch("llm_"+op, func() (bool, string) { return s.circuitState(op) })
	}
	if cfg.SafeguardingAlert != "" {
		a, err := app.NewAlerts(cfg, log, s.metrics)
		if err != nil {
			return nil, err
		}
		s.alerts = a
	}

	ins := newInsights(cfg, log, s.metrics, s.hashUser, s.CurrentBot, o.PageCSP)
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
	s.mux.Handle("GET /metrics", s.metrics.Handler())
	if cfg.AdminToken != "" {
		s.mux.HandleFunc("POST /admin/reload", s.adminReload)
	}

	d := Deps{Config: cfg, Asker: guard, Log: log, Metrics: s.metrics, HashUser: s.hashUser, Memory: s.memory,
		Bot: s.CurrentBot, OnState: func(name string) func(bool, string) {
			s.ready.set(name, false, "starting")
			return func(ok bool, detail string) { s.ready.set(name, ok, detail) }
		}, Ready: s.ready.state, Feedback: ins.feedback, Stores: st}
	// The insights service runs last: its Shutdown writes the events of
	// the answers the others finished in theirs.
	// The shared state's probe runs after it: its Shutdown closes the pool.
	constructors := append(slices.Clone(o.Adapters),
		func(Deps) (adapters.Adapter, error) { return ins, nil },
		func(d Deps) (adapters.Adapter, error) { return st.runner(d), nil })
	for _, construct := range constructors {
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

// CurrentBot is the bot answering now; nil while the index loads.
func (s *Server) CurrentBot() *bot.Bot {
	s.botMu.Lock()
	defer s.botMu.Unlock()
	return s.bot
}

// Adapters are the adapters serve runs, in order.
func (s *Server) Adapters() []adapters.Adapter { return s.adapters }

// Ready is /readyz's state: whether the process is ready, and each check.
func (s *Server) Ready() (bool, map[string]string) { return s.ready.state() }

// OnSIGHUP makes each value of ch reload the catalogue, as POST
// /admin/reload does; Run listens to it.
func (s *Server) OnSIGHUP(ch <-chan os.Signal) { s.hup = ch }

// Reloads counts the reloads done or failed.
func (s *Server) Reloads() int64 { return s.reloads.Load() }

// Use answers with a instead of the bot from now on (until the next index
// load): for tests that hold an answer in flight.
func (s *Server) Use(a bot.Asker) { s.asker.set(a) }
