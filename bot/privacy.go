package bot

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
)

// UserHasher returns a func that turns a user id into a short pseudonym for
// logs: an HMAC with a key drawn at start and never stored, so log lines of
// one process can be correlated while no pseudonym can be traced back to a
// user, nor linked across restarts.
func UserHasher() func(user string) string {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic("crypto/rand failed: " + err.Error()) // the platform is broken
	}
	return func(user string) string {
		if user == "" {
			return ""
		}
		m := hmac.New(sha256.New, key)
		m.Write([]byte(user))
		return hex.EncodeToString(m.Sum(nil)[:8])
	}
}
