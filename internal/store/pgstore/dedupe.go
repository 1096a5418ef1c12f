package pgstore

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careersbot/careersbot/internal/store"
)

// Dedupe remembers keys (an event id, a trigger id, an interaction id) in
// the database, so that what one replica took another does not take again.
// Keys are also remembered locally (bounded, as store.Dedupe): while the
// database is down the local set alone decides, so a resend reaching this
// replica is still taken once; and a key taken here while it was down is
// not taken again once it is back.
type Dedupe struct {
	db  *DB
	ns  string
	ttl time.Duration
	// local holds the keys this replica saw: true for those it took while
	// the database was down (which the database does not know).
	local *store.LRU[string, bool]
}

// NewDedupe remembers keys for ttl, under namespace ns (one per platform),
// and at most max of them locally.
func (db *DB) NewDedupe(ns string, ttl time.Duration, max int) *Dedupe {
	return &Dedupe{db: db, ns: ns, ttl: ttl, local: store.NewLRU[string, bool](max, ttl, nil)}
}

// First records key and reports whether it is new: to every replica while
// the database answers, to this one while it does not.
func (d *Dedupe) First(key string) bool {
	var shared bool
	err := d.db.call(context.Background(), func(ctx context.Context) error {
		// A new key is inserted; an expired one is taken again; a fresh
		// one is left alone and returns no row.
		err := d.db.pool.QueryRow(ctx, `INSERT INTO state_dedupe AS d (key, expires)
			VALUES ($1, now() + $2 * interval '1 microsecond')
			ON CONFLICT (key) DO UPDATE SET expires = EXCLUDED.expires WHERE d.expires <= now()
			RETURNING true`, d.db.pseudonym(d.ns, key), micros(d.ttl)).Scan(&shared)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return d.local.PutNew(key, true)
	}
	if takenWhileDown, ok := d.local.Get(key); ok && takenWhileDown {
		return false
	}
	d.local.Put(key, false)
	return shared
}

// Forget lets key be taken again, here and by every replica.
func (d *Dedupe) Forget(key string) {
	d.local.Remove(key)
	_ = d.db.call(context.Background(), func(ctx context.Context) error {
		_, err := d.db.pool.Exec(ctx, `DELETE FROM state_dedupe WHERE key = $1`, d.db.pseudonym(d.ns, key))
		return err
	})
}

// Len is the number of keys held locally.
func (d *Dedupe) Len() int { return d.local.Len() }

// Evicted counts keys forgotten locally because the local store was full.
func (d *Dedupe) Evicted() int64 { return d.local.Evicted() }
