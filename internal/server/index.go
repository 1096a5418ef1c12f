package server

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/app"
	"github.com/careersbot/careersbot/internal/httpauth"
	"github.com/careersbot/careersbot/internal/llm"
	"github.com/careersbot/careersbot/retrieval"
)

// LoadIndex opens the index and makes the bot answer from it.
func (s *Server) LoadIndex(ctx context.Context) error {
	ix, err := app.OpenIndex(ctx, s.cfg, s.log, s.openOptions())
	if err != nil {
		s.ready.set("index", false, err.Error())
		return err
	}
	var onDistress func(context.Context, bot.Question, bot.Safeguarding)
	if s.alerts != nil {
		onDistress = s.alerts.Notify
	}
	b := app.NewBotWith(ix, s.cfg, onDistress, bot.Metrics{
		ObserveRetrieval: func(d time.Duration) { s.metrics.RetrievalSeconds.Observe(d.Seconds()) },
		CountDistress: func(sg bot.Safeguarding) {
			s.metrics.Distress.WithLabelValues(string(sg.Kind), strconv.FormatBool(sg.Now)).Inc()
		},
		CountStripped: func(n int) { s.metrics.CitationsStripped.Add(float64(n)) },
		CountFallback: func(reason string) { s.metrics.LLMFallbacks.WithLabelValues(reason).Inc() },
	}, s.llm)
	s.botMu.Lock()
	s.bot = b
	s.botMu.Unlock()
	s.asker.set(b)
	s.setIndexGauges(ix)
	st := ix.Stats()
	if st.Rebuilt {
		// A build's working memory (the embedding pipeline's copies of
		// every passage) is garbage now: give it back to the system once,
		// so a server that built its index runs as small as one that
		// loaded it.
		debug.FreeOSMemory()
	}
	s.log.Info("index ready", "occupations", st.Occupations, "passages", st.Passages, "file", st.File,
		"loaded_ms", st.LoadTime.Milliseconds(), "built_ms", st.BuildTime.Milliseconds())
	s.ready.set("index", true, fmt.Sprintf("%d occupations, %d passages", st.Occupations, st.Passages))
	// Building an index leaves hundreds of MB of garbage the runtime
	// would keep for minutes: the process settles at its working size now.
	debug.FreeOSMemory()
	return nil
}

// openOptions are serve's: the shared model client, the fallback counted
// (and logged unless the circuit is open, which is logged once), and an
// index that cannot be saved served from memory.
func (s *Server) openOptions() app.OpenOptions {
	return app.OpenOptions{LLM: s.llm, KeepUnsaved: true, OnQueryFallback: func(err error) {
		s.metrics.LLMFallbacks.WithLabelValues("query_embedding").Inc()
		if !errors.Is(err, llm.ErrCircuitOpen) {
			s.log.Warn("the question's remote embedding failed; ranking lexically", "error", err.Error())
		}
	}}
}

func (s *Server) setIndexGauges(ix *retrieval.Index) {
	st := ix.Stats()
	s.metrics.Passages.Set(float64(st.Passages))
	s.metrics.Occupations.Set(float64(st.Occupations))
}

// reload re-reads the corpus and the data dir's catalogue, builds the index
// beside the live one, and swaps it in: questions in flight finish on the
// index they started with, and none is dropped.
func (s *Server) reload(ctx context.Context) (retrieval.Stats, error) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	defer s.reloads.Add(1)
	b := s.CurrentBot()
	if b == nil {
		return retrieval.Stats{}, bot.ErrNotReady
	}
	start := time.Now()
	ix, err := app.OpenIndex(ctx, s.cfg, s.log, s.openOptions())
	if err != nil {
		s.metrics.Reloads.WithLabelValues("error").Inc()
		s.log.Error("reload failed; the live index stays", "error", err.Error())
		return retrieval.Stats{}, err
	}
	b.Swap(ix)
	s.setIndexGauges(ix)
	s.metrics.Reloads.WithLabelValues("ok").Inc()
	st := ix.Stats()
	s.log.Info("reloaded", "occupations", st.Occupations, "passages", st.Passages, "rebuilt", st.Rebuilt,
		"took_ms", time.Since(start).Milliseconds())
	debug.FreeOSMemory()
	s.ready.set("index", true, fmt.Sprintf("%d occupations, %d passages", st.Occupations, st.Passages))
	return st, nil
}

// adminReload is POST /admin/reload: the same reload as SIGHUP, for the
// holder of CAREERSBOT_ADMIN_TOKEN.
func (s *Server) adminReload(w http.ResponseWriter, r *http.Request) {
	token, ok := httpauth.BearerToken(r.Header.Get("Authorization"))
	if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.AdminToken.Reveal())) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="careersbot admin"`)
		writeJSONError(w, http.StatusUnauthorized, "send Authorization: Bearer <CAREERSBOT_ADMIN_TOKEN>")
		return
	}
	st, err := s.reload(r.Context())
	if err != nil {
		writeJSONError(w, http.StatusInternalServerError, "reload failed, the live index stays: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "occupations": st.Occupations, "passages": st.Passages, "rebuilt": st.Rebuilt})
}

func writeJSONError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
