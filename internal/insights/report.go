package insights

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Period is what a report covers: [From, To), and how many of each ranked
// list it shows (Top; 0: DefaultTop).
type Period struct {
	From, To time.Time
	Top      int
}

// DefaultTop is how many occupations, routes, terms... a report lists.
const DefaultTop = 20

// slowest is how many of the slowest answers a report lists.
const slowest = 10

// Report is what the people who run the bot read: `careersbot insights`
// prints it, /insights draws it, /insights/api.json serves it. Counts are
// of questions (events); shares are of all questions in the period.
type Report struct {
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Questions int       `json:"questions"`
	// Outcomes lists every outcome, zeros included, in Outcomes' order.
	Outcomes []OutcomeCount `json:"outcomes"`
	// Days lists every UTC day of the period, zeros included.
	Days        []DayCount        `json:"days"`
	Platforms   []Count           `json:"platforms"`
	Intents     []Count           `json:"intents"`
	Occupations []OccupationCount `json:"occupations"`
	Routes      []Count           `json:"routes"`
	Levels      []Count           `json:"levels"`
	// UnansweredTerms are the salient terms of the questions the standards
	// did not cover, most asked first.
	UnansweredTerms []Count         `json:"unanswered_terms"`
	Feedback        []FeedbackCount `json:"feedback"`
	Slowest         []SlowAnswer    `json:"slowest"`
	// LatencyMS is the mean and the longest time to answer, in ms.
	LatencyMS struct {
		Mean float64 `json:"mean"`
		Max  float64 `json:"max"`
	} `json:"latency_ms"`
}

// OutcomeCount is how many questions ended one way.
type OutcomeCount struct {
	Outcome Outcome `json:"outcome"`
	Label   string  `json:"label"`
	Count   int     `json:"count"`
	Share   float64 `json:"share"` // of all questions, 0..1
}

// DayCount is one day's questions, by outcome.
type DayCount struct {
	Day       string         `json:"day"` // YYYY-MM-DD, UTC
	Questions int            `json:"questions"`
	Outcomes  map[string]int `json:"outcomes"`
}

// Count is how many questions had one value of something.
type Count struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// OccupationCount is the questions involving one standard, by outcome.
type OccupationCount struct {
	Reference string         `json:"reference"`
	Title     string         `json:"title"`
	Route     string         `json:"route"`
	Level     int            `json:"level"`
	Questions int            `json:"questions"`
	Outcomes  map[string]int `json:"outcomes"`
}

// FeedbackCount is the votes on answers about one standard ("" for answers
// about none).
type FeedbackCount struct {
	Reference string `json:"reference"`
	Title     string `json:"title"`
	Up        int    `json:"up"`
	Down      int    `json:"down"`
}

// SlowAnswer is one of the slowest answers: never the text, unless the
// operator keeps questions.
type SlowAnswer struct {
	At         time.Time `json:"at"`
	Platform   string    `json:"platform"`
	Outcome    Outcome   `json:"outcome"`
	Intent     string    `json:"intent"`
	Occupation string    `json:"occupation"`
	LatencyMS  float64   `json:"latency_ms"`
	Question   string    `json:"question,omitempty"`
}

func outcomeMap() map[string]int {
	m := make(map[string]int, len(Outcomes))
	for _, o := range Outcomes {
		m[string(o)] = 0
	}
	return m
}

// Report reads the figures of a period.
func (s *DB) Report(ctx context.Context, p Period) (*Report, error) {
	if p.Top <= 0 {
		p.Top = DefaultTop
	}
	// Empty lists, not nulls, in the JSON.
	r := &Report{From: p.From.UTC(), To: p.To.UTC(), Days: []DayCount{}, Occupations: []OccupationCount{},
		Feedback: []FeedbackCount{}, Slowest: []SlowAnswer{}}
	from, to := p.From.UnixMilli(), p.To.UnixMilli()
	rows := func(query string, scan func(*sql.Rows) error) error {
		rs, err := s.db.QueryContext(ctx, s.q(query), from, to)
		if err != nil {
			return fmt.Errorf("insights report: %w", err)
		}
		defer rs.Close()
		for rs.Next() {
			if err := scan(rs); err != nil {
				return fmt.Errorf("insights report: %w", err)
			}
		}
		if err := rs.Err(); err != nil {
			return fmt.Errorf("insights report: %w", err)
		}
		return nil
	}
	const inPeriod = ` WHERE at_ms >= ? AND at_ms < ?`

	// Days and outcomes.
	byDay := map[string]*DayCount{}
	byOutcome := outcomeMap()
	if err := rows(`SELECT day, outcome, COUNT(*) FROM insight_events`+inPeriod+` GROUP BY day, outcome`, func(rs *sql.Rows) error {
		var day, outcome string
		var n int
		if err := rs.Scan(&day, &outcome, &n); err != nil {
			return err
		}
		d := byDay[day]
		if d == nil {
			d = &DayCount{Day: day, Outcomes: outcomeMap()}
			byDay[day] = d
		}
		d.Questions += n
		d.Outcomes[outcome] += n
		byOutcome[outcome] += n
		r.Questions += n
		return nil
	}); err != nil {
		return nil, err
	}
	for day := p.From.UTC().Truncate(24 * time.Hour); day.Before(p.To); day = day.Add(24 * time.Hour) {
		if d := byDay[Day(day)]; d != nil {
			r.Days = append(r.Days, *d)
		} else {
			r.Days = append(r.Days, DayCount{Day: Day(day), Outcomes: outcomeMap()})
		}
	}
	for _, o := range Outcomes {
		oc := OutcomeCount{Outcome: o, Label: o.Label(), Count: byOutcome[string(o)]}
		if r.Questions > 0 {
			oc.Share = float64(oc.Count) / float64(r.Questions)
		}
		r.Outcomes = append(r.Outcomes, oc)
	}

	counts := func(query string) ([]Count, error) {
		var out []Count
		err := rows(query, func(rs *sql.Rows) error {
			var c Count
			if err := rs.Scan(&c.Key, &c.Count); err != nil {
				return err
			}
			out = append(out, c)
			return nil
		})
		return ranked(out, p.Top), err
	}
	var err error
	if r.Platforms, err = counts(`SELECT platform, COUNT(*) FROM insight_events` + inPeriod + ` GROUP BY platform`); err != nil {
		return nil, err
	}
	if r.Intents, err = counts(`SELECT intent, COUNT(*) FROM insight_events` + inPeriod + ` GROUP BY intent`); err != nil {
		return nil, err
	}
	if r.Routes, err = counts(`SELECT route, COUNT(DISTINCT event_id) FROM insight_event_occupations` + inPeriod + ` AND route <> '' GROUP BY route`); err != nil {
		return nil, err
	}
	if r.Levels, err = counts(`SELECT CAST(level AS TEXT), COUNT(DISTINCT event_id) FROM insight_event_occupations` + inPeriod + ` AND level > 0 GROUP BY level`); err != nil {
		return nil, err
	}
	if r.UnansweredTerms, err = counts(`SELECT term, COUNT(*) FROM insight_terms` + inPeriod + ` GROUP BY term`); err != nil {
		return nil, err
	}

	// Occupations, by outcome.
	byRef := map[string]*OccupationCount{}
	if err := rows(`SELECT o.reference, e.outcome, COUNT(*), MAX(o.title), MAX(o.route), MAX(o.level)
		FROM insight_event_occupations o JOIN insight_events e ON e.id = o.event_id
		WHERE o.at_ms >= ? AND o.at_ms < ? GROUP BY o.reference, e.outcome`, func(rs *sql.Rows) error {
		var ref, outcome, title, route string
		var n, level int
		if err := rs.Scan(&ref, &outcome, &n, &title, &route, &level); err != nil {
			return err
		}
		oc := byRef[ref]
		if oc == nil {
			oc = &OccupationCount{Reference: ref, Title: title, Route: route, Level: level, Outcomes: outcomeMap()}
			byRef[ref] = oc
		}
		oc.Questions += n
		oc.Outcomes[outcome] += n
		return nil
	}); err != nil {
		return nil, err
	}
	for _, oc := range byRef {
		r.Occupations = append(r.Occupations, *oc)
	}
	slices.SortFunc(r.Occupations, func(a, b OccupationCount) int {
		return cmp.Or(b.Questions-a.Questions, strings.Compare(a.Reference, b.Reference))
	})
	r.Occupations = r.Occupations[:min(len(r.Occupations), p.Top)]

	// Feedback, by occupation.
	byFeedback := map[string]*FeedbackCount{}
	if err := rows(`SELECT occupation, vote, COUNT(*), MAX(title) FROM insight_feedback`+inPeriod+` GROUP BY occupation, vote`, func(rs *sql.Rows) error {
		var ref, vote, title string
		var n int
		if err := rs.Scan(&ref, &vote, &n, &title); err != nil {
			return err
		}
		f := byFeedback[ref]
		if f == nil {
			f = &FeedbackCount{Reference: ref, Title: title}
			byFeedback[ref] = f
		}
		switch vote {
		case "up":
			f.Up += n
		case "down":
			f.Down += n
		}
		return nil
	}); err != nil {
		return nil, err
	}
	for _, f := range byFeedback {
		r.Feedback = append(r.Feedback, *f)
	}
	slices.SortFunc(r.Feedback, func(a, b FeedbackCount) int {
		return cmp.Or((b.Up+b.Down)-(a.Up+a.Down), strings.Compare(a.Reference, b.Reference))
	})
	r.Feedback = r.Feedback[:min(len(r.Feedback), p.Top)]

	// Latency, and the slowest answers.
	if err := rows(`SELECT COALESCE(AVG(latency_us), 0), COALESCE(MAX(latency_us), 0) FROM insight_events`+inPeriod, func(rs *sql.Rows) error {
		var mean, most float64
		if err := rs.Scan(&mean, &most); err != nil {
			return err
		}
		r.LatencyMS.Mean, r.LatencyMS.Max = mean/1000, most/1000
		return nil
	}); err != nil {
		return nil, err
	}
	if err := rows(`SELECT at_ms, platform, outcome, intent, occupation, latency_us, COALESCE(question, '') FROM insight_events`+
		inPeriod+` ORDER BY latency_us DESC, at_ms DESC LIMIT `+fmt.Sprint(slowest), func(rs *sql.Rows) error {
		var sa SlowAnswer
		var at, us int64
		if err := rs.Scan(&at, &sa.Platform, &sa.Outcome, &sa.Intent, &sa.Occupation, &us, &sa.Question); err != nil {
			return err
		}
		sa.At, sa.LatencyMS = time.UnixMilli(at).UTC(), float64(us)/1000
		r.Slowest = append(r.Slowest, sa)
		return nil
	}); err != nil {
		return nil, err
	}
	return r, nil
}

// ranked sorts counts most first (then by key) and keeps the top n.
func ranked(cs []Count, n int) []Count {
	slices.SortFunc(cs, func(a, b Count) int { return cmp.Or(b.Count-a.Count, strings.Compare(a.Key, b.Key)) })
	if cs == nil {
		cs = []Count{}
	}
	return cs[:min(len(cs), n)]
}
