package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/config"
	"github.com/careersbot/careersbot/internal/app"
	"github.com/careersbot/careersbot/internal/insights"
	"github.com/careersbot/careersbot/internal/metrics"
)

// insightsService is serve's insights: the recorder every answer reports
// to (through the Guard's OnAnswer) and every feedback button, and the
// /insights page when CAREERSBOT_ADMIN_TOKEN is set. It has an adapter's
// shape so serve runs it with the adapters, last: its Shutdown writes the
// events of the answers the adapters finished in theirs.
type insightsService struct {
	rec  *insights.Recorder // nil: insights are off (retention 0)
	page *insights.Page     // nil: no admin token, no page

	mu sync.Mutex
	db *insights.DB // once the recorder has opened it
}

func newInsights(cfg *config.Config, log *slog.Logger, m *metrics.Metrics, hashUser func(string) string, current func() *bot.Bot, csp string) *insightsService {
	s := &insightsService{}
	if cfg.InsightsRetentionDays == 0 {
		return s
	}
	searcher := func() bot.Searcher {
		if b := current(); b != nil {
			return b.Searcher()
		}
		return nil
	}
	s.rec = insights.NewRecorder(insights.RecorderOptions{
		Open: func(ctx context.Context) (insights.Writer, error) {
			db, err := app.OpenInsights(ctx, cfg)
			if err != nil {
				return nil, err
			}
			s.mu.Lock()
			s.db = db
			s.mu.Unlock()
			log.Info("insights store open", "store", db.Where(), "retention_days", cfg.InsightsRetentionDays)
			return db, nil
		},
		HashUser: hashUser,
		Lookup: func(ref string) (insights.Occupation, bool) {
			sr := searcher()
			if sr == nil {
				return insights.Occupation{}, false
			}
			o, ok := sr.Occupation(ref)
			if !ok {
				return insights.Occupation{}, false
			}
			return insights.Occupation{Reference: o.Reference, Title: o.Title, Route: o.Route, Level: o.Level}, true
		},
		Vocabulary: func(word string) bool {
			v, ok := searcher().(interface{ Uses(string) bool })
			return ok && v.Uses(word)
		},
		LogQuestions: cfg.LogQuestions,
		Retention:    time.Duration(cfg.InsightsRetentionDays) * 24 * time.Hour,
		Log:          log.With("component", "insights"),
		Count:        func(result string, n int) { m.InsightEvents.WithLabelValues(result).Add(float64(n)) },
	})
	if cfg.AdminToken != "" {
		s.page = insights.NewPage(insights.PageOptions{
			Token: cfg.AdminToken.Reveal(),
			CSP:   csp,
			Reporter: func() (insights.Reporter, error) {
				s.mu.Lock()
				defer s.mu.Unlock()
				if s.db == nil {
					return nil, insights.ErrNoStore
				}
				return s.db, nil
			},
			Log: log.With("component", "insights"),
		})
	}
	return s
}

// onAnswer is the Guard's hook: nil when insights are off.
func (s *insightsService) onAnswer() func(bot.Observed) {
	if s.rec == nil {
		return nil
	}
	return s.rec.Observe
}

// feedback records a vote on an answer.
func (s *insightsService) feedback(f bot.Feedback) {
	if s.rec != nil {
		s.rec.Feedback(f)
	}
}

func (s *insightsService) Name() string { return "insights" }

// Routes are the page's, when it is on; else none, and /insights is 404.
func (s *insightsService) Routes() map[string]http.Handler {
	if s.page == nil {
		return nil
	}
	return s.page.Routes()
}

// Run starts the recorder, which opens the store in the background (with
// retries), and waits for the end.
func (s *insightsService) Run(ctx context.Context) error {
	if s.rec != nil {
		s.rec.Start()
	}
	<-ctx.Done()
	return nil
}

// Shutdown writes the events still queued and closes the store.
func (s *insightsService) Shutdown(ctx context.Context) error {
	if s.rec == nil {
		return nil
	}
	err := s.rec.Close(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db != nil {
		err = errors.Join(err, s.db.Close())
		s.db = nil
	}
	return err
}
