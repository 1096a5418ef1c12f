package llm

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
)

// The operations with a circuit of their own: a server may serve one model
// and not the other.
const (
	OpChat  = "chat"
	OpEmbed = "embed"
)

// States of a circuit, as gobreaker names them.
const (
	StateClosed   = "closed"    // calls go through
	StateOpen     = "open"      // calls fail fast with ErrCircuitOpen
	StateHalfOpen = "half-open" // one probe call goes through
)

// ErrCircuitOpen is a call not made: the server failed the last few calls
// in a row, so calls fail at once (the bot answers extractively, the search
// ranks lexically) until the cooldown ends and a probe call succeeds.
var ErrCircuitOpen = errors.New("the model server is failing: its circuit is open, calls fail fast until a probe succeeds")

// Default circuit settings.
const (
	DefaultBreakerFailures = 3
	DefaultBreakerCooldown = 30 * time.Second
)

// breaker is one operation's circuit, on github.com/sony/gobreaker: it
// opens after failures consecutive failures (a 429, a 5xx, no answer, a
// timeout, a broken reply), fails fast for cooldown, then lets one probe
// through (half-open): its success closes the circuit, its failure opens it
// again. A caller that gave up (context.Canceled) counts for nothing; an
// answer the server gave, even a refusal such as 400, shows it is up.
type breaker struct {
	op       string
	cb       *gobreaker.CircuitBreaker[struct{}]
	rejected atomic.Int64
}

func newBreaker(op string, failures int, cooldown time.Duration, onChange func(op, from, to string)) *breaker {
	if failures <= 0 {
		failures = DefaultBreakerFailures
	}
	if cooldown <= 0 {
		cooldown = DefaultBreakerCooldown
	}
	b := &breaker{op: op}
	b.cb = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        op,
		MaxRequests: 1,
		Timeout:     cooldown,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= uint32(failures) },
		IsSuccessful: func(err error) bool {
			return err == nil || !serverFault(err)
		},
		IsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) },
		OnStateChange: func(_ string, from, to gobreaker.State) {
			if onChange != nil {
				onChange(op, from.String(), to.String())
			}
		},
	})
	return b
}

// do runs one call through the circuit.
func (b *breaker) do(f func() error) error {
	_, err := b.cb.Execute(func() (struct{}, error) { return struct{}{}, f() })
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		b.rejected.Add(1)
		return fmt.Errorf("%s: %w", b.op, ErrCircuitOpen)
	}
	return err
}

// state is the circuit's state: StateClosed, StateOpen or StateHalfOpen.
func (b *breaker) state() string { return b.cb.State().String() }

// errBroken is a reply the server broke off or sent malformed.
var errBroken = errors.New("broken reply")

// serverFault reports whether an error says the server is unwell: worth a
// retry, out of time, or a broken reply.
func serverFault(err error) bool {
	return Retryable(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errBroken)
}
