package pgstore

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations are the schema's versions, in order: migrations[0] is version
// 1. Each runs once, in the one transaction of migrate. Never edit one that
// has shipped: add the next.
//
// The state tables are UNLOGGED: no WAL per call, and a crash empties them,
// which costs a duplicate answer or a forgotten follow-up at most. They
// have no index on expires: the sweep scans them once a minute, and every
// call updates a row without touching a second index (fillfactor leaves
// room for such HOT updates). state_key is logged: the replicas' shared
// key must outlive a crash, or pseudonyms written before it would no
// longer match.
var migrations = [][]string{
	{
		`CREATE UNLOGGED TABLE state_dedupe (
			key BYTEA PRIMARY KEY,
			expires TIMESTAMPTZ NOT NULL
		) WITH (fillfactor = 80)`,
		`CREATE UNLOGGED TABLE state_conversations (
			key BYTEA PRIMARY KEY,
			occupation TEXT NOT NULL,
			expires TIMESTAMPTZ NOT NULL
		) WITH (fillfactor = 70)`,
		`CREATE UNLOGGED TABLE state_rates (
			key BYTEA PRIMARY KEY,
			tat TIMESTAMPTZ NOT NULL,
			expires TIMESTAMPTZ NOT NULL
		) WITH (fillfactor = 70)`,
		`CREATE UNLOGGED TABLE state_shares (
			id BYTEA PRIMARY KEY,
			sealed BYTEA NOT NULL,
			expires TIMESTAMPTZ NOT NULL
		)`,
		`CREATE TABLE state_key (
			id SMALLINT PRIMARY KEY CHECK (id = 1),
			key BYTEA NOT NULL,
			made TIMESTAMPTZ NOT NULL DEFAULT now()
		)`,
	},
}

// schemaLock is the advisory lock that makes migrations one at a time: an
// arbitrary number naming careersbot's state schema (insights has its own).
const schemaLock = 7142021119

// ErrNewerSchema is a database whose state schema a newer careersbot wrote.
var ErrNewerSchema = errors.New("the state schema is newer than this careersbot knows: upgrade careersbot")

// migrate applies the migrations the database lacks and returns the
// replicas' shared key, made by the first replica that migrates. One
// transaction under an advisory lock: a second replica starting at once
// waits for the first, then finds the schema up to date.
func migrate(ctx context.Context, pool *pgxpool.Pool) ([]byte, error) {
	var key []byte
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(schemaLock)); err != nil {
			return fmt.Errorf("lock the schema: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS state_schema (
			version INTEGER PRIMARY KEY,
			applied TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("make the schema table: %w", err)
		}
		var have int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM state_schema`).Scan(&have); err != nil {
			return fmt.Errorf("read the schema version: %w", err)
		}
		if have > len(migrations) {
			return fmt.Errorf("%w (the database is at version %d, this build knows %d)", ErrNewerSchema, have, len(migrations))
		}
		for v := have + 1; v <= len(migrations); v++ {
			for _, stmt := range migrations[v-1] {
				if _, err := tx.Exec(ctx, stmt); err != nil {
					return fmt.Errorf("migration %d: %w", v, err)
				}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO state_schema (version) VALUES ($1)`, v); err != nil {
				return fmt.Errorf("migration %d: %w", v, err)
			}
		}
		fresh := make([]byte, 32)
		_, _ = rand.Read(fresh) // crypto/rand never fails on a supported platform
		if _, err := tx.Exec(ctx, `INSERT INTO state_key (id, key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, fresh); err != nil {
			return fmt.Errorf("make the shared key: %w", err)
		}
		if err := tx.QueryRow(ctx, `SELECT key FROM state_key WHERE id = 1`).Scan(&key); err != nil {
			return fmt.Errorf("read the shared key: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(key) < 32 {
		return nil, fmt.Errorf("the shared key in state_key is %d bytes, want 32: delete its row and restart every replica", len(key))
	}
	return key, nil
}

// SchemaVersion is the database's state schema version.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.pool.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM state_schema`).Scan(&v)
	return v, err
}

// pseudonym is what a key is stored as: HMAC-SHA256 under the replicas'
// shared key, of the store's namespace and the key, cut to 16 bytes. Every
// replica computes the same one. The key lives in state_key, so whoever may
// read the database could test a guessed user id against the rows; they
// learn at most an occupation asked about within a day, and the rows expire.
func (db *DB) pseudonym(ns, key string) []byte {
	m := hmac.New(sha256.New, db.key)
	m.Write([]byte(ns))
	m.Write([]byte{0})
	m.Write([]byte(key))
	return m.Sum(nil)[:16]
}
