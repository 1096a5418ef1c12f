package pgstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestDatabaseURLEnv names the PostgreSQL the tests may use: a database
// they may make schemas in. Unset, the PostgreSQL tests are skipped (and
// say so); .ci/run starts a PostgreSQL and sets it.
const TestDatabaseURLEnv = "CAREERSBOT_TEST_DATABASE_URL"

// testURL is TestDatabaseURLEnv's database with a schema of the test's own
// as its search_path, made now and dropped when the test ends. It skips the
// test when the variable is not set.
func testURL(t *testing.T) string { return testURLB(t) }

func testURLB(t testing.TB) string {
	t.Helper()
	base := os.Getenv(TestDatabaseURLEnv)
	if base == "" {
		t.Skip(TestDatabaseURLEnv + " is not set: the PostgreSQL tests were skipped (.ci/run starts a PostgreSQL and sets it)")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "pgstore_test_" + hex.EncodeToString(b[:])
	exec(t, base, `CREATE SCHEMA `+schema)
	t.Cleanup(func() { exec(t, base, `DROP SCHEMA `+schema+` CASCADE`) })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func exec(t testing.TB, dbURL, sql string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connect to %s: %v", Redact(dbURL), err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// rows is every row of a query, each column as text.
func rows(t *testing.T, dbURL, sql string) [][]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	rs, err := c.Query(ctx, sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rs.Close()
	var out [][]string
	for rs.Next() {
		vals, err := rs.Values()
		if err != nil {
			t.Fatal(err)
		}
		var row []string
		for _, v := range vals {
			switch v := v.(type) {
			case []byte:
				row = append(row, string(v))
			default:
				row = append(row, toString(v))
			}
		}
		out = append(out, row)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func toString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case time.Time:
		return v.String()
	case nil:
		return ""
	}
	return "?"
}

// openReplica opens the store at dbURL as one replica does, closed at the end.
func openReplica(t *testing.T, dbURL string, o Options) *DB {
	t.Helper()
	o.URL = dbURL
	db, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// proxy is a TCP proxy on loopback between the store and PostgreSQL, which
// a test can cut (every connection closed, new ones refused), hang (new
// connections accepted and never answered) and restore: the database lost
// and back, without touching the PostgreSQL other tests use.
type proxy struct {
	t      *testing.T
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns []net.Conn
	hang  bool
}

func newProxy(t *testing.T, dbURL string) (*proxy, string) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, target: u.Host}
	p.listen("127.0.0.1:0")
	p.addr = p.ln.Addr().String()
	t.Cleanup(p.cut)
	u.Host = p.addr
	return p, u.String()
}

func (p *proxy) listen(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.conns = append(p.conns, c)
			hang := p.hang
			p.mu.Unlock()
			if hang {
				continue // accepted, never answered
			}
			go p.pipe(c)
		}
	}()
}

func (p *proxy) pipe(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, up)
	p.mu.Unlock()
	go func() { _, _ = io.Copy(up, c); up.Close() }()
	_, _ = io.Copy(c, up)
	c.Close()
}

// cut closes the listener and every connection: the database is gone.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// restore listens again on the same address and forwards.
func (p *proxy) restore() {
	p.mu.Lock()
	p.hang = false
	p.mu.Unlock()
	p.listen(p.addr)
}

// hangUp cuts, then accepts connections and never answers them: a
// database that takes calls and does not reply.
func (p *proxy) hangUp() {
	p.cut()
	p.mu.Lock()
	p.hang = true
	p.mu.Unlock()
	p.listen(p.addr)
}
