// Package pgstore keeps careersbot's state between messages in PostgreSQL,
// so that several replicas of serve share it: event and interaction dedupe,
// conversation context, per-user rate allowances and the Slack share store.
// Each type implements the small interface its consumer declares
// (slack.Dedupe, discord.Dedupe, teams.Seen, bot.Conversations,
// bot.Allowances, slack.ShareStore), like the in-memory stores of package
// store, which stay the default.
//
// Failure is visible and safe: every call has a timeout; the first call
// that fails marks the database down (logged once, and reported to the
// readiness check), and until a probe reaches it again every call goes
// straight to the replica's own bounded in-memory store, so answers keep
// flowing (a duplicate answer is better than none). The probe runs every
// second and recovery needs no action.
//
// What is stored: keys are HMAC-SHA256 pseudonyms (16 bytes) under a key
// shared by the replicas through the database, never a user id, channel
// or event id; conversations hold an occupation reference; rate rows a
// time; shares are sealed with a key that only the share button carries.
// No question text is readable in the database. Rows carry an expiry and a
// sweep deletes them; the tables are UNLOGGED (state that may be lost in
// a crash costs at most a duplicate answer, and skipping the WAL keeps a
// call cheap).
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Defaults of the Options.
const (
	DefaultTimeout     = time.Second
	DefaultOpenTimeout = 10 * time.Second
	DefaultProbeEvery  = time.Second
	DefaultSweepEvery  = time.Minute
	DefaultMaxConns    = 8
)

// ErrDown is a call not sent because the database is known to be down: the
// caller uses its local state.
var ErrDown = errors.New("the shared state database is down")

// Options configure the store.
type Options struct {
	// URL is a postgres:// URL (pgx's parameters, such as pool_max_conns,
	// apply).
	URL string
	// Timeout bounds every call; 0: DefaultTimeout.
	Timeout time.Duration
	// OpenTimeout bounds Open (connect, migrate); 0: DefaultOpenTimeout.
	OpenTimeout time.Duration
	// ProbeEvery is how often the database is pinged (to notice that it
	// left or came back); 0: DefaultProbeEvery.
	ProbeEvery time.Duration
	// SweepEvery is how often expired rows are deleted; 0:
	// DefaultSweepEvery.
	SweepEvery time.Duration
	// Log gets the warning when the database is lost and the note when it
	// is back; nil: discarded.
	Log *slog.Logger
}

// DB is the shared state's database: a pool, the replicas' shared key, and
// whether the database answers.
type DB struct {
	pool  *pgxpool.Pool
	key   []byte
	o     Options
	where string

	closed    chan struct{} // closed by Close: background work stops
	closeOnce sync.Once

	mu      sync.Mutex
	down    string // why the database is down; "" while it answers
	onState func(ok bool, detail string)
}

// Open connects, brings the schema up to date (two replicas starting at
// once are safe) and reads the replicas' shared key. A database that does
// not answer within OpenTimeout is an error: serve must not start with
// state it cannot share.
func Open(ctx context.Context, o Options) (*DB, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.OpenTimeout <= 0 {
		o.OpenTimeout = DefaultOpenTimeout
	}
	if o.ProbeEvery <= 0 {
		o.ProbeEvery = DefaultProbeEvery
	}
	if o.SweepEvery <= 0 {
		o.SweepEvery = DefaultSweepEvery
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	where := Redact(o.URL)
	cfg, err := pgxpool.ParseConfig(o.URL)
	if err != nil {
		return nil, fmt.Errorf("not a PostgreSQL URL (%s): %w", where, err)
	}
	if u, err := url.Parse(o.URL); err == nil && !u.Query().Has("pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
	}
	ctx, cancel := context.WithTimeout(ctx, o.OpenTimeout)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL at %s: %w", where, err)
	}
	db := &DB{pool: pool, o: o, where: where, closed: make(chan struct{})}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("cannot reach PostgreSQL at %s: %w", where, err)
	}
	if db.key, err = migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("PostgreSQL at %s: %w", where, err)
	}
	return db, nil
}

// Redact shows a database URL without its password.
func Redact(v string) string {
	u, err := url.Parse(v)
	if err != nil {
		return "(an unreadable URL)"
	}
	return u.Redacted()
}

// Where names the database for people: its URL without the password.
func (db *DB) Where() string { return db.where }

// Close stops the background work and closes the pool.
func (db *DB) Close() {
	db.closeOnce.Do(func() { close(db.closed) })
	db.pool.Close()
}

// Down is why the database is down, or "" while it answers.
func (db *DB) Down() string {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.down
}

// call runs f with the call timeout, unless the database is known to be
// down. A failure that is not the caller's (a cancelled request) marks the
// database down.
func (db *DB) call(ctx context.Context, f func(ctx context.Context) error) error {
	return db.callWithin(ctx, db.o.Timeout, f)
}

func (db *DB) callWithin(ctx context.Context, timeout time.Duration, f func(ctx context.Context) error) error {
	if db.Down() != "" {
		return ErrDown
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := f(cctx)
	if err != nil && ctx.Err() == nil {
		db.lost(err)
	}
	return err
}

// lost marks the database down: logged and reported once, and the pool's
// connections dropped (they are likely all broken).
func (db *DB) lost(err error) {
	detail := "PostgreSQL unreachable (" + err.Error() + "): this replica answers with its own state (a retry on another replica may be answered twice, rate limits count per replica) until a probe reaches it"
	db.mu.Lock()
	was := db.down
	db.down = detail
	onState := db.onState
	db.mu.Unlock()
	if was != "" {
		return
	}
	db.o.Log.Warn("the shared state database is lost: answering with local state until it is back", "database", db.where, "error", err.Error())
	db.pool.Reset()
	if onState != nil {
		onState(false, detail)
	}
}

// back marks the database up again.
func (db *DB) back() {
	db.mu.Lock()
	was := db.down
	db.down = ""
	onState := db.onState
	db.mu.Unlock()
	if was != "" {
		db.o.Log.Info("the shared state database is back: state is shared again", "database", db.where)
	}
	if onState != nil {
		onState(true, db.upDetail())
	}
}

func (db *DB) upDetail() string {
	return "PostgreSQL at " + db.where + ": state shared by the replicas"
}

// Run probes the database every ProbeEvery and sweeps expired rows every
// SweepEvery until ctx ends, reporting each change of state to onState
// (and the state at once).
func (db *DB) Run(ctx context.Context, onState func(ok bool, detail string)) error {
	db.mu.Lock()
	db.onState = onState
	down := db.down
	db.mu.Unlock()
	if onState != nil {
		if down != "" {
			onState(false, down)
		} else {
			onState(true, db.upDetail())
		}
	}
	probe := time.NewTicker(db.o.ProbeEvery)
	defer probe.Stop()
	sweep := time.NewTicker(db.o.SweepEvery)
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-probe.C:
			db.probe(ctx)
		case <-sweep.C:
			if _, err := db.Sweep(ctx); err != nil && ctx.Err() == nil && !errors.Is(err, ErrDown) {
				db.o.Log.Warn("sweeping expired state failed", "error", err.Error())
			}
		}
	}
}

// probe pings the database: a failure marks it down, an answer while it
// was down marks it back.
func (db *DB) probe(ctx context.Context) {
	pctx, cancel := context.WithTimeout(ctx, db.o.Timeout)
	defer cancel()
	err := db.pool.Ping(pctx)
	switch {
	case ctx.Err() != nil:
	case err != nil:
		db.lost(err)
	case db.Down() != "":
		db.back()
	}
}

// tables are the state's tables, each with an expires column.
var tables = []string{"state_dedupe", "state_conversations", "state_rates", "state_shares"}

// Sweep deletes the expired rows of every table and returns how many.
// Replicas each sweep; deleting what is expired is the same whoever does
// it.
func (db *DB) Sweep(ctx context.Context) (int64, error) {
	var n int64
	for _, t := range tables {
		err := db.callWithin(ctx, 10*db.o.Timeout, func(ctx context.Context) error {
			tag, err := db.pool.Exec(ctx, `DELETE FROM `+t+` WHERE expires <= now()`)
			n += tag.RowsAffected()
			return err
		})
		if err != nil {
			return n, fmt.Errorf("sweep %s: %w", t, err)
		}
	}
	return n, nil
}

// micros is d in whole microseconds, PostgreSQL's resolution.
func micros(d time.Duration) int64 { return d.Microseconds() }
