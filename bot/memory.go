package bot

import (
	"sync"
	"time"
)

// Memory keeps each conversation's Context (the occupation it is about) in
// memory, keyed by the platform's conversation (a Slack thread, a Discord
// channel), for at most its TTL: a follow-up keeps the occupation, and
// nothing about a user outlives a day or is written to disk.
type Memory struct {
	ttl time.Duration
	now func() time.Time

	mu       sync.Mutex
	convs    map[string]memoryEntry
	lastScan time.Time
}

type memoryEntry struct {
	ctx  Context
	seen time.Time
}

// DefaultMemoryTTL is how long a conversation's context is kept.
const DefaultMemoryTTL = 24 * time.Hour

// NewMemory returns a Memory that forgets after ttl (DefaultMemoryTTL if 0).
func NewMemory(ttl time.Duration) *Memory {
	if ttl <= 0 {
		ttl = DefaultMemoryTTL
	}
	return &Memory{ttl: ttl, now: time.Now, convs: map[string]memoryEntry{}}
}

// Get returns a conversation's context, if it is fresh.
func (m *Memory) Get(key string) Context {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.convs[key]
	if !ok || m.now().Sub(e.seen) > m.ttl {
		delete(m.convs, key)
		return Context{}
	}
	return e.ctx
}

// Remember stores what an answer established for the conversation.
func (m *Memory) Remember(key string, a Answer) {
	if a.Occupation == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.convs[key] = memoryEntry{ctx: Context{Occupation: a.Occupation}, seen: now}
	if now.Sub(m.lastScan) > time.Hour {
		for k, e := range m.convs {
			if now.Sub(e.seen) > m.ttl {
				delete(m.convs, k)
			}
		}
		m.lastScan = now
	}
}

// Len is the number of conversations remembered (for tests and metrics).
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.convs)
}
