package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// askLoad is a closed-loop load on /v1/ask: clients each ask in turn, each
// a distinct user (its own X-Forwarded-For; the replicas trust 127.0.0.1),
// spread over the targets (client i on target i mod len), until limit
// requests (0: no limit) or ctx ends.
type askLoad struct {
	mu   sync.Mutex
	reqs []askRecord
}

type askRecord struct {
	at   time.Time
	took time.Duration
	code int // 0: no HTTP answer
}

func runAskLoad(ctx context.Context, targets []string, clients int, limit int64) *askLoad {
	l := &askLoad{}
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients}, Timeout: 30 * time.Second}
	bodies := make([][]byte, len(loadQuestions))
	for i, q := range loadQuestions {
		bodies[i], _ = json.Marshal(map[string]string{"question": q})
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			target := targets[c%len(targets)]
			forwarded := fmt.Sprintf("10.1.%d.%d", c/250, c%250+1)
			var mine []askRecord
			defer func() {
				l.mu.Lock()
				l.reqs = append(l.reqs, mine...)
				l.mu.Unlock()
			}()
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if limit > 0 && i >= limit {
					return
				}
				req, _ := http.NewRequest(http.MethodPost, target+"/v1/ask", bytes.NewReader(bodies[i%int64(len(bodies))]))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Forwarded-For", forwarded)
				start := time.Now()
				r := askRecord{at: start}
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					r.code = resp.StatusCode
				}
				r.took = time.Since(start)
				mine = append(mine, r)
			}
		}()
	}
	wg.Wait()
	client.CloseIdleConnections()
	return l
}

// between is the requests that started in [from, to).
func (l *askLoad) between(from, to time.Time) []askRecord {
	var out []askRecord
	for _, r := range l.reqs {
		if !r.at.Before(from) && r.at.Before(to) {
			out = append(out, r)
		}
	}
	return out
}

// summary is the count, the non-200s and the latency quantiles of rs.
func summary(rs []askRecord) (n, bad int, p50, p99, max time.Duration) {
	lat := make([]time.Duration, 0, len(rs))
	for _, r := range rs {
		if r.code != http.StatusOK {
			bad++
		}
		lat = append(lat, r.took)
	}
	if len(lat) == 0 {
		return 0, 0, 0, 0, 0
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	return len(rs), bad, q(0.50), q(0.99), lat[len(lat)-1]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// loadEnv is a replica's environment for the load: the default corpus,
// the rate limit on (high enough never to refuse) so that every question
// checks its user's allowance, and the load's addresses trusted.
func loadEnv(t testing.TB, dbURL string) map[string]string {
	t.Helper()
	if _, err := buildShared(); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"CAREERSBOT_DATA_DIR":        sharedDataDir,
		"CAREERSBOT_RATE_PER_MINUTE": "1000000",
		"CAREERSBOT_TRUSTED_PROXIES": "127.0.0.1",
		// Insights off: the comparison is of the shared state alone.
		"CAREERSBOT_INSIGHTS_RETENTION_DAYS": "0",
	}
	if dbURL != "" {
		env["CAREERSBOT_DATABASE_URL"] = dbURL
	}
	return env
}

// BenchmarkReplicasAsk compares, in one run, /v1/ask of one `serve` with
// its state in memory ("memory") and of two `serve` processes sharing
// PostgreSQL ("shared": each question then takes its user's allowance in
// the database), with two `serve` processes each in memory ("memory-x2",
// which shares nothing) to tell the cost of a second process on the same
// cores from the cost of the shared state. Same 16 clients, b.N questions
// a round; rounds alternate (memory, memory-x2, shared; five of each) so
// that other work on the machine falls on all alike. It reports the median
// round of each (answers/s, p50, p99), the ratios of the medians, and the
// CPU time per answer of the serve processes and of PostgreSQL (every
// process named postgres on the machine, /proc), which other work on the
// machine does not move as much as it moves throughput. Skipped without
// CAREERSBOT_TEST_DATABASE_URL. Run with -benchtime 4000x.
func BenchmarkReplicasAsk(b *testing.B) {
	dbURL := postgresTestSchema(b)
	if b.N < 100 {
		return // the probe run: processes are not worth starting for it
	}
	const clients, rounds = 16, 5
	type round struct {
		rate            float64
		p50, p99        time.Duration
		serveCPU, pgCPU time.Duration // per answer
	}
	measure := func(ps ...*process) round {
		var targets []string
		for _, p := range ps {
			targets = append(targets, p.url)
		}
		runAskLoad(context.Background(), targets, clients, int64(4*clients)) // warm connections and caches
		serve0, pg0 := cpuTime(ps...), postgresCPU()
		start := time.Now()
		l := runAskLoad(context.Background(), targets, clients, int64(b.N))
		elapsed := time.Since(start)
		serve, pg := cpuTime(ps...)-serve0, postgresCPU()-pg0
		n, bad, p50, p99, _ := summary(l.reqs)
		if bad > 0 {
			b.Fatalf("%d of %d requests failed", bad, n)
		}
		return round{float64(n) / elapsed.Seconds(), p50, p99, serve / time.Duration(n), pg / time.Duration(n)}
	}
	b.StopTimer()
	mem := startProcess(b, loadEnv(b, ""))
	mem2 := startProcess(b, loadEnv(b, ""))
	a := startProcess(b, loadEnv(b, dbURL))
	c := startProcess(b, loadEnv(b, dbURL))
	arms := []struct {
		name   string
		ps     []*process
		rounds []round
	}{{name: "memory", ps: []*process{mem}}, {name: "memory-x2", ps: []*process{mem, mem2}}, {name: "shared", ps: []*process{a, c}}}
	for i := range rounds {
		line := fmt.Sprintf("round %d:", i+1)
		for j := range arms {
			r := measure(arms[j].ps...)
			arms[j].rounds = append(arms[j].rounds, r)
			line += fmt.Sprintf(" %s %.0f/s p99 %.1f ms cpu %.0f+%.0f µs;", arms[j].name, r.rate, ms(r.p99),
				float64(r.serveCPU.Microseconds()), float64(r.pgCPU.Microseconds()))
		}
		b.Log(line)
	}
	median := func(rs []round, key func(round) float64) round {
		rs = slices.Clone(rs)
		slices.SortFunc(rs, func(x, y round) int { return cmp.Compare(key(x), key(y)) })
		return rs[len(rs)/2]
	}
	rate := func(r round) float64 { return r.rate }
	cpu := func(r round) float64 { return float64(r.serveCPU + r.pgCPU) }
	for _, arm := range arms {
		m := median(arm.rounds, rate)
		b.ReportMetric(m.rate, arm.name+"-answers/s")
		b.ReportMetric(ms(m.p50), arm.name+"-p50-ms")
		b.ReportMetric(ms(m.p99), arm.name+"-p99-ms")
		b.ReportMetric(cpu(median(arm.rounds, cpu))/1000, arm.name+"-cpu-µs/answer")
	}
	memory, shared := median(arms[0].rounds, rate), median(arms[2].rounds, rate)
	b.ReportMetric(shared.rate/memory.rate, "shared/memory")
	b.ReportMetric(median(arms[1].rounds, rate).rate/memory.rate, "memory-x2/memory")
	b.ReportMetric(cpu(median(arms[0].rounds, cpu))/cpu(median(arms[2].rounds, cpu)), "cpu-memory/shared")
}

// cpuTime is the CPU time the processes have used (user and system).
func cpuTime(ps ...*process) time.Duration {
	var d time.Duration
	for _, p := range ps {
		d += procCPU(p.cmd.Process.Pid)
	}
	return d
}

// postgresCPU is the CPU time of every process named postgres (Linux).
func postgresCPU() time.Duration {
	var d time.Duration
	comms, _ := filepath.Glob("/proc/[0-9]*/comm")
	for _, c := range comms {
		if b, err := os.ReadFile(c); err == nil && strings.TrimSpace(string(b)) == "postgres" {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(c)))
			d += procCPU(pid)
		}
	}
	return d
}

// procCPU is a process's CPU time from /proc/PID/stat (utime + stime, in
// clock ticks of 10 ms); 0 when it cannot be read.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// privatePostgres is a PostgreSQL cluster of the test's own, from the
// distribution's binaries, started by hand (no service manager), which the
// test may kill: the shared test database must stay up for the others.
type privatePostgres struct {
	bin, dir string
	port     int
	asPG     func(*exec.Cmd)
}

// startPrivatePostgres makes and starts a cluster; it skips the test
// without CAREERSBOT_TEST_DATABASE_URL (the PostgreSQL tests' switch) or
// without PostgreSQL's binaries. As root, the cluster belongs to the
// postgres user (initdb refuses root), as in .ci/run.
func startPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	if os.Getenv("CAREERSBOT_TEST_DATABASE_URL") == "" {
		t.Skip("CAREERSBOT_TEST_DATABASE_URL is not set: the PostgreSQL tests were skipped (.ci/run starts a PostgreSQL and sets it)")
	}
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		t.Skip("no PostgreSQL binaries in /usr/lib/postgresql/*/bin: this test starts and kills a cluster of its own")
	}
	sort.Slice(bins, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(bins[i]))))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(bins[j]))))
		return vi < vj
	})
	p := &privatePostgres{bin: filepath.Dir(bins[len(bins)-1]), asPG: func(*exec.Cmd) {}}
	dir, err := os.MkdirTemp("", "careersbot-pgkill-")
	if err != nil {
		t.Fatal(err)
	}
	p.dir = dir
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skipf("running as root and no postgres user to own the cluster: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		p.asPG = func(c *exec.Cmd) {
			c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		}
	}
	t.Cleanup(func() {
		p.ctl(t, "-m", "immediate", "stop")
		os.RemoveAll(dir)
	})
	addr := freeAddr(t)
	p.port, _ = strconv.Atoi(addr[strings.LastIndex(addr, ":")+1:])
	if out, err := p.cmd("initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "-A", "trust", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	p.start(t)
	return p
}

func (p *privatePostgres) cmd(name string, args ...string) *exec.Cmd {
	c := exec.Command(filepath.Join(p.bin, name), args...)
	c.Dir = p.dir
	p.asPG(c)
	return c
}

func (p *privatePostgres) ctl(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	return p.cmd("pg_ctl", append([]string{"-D", filepath.Join(p.dir, "data")}, args...)...).CombinedOutput()
}

func (p *privatePostgres) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
}

func (p *privatePostgres) start(t *testing.T) {
	t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", p.port, p.dir)
	if out, err := p.ctl(t, "-l", filepath.Join(p.dir, "log"), "-w", "-t", "60", "-o", opts, "start"); err != nil {
		t.Fatalf("pg_ctl start: %v\n%s", err, out)
	}
}

// kill stops the cluster the way a crash does: immediate shutdown, no
// checkpoint, crash recovery at the next start (which empties the
// unlogged state tables).
func (p *privatePostgres) kill(t *testing.T) {
	t.Helper()
	if out, err := p.ctl(t, "-m", "immediate", "stop"); err != nil {
		t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

// readyz is a replica's /readyz status and its database check.
func readyz(t *testing.T, p *process) (int, string) {
	t.Helper()
	resp, err := http.Get(p.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Checks map[string]string `json:"checks"`
	}
	json.NewDecoder(resp.Body).Decode(&r)
	return resp.StatusCode, r.Checks["database"]
}

// waitReadyz waits until every replica's /readyz has code and its database
// check starts with prefix, and returns when that happened.
func waitReadyz(t *testing.T, within time.Duration, code int, prefix string, ps ...*process) time.Time {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		all := true
		var last string
		for _, p := range ps {
			c, db := readyz(t, p)
			if c != code || !strings.HasPrefix(db, prefix) {
				all, last = false, fmt.Sprintf("%d %q", c, db)
			}
		}
		if all {
			return time.Now()
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz never %d with database %q; last %s", code, prefix, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestReplicasPostgresKilledUnderLoad kills the PostgreSQL two replicas
// share while BenchmarkReplicasAsk's load (16 clients, each its own user,
// the default corpus) asks through both: no answer is lost (every request
// 200), both /readyz turn not ready naming the database, and after
// PostgreSQL is started again both recover with no action and write their
// state to it again.
func TestReplicasPostgresKilledUnderLoad(t *testing.T) {
	pg := startPrivatePostgres(t)
	env := loadEnv(t, pg.url())                       // BenchmarkReplicasAsk's replicas and load
	delete(env, "CAREERSBOT_INSIGHTS_RETENTION_DAYS") // insights on: their store goes too
	a := startProcess(t, env)
	b := startProcess(t, env)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan *askLoad, 1)
	go func() { done <- runAskLoad(ctx, []string{a.url, b.url}, 16, 0) }()
	time.Sleep(2 * time.Second)
	killed := time.Now()
	pg.kill(t)
	noticed := waitReadyz(t, 10*time.Second, http.StatusServiceUnavailable, "not ready: PostgreSQL unreachable", a, b)
	time.Sleep(2 * time.Second) // answers keep flowing on local state
	restarted := time.Now()
	pg.start(t)
	recovered := waitReadyz(t, 20*time.Second, http.StatusOK, "ok: PostgreSQL at", a, b)
	time.Sleep(2 * time.Second)
	cancel()
	l := <-done

	for _, phase := range []struct {
		name     string
		from, to time.Time
	}{
		{"before the kill", time.Time{}, killed},
		{"PostgreSQL down", killed, restarted},
		{"restarting", restarted, recovered},
		{"after recovery", recovered, time.Now().Add(time.Hour)},
	} {
		n, bad, p50, p99, max := summary(l.between(phase.from, phase.to))
		t.Logf("%-16s %5d answers, %d not 200, p50 %.1f ms, p99 %.1f ms, max %.1f ms", phase.name, n, bad, ms(p50), ms(p99), ms(max))
		if n == 0 {
			t.Errorf("%s: no answers", phase.name)
		}
		if bad > 0 {
			t.Errorf("%s: %d of %d requests not answered 200", phase.name, bad, n)
		}
	}
	t.Logf("down noticed by both /readyz %v after the kill; both ready %v after the restart", noticed.Sub(killed).Round(time.Millisecond), recovered.Sub(restarted).Round(time.Millisecond))

	// Crash recovery emptied the unlogged state tables: rows there now were
	// written after the restart.
	cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer ccancel()
	conn, err := pgx.Connect(cctx, pg.url())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(cctx)
	var rows int
	if err := conn.QueryRow(cctx, `SELECT count(*) FROM state_rates`).Scan(&rows); err != nil || rows == 0 {
		t.Errorf("state_rates after recovery: %d rows (%v); want the load's users again", rows, err)
	}
	for name, p := range map[string]*process{"A": a, "B": b} {
		logs := p.stderr.String()
		if !strings.Contains(logs, "the shared state database is lost") || !strings.Contains(logs, "the shared state database is back") {
			t.Errorf("%s logged no loss and recovery:\n%s", name, tail(logs, 20))
		}
	}
}
