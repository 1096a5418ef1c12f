package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/config"
	"github.com/careersbot/careersbot/internal/store"
	"github.com/careersbot/careersbot/internal/store/pgstore"
)

// stores is serve's state between messages, behind the one seam every
// adapter takes it from: in memory by default (one process, bounded), in
// PostgreSQL when CAREERSBOT_DATABASE_URL is set, so that replicas share
// it. Feedback is not here: the insights recorder writes it, to the same
// PostgreSQL when the variable is set.
type stores struct {
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

// boundedDedupe is a dedupe store (slack.Dedupe, discord.Dedupe,
// teams.Seen) that reports its size to /metrics.
type boundedDedupe interface {
	First(key string) bool
	Forget(key string)
	Len() int
	Evicted() int64
}

// boundedKeep is a store of values each taken once (slack.ShareStore) that
// reports its size to /metrics.
type boundedKeep[V any] interface {
	Put(v V) string
	Take(id string) (V, bool)
	Len() int
	Evicted() int64
}

// newStores opens the configured state: with CAREERSBOT_DATABASE_URL, a
// database that cannot be reached or migrated at start is an error naming
// the variable (serve exits 1); later losses are survived.
func newStores(cfg *config.Config, log *slog.Logger) (*stores, error) {
	s := &stores{cfg: cfg}
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

// dedupe is a platform's store of what it took (ns names the platform),
// bounded by CAREERSBOT_DEDUPE_MAX in this process.
func (s *stores) dedupe(ns string, ttl time.Duration) boundedDedupe {
	if s.db == nil {
		return store.NewDedupe(s.cfg.DedupeMax, ttl, nil)
	}
	return s.db.NewDedupe(ns, ttl, s.cfg.DedupeMax)
}

// keepFor is a store of values each taken once (Slack's shares), bounded
// by max in this process.
func keepFor[V any](s *stores, max int, ttl time.Duration) boundedKeep[V] {
	if s.db == nil {
		return store.NewKeep[V](max, ttl, nil)
	}
	return pgstore.NewKeep[V](s.db, ttl, max)
}

// allowances are the per-user rate allowances shared by the replicas; nil
// in memory, where the Guard keeps its own.
func (s *stores) allowances() bot.Allowances {
	if s.db == nil {
		return nil
	}
	return s.db.NewRates()
}

// storesAdapter runs the shared state's probe and sweep with the adapters,
// so /readyz shows "database" (not ready while it is lost, with why), and
// closes the pool last, after the adapters' answers are done. nil in
// memory.
func storesAdapter(d deps) (Adapter, error) {
	if d.stores == nil || d.stores.db == nil {
		return nil, nil
	}
	return &storesRunner{db: d.stores.db, onState: d.onState("database")}, nil
}

type storesRunner struct {
	db      *pgstore.DB
	onState func(ok bool, detail string)
}

func (r *storesRunner) Name() string { return "database" }

func (r *storesRunner) Routes() map[string]http.Handler { return nil }

func (r *storesRunner) Run(ctx context.Context) error { return r.db.Run(ctx, r.onState) }

func (r *storesRunner) Shutdown(context.Context) error {
	r.db.Close()
	return nil
}
