package pgstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/careersbot/careersbot/bot"
)

// Rates keeps users' rate allowances in the database, so that a user's
// limit holds across replicas: one row per user (by pseudonym) holding
// the time their allowance is next full, as in the generic cell rate
// algorithm, which needs no refill loop and one upsert per question. On an
// error the Guard counts on its own (its Allowances contract).
//
// Questions asked at once are taken together: while one statement is out,
// the next waiting questions (distinct users, at most maxTakes) go in the
// next one. Under load that is one round trip and one transaction for many
// questions, which is what the shared state costs a replica; alone, a
// question goes at once.
type Rates struct {
	db    *DB
	queue chan *take
	start sync.Once
}

var _ bot.Allowances = (*Rates)(nil)

// take is one question's take of its user's allowance.
type take struct {
	key          []byte
	every, limit int64 // µs: the refill interval, burst × it
	done         chan takeResult
}

type takeResult struct {
	wait int64 // µs; 0: taken
	err  error
}

const (
	// maxTakes bounds the questions of one statement.
	maxTakes = 128
	// takers is how many statements may be out at once: one, so that
	// every question arriving while it is out waits for the next, and
	// the next takes them all. Measured with two replicas and PostgreSQL
	// on one 2-core machine: PostgreSQL's CPU per question fell from
	// about 150 µs (a statement each) to 40 to 60 µs; with two takers
	// most statements held one question.
	takers = 1
)

// NewRates returns the shared allowances.
func (db *DB) NewRates() *Rates {
	return &Rates{db: db, queue: make(chan *take, 4*maxTakes)}
}

// Take takes one question from user's allowance of burst questions,
// refilled one every every, on the database's clock (one clock for every
// replica). tat is the theoretical arrival time: the allowance is full
// when tat <= now; a question moves tat on by every, and is allowed while
// tat stays within burst*every of now. A refused question changes nothing.
func (r *Rates) Take(ctx context.Context, user string, every time.Duration, burst int) (time.Duration, error) {
	if r.db.Down() != "" {
		return 0, ErrDown
	}
	r.start.Do(func() {
		for range takers {
			go r.taker()
		}
	})
	t := &take{key: r.db.pseudonym("rate", user), every: micros(every), limit: micros(every) * int64(burst), done: make(chan takeResult, 1)}
	// Waiting for a place in a statement and for its answer is bounded
	// too: twice a call's timeout.
	ctx, cancel := context.WithTimeout(ctx, 2*r.db.o.Timeout)
	defer cancel()
	select {
	case r.queue <- t:
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-r.db.closed:
		return 0, ErrDown
	}
	select {
	case res := <-t.done:
		return time.Duration(res.wait) * time.Microsecond, res.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// taker sends the queued takes, as many distinct users at once as are
// waiting, until the database is closed.
func (r *Rates) taker() {
	var carry []*take // a user already in the statement: the next one
	for {
		var batch []*take
		users := map[string]bool{}
		add := func(t *take) bool {
			if users[string(t.key)] || len(batch) == maxTakes {
				return false
			}
			users[string(t.key)] = true
			batch = append(batch, t)
			return true
		}
		rest := carry[:0:0]
		for _, t := range carry {
			if !add(t) {
				rest = append(rest, t)
			}
		}
		carry = rest
		if len(batch) == 0 {
			select {
			case t := <-r.queue:
				add(t)
			case <-r.db.closed:
				return
			}
		}
	drain:
		for len(batch) < maxTakes {
			select {
			case t := <-r.queue:
				if !add(t) {
					carry = append(carry, t)
				}
			default:
				break drain
			}
		}
		r.send(batch)
	}
}

// send takes every take of batch in one statement and tells each its
// result. The upsert returns the users whose question it took; its WHERE
// leaves a refused one alone, and a second statement, for refusals only,
// says how long until one is left.
func (r *Rates) send(batch []*take) {
	keys := make([][]byte, len(batch))
	every := make([]int64, len(batch))
	limit := make([]int64, len(batch))
	for i, t := range batch {
		keys[i], every[i], limit[i] = t.key, t.every, t.limit
	}
	taken := map[string]bool{}
	untilFull := map[string]int64{} // of the refused users whose row is there
	err := r.db.call(context.Background(), func(ctx context.Context) error {
		// A new row's tat is now + every and its expires now + limit
		// (kept until then, harmless); on a conflict the proposed row
		// (EXCLUDED) carries every and limit for the update.
		rows, err := r.db.pool.Query(ctx, `INSERT INTO state_rates AS r (key, tat, expires)
			SELECT k, now() + e * interval '1 microsecond', now() + l * interval '1 microsecond'
			FROM unnest($1::bytea[], $2::bigint[], $3::bigint[]) AS t(k, e, l)
			ON CONFLICT (key) DO UPDATE
				SET tat = GREATEST(r.tat, now()) + (EXCLUDED.tat - now()),
					expires = GREATEST(r.tat, now()) + (EXCLUDED.tat - now())
				WHERE GREATEST(r.tat, now()) + (EXCLUDED.tat - now()) <= EXCLUDED.expires
			RETURNING key`, keys, every, limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k []byte
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return err
			}
			taken[string(k)] = true
		}
		if err := rows.Err(); err != nil {
			return err
		}
		var refused [][]byte
		for _, t := range batch {
			if !taken[string(t.key)] {
				refused = append(refused, t.key)
			}
		}
		if len(refused) == 0 {
			return nil
		}
		rows, err = r.db.pool.Query(ctx, `SELECT key, (EXTRACT(EPOCH FROM (GREATEST(tat, now()) - now())) * 1000000)::bigint
			FROM state_rates WHERE key = ANY($1)`, refused)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k []byte
			var us int64
			if err := rows.Scan(&k, &us); err != nil {
				return err
			}
			untilFull[string(k)] = us
		}
		return rows.Err()
	})
	for _, t := range batch {
		if err != nil {
			t.done <- takeResult{err: fmt.Errorf("take a rate allowance: %w", err)}
			continue
		}
		switch us, found := untilFull[string(t.key)]; {
		case taken[string(t.key)]:
			t.done <- takeResult{}
		case found:
			t.done <- takeResult{wait: max(us+t.every-t.limit, 1)}
		default: // refused, and its row gone since (swept): a refill
			t.done <- takeResult{wait: t.every}
		}
	}
}
