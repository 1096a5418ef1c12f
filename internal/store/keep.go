package store

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// Keep holds values under random ids for a while, each to be taken once:
// the answers a share button refers to. At most max are held; past it the
// least recently put goes first.
type Keep[V any] struct {
	l *LRU[string, V]
}

// NewKeep holds at most max values, each for ttl.
func NewKeep[V any](max int, ttl time.Duration, now func() time.Time) *Keep[V] {
	return &Keep[V]{l: NewLRU[string, V](max, ttl, now)}
}

// Put holds v and returns its id: 24 hex digits, unguessable.
func (k *Keep[V]) Put(v V) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	id := hex.EncodeToString(b)
	k.l.Put(id, v)
	return id
}

// Take returns the value held under id, once, while it is fresh.
func (k *Keep[V]) Take(id string) (V, bool) { return k.l.Take(id) }

// Len is the number of values held.
func (k *Keep[V]) Len() int { return k.l.Len() }

// Evicted counts values dropped early because the Keep was full.
func (k *Keep[V]) Evicted() int64 { return k.l.Evicted() }
