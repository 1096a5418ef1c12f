package insights

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/testcorpus"
	"github.com/careersbot/careersbot/retrieval"
)

// counter records a Recorder's counts.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) count(result string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[result] += n
}

func (c *counter) get(result string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[result]
}

// lookupIn looks standards up in an index, as serve does.
func lookupIn(ix *retrieval.Index) func(string) (Occupation, bool) {
	return func(ref string) (Occupation, bool) {
		o, ok := ix.Occupation(ref)
		if !ok {
			return Occupation{}, false
		}
		return Occupation{Reference: o.Reference, Title: o.Title, Route: o.Route, Level: o.Level}, true
	}
}

// recorded asks questions through a Guard that records into a SQLite store
// in dir, closes the recorder and returns the store.
func recorded(t *testing.T, dir string, logQuestions bool, questions ...bot.Question) *DB {
	t.Helper()
	ix := testcorpus.Catalogue(t)
	db := openStore(t, Options{DataDir: dir})
	c := &counter{}
	rec := NewRecorder(RecorderOptions{
		Open:         func(context.Context) (Writer, error) { return db, nil },
		HashUser:     bot.UserHasher(),
		Lookup:       lookupIn(ix),
		Vocabulary:   ix.Uses,
		LogQuestions: logQuestions,
		Count:        c.count,
	})
	rec.Start()
	g := bot.NewGuard(bot.New(ix, bot.Options{}), bot.GuardOptions{OnAnswer: rec.Observe})
	for _, q := range questions {
		a, err := g.Ask(t.Context(), q)
		if err != nil {
			t.Fatalf("%q: %v", q.Text, err)
		}
		if a.ID == "" {
			t.Errorf("%q: a recorded answer has no ID", q.Text)
		}
	}
	if err := rec.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := c.get("recorded"); got != len(questions) {
		t.Errorf("recorded %d events, want %d (counts %v)", got, len(questions), c.n)
	}
	return db
}

// privateQuestions name people, places, numbers and addresses, in
// questions of every outcome.
var privateQuestions = []bot.Question{
	{Text: "Zebediah here: which skills does a network engineer need?", User: "U1", Via: "slack"},
	// The bot takes the name for the topic, which the standard lacks: not
	// covered, and the name must not become a term.
	{Text: "Hi I'm Zebediah Quillfeather, which skills does a network engineer need?", User: "U1", Via: "slack"},
	{Text: "My friend Ottoline Vexworth asked: does a commis chef need to bake bread?", User: "U2", Via: "http"},
	{Text: "I am Marigold and I'm 15, email marigold.pemberton@example.org, how do I become an astronaut?", User: "U3", Via: "http"},
	{Text: "Does a network engineer need to know about quantum entanglement? Call 07700 900461", User: "U4", Via: "discord"},
	{Text: "I'm Barnaby Thistlewood and I want to kill myself", User: "U5", Via: "slack"},
	{Text: "help", User: "U6", Via: "http"},
}

// secrets are the words of privateQuestions no event may keep.
var secrets = []string{"Zebediah", "Quillfeather", "Ottoline", "Vexworth", "Marigold", "pemberton", "example.org",
	"07700", "900461", "Barnaby", "Thistlewood", "kill myself", "which skills does", "bake bread?"}

// readStoreFiles reads the SQLite file and its WAL and shared-memory files.
func readStoreFiles(t *testing.T, dir string) []byte {
	t.Helper()
	var all []byte
	names, _ := filepath.Glob(filepath.Join(dir, FileName+"*"))
	if len(names) == 0 {
		t.Fatal("no store files")
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// With CAREERSBOT_LOG_QUESTIONS unset no question's text is in the
// database: read byte by byte, its WAL included. With it set, the text is
// there: the check can fail.
func TestNoQuestionTextInTheDatabaseFile(t *testing.T) {
	dir := t.TempDir()
	db := recorded(t, dir, false, privateQuestions...)
	r, err := db.Report(t.Context(), Period{From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Questions != len(privateQuestions) {
		t.Fatalf("%d questions recorded, want %d", r.Questions, len(privateQuestions))
	}
	raw := bytes.ToLower(readStoreFiles(t, dir))
	for _, q := range privateQuestions {
		if len(q.Text) > 10 && bytes.Contains(raw, bytes.ToLower([]byte(q.Text))) {
			t.Errorf("the database file holds the question %q", q.Text)
		}
	}
	for _, s := range secrets {
		if bytes.Contains(raw, bytes.ToLower([]byte(s))) {
			t.Errorf("the database file holds %q", s)
		}
	}
	// What it does keep of the unanswered: their topics' words.
	terms := map[string]bool{}
	for _, c := range r.UnansweredTerms {
		terms[c.Key] = true
	}
	for _, want := range []string{"astronaut", "quantum", "entanglement"} {
		if !terms[want] {
			t.Errorf("unanswered terms %v lack %q", r.UnansweredTerms, want)
		}
	}

	logged := t.TempDir()
	recorded(t, logged, true, privateQuestions...)
	raw = readStoreFiles(t, logged)
	for _, q := range privateQuestions[:5] {
		if !bytes.Contains(raw, []byte(q.Text)) {
			t.Errorf("with LogQuestions the file lacks %q", q.Text)
		}
	}
	// Distress is counted, never kept, whatever the setting.
	if bytes.Contains(raw, []byte("Thistlewood")) {
		t.Error("a distress message's text was kept")
	}
}

func TestRecorderEvents(t *testing.T) {
	db := recorded(t, t.TempDir(), false, privateQuestions...)
	rows, err := db.db.QueryContext(t.Context(), `SELECT platform, user_hash, outcome, intent, occupation, citations, COALESCE(question, '') FROM insight_events`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	byOutcome := map[string][]string{}
	for rows.Next() {
		var platform, user, outcome, intent, occ, cits, question string
		if err := rows.Scan(&platform, &user, &outcome, &intent, &occ, &cits, &question); err != nil {
			t.Fatal(err)
		}
		if question != "" {
			t.Errorf("%s: question kept", outcome)
		}
		switch outcome {
		case "distress":
			if user != "" || occ != "" || cits != "" || intent != "distress" {
				t.Errorf("a distress event keeps more than a count: user %q occupation %q citations %q", user, occ, cits)
			}
		default:
			if len(user) != 16 || user == "U1" {
				t.Errorf("%s: user %q is no pseudonym", outcome, user)
			}
		}
		byOutcome[outcome] = append(byOutcome[outcome], platform+" "+occ+" "+cits)
	}
	want := map[string]int{"answered": 1, "partial": 1, "not_covered": 3, "distress": 1, "help": 1}
	for o, n := range want {
		if len(byOutcome[o]) != n {
			t.Errorf("%s: %d events %v, want %d", o, len(byOutcome[o]), byOutcome[o], n)
		}
	}
	if got := byOutcome["answered"]; len(got) == 1 && !strings.HasPrefix(got[0], "slack ST0127 ST0127 S1,") {
		t.Errorf("the answered event: %q", got[0])
	}
	if got := byOutcome["partial"]; len(got) == 1 && !strings.HasPrefix(got[0], "http ST0228 ST0228 ") {
		t.Errorf("the partial event: %q", got[0])
	}
	var route string
	var level int
	if err := db.db.QueryRowContext(t.Context(), `SELECT route, level FROM insight_event_occupations WHERE reference = 'ST0127' LIMIT 1`).Scan(&route, &level); err != nil {
		t.Fatal(err)
	}
	if route != "Digital" || level != 4 {
		t.Errorf("ST0127 recorded as route %q level %d", route, level)
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    bot.Observed
		want Outcome
		ok   bool
	}{
		{"grounded", bot.Observed{Answer: bot.Answer{Outcome: bot.OutcomeGrounded}}, Answered, true},
		{"partial", bot.Observed{Answer: bot.Answer{Outcome: bot.OutcomeGrounded, Partial: true}}, Partial, true},
		{"not grounded", bot.Observed{Answer: bot.Answer{Outcome: bot.OutcomeNotGrounded}}, NotCovered, true},
		{"distress", bot.Observed{Answer: bot.Answer{Outcome: bot.OutcomeRefused, Intent: bot.IntentDistress}}, Distress, true},
		{"help", bot.Observed{Answer: bot.Answer{Outcome: bot.OutcomeHelp}}, Help, true},
		{"busy", bot.Observed{Err: bot.ErrBusy, Outcome: bot.OutcomeRefused}, Error, true},
		{"not ready", bot.Observed{Err: bot.ErrNotReady}, Error, true},
		{"a failure", bot.Observed{Err: errors.New("search: disk on fire")}, Error, true},
		{"rate limited", bot.Observed{Err: bot.RateLimited(time.Second)}, "", false},
		{"too long", bot.Observed{Err: bot.TooLong("question", 20, 10)}, "", false},
		{"empty", bot.Observed{Err: bot.ErrEmptyQuestion}, "", false},
	} {
		if got, ok := Classify(tc.o); got != tc.want || ok != tc.ok {
			t.Errorf("%s: Classify = %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// flakyWriter fails while down is set.
type flakyWriter struct {
	*DB
	down  atomic.Bool
	calls atomic.Int64
}

func (f *flakyWriter) Add(ctx context.Context, evs []Event) error {
	f.calls.Add(1)
	if f.down.Load() {
		return errors.New("connection refused")
	}
	return f.DB.Add(ctx, evs)
}

func observed(i int) bot.Observed {
	return bot.Observed{Question: bot.Question{Text: "q", User: "u", Via: "http"},
		Answer: bot.Answer{ID: "id" + string(rune('a'+i%26)) + strings.Repeat("x", i/26), Outcome: bot.OutcomeGrounded},
		At:     time.Now(), Took: time.Millisecond}
}

// A store that is down never blocks or fails the answer path: events wait
// within the buffer, the rest are dropped and counted, and those waiting
// are written once the store is back.
func TestRecorderStoreDownThenBack(t *testing.T) {
	db := openStore(t, Options{DataDir: t.TempDir()})
	w := &flakyWriter{DB: db}
	w.down.Store(true)
	c := &counter{}
	const buffer = 50
	rec := NewRecorder(RecorderOptions{Open: func(context.Context) (Writer, error) { return w, nil },
		Buffer: buffer, Batch: 10, FlushEvery: 10 * time.Millisecond, Count: c.count})
	rec.Start()
	const n = 500
	for i := range n {
		rec.Observe(observed(i))
	}
	// Wait until the writer has tried and failed.
	for w.calls.Load() < 2 {
		time.Sleep(5 * time.Millisecond)
	}
	w.down.Store(false)
	if err := rec.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	var stored int
	if err := db.db.QueryRow(`SELECT COUNT(*) FROM insight_events`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored == 0 || stored > buffer {
		t.Errorf("%d events stored after the store came back, want 1..%d (the buffer)", stored, buffer)
	}
	if c.get("recorded") != stored || c.get("dropped") != n-stored || c.get("write_error") == 0 {
		t.Errorf("counts %v with %d stored of %d", c.n, stored, n)
	}
}

// A store that never opens costs the answer path nothing: every answer
// comes back, and every event is counted as dropped.
func TestRecorderStoreNeverOpens(t *testing.T) {
	c := &counter{}
	opens := atomic.Int64{}
	rec := NewRecorder(RecorderOptions{Open: func(context.Context) (Writer, error) {
		opens.Add(1)
		return nil, errors.New("dial tcp 127.0.0.1:1: connection refused")
	}, Buffer: 8, Count: c.count})
	rec.Start()
	g := bot.NewGuard(bot.New(testcorpus.Seed(t), bot.Options{}), bot.GuardOptions{OnAnswer: rec.Observe})
	for range 20 {
		if a, err := g.Ask(t.Context(), bot.Question{Text: "Which skills does a network engineer need?", Via: "http"}); err != nil || !a.Grounded {
			t.Fatalf("an answer failed while the store is down: %v", err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := rec.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if c.get("dropped") != 20 || c.get("recorded") != 0 || opens.Load() == 0 {
		t.Errorf("counts %v, opens %d", c.n, opens.Load())
	}
	// After Close, nothing is queued.
	rec.Observe(observed(1))
	if c.get("dropped") != 21 {
		t.Errorf("an event after Close: counts %v", c.n)
	}
}

func TestRecorderFeedbackAndSweep(t *testing.T) {
	db := openStore(t, Options{DataDir: t.TempDir()})
	if err := db.Add(t.Context(), sampleEvents()); err != nil {
		t.Fatal(err)
	}
	now := day0.Add(50 * time.Hour)
	rec := NewRecorder(RecorderOptions{
		Open:      func(context.Context) (Writer, error) { return db, nil },
		Retention: 22 * time.Hour, // all but e7 and e9 are older
		Lookup: func(ref string) (Occupation, bool) {
			return Occupation{Reference: ref, Title: "Title of " + ref}, true
		},
		Now: func() time.Time { return now },
	})
	rec.Start()
	rec.Feedback(bot.Feedback{Answer: "e7", Vote: "down", Occupation: "ST0127", Via: "slack"})
	rec.Feedback(bot.Feedback{Answer: "e7", Vote: "sideways", Occupation: "ST0127", Via: "slack"})
	if err := rec.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	r, err := db.Report(t.Context(), Period{From: day0.Add(-48 * time.Hour), To: now.Add(100 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Questions != 2 {
		t.Errorf("%d events after a sweep at 22 h, want 2 (e7, e9)", r.Questions)
	}
	if len(r.Feedback) != 1 || r.Feedback[0] != (FeedbackCount{"ST0127", "Title of ST0127", 0, 1}) {
		t.Errorf("feedback %+v, want one vote down on ST0127", r.Feedback)
	}
}
