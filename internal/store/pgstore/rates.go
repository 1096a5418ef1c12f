package pgstore

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careersbot/careersbot/bot"
)

// Rates keeps users' rate allowances in the database, so that a user's
// limit holds across replicas: one row per user (by pseudonym) holding
// the time their allowance is next full, as in the generic cell rate
// algorithm, which needs no refill loop and one statement per question.
// On an error the Guard counts on its own (its Allowances contract).
type Rates struct{ db *DB }

var _ bot.Allowances = (*Rates)(nil)

// NewRates returns the shared allowances.
func (db *DB) NewRates() *Rates { return &Rates{db: db} }

// Take takes one question from user's allowance of burst questions,
// refilled one every every, on the database's clock (one clock for every
// replica). tat is the theoretical arrival time: the allowance is full
// when tat <= now; a question moves tat on by every, and is allowed while
// tat stays within burst*every of now. A refused question changes nothing.
func (r *Rates) Take(ctx context.Context, user string, every time.Duration, burst int) (time.Duration, error) {
	key := r.db.pseudonym("rate", user)
	var wait int64
	err := r.db.call(ctx, func(ctx context.Context) error {
		// The upsert returns a row when it took the question; its WHERE
		// leaves a refused one alone (the common case costs one plain
		// statement, cheaper to run than one that also computes a wait).
		err := r.db.pool.QueryRow(ctx, `INSERT INTO state_rates AS r (key, tat, expires)
			VALUES ($1, now() + $2 * interval '1 microsecond', now() + $2 * interval '1 microsecond')
			ON CONFLICT (key) DO UPDATE
				SET tat = GREATEST(r.tat, now()) + $2 * interval '1 microsecond',
					expires = GREATEST(r.tat, now()) + $2 * interval '1 microsecond'
				WHERE GREATEST(r.tat, now()) + $2 * interval '1 microsecond' <= now() + $3 * interval '1 microsecond'
			RETURNING 0::bigint`, key, micros(every), micros(every)*int64(burst)).Scan(&wait)
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		// Refused: how long until one is left.
		err = r.db.pool.QueryRow(ctx, `SELECT (EXTRACT(EPOCH FROM (GREATEST(tat, now()) - now())) * 1000000)::bigint FROM state_rates WHERE key = $1`,
			key).Scan(&wait)
		wait += micros(every) - micros(every)*int64(burst)
		if errors.Is(err, pgx.ErrNoRows) {
			// Gone since (swept): a refill is a fair wait.
			wait, err = micros(every), nil
		}
		wait = max(wait, 1)
		return err
	})
	if err != nil {
		return 0, err
	}
	return time.Duration(wait) * time.Microsecond, nil
}
