package insights

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Day is the UTC day an instant falls on, as the store groups by it.
func Day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// Add stores events in one transaction; an event already stored (a retried
// batch) is left as it is.
func (s *DB) Add(ctx context.Context, evs []Event) error {
	if len(evs) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		ev, err := tx.PrepareContext(ctx, s.q(`INSERT INTO insight_events
			(id, at_ms, day, platform, user_hash, outcome, intent, occupation, latency_us, citations, question)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`))
		if err != nil {
			return err
		}
		defer ev.Close()
		occ, err := tx.PrepareContext(ctx, s.q(`INSERT INTO insight_event_occupations
			(event_id, at_ms, reference, title, route, level) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`))
		if err != nil {
			return err
		}
		defer occ.Close()
		term, err := tx.PrepareContext(ctx, s.q(`INSERT INTO insight_terms (event_id, at_ms, term) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`))
		if err != nil {
			return err
		}
		defer term.Close()
		for _, e := range evs {
			at := e.At.UnixMilli()
			var question any // NULL unless the operator asked for the text
			if e.Question != "" {
				question = e.Question
			}
			if _, err := ev.ExecContext(ctx, e.ID, at, Day(e.At), e.Platform, e.User, string(e.Outcome), e.Intent,
				e.Occupation, e.Latency.Microseconds(), strings.Join(e.Citations, ","), question); err != nil {
				return fmt.Errorf("event: %w", err)
			}
			for _, o := range e.Occupations {
				if _, err := occ.ExecContext(ctx, e.ID, at, o.Reference, o.Title, o.Route, o.Level); err != nil {
					return fmt.Errorf("event's occupation: %w", err)
				}
			}
			for _, t := range e.Terms {
				if _, err := term.ExecContext(ctx, e.ID, at, t); err != nil {
					return fmt.Errorf("event's term: %w", err)
				}
			}
		}
		return nil
	})
}

// AddFeedback stores votes.
func (s *DB) AddFeedback(ctx context.Context, fbs []Feedback) error {
	if len(fbs) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, s.q(`INSERT INTO insight_feedback (id, at_ms, platform, event_id, occupation, title, vote)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`))
		if err != nil {
			return err
		}
		defer st.Close()
		for _, f := range fbs {
			if _, err := st.ExecContext(ctx, f.ID, f.At.UnixMilli(), f.Platform, f.Event, f.Occupation, f.Title, f.Vote); err != nil {
				return fmt.Errorf("feedback: %w", err)
			}
		}
		return nil
	})
}

// Sweep deletes everything recorded before a time, and says how many
// events went.
func (s *DB) Sweep(ctx context.Context, before time.Time) (int64, error) {
	cut := before.UnixMilli()
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, table := range []string{"insight_event_occupations", "insight_terms", "insight_feedback", "insight_events"} {
			res, err := tx.ExecContext(ctx, s.q(`DELETE FROM `+table+` WHERE at_ms < ?`), cut)
			if err != nil {
				return fmt.Errorf("sweep %s: %w", table, err)
			}
			if table == "insight_events" {
				n, _ = res.RowsAffected()
			}
		}
		return nil
	})
	return n, err
}

func (s *DB) tx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("insights: %w", err)
	}
	defer tx.Rollback()
	if err := f(tx); err != nil {
		return fmt.Errorf("insights: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("insights: %w", err)
	}
	return nil
}
