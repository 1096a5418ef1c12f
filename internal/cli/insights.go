package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/careersbot/careersbot/internal/app"

	"github.com/careersbot/careersbot/internal/insights"
)

// cmdInsights is `careersbot insights`: the report of a period from the
// configured store.
func cmdInsights(ctx context.Context, e Env, args []string) error {
	fs, cfg, err := Flags(e, "insights", "insights [--since 7d] [--json|--csv] [--top N] [--data-dir DIR]")
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
		return Usagef("insights takes no arguments, got %q (the period is --since 7d)", strings.Join(fs.Args(), " "))
	}
	if *asJSON && *asCSV {
		return Usagef("choose one of --json and --csv")
	}
	d, err := insights.ParseSince(*since)
	if err != nil {
		return &usageError{err.Error()}
	}
	if *top < 1 || *top > 1000 {
		return Usagef("--top must be from 1 to 1000, got %d", *top)
	}
	if cfg.InsightsRetentionDays == 0 {
		return Usagef("insights are off (CAREERSBOT_INSIGHTS_RETENTION_DAYS=0): nothing is recorded to report")
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
		return r.WriteJSON(e.Stdout)
	case *asCSV:
		return r.WriteCSV(e.Stdout)
	}
	if d > time.Duration(cfg.InsightsRetentionDays)*24*time.Hour {
		fmt.Fprintf(e.Stderr, "careersbot insights: events are kept %s (CAREERSBOT_INSIGHTS_RETENTION_DAYS): older ones are gone\n",
			strconv.Itoa(cfg.InsightsRetentionDays)+" days")
	}
	return r.WriteText(e.Stdout, db.Where())
}
