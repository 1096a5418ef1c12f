package pgstore

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careersbot/careersbot/bot"
)

// Conversations keeps each conversation's context (the occupation it is
// about) in the database, so that a follow-up through any replica keeps
// it. Each answer is also remembered locally (a bot.Memory, bounded),
// which answers while the database is down.
type Conversations struct {
	db    *DB
	ttl   time.Duration
	local *bot.Memory
}

var _ bot.Conversations = (*Conversations)(nil)

// NewConversations keeps each conversation for ttl after its last answer,
// and at most max locally.
func (db *DB) NewConversations(ttl time.Duration, max int) *Conversations {
	if ttl <= 0 {
		ttl = bot.DefaultMemoryTTL
	}
	return &Conversations{db: db, ttl: ttl, local: bot.NewMemory(ttl, max)}
}

// Get returns a conversation's context while it is fresh: the shared one,
// else this replica's.
func (c *Conversations) Get(key string) bot.Context {
	var occ string
	err := c.db.call(context.Background(), func(ctx context.Context) error {
		err := c.db.pool.QueryRow(ctx, `SELECT occupation FROM state_conversations WHERE key = $1 AND expires > now()`,
			c.db.pseudonym("conversation", key)).Scan(&occ)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil || occ == "" {
		// Down, or a context only this replica knows: one it remembered
		// while the database was down (or that a crash of PostgreSQL
		// emptied from the unlogged table).
		return c.local.Get(key)
	}
	return bot.Context{Occupation: occ}
}

// Remember stores what an answer established for the conversation, for
// every replica and locally. Only the occupation's reference is stored.
func (c *Conversations) Remember(key string, a bot.Answer) {
	if a.Occupation == "" {
		return
	}
	c.local.Remember(key, a)
	_ = c.db.call(context.Background(), func(ctx context.Context) error {
		_, err := c.db.pool.Exec(ctx, `INSERT INTO state_conversations AS c (key, occupation, expires)
			VALUES ($1, $2, now() + $3 * interval '1 microsecond')
			ON CONFLICT (key) DO UPDATE SET occupation = EXCLUDED.occupation, expires = EXCLUDED.expires`,
			c.db.pseudonym("conversation", key), a.Occupation, micros(c.ttl))
		return err
	})
}

// Len is the number of conversations held locally.
func (c *Conversations) Len() int { return c.local.Len() }

// Evicted counts conversations forgotten locally because the local store
// was full.
func (c *Conversations) Evicted() int64 { return c.local.Evicted() }
