package bot

import (
	"time"

	"github.com/careersbot/careersbot/internal/store"
)

// Conversations keeps each conversation's Context (the occupation it is
// about) between messages, keyed by the platform's conversation (a Slack
// thread, a Discord channel), so that a follow-up keeps the occupation.
// Memory is the one of a single process; a store shared by replicas
// implements the same two methods.
type Conversations interface {
	Get(key string) Context
	Remember(key string, a Answer)
}

// Memory keeps conversations in memory, bounded: at most max of them, each
// for at most its TTL after its last answer, the least recently used
// forgotten first past max. Nothing about a user outlives a day or is
// written to disk, and a flood of new conversations costs a fixed amount of
// memory.
type Memory struct {
	l *store.LRU[string, Context]
}

var _ Conversations = (*Memory)(nil)

// DefaultMemoryTTL is how long a conversation's context is kept.
const DefaultMemoryTTL = 24 * time.Hour

// DefaultMemoryMax is how many conversations are kept at most.
const DefaultMemoryMax = 10_000

// NewMemory returns a Memory of at most max conversations (DefaultMemoryMax
// if 0) that forgets each after ttl (DefaultMemoryTTL if 0).
func NewMemory(ttl time.Duration, max int) *Memory {
	return newMemoryAt(ttl, max, time.Now)
}

func newMemoryAt(ttl time.Duration, max int, now func() time.Time) *Memory {
	if ttl <= 0 {
		ttl = DefaultMemoryTTL
	}
	if max <= 0 {
		max = DefaultMemoryMax
	}
	return &Memory{l: store.NewLRU[string, Context](max, ttl, now)}
}

// Get returns a conversation's context, if it is fresh.
func (m *Memory) Get(key string) Context {
	c, _ := m.l.Get(key)
	return c
}

// Remember stores what an answer established for the conversation.
func (m *Memory) Remember(key string, a Answer) {
	if a.Occupation == "" {
		return
	}
	m.l.Put(key, Context{Occupation: a.Occupation})
}

// Len is the number of conversations remembered (for tests and metrics).
func (m *Memory) Len() int { return m.l.Len() }

// Evicted counts conversations forgotten early because Memory was full.
func (m *Memory) Evicted() int64 { return m.l.Evicted() }
