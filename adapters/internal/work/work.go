// Package work runs what a platform adapter has acknowledged and must still
// deliver: a Slack event or slash command, a Discord interaction. Each job
// is taken before the acknowledgement (Reserve), so that past the bound the
// platform is told "busy, try again" in the acknowledgement itself, with no
// work queued; a job taken always runs, in its own goroutine, with a
// deadline, and Shutdown waits for it. A job that cannot finish in time
// still has a short while (Notice) to tell its user it failed.
package work

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// ErrFull is a job refused because Max jobs are already taken.
var ErrFull = errors.New("too many questions waiting for an answer")

// ErrClosing is a job refused because the adapter is shutting down.
var ErrClosing = errors.New("shutting down")

// NoticeTimeout bounds telling a user their answer failed, after the job's
// own context has ended.
const NoticeTimeout = 5 * time.Second

// Queue bounds and runs the acknowledged jobs of one adapter.
type Queue struct {
	max     int
	timeout time.Duration
	log     *slog.Logger

	mu      sync.Mutex
	n       int
	closing bool
	wg      sync.WaitGroup

	// hardStop ends every job's context when Shutdown gives up waiting.
	hardStop context.Context
	stop     context.CancelFunc
}

// New returns a Queue of at most max jobs (at least 1), each bounded by
// timeout.
func New(max int, timeout time.Duration, log *slog.Logger) *Queue {
	if max < 1 {
		max = 1
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hardStop, stop := context.WithCancel(context.Background())
	return &Queue{max: max, timeout: timeout, log: log, hardStop: hardStop, stop: stop}
}

// Slot is a job's place in the queue, taken before the work is
// acknowledged: Go runs the job in it, Release gives it back unused.
type Slot struct {
	q    *Queue
	once sync.Once
}

// Reserve takes a place for one job: ErrFull past Max, ErrClosing once
// Shutdown has begun.
func (q *Queue) Reserve() (*Slot, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closing {
		return nil, ErrClosing
	}
	if q.n >= q.max {
		return nil, ErrFull
	}
	q.n++
	q.wg.Add(1)
	return &Slot{q: q}, nil
}

// Go runs fn in the slot, on its own goroutine, with a context that
// outlives parent (the request that acknowledged the work) but not the
// queue's timeout, nor Shutdown giving up. A panic is logged, and the slot
// is given back when fn returns.
func (s *Slot) Go(parent context.Context, fn func(ctx context.Context)) {
	go func() {
		defer s.Release()
		ctx, cancel := s.Context(parent)
		defer cancel()
		defer func() {
			if r := recover(); r != nil {
				s.q.log.Error("panic while answering", "panic", fmt.Sprint(r))
			}
		}()
		fn(ctx)
	}()
}

// Context is the job's context, for a job run by its caller rather than
// by Go: it outlives parent but not the queue's timeout, nor Shutdown
// giving up. The caller calls cancel, then Release, when the job is done.
func (s *Slot) Context(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), s.q.timeout)
	stop := context.AfterFunc(s.q.hardStop, cancel)
	return ctx, func() {
		stop()
		cancel()
	}
}

// Release gives the slot back; only the first call counts.
func (s *Slot) Release() {
	s.once.Do(func() {
		q := s.q
		q.mu.Lock()
		q.n--
		q.mu.Unlock()
		q.wg.Done()
	})
}

// Len is the number of jobs taken and not finished.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}

// Closing reports whether Shutdown has begun.
func (q *Queue) Closing() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.closing
}

// Shutdown takes no new job and waits for those taken until ctx ends; then
// it ends their contexts and waits up to NoticeTimeout more, the time they
// have to tell their users.
func (q *Queue) Shutdown(ctx context.Context) error {
	q.mu.Lock()
	q.closing = true
	q.mu.Unlock()
	done := make(chan struct{})
	go func() {
		q.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	q.stop()
	select {
	case <-done:
	case <-time.After(NoticeTimeout):
	}
	return fmt.Errorf("answers still in flight: %w", ctx.Err())
}

// Notice is the context to deliver a job's answer, or tell its user it
// failed, in: not ended by the job's context ending (its deadline, a
// shutdown giving up), and lasting until the job's deadline or
// NoticeTimeout from now, whichever is later.
func Notice(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline := time.Now().Add(NoticeTimeout)
	if d, ok := ctx.Deadline(); ok && d.After(deadline) {
		deadline = d
	}
	return context.WithDeadline(context.WithoutCancel(ctx), deadline)
}
