package insights

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"
)

// TestDatabaseURLEnv names the PostgreSQL the tests may use: a database
// they may make schemas in. Unset, the PostgreSQL tests are skipped (and
// say so); .ci/run starts a PostgreSQL and sets it.
const TestDatabaseURLEnv = "CAREERSBOT_TEST_DATABASE_URL"

// backend opens a fresh, empty store of one kind for a test.
type backend struct {
	name string
	// options returns Options for a store of the test's own (a temp dir,
	// or a PostgreSQL schema dropped at the end); every call in one test
	// names the same store.
	options func(t *testing.T) Options
}

func backends() []backend {
	return []backend{
		{"sqlite", func(t *testing.T) Options {
			t.Helper()
			return Options{DataDir: tempDir(t)}
		}},
		{"postgres", func(t *testing.T) Options {
			t.Helper()
			return Options{DatabaseURL: postgresSchema(t)}
		}},
	}
}

// tempDir is a temp dir per test, the same for each call in one test.
var tempDirs sync.Map

func tempDir(t *testing.T) string {
	t.Helper()
	v, ok := tempDirs.Load(t)
	if !ok {
		v, _ = tempDirs.LoadOrStore(t, t.TempDir())
		t.Cleanup(func() { tempDirs.Delete(t) })
	}
	return v.(string)
}

var pgSchemas sync.Map

// postgresSchema is a URL of the test PostgreSQL whose search_path is a
// schema of the test's own, made now and dropped when the test ends. It
// skips the test when TestDatabaseURLEnv is not set.
func postgresSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv(TestDatabaseURLEnv)
	if base == "" {
		t.Skip(TestDatabaseURLEnv + " is not set: the PostgreSQL tests were skipped (.ci/run starts a PostgreSQL and sets it)")
	}
	if v, ok := pgSchemas.Load(t); ok {
		return v.(string)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "insights_test_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("make a schema in %s: %v", RedactURL(base), err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err == nil {
			_, _ = db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			db.Close()
		}
		pgSchemas.Delete(t)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	pgSchemas.Store(t, u.String())
	return u.String()
}

func openStore(t *testing.T, o Options) *DB {
	t.Helper()
	db, err := Open(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// forEachBackend runs a test on SQLite and on PostgreSQL.
func forEachBackend(t *testing.T, f func(t *testing.T, b backend)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) { f(t, b) })
	}
}

var day0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func sampleEvents() []Event {
	ne := Occupation{Reference: "ST0127", Title: "Network engineer", Route: "Digital", Level: 4}
	chef := Occupation{Reference: "ST0228", Title: "Commis chef", Route: "Catering and hospitality", Level: 2}
	return []Event{
		{ID: "e1", At: day0, Platform: "http", User: "u1", Outcome: Answered, Intent: "list", Occupation: "ST0127",
			Occupations: []Occupation{ne}, Citations: []string{"ST0127 S1", "ST0127 S2"}, Latency: 12 * time.Millisecond},
		{ID: "e2", At: day0.Add(time.Hour), Platform: "slack", User: "u2", Outcome: Partial, Intent: "topic", Occupation: "ST0228",
			Occupations: []Occupation{chef}, Citations: []string{"ST0228 K3"}, Latency: 30 * time.Millisecond},
		{ID: "e3", At: day0.Add(24 * time.Hour), Platform: "slack", User: "u2", Outcome: NotCovered, Intent: "topic", Occupation: "ST0127",
			Occupations: []Occupation{ne}, Terms: []string{"quantum", "entanglement"}, Latency: 80 * time.Millisecond},
		{ID: "e4", At: day0.Add(25 * time.Hour), Platform: "http", User: "u3", Outcome: NotCovered, Intent: "unknown",
			Terms: []string{"astronaut"}, Latency: 5 * time.Millisecond},
		{ID: "e5", At: day0.Add(26 * time.Hour), Platform: "http", Outcome: Distress, Intent: "distress", Latency: time.Millisecond},
		{ID: "e6", At: day0.Add(27 * time.Hour), Platform: "http", User: "u1", Outcome: Answered, Intent: "search",
			Occupations: []Occupation{ne, chef}, Citations: []string{"ST0127 K1", "ST0228 K1"}, Latency: 40 * time.Millisecond},
		{ID: "e7", At: day0.Add(48 * time.Hour), Platform: "discord", User: "u4", Outcome: NotCovered, Intent: "topic", Occupation: "ST0127",
			Occupations: []Occupation{ne}, Terms: []string{"quantum"}, Latency: 9 * time.Millisecond},
		// Outside the period.
		{ID: "e8", At: day0.Add(-10 * time.Hour), Platform: "http", Outcome: Answered, Intent: "list", Occupations: []Occupation{ne}},
		{ID: "e9", At: day0.Add(72 * time.Hour), Platform: "http", Outcome: Help, Intent: "help"},
	}
}

func sampleFeedback() []Feedback {
	return []Feedback{
		{ID: "f1", At: day0.Add(time.Minute), Platform: "http", Event: "e1", Occupation: "ST0127", Title: "Network engineer", Vote: "up"},
		{ID: "f2", At: day0.Add(2 * time.Minute), Platform: "slack", Event: "e2", Occupation: "ST0228", Title: "Commis chef", Vote: "down"},
		{ID: "f3", At: day0.Add(3 * time.Minute), Platform: "slack", Event: "e1", Occupation: "ST0127", Title: "Network engineer", Vote: "up"},
		{ID: "f4", At: day0.Add(-10 * time.Hour), Platform: "slack", Event: "e8", Occupation: "ST0127", Title: "Network engineer", Vote: "down"},
	}
}

var period = Period{From: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)}

func TestStoreReport(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		db := openStore(t, b.options(t))
		ctx := t.Context()
		if err := db.Add(ctx, sampleEvents()); err != nil {
			t.Fatal(err)
		}
		// A retried batch changes nothing.
		if err := db.Add(ctx, sampleEvents()[:3]); err != nil {
			t.Fatal(err)
		}
		if err := db.AddFeedback(ctx, sampleFeedback()); err != nil {
			t.Fatal(err)
		}
		r, err := db.Report(ctx, period)
		if err != nil {
			t.Fatal(err)
		}
		checkSampleReport(t, r)
	})
}

// checkSampleReport checks the report of sampleEvents over period.
func checkSampleReport(t *testing.T, r *Report) {
	t.Helper()
	if r.Questions != 7 {
		t.Errorf("questions = %d, want 7", r.Questions)
	}
	wantOutcomes := map[Outcome]int{Answered: 2, Partial: 1, NotCovered: 3, Distress: 1, Help: 0, Error: 0}
	if len(r.Outcomes) != len(Outcomes) {
		t.Errorf("outcomes: %+v", r.Outcomes)
	}
	for i, o := range r.Outcomes {
		if o.Outcome != Outcomes[i] || o.Count != wantOutcomes[o.Outcome] {
			t.Errorf("outcome %d = %+v, want %s %d", i, o, Outcomes[i], wantOutcomes[Outcomes[i]])
		}
		if want := float64(wantOutcomes[o.Outcome]) / 7; o.Share < want-1e-9 || o.Share > want+1e-9 {
			t.Errorf("%s share = %v, want %v", o.Outcome, o.Share, want)
		}
	}
	wantDays := []struct {
		day string
		n   int
	}{{"2026-03-02", 2}, {"2026-03-03", 4}, {"2026-03-04", 1}}
	if len(r.Days) != len(wantDays) {
		t.Fatalf("days = %+v", r.Days)
	}
	for i, d := range r.Days {
		if d.Day != wantDays[i].day || d.Questions != wantDays[i].n {
			t.Errorf("day %d = %s %d, want %s %d", i, d.Day, d.Questions, wantDays[i].day, wantDays[i].n)
		}
	}
	if got := r.Days[1].Outcomes; got["not_covered"] != 2 || got["distress"] != 1 || got["answered"] != 1 {
		t.Errorf("2026-03-03 by outcome = %v", got)
	}
	checkCounts(t, "platforms", r.Platforms, []Count{{"http", 4}, {"slack", 2}, {"discord", 1}})
	checkCounts(t, "intents", r.Intents, []Count{{"topic", 3}, {"distress", 1}, {"list", 1}, {"search", 1}, {"unknown", 1}})
	checkCounts(t, "routes", r.Routes, []Count{{"Digital", 4}, {"Catering and hospitality", 2}})
	checkCounts(t, "levels", r.Levels, []Count{{"4", 4}, {"2", 2}})
	checkCounts(t, "terms", r.UnansweredTerms, []Count{{"quantum", 2}, {"astronaut", 1}, {"entanglement", 1}})
	if len(r.Occupations) != 2 {
		t.Fatalf("occupations = %+v", r.Occupations)
	}
	ne, chef := r.Occupations[0], r.Occupations[1]
	if ne.Reference != "ST0127" || ne.Title != "Network engineer" || ne.Route != "Digital" || ne.Level != 4 || ne.Questions != 4 ||
		ne.Outcomes["answered"] != 2 || ne.Outcomes["not_covered"] != 2 {
		t.Errorf("first occupation = %+v", ne)
	}
	if chef.Reference != "ST0228" || chef.Questions != 2 || chef.Outcomes["partial"] != 1 || chef.Outcomes["answered"] != 1 {
		t.Errorf("second occupation = %+v", chef)
	}
	if len(r.Feedback) != 2 || r.Feedback[0] != (FeedbackCount{"ST0127", "Network engineer", 2, 0}) ||
		r.Feedback[1] != (FeedbackCount{"ST0228", "Commis chef", 0, 1}) {
		t.Errorf("feedback = %+v", r.Feedback)
	}
	if len(r.Slowest) != 7 || r.Slowest[0].LatencyMS != 80 || r.Slowest[0].Occupation != "ST0127" || r.Slowest[0].Platform != "slack" ||
		r.Slowest[1].LatencyMS != 40 || r.Slowest[6].LatencyMS != 1 {
		t.Errorf("slowest = %+v", r.Slowest)
	}
	if want := float64(12+30+80+5+1+40+9) / 7; r.LatencyMS.Mean < want-0.01 || r.LatencyMS.Mean > want+0.01 || r.LatencyMS.Max != 80 {
		t.Errorf("latency = %+v, want mean %.2f, max 80", r.LatencyMS, want)
	}
}

func checkCounts(t *testing.T, what string, got, want []Count) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s = %v, want %v", what, got, want)
			return
		}
	}
}

func TestStoreTop(t *testing.T) {
	db := openStore(t, Options{DataDir: t.TempDir()})
	if err := db.Add(t.Context(), sampleEvents()); err != nil {
		t.Fatal(err)
	}
	p := period
	p.Top = 1
	r, err := db.Report(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Occupations) != 1 || len(r.UnansweredTerms) != 1 || len(r.Platforms) != 1 || r.UnansweredTerms[0].Key != "quantum" {
		t.Errorf("top 1: occupations %v, terms %v, platforms %v", r.Occupations, r.UnansweredTerms, r.Platforms)
	}
	if len(r.Outcomes) != len(Outcomes) || len(r.Days) != 3 {
		t.Errorf("outcomes and days are whole whatever the top: %d, %d", len(r.Outcomes), len(r.Days))
	}
}

func TestStoreSweep(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		db := openStore(t, b.options(t))
		ctx := t.Context()
		if err := db.Add(ctx, sampleEvents()); err != nil {
			t.Fatal(err)
		}
		if err := db.AddFeedback(ctx, sampleFeedback()); err != nil {
			t.Fatal(err)
		}
		cut := day0.Add(24 * time.Hour) // e1, e2, e8 and f1..f4 are older
		n, err := db.Sweep(ctx, cut)
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("swept %d events, want 3", n)
		}
		for table, want := range map[string]int{"insight_events": 6, "insight_event_occupations": 4, "insight_terms": 4, "insight_feedback": 0} {
			var got int
			if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s: %d rows after the sweep, want %d", table, got, want)
			}
			var old int
			if err := db.db.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM `+table+` WHERE at_ms < ?`), cut.UnixMilli()).Scan(&old); err != nil {
				t.Fatal(err)
			}
			if old != 0 {
				t.Errorf("%s: %d rows older than the cut remain", table, old)
			}
		}
	})
}

// Processes starting at once migrate once: one takes the lock, the others
// wait and find the schema current.
func TestStoreMigratesOnceWhenOpenedAtOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		o := b.options(t)
		const n = 6
		var wg sync.WaitGroup
		errs := make(chan error, n)
		dbs := make(chan *DB, n)
		start := make(chan struct{})
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				db, err := Open(context.Background(), o)
				if err != nil {
					errs <- err
					return
				}
				dbs <- db
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		close(dbs)
		for err := range errs {
			t.Errorf("open at once: %v", err)
		}
		var db *DB
		for d := range dbs {
			db = d
			t.Cleanup(func() { d.Close() })
		}
		if db == nil {
			t.Fatal("no store opened")
		}
		var versions, rows int
		if err := db.db.QueryRow(`SELECT COUNT(DISTINCT version), COUNT(*) FROM insights_schema`).Scan(&versions, &rows); err != nil {
			t.Fatal(err)
		}
		if versions != len(migrations) || rows != len(migrations) {
			t.Errorf("insights_schema has %d rows of %d versions, want %d of each", rows, versions, len(migrations))
		}
		if v, err := db.SchemaVersion(t.Context()); err != nil || v != len(migrations) {
			t.Errorf("schema version = %d, %v; want %d", v, err, len(migrations))
		}
	})
}

func TestStoreRefusesANewerSchema(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		o := b.options(t)
		db := openStore(t, o)
		if _, err := db.db.Exec(db.q(`INSERT INTO insights_schema (version, applied_ms) VALUES (?, ?)`), len(migrations)+1, 0); err != nil {
			t.Fatal(err)
		}
		_, err := Open(t.Context(), o)
		if !errors.Is(err, ErrNewerSchema) {
			t.Errorf("open a newer schema: %v, want ErrNewerSchema", err)
		}
	})
}

func TestSQLiteFileIsPrivate(t *testing.T) {
	dir := t.TempDir()
	openStore(t, Options{DataDir: dir})
	fi, err := os.Stat(dir + "/" + FileName)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("%s has mode %v, want 0600: it holds pseudonyms", FileName, perm)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://bot:s3cret@db.example:5432/careers?sslmode=require": "postgres://bot:xxxxx@db.example:5432/careers?sslmode=require",
		"postgres://db.example/careers":                                 "postgres://db.example/careers",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
