package pgstore

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careersbot/careersbot/internal/store"
)

// Keep holds values in the database for a while, each to be taken once by
// any replica: the answers a Slack share button refers to. A value is
// sealed (AES-256-GCM) under a key derived from the random id the button
// carries, and its row is named by another hash of that id: the database
// holds neither the id nor anything readable (the question, the user, the
// response URL), so no question text is stored in the clear whatever
// CAREERSBOT_LOG_QUESTIONS says. Every value is also kept locally
// (bounded, as store.Keep): while the database is down, values are put and
// taken there, so a share click reaching the replica that built the answer
// still works.
type Keep[V any] struct {
	db    *DB
	ttl   time.Duration
	local *store.LRU[string, V]
}

// NewKeep holds values for ttl, and at most max locally.
func NewKeep[V any](db *DB, ttl time.Duration, max int) *Keep[V] {
	return &Keep[V]{db: db, ttl: ttl, local: store.NewLRU[string, V](max, ttl, nil)}
}

// sharedPrefix marks the ids of values held in the database; a local id
// (24 hex digits) never has it.
const sharedPrefix = "s"

// Put holds v and returns its id: for every replica while the database
// answers, else for this one.
func (k *Keep[V]) Put(v V) string {
	id := k.putShared(v)
	if id == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b) // crypto/rand never fails on a supported platform
		id = hex.EncodeToString(b)
	}
	k.local.Put(id, v)
	return id
}

func (k *Keep[V]) putShared(v V) string {
	if k.db.Down() != "" {
		return ""
	}
	var plain bytes.Buffer
	if err := gob.NewEncoder(&plain).Encode(v); err != nil {
		return ""
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	sealed, err := seal(secret, plain.Bytes())
	if err != nil {
		return ""
	}
	err = k.db.call(context.Background(), func(ctx context.Context) error {
		_, err := k.db.pool.Exec(ctx, `INSERT INTO state_shares (id, sealed, expires) VALUES ($1, $2, now() + $3 * interval '1 microsecond')`,
			rowID(secret), sealed, micros(k.ttl))
		return err
	})
	if err != nil {
		return ""
	}
	return sharedPrefix + hex.EncodeToString(secret)
}

// Take returns the value held under id, once, while it is fresh: from the
// database when it holds it and answers, else from this replica.
func (k *Keep[V]) Take(id string) (V, bool) {
	secret, shared := sharedSecret(id)
	if !shared {
		return k.local.Take(id)
	}
	v, ok, err := k.takeShared(secret)
	if err != nil {
		return k.local.Take(id)
	}
	k.local.Remove(id)
	return v, ok
}

// takeShared deletes a value's row and opens it; an error is the
// database's (the value may still be held locally).
func (k *Keep[V]) takeShared(secret []byte) (V, bool, error) {
	var zero V
	var sealed []byte
	err := k.db.call(context.Background(), func(ctx context.Context) error {
		var fresh bool
		err := k.db.pool.QueryRow(ctx, `DELETE FROM state_shares WHERE id = $1 RETURNING sealed, expires > now()`,
			rowID(secret)).Scan(&sealed, &fresh)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !fresh) {
			sealed = nil
			return nil
		}
		return err
	})
	if err != nil {
		return zero, false, err
	}
	if sealed == nil {
		return zero, false, nil
	}
	plain, err := open(secret, sealed)
	if err != nil {
		return zero, false, nil
	}
	var v V
	if err := gob.NewDecoder(bytes.NewReader(plain)).Decode(&v); err != nil {
		return zero, false, nil
	}
	return v, true, nil
}
func sharedSecret(id string) ([]byte, bool) {
	if !strings.HasPrefix(id, sharedPrefix) {
		return nil, false
	}
	b, err := hex.DecodeString(id[len(sharedPrefix):])
	if err != nil || len(b) != 32 {
		return nil, false
	}
	return b, true
}

// rowID names a value's row: a hash of the id that cannot be turned back
// into it, so the row's key does not open the seal.
func rowID(secret []byte) []byte {
	h := sha256.Sum256(append([]byte("careersbot share row\x00"), secret...))
	return h[:16]
}

func sealKey(secret []byte) []byte {
	h := sha256.Sum256(append([]byte("careersbot share seal\x00"), secret...))
	return h[:]
}

func seal(secret, plain []byte) ([]byte, error) {
	aead, err := gcm(secret)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, plain, nil), nil
}

func open(secret, sealed []byte) ([]byte, error) {
	aead, err := gcm(secret)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize() {
		return nil, fmt.Errorf("sealed value too short")
	}
	return aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], nil)
}

func gcm(secret []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(sealKey(secret))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Len is the number of values held locally.
func (k *Keep[V]) Len() int { return k.local.Len() }

// Evicted counts values dropped locally because the local store was full.
func (k *Keep[V]) Evicted() int64 { return k.local.Evicted() }
