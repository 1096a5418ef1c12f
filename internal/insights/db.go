package insights

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	// PostgreSQL through database/sql, for replicas sharing one database.
	_ "github.com/jackc/pgx/v5/stdlib"
	// SQLite in pure Go: the static binary and the distroless image keep
	// working without cgo.
	_ "modernc.org/sqlite"
)

// FileName is the SQLite file's name in the data dir.
const FileName = "insights.db"

// DB is the events' store: SQLite or PostgreSQL, one schema, the same SQL.
type DB struct {
	db *sql.DB
	d  dialect
	// where names the store for people: the SQLite file, or PostgreSQL's
	// host and database (never the password).
	where string
}

// dialect is what differs between the two databases: the driver, the
// placeholders, and how migrations are made one at a time.
type dialect struct {
	name, driver string
	// lock, run first in the migration's transaction, holds off another
	// process migrating at once; SQLite's BEGIN IMMEDIATE does it there.
	lock string
	// numbered placeholders ($1) instead of ?.
	numbered bool
}

var (
	sqliteDialect   = dialect{name: "sqlite", driver: "sqlite"}
	postgresDialect = dialect{name: "postgres", driver: "pgx", numbered: true,
		// An arbitrary key that names careersbot's insights schema.
		lock: "SELECT pg_advisory_xact_lock(7142021118)"}
)

// Options say where the store is.
type Options struct {
	// DatabaseURL, when set, is a postgres:// URL: the events go there.
	DatabaseURL string
	// DataDir holds the SQLite file when DatabaseURL is not set.
	DataDir string
}

// Open opens the store and brings its schema up to date. Two processes
// opening one store at once are safe: one migrates, the other waits.
func Open(ctx context.Context, o Options) (*DB, error) {
	if o.DatabaseURL != "" {
		return openPostgres(ctx, o.DatabaseURL)
	}
	return openSQLite(ctx, filepath.Join(o.DataDir, FileName))
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("insights: make the data dir: %w", err)
	}
	// Made private before SQLite first writes it: it holds pseudonyms.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("insights: open %s: %w", path, err)
	}
	f.Close()
	// WAL lets `careersbot insights` read while serve writes; a writer
	// waits up to 10 s for another; secure_delete zeroes what the sweep
	// deletes, so swept events leave nothing in the file.
	dsn := path + "?_busy_timeout=10000&_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate" +
		"&_pragma=secure_delete(on)"
	db, err := sql.Open(sqliteDialect.driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("insights: open %s: %w", path, err)
	}
	s := &DB{db: db, d: sqliteDialect, where: path}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("insights: %s: %w", path, err)
	}
	return s, nil
}

func openPostgres(ctx context.Context, dbURL string) (*DB, error) {
	db, err := sql.Open(postgresDialect.driver, dbURL)
	if err != nil {
		return nil, fmt.Errorf("insights: CAREERSBOT_DATABASE_URL: %w", err)
	}
	db.SetMaxOpenConns(4)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &DB{db: db, d: postgresDialect, where: "postgres " + RedactURL(dbURL)}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("insights: %s: %w", s.where, err)
	}
	return s, nil
}

// RedactURL shows a database URL without its password.
func RedactURL(v string) string {
	u, err := url.Parse(v)
	if err != nil {
		return "(an unreadable URL)"
	}
	return u.Redacted()
}

// Where names the store: the SQLite file, or PostgreSQL's address.
func (s *DB) Where() string { return s.where }

// Close closes the store.
func (s *DB) Close() error { return s.db.Close() }

// ErrNewerSchema is a store written by a newer careersbot.
var ErrNewerSchema = errors.New("the insights schema is newer than this careersbot knows: upgrade careersbot")

// migrate applies the migrations the store lacks, in one transaction.
func (s *DB) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin the migration: %w", err)
	}
	defer tx.Rollback()
	if s.d.lock != "" {
		if _, err := tx.ExecContext(ctx, s.d.lock); err != nil {
			return fmt.Errorf("lock the schema: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS insights_schema (
		version INTEGER PRIMARY KEY,
		applied_ms BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("make the schema table: %w", err)
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM insights_schema`).Scan(&have); err != nil {
		return fmt.Errorf("read the schema version: %w", err)
	}
	if have > len(migrations) {
		return fmt.Errorf("%w (the store is at version %d, this build knows %d)", ErrNewerSchema, have, len(migrations))
	}
	for v := have + 1; v <= len(migrations); v++ {
		for _, stmt := range migrations[v-1] {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migration %d: %w", v, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO insights_schema (version, applied_ms) VALUES (?, ?)`),
			v, time.Now().UnixMilli()); err != nil {
			return fmt.Errorf("migration %d: %w", v, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit the migration: %w", err)
	}
	return nil
}

// SchemaVersion is the store's schema version.
func (s *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM insights_schema`).Scan(&v)
	return v, err
}

// q writes a query's ? placeholders the dialect's way.
func (s *DB) q(query string) string {
	if !s.d.numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
