package pgstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/testcorpus"
)

// Six replicas opening one fresh database at once all succeed, find the
// schema at its version and share one key; a database a newer build wrote
// is refused.
func TestPostgresMigrationsAreSafeAtOnce(t *testing.T) {
	dbURL := testURL(t)
	const replicas = 6
	dbs := make([]*DB, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dbs[i], errs[i] = Open(context.Background(), Options{URL: dbURL})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	for i, db := range dbs {
		if string(db.key) != string(dbs[0].key) || len(db.key) != 32 {
			t.Errorf("replica %d has its own key: pseudonyms would not match", i)
		}
		if v, err := db.SchemaVersion(context.Background()); err != nil || v != len(migrations) {
			t.Errorf("replica %d: schema version %d (%v), want %d", i, v, err, len(migrations))
		}
	}
	exec(t, dbURL, `INSERT INTO state_schema (version) VALUES ($1)`, len(migrations)+1)
	if _, err := Open(context.Background(), Options{URL: dbURL}); !errors.Is(err, ErrNewerSchema) {
		t.Errorf("a newer schema: %v, want ErrNewerSchema", err)
	}
}

// Nothing listening: Open fails at once, naming where it looked and not
// the password.
func TestOpenUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	start := time.Now()
	_, err = Open(context.Background(), Options{URL: "postgres://careersbot:hunter2@" + addr + "/careersbot?sslmode=disable", OpenTimeout: 5 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "cannot reach PostgreSQL at postgres://careersbot:xxxxx@"+addr) ||
		strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Open: %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Open took %v", took)
	}
	if _, err := Open(context.Background(), Options{URL: "postgres://careersbot:hunter2@%zz/x"}); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("a bad URL: %v", err)
	}
}

// What one replica took, the other does not take again; a forgotten key
// may be taken again; a key is taken again once it has expired, and the
// sweep deletes it.
func TestPostgresDedupeAcrossReplicas(t *testing.T) {
	dbURL := testURL(t)
	a, b := openReplica(t, dbURL, Options{}), openReplica(t, dbURL, Options{})
	da, db := a.NewDedupe("slack", time.Hour, 100), b.NewDedupe("slack", time.Hour, 100)
	if !da.First("slack:event:Ev1") {
		t.Fatal("A: a new event is not first")
	}
	if db.First("slack:event:Ev1") || da.First("slack:event:Ev1") {
		t.Error("the event was taken again")
	}
	if !b.NewDedupe("discord", time.Hour, 100).First("slack:event:Ev1") {
		t.Error("namespaces overlap: another platform's key was taken")
	}
	da.Forget("slack:event:Ev1")
	if !db.First("slack:event:Ev1") {
		t.Error("a forgotten key is not new on the other replica")
	}

	// Many replicas' goroutines offering the same keys at once: exactly
	// one wins each.
	var wins atomic.Int64
	var wg sync.WaitGroup
	for i := range 8 {
		d := []*Dedupe{da, db}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 50 {
				if d.First(fmt.Sprint("race:", k)) {
					wins.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 50 {
		t.Errorf("%d first sightings of 50 keys", wins.Load())
	}

	short := a.NewDedupe("teams", 200*time.Millisecond, 100)
	other := b.NewDedupe("teams", 200*time.Millisecond, 100)
	if !short.First("k") || other.First("k") {
		t.Fatal("short TTL: want first once")
	}
	time.Sleep(300 * time.Millisecond)
	if n, err := a.Sweep(context.Background()); err != nil || n < 1 {
		t.Errorf("sweep: %d rows, %v; want the expired key", n, err)
	}
	if !other.First("k") {
		t.Error("an expired key is not new again")
	}
}

// A follow-up through the other replica keeps the occupation; nothing but
// the occupation's reference is stored, under a pseudonym.
func TestPostgresConversationsAcrossReplicas(t *testing.T) {
	dbURL := testURL(t)
	a, b := openReplica(t, dbURL, Options{}), openReplica(t, dbURL, Options{})
	ca, cb := a.NewConversations(time.Hour, 100), b.NewConversations(time.Hour, 100)
	key := "slack/T1/C1/command:U0LEARNER"
	if got := cb.Get(key); got.Occupation != "" {
		t.Fatalf("fresh conversation: %+v", got)
	}
	ca.Remember(key, bot.Answer{Occupation: "ST0127", Text: "A Network engineer ...", Question: "Which skills does a network engineer need?"})
	if got := cb.Get(key); got.Occupation != "ST0127" {
		t.Errorf("B: %+v, want ST0127", got)
	}
	cb.Remember(key, bot.Answer{Occupation: "ST0228"})
	if got := ca.Get(key); got.Occupation != "ST0228" {
		t.Errorf("A after B's answer: %+v, want ST0228", got)
	}
	for _, row := range rows(t, dbURL, `SELECT key, occupation FROM state_conversations`) {
		for _, v := range row {
			if strings.Contains(v, "U0LEARNER") || strings.Contains(v, "network engineer") || strings.Contains(v, "C1") {
				t.Errorf("stored in the clear: %q", v)
			}
		}
	}
	short := a.NewConversations(200*time.Millisecond, 100)
	short.Remember("k", bot.Answer{Occupation: "ST0127"})
	time.Sleep(300 * time.Millisecond)
	if got := b.NewConversations(time.Hour, 100).Get("k"); got.Occupation != "" {
		t.Errorf("expired context kept: %+v", got)
	}
}

// A user's allowance holds across two replicas' Guards: four questions a
// minute, asked alternately through each, then both refuse with the wait
// for one more; another user is not affected.
func TestPostgresRatesAcrossReplicas(t *testing.T) {
	dbURL := testURL(t)
	a, b := openReplica(t, dbURL, Options{}), openReplica(t, dbURL, Options{})
	asker := bot.New(testcorpus.Seed(t), bot.Options{})
	guard := func(db *DB) *bot.Guard {
		return bot.NewGuard(asker, bot.GuardOptions{PerMinute: 4, Allowances: db.NewRates()})
	}
	ga, gb := guard(a), guard(b)
	q := bot.Question{Text: "What level is a network engineer?", User: "U0LEARNER"}
	for i := range 4 {
		g := []*bot.Guard{ga, gb}[i%2]
		if _, err := g.Ask(context.Background(), q); err != nil {
			t.Fatalf("question %d: %v", i+1, err)
		}
	}
	for _, g := range []*bot.Guard{ga, gb} {
		_, err := g.Ask(context.Background(), q)
		if wait := bot.ErrorRetryAfter(err); bot.ErrorCode(err) != bot.TooMany || wait < 13*time.Second || wait > 15*time.Second {
			t.Errorf("fifth question: %v, want a limit with about 15 s to wait", err)
		}
	}
	if _, err := gb.Ask(context.Background(), bot.Question{Text: q.Text, User: "U0OTHER"}); err != nil {
		t.Errorf("another user: %v", err)
	}
	// A message that shows distress is answered past the limit, whichever
	// allowance refuses it.
	if a, err := gb.Ask(context.Background(), bot.Question{Text: "I want to kill myself", User: "U0LEARNER"}); err != nil || a.Safeguarding.IsZero() {
		t.Errorf("distress past the limit: %v, %+v", err, a.Safeguarding)
	}
	for _, row := range rows(t, dbURL, `SELECT key FROM state_rates`) {
		if strings.Contains(row[0], "U0") {
			t.Errorf("a user id stored in the clear: %q", row[0])
		}
	}

	// Refill: one every 100 ms, two at most.
	r := a.NewRates()
	for i := range 2 {
		if w, err := r.Take(context.Background(), "fast", 100*time.Millisecond, 2); err != nil || w != 0 {
			t.Fatalf("take %d: %v %v", i, w, err)
		}
	}
	if w, err := r.Take(context.Background(), "fast", 100*time.Millisecond, 2); err != nil || w <= 0 || w > 100*time.Millisecond {
		t.Fatalf("third take: wait %v (%v), want up to 100 ms", w, err)
	}
	time.Sleep(120 * time.Millisecond)
	if w, err := b.NewRates().Take(context.Background(), "fast", 100*time.Millisecond, 2); err != nil || w != 0 {
		t.Errorf("after a refill: wait %v (%v), want taken", w, err)
	}
}

// Many questions at once, several from each user, through both replicas:
// each user gets exactly their allowance, however the questions fall into
// statements (a user twice in one is put off to the next).
func TestPostgresRatesAtOnce(t *testing.T) {
	dbURL := testURL(t)
	a, b := openReplica(t, dbURL, Options{}), openReplica(t, dbURL, Options{})
	rates := []*Rates{a.NewRates(), b.NewRates()}
	const users, each, burst = 5, 30, 10
	var taken [users]atomic.Int64
	var refused atomic.Int64
	var wg sync.WaitGroup
	for u := range users {
		for i := range each {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w, err := rates[i%2].Take(context.Background(), fmt.Sprint("user-", u), time.Hour, burst)
				switch {
				case err != nil:
					t.Error(err)
				case w == 0:
					taken[u].Add(1)
				case w < 50*time.Minute:
					t.Errorf("a refusal with %v to wait, want about an hour or more", w)
				default:
					refused.Add(1)
				}
			}()
		}
	}
	wg.Wait()
	for u := range users {
		if n := taken[u].Load(); n != burst {
			t.Errorf("user %d: %d questions taken, want %d", u, n, burst)
		}
	}
	if refused.Load() != users*(each-burst) {
		t.Errorf("%d refused, want %d", refused.Load(), users*(each-burst))
	}
}

type share struct {
	Answer   bot.Answer
	Question string
	User     string
	URL      string
}

// A value put on one replica is taken once, on any: the share button
// clicked on the other replica. Nothing of it is readable in the database.
func TestPostgresKeepAcrossReplicas(t *testing.T) {
	dbURL := testURL(t)
	a, b := openReplica(t, dbURL, Options{}), openReplica(t, dbURL, Options{})
	ka, kb := NewKeep[share](a, time.Hour, 10), NewKeep[share](b, time.Hour, 10)
	v := share{
		Answer:   bot.Answer{Text: "A Network engineer needs ... [ST0127 K12]", Occupation: "ST0127", Citations: []bot.Citation{{Reference: "ST0127", ID: "K12"}}},
		Question: "Is wireless networking part of the role of a network engineer?",
		User:     "U0LEARNER",
		URL:      "https://hooks.slack.com/commands/T1/secret-path",
	}
	id := ka.Put(v)
	if !strings.HasPrefix(id, sharedPrefix) || len(id) > 100 {
		t.Fatalf("id %q: want a shared id short enough for a button", id)
	}
	got, ok := kb.Take(id)
	if !ok || got.Question != v.Question || got.Answer.Text != v.Answer.Text || got.Answer.Occupation != "ST0127" ||
		len(got.Answer.Citations) != 1 || got.URL != v.URL {
		t.Fatalf("B took %+v %v", got, ok)
	}
	if _, ok := ka.Take(id); ok {
		t.Error("A took it again (from its local copy)")
	}
	if _, ok := kb.Take(id); ok {
		t.Error("taken twice")
	}
	if _, ok := kb.Take("s" + strings.Repeat("0", 64)); ok {
		t.Error("an unknown id gave a value")
	}

	id2 := ka.Put(v)
	for _, row := range rows(t, dbURL, `SELECT id, sealed FROM state_shares`) {
		for _, v := range row {
			for _, secret := range []string{"wireless", "U0LEARNER", "hooks.slack.com", "ST0127", id2[1:]} {
				if strings.Contains(strings.ToLower(v), strings.ToLower(secret)) {
					t.Errorf("%q readable in the database", secret)
				}
			}
		}
	}
	if n := len(rows(t, dbURL, `SELECT id FROM state_shares`)); n != 1 {
		t.Errorf("%d rows, want the one not taken", n)
	}
}

// The database lost: the first failing call marks it down (once, with the
// reason), calls then go straight to local state without waiting, and a
// probe brings it back with no action. A database that accepts and never
// answers costs a call its timeout, no more.
func TestPostgresLostAndBack(t *testing.T) {
	dbURL := testURL(t)
	asker := bot.New(testcorpus.Seed(t), bot.Options{})
	p, viaProxy := newProxy(t, dbURL)
	db := openReplica(t, viaProxy, Options{Timeout: 300 * time.Millisecond, ProbeEvery: 100 * time.Millisecond})
	other := openReplica(t, dbURL, Options{})
	type state struct {
		ok     bool
		detail string
	}
	states := make(chan state, 16)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go db.Run(ctx, func(ok bool, detail string) { states <- state{ok, detail} })
	next := func(want bool) state {
		t.Helper()
		select {
		case s := <-states:
			if s.ok != want {
				t.Fatalf("state %+v, want ok=%v", s, want)
			}
			return s
		case <-time.After(10 * time.Second):
			t.Fatalf("no state change to ok=%v", want)
		}
		return state{}
	}
	next(true)
	d := db.NewDedupe("slack", time.Hour, 100)
	c := db.NewConversations(time.Hour, 100)
	r := db.NewRates()
	c.Remember("thread", bot.Answer{Occupation: "ST0127"})
	if !d.First("before") {
		t.Fatal("first key")
	}

	p.cut()
	start := time.Now()
	// Whichever sees it first (a call or the probe), the state goes down.
	d.First("during")
	s := next(false)
	if !strings.Contains(s.detail, "PostgreSQL unreachable") || !strings.Contains(s.detail, "own state") {
		t.Errorf("detail %q", s.detail)
	}
	if db.Down() == "" {
		t.Fatal("not marked down")
	}
	// Down: local state answers at once.
	t0 := time.Now()
	if d.First("before") || d.First("during") || !d.First("during-2") {
		t.Error("local dedupe while down: want keys seen here remembered, new ones first")
	}
	if got := c.Get("thread"); got.Occupation != "ST0127" {
		t.Errorf("local context while down: %+v", got)
	}
	if _, err := r.Take(context.Background(), "u", time.Second, 1); !errors.Is(err, ErrDown) {
		t.Errorf("rates while down: %v, want ErrDown", err)
	}
	if took := time.Since(t0); took > 500*time.Millisecond {
		t.Errorf("calls while down took %v: they should not wait for the database (each call's timeout is 1 s)", took)
	}
	// The Guard counts on its own meanwhile: the limit still holds here.
	g := bot.NewGuard(asker, bot.GuardOptions{PerMinute: 2, Allowances: r})
	for i := range 3 {
		_, err := g.Ask(context.Background(), bot.Question{Text: "What level is a network engineer?", User: "U0DOWN"})
		if (i < 2 && err != nil) || (i == 2 && bot.ErrorCode(err) != bot.TooMany) {
			t.Errorf("question %d while down: %v", i+1, err)
		}
	}
	t.Logf("down noticed after %v", time.Since(start))

	c.Remember("thread-while-down", bot.Answer{Occupation: "ST0228"})
	p.restore()
	next(true)
	if db.Down() != "" {
		t.Error("still down after the probe succeeded")
	}
	if got := c.Get("thread-while-down"); got.Occupation != "ST0228" {
		t.Errorf("a context remembered while down is lost once the database is back: %+v", got)
	}
	if d.First("before") {
		t.Error("a key taken before the loss is new again")
	}
	if !d.First("after") || other.NewDedupe("slack", time.Hour, 100).First("after") {
		t.Error("after recovery the state is not shared")
	}

	// A database that never answers: a call returns within its timeout.
	p.hangUp()
	t1 := time.Now()
	d.First("hung")
	if took := time.Since(t1); took > time.Second {
		t.Errorf("a call to a hung database took %v, want about the 300 ms timeout", took)
	}
	next(false)
	p.cut()
	p.restore()
	next(true)
}
