package store

import "time"

// Dedupe remembers keys (an event's id, a slash command's trigger id, an
// interaction's id) so that what a platform resends, or an attacker
// replays within the signature window, is taken once.
type Dedupe struct {
	l *LRU[string, struct{}]
}

// NewDedupe remembers at most max keys, each for ttl.
func NewDedupe(max int, ttl time.Duration, now func() time.Time) *Dedupe {
	return &Dedupe{l: NewLRU[string, struct{}](max, ttl, now)}
}

// First records key and reports whether it is the first time it is seen.
func (d *Dedupe) First(key string) bool { return d.l.PutNew(key, struct{}{}) }

// Forget forgets key, so that it may be taken again (work refused while
// shutting down, which the platform will send again).
func (d *Dedupe) Forget(key string) { d.l.Remove(key) }

// Len is the number of keys held.
func (d *Dedupe) Len() int { return d.l.Len() }

// Evicted counts keys forgotten early because the store was full.
func (d *Dedupe) Evicted() int64 { return d.l.Evicted() }
