// Package store keeps the state careersbot holds between messages in
// memory, bounded: conversation memory, the keys of what a platform sent
// (to answer a resend or a replay once) and answers kept for sharing. Each
// store holds at most a set number of entries, each for at most a set time;
// past the size the least recently used entry goes first, so a flood of
// distinct users costs a fixed amount of memory, not one entry each.
//
// The stores are small types behind small interfaces that their consumers
// declare (bot.Conversations, slack.Dedupe, slack.ShareStore,
// discord.Dedupe): a shared store for several replicas implements the same
// interfaces.
package store

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// LRU is a map of at most max entries, each forgotten ttl after it was last
// written; past max the least recently used entry is dropped. It is safe
// for concurrent use. Expired entries are dropped when met, and from the
// old end on every write, so they never hold memory past the size bound.
type LRU[K comparable, V any] struct {
	ttl time.Duration
	now func() time.Time

	mu sync.Mutex
	c  *simplelru.LRU[K, entry[V]]

	evicted atomic.Int64
}

type entry[V any] struct {
	v       V
	expires time.Time
}

// NewLRU returns an LRU of at most max entries (at least 1), each kept for
// ttl (0: until pushed out). now is the clock; nil is time.Now.
func NewLRU[K comparable, V any](max int, ttl time.Duration, now func() time.Time) *LRU[K, V] {
	if max < 1 {
		max = 1
	}
	if now == nil {
		now = time.Now
	}
	c, err := simplelru.NewLRU[K, entry[V]](max, nil)
	if err != nil {
		panic(err) // only for a size below 1, excluded above
	}
	return &LRU[K, V]{ttl: ttl, now: now, c: c}
}

func (l *LRU[K, V]) fresh(e entry[V], now time.Time) bool {
	return l.ttl <= 0 || now.Before(e.expires)
}

// Get returns the value of key while it is fresh, and marks it used.
func (l *LRU[K, V]) Get(key K) (V, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.c.Get(key)
	if !ok {
		var zero V
		return zero, false
	}
	if !l.fresh(e, l.now()) {
		l.c.Remove(key)
		var zero V
		return zero, false
	}
	return e.v, true
}

// Put sets key to v, fresh for another ttl.
func (l *LRU[K, V]) Put(key K, v V) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.put(key, v, l.now())
}

// PutNew sets key to v only when key is absent or expired, and reports
// whether it did: the first caller with a key wins, at once, under one
// lock.
func (l *LRU[K, V]) PutNew(key K, v V) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if e, ok := l.c.Peek(key); ok && l.fresh(e, now) {
		return false
	}
	l.put(key, v, now)
	return true
}

func (l *LRU[K, V]) put(key K, v V, now time.Time) {
	// Drop what has expired at the old end first: it goes before anything
	// fresh is pushed out.
	for {
		_, old, ok := l.c.GetOldest()
		if !ok || l.fresh(old, now) {
			break
		}
		l.c.RemoveOldest()
	}
	if l.c.Add(key, entry[V]{v: v, expires: now.Add(l.ttl)}) {
		l.evicted.Add(1)
	}
}

// Take returns the value of key while it is fresh, and removes it: a value
// taken once.
func (l *LRU[K, V]) Take(key K) (V, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.c.Peek(key)
	if ok {
		l.c.Remove(key)
	}
	if !ok || !l.fresh(e, l.now()) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Remove forgets key.
func (l *LRU[K, V]) Remove(key K) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.c.Remove(key)
}

// Len is the number of entries held (expired ones not yet dropped
// included).
func (l *LRU[K, V]) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.c.Len()
}

// Evicted counts the fresh entries pushed out by the size bound: a store
// that evicts often is too small for its traffic.
func (l *LRU[K, V]) Evicted() int64 { return l.evicted.Load() }
