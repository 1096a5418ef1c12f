package server

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/careersbot/careersbot/adapters"
	"github.com/careersbot/careersbot/internal/metrics"
)

// supervise runs an adapter's connection, retrying with exponential backoff
// and jitter while ctx lasts; a failing adapter never stops the others.
func supervise(ctx context.Context, log *slog.Logger, m *metrics.Metrics, a adapters.Adapter) {
	const minWait, maxWait = time.Second, time.Minute
	wait := minWait
	for {
		start := time.Now()
		err := a.Run(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > 2*maxWait {
			wait = minWait // it ran a good while: start over
		}
		m.AdapterRetries.WithLabelValues(a.Name()).Inc()
		m.SetConnected(a.Name(), false)
		errText := "stopped"
		if err != nil {
			errText = err.Error()
		}
		log.Warn("adapter disconnected; retrying", "adapter", a.Name(), "error", errText, "retry_in", wait.String())
		jitter := time.Duration(rand.Int64N(int64(wait / 4)))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait + jitter):
		}
		wait = min(wait*2, maxWait)
	}
}
