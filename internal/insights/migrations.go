package insights

// migrations are the schema's versions, in order: migrations[0] is
// version 1. Each runs once, in a transaction, on SQLite and PostgreSQL
// alike (portable types only). Never edit one that has shipped: add the
// next.
//
// Times are Unix milliseconds (at_ms) and the UTC day (day, YYYY-MM-DD),
// so grouping needs no date functions, which the two databases spell
// differently. The tables are prefixed: in PostgreSQL they share a
// database with the replicas' state.
var migrations = [][]string{
	{
		`CREATE TABLE insight_events (
			id TEXT PRIMARY KEY,
			at_ms BIGINT NOT NULL,
			day TEXT NOT NULL,
			platform TEXT NOT NULL,
			user_hash TEXT NOT NULL,
			outcome TEXT NOT NULL,
			intent TEXT NOT NULL,
			occupation TEXT NOT NULL,
			latency_us BIGINT NOT NULL,
			citations TEXT NOT NULL,
			question TEXT
		)`,
		`CREATE INDEX insight_events_at ON insight_events (at_ms)`,
		`CREATE TABLE insight_event_occupations (
			event_id TEXT NOT NULL,
			at_ms BIGINT NOT NULL,
			reference TEXT NOT NULL,
			title TEXT NOT NULL,
			route TEXT NOT NULL,
			level INTEGER NOT NULL,
			PRIMARY KEY (event_id, reference)
		)`,
		`CREATE INDEX insight_event_occupations_at ON insight_event_occupations (at_ms)`,
		`CREATE TABLE insight_terms (
			event_id TEXT NOT NULL,
			at_ms BIGINT NOT NULL,
			term TEXT NOT NULL,
			PRIMARY KEY (event_id, term)
		)`,
		`CREATE INDEX insight_terms_at ON insight_terms (at_ms)`,
		`CREATE TABLE insight_feedback (
			id TEXT PRIMARY KEY,
			at_ms BIGINT NOT NULL,
			platform TEXT NOT NULL,
			event_id TEXT NOT NULL,
			occupation TEXT NOT NULL,
			title TEXT NOT NULL,
			vote TEXT NOT NULL
		)`,
		`CREATE INDEX insight_feedback_at ON insight_feedback (at_ms)`,
	},
}
