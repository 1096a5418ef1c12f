package server

import (
	"sort"
	"strings"
	"sync"

	"github.com/careersbot/careersbot/internal/metrics"
)

// readiness tracks each check /readyz reports: the index and every adapter.
type readiness struct {
	m      *metrics.Metrics
	mu     sync.Mutex
	checks map[string]check
}

type check struct {
	ok     bool
	detail string
	// live, when set, is read at each request instead: a check of how
	// the process serves, not whether, so degraded ("the model server is
	// down, answers are extractive") keeps it ready.
	live func() (degraded bool, detail string)
}

func newReadiness(m *metrics.Metrics) *readiness {
	return &readiness{m: m, checks: map[string]check{}}
}

func (r *readiness) set(name string, ok bool, detail string) {
	r.mu.Lock()
	r.checks[name] = check{ok: ok, detail: detail}
	r.mu.Unlock()
	if name != "index" && name != "shutdown" {
		r.m.SetConnected(name, ok)
	}
}

// watch adds a check read at each request that never makes the process not
// ready: "ok: detail", or "degraded: detail" while it answers in a lesser
// way.
func (r *readiness) watch(name string, live func() (degraded bool, detail string)) {
	r.mu.Lock()
	r.checks[name] = check{ok: true, live: live}
	r.mu.Unlock()
}

// state is ready when every check is; each check says "ok: detail",
// "degraded: detail" (still ready) or "not ready: detail".
func (r *readiness) state() (bool, map[string]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ready := true
	out := map[string]string{}
	names := make([]string, 0, len(r.checks))
	for n := range r.checks {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := r.checks[n]
		state := "ok"
		if c.live != nil {
			var degraded bool
			if degraded, c.detail = c.live(); degraded {
				state = "degraded"
			}
		}
		if !c.ok {
			state, ready = "not ready", false
		}
		out[n] = strings.TrimSuffix(state+": "+c.detail, ": ")
	}
	return ready, out
}
