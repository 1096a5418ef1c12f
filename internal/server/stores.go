package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/careersbot/careersbot/adapters"
	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/config"
	"github.com/careersbot/careersbot/internal/store"
	"github.com/careersbot/careersbot/internal/store/pgstore"
)

// Stores is serve's state between messages, behind the one seam every
// adapter takes it from: in memory by default (one process, bounded), in
// PostgreSQL when CAREERSBOT_DATABASE_URL is set, so that replicas share
// it. Feedback is not here: the insights recorder writes it, to the same
// PostgreSQL when the variable is set.
type Stores struct {
	cfg *config.Config
	db  *pgstore.DB // nil: in memory
	// memory is every adapter's conversation context.
	memory conversations
}

// conversations is a conversation store that reports its size to
// /metrics.
type conversations interface {
	bot.Conversations
	Len() int
	Evicted() int64
}

// Dedupe is a platform's store of what it took (slack.Dedupe,
// discord.Dedupe, teams.Seen), reporting its size to /metrics.
type Dedupe interface {
	First(key string) bool
	Forget(key string)
	Len() int
	Evicted() int64
}

// Keep is a store of values each taken once (slack.ShareStore), reporting
// its size to /metrics.
type Keep[V any] interface {
	Put(v V) string
	Take(id string) (V, bool)
	Len() int
	Evicted() int64
}

// openStores opens the configured state: with CAREERSBOT_DATABASE_URL, a
// database that cannot be reached or migrated at start is an error naming
// the variable (serve exits 1); later losses are survived.
func openStores(cfg *config.Config, log *slog.Logger) (*Stores, error) {
	s := &Stores{cfg: cfg}
	if cfg.DatabaseURL == "" {
		s.memory = bot.NewMemory(cfg.MemoryTTL, cfg.MemoryMax)
		return s, nil
	}
	db, err := pgstore.Open(context.Background(), pgstore.Options{URL: cfg.DatabaseURL.Reveal(), Log: log.With("component", "state")})
	if err != nil {
		return nil, fmt.Errorf("CAREERSBOT_DATABASE_URL: %w", err)
	}
	log.Info("state shared in PostgreSQL", "database", db.Where())
	s.db = db
	s.memory = db.NewConversations(cfg.MemoryTTL, cfg.MemoryMax)
	return s, nil
}

// Dedupe is a platform's store of what it took (ns names the platform),
// bounded by CAREERSBOT_DEDUPE_MAX in this process.
func (s *Stores) Dedupe(ns string, ttl time.Duration) Dedupe {
	if s.db == nil {
		return store.NewDedupe(s.cfg.DedupeMax, ttl, nil)
	}
	return s.db.NewDedupe(ns, ttl, s.cfg.DedupeMax)
}

// KeepIn is a store of values each taken once (Slack's shares), bounded by
// max in this process.
func KeepIn[V any](s *Stores, max int, ttl time.Duration) Keep[V] {
	if s.db == nil {
		return store.NewKeep[V](max, ttl, nil)
	}
	return pgstore.NewKeep[V](s.db, ttl, max)
}

// allowances are the per-user rate allowances shared by the replicas; nil
// in memory, where the Guard keeps its own.
func (s *Stores) allowances() bot.Allowances {
	if s.db == nil {
		return nil
	}
	return s.db.NewRates()
}

// runner runs the shared state's probe and sweep with the adapters, so
// /readyz shows "database" (not ready while it is lost, with why), and
// closes the pool last, after the adapters' answers are done. nil in
// memory.
func (s *Stores) runner(d Deps) adapters.Adapter {
	if s.db == nil {
		return nil
	}
	return &storesRunner{db: s.db, onState: d.OnState("database")}
}

type storesRunner struct {
	db      *pgstore.DB
	onState func(ok bool, detail string)
}

var _ adapters.Adapter = (*storesRunner)(nil)

func (r *storesRunner) Name() string { return "database" }

func (r *storesRunner) Routes() map[string]http.Handler { return nil }

func (r *storesRunner) Run(ctx context.Context) error { return r.db.Run(ctx, r.onState) }

func (r *storesRunner) Shutdown(context.Context) error {
	r.db.Close()
	return nil
}
