package server

import (
	"fmt"
	"strings"
	"time"

	"github.com/careersbot/careersbot/internal/llm"
)

// circuitOps are the model server's operations in use: chat for generated
// answers, embed for remote embeddings.
func (s *Server) circuitOps() []string {
	var ops []string
	if s.llm == nil {
		return nil
	}
	if s.cfg.LLMModel != "" {
		ops = append(ops, llm.OpChat)
	}
	if s.cfg.EmbedModel != "" {
		ops = append(ops, llm.OpEmbed)
	}
	return ops
}

// circuitChanged counts and logs a circuit's change. It runs under the
// circuit's lock: it must not call the client.
func (s *Server) circuitChanged(op, from, to string) {
	s.metrics.LLMCircuitChanges.WithLabelValues(op, to).Inc()
	switch to {
	case llm.StateOpen:
		s.log.Warn("model server circuit open: failing fast", "op", op, "from", from, "cooldown", s.cfg.BreakerCooldown.String())
	case llm.StateClosed:
		s.log.Info("model server circuit closed", "op", op, "from", from)
	}
}

// circuitState is a circuit's check for /readyz: degraded while it is not
// closed (the process still answers, extractively, and stays ready).
func (s *Server) circuitState(op string) (degraded bool, detail string) {
	what := map[string]string{llm.OpChat: "answers are extractive", llm.OpEmbed: "questions are ranked lexically"}[op]
	switch s.llm.Circuit(op) {
	case llm.StateOpen:
		return true, fmt.Sprintf("circuit open: the model server failed; %s until a probe succeeds (one is let through every %s)", what, short(s.cfg.BreakerCooldown))
	case llm.StateHalfOpen:
		return true, "circuit half-open: the next call is a probe; " + what + " meanwhile"
	}
	return false, "circuit closed"
}

// short prints a duration without its zero parts: 30s, 1m, 1h.
func short(d time.Duration) string {
	out := d.String()
	if strings.HasSuffix(out, "m0s") {
		out = strings.TrimSuffix(out, "0s")
	}
	if strings.HasSuffix(out, "h0m") {
		out = strings.TrimSuffix(out, "0m")
	}
	return out
}
