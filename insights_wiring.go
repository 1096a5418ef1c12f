package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/careersbot/careersbot/internal/app"

	"github.com/careersbot/careersbot/adapters/web"
	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/config"
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

func newInsights(cfg *config.Config, log *slog.Logger, m *metrics.Metrics, hashUser func(string) string, current func() *bot.Bot) *insightsService {
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
			CSP:   web.ContentSecurityPolicy,
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

// insightsAdapter hands serve the insights service, last of the adapters.
func insightsAdapter(d deps) (Adapter, error) { return d.insights, nil }

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

// cmdInsights is `careersbot insights`: the report of a period from the
// configured store.
func cmdInsights(ctx context.Context, e env, args []string) error {
	fs, cfg, err := flags(e, "insights", "insights [--since 7d] [--json|--csv] [--top N] [--data-dir DIR]")
	if err != nil {
		return err
	}
	since := fs.String("since", "7d", "the period to report, back from now: days (7d), weeks (2w) or hours (36h)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	asCSV := fs.Bool("csv", false, "print the report as CSV (section,key,label,value) for spreadsheets")
	top := fs.Int("top", insights.DefaultTop, "how many occupations, routes and terms to list")
	if err := parse(fs, cfg, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("insights takes no arguments, got %q (the period is --since 7d)", strings.Join(fs.Args(), " "))
	}
	if *asJSON && *asCSV {
		return usagef("choose one of --json and --csv")
	}
	d, err := insights.ParseSince(*since)
	if err != nil {
		return &usageError{err.Error()}
	}
	if *top < 1 || *top > 1000 {
		return usagef("--top must be from 1 to 1000, got %d", *top)
	}
	if cfg.InsightsRetentionDays == 0 {
		return usagef("insights are off (CAREERSBOT_INSIGHTS_RETENTION_DAYS=0): nothing is recorded to report")
	}
	octx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	db, err := app.OpenInsights(octx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	now := time.Now()
	r, err := db.Report(ctx, insights.Period{From: now.Add(-d), To: now, Top: *top})
	if err != nil {
		return err
	}
	switch {
	case *asJSON:
		return r.WriteJSON(e.stdout)
	case *asCSV:
		return r.WriteCSV(e.stdout)
	}
	if d > time.Duration(cfg.InsightsRetentionDays)*24*time.Hour {
		fmt.Fprintf(e.stderr, "careersbot insights: events are kept %s (CAREERSBOT_INSIGHTS_RETENTION_DAYS): older ones are gone\n",
			strconv.Itoa(cfg.InsightsRetentionDays)+" days")
	}
	return r.WriteText(e.stdout, db.Where())
}
