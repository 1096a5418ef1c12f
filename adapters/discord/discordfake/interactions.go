package discordfake

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// Signer signs interactions as Discord does: Ed25519 over the timestamp
// followed by the body.
type Signer struct {
	Public  ed25519.PublicKey
	private ed25519.PrivateKey
}

// NewSigner draws a fresh key pair.
func NewSigner(t testing.TB) *Signer {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &Signer{Public: pub, private: priv}
}

// PublicKeyHex is the public key as DISCORD_PUBLIC_KEY holds it.
func (s *Signer) PublicKeyHex() string { return hex.EncodeToString(s.Public) }

// Headers are the signature headers for body sent at ts.
func (s *Signer) Headers(body []byte, ts time.Time) http.Header {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	sig := ed25519.Sign(s.private, append([]byte(stamp), body...))
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	h.Set("X-Signature-Timestamp", stamp)
	return h
}

// Post sends an interaction to url signed at ts and returns the status
// and body of the reply.
func (s *Signer) Post(url string, interaction any, ts time.Time) (int, []byte, error) {
	body, err := json.Marshal(interaction)
	if err != nil {
		return 0, nil, err
	}
	return PostRaw(url, body, s.Headers(body, ts))
}

// PostRaw posts body with headers as they are.
func PostRaw(url string, body []byte, h http.Header) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// Option is one option of a slash command.
type Option struct {
	Name, Value string
	Focused     bool
}

// Opt is an option with its value.
func Opt(name, value string) Option { return Option{Name: name, Value: value} }

// Focus is the option being typed, for an autocomplete.
func Focus(name, partial string) Option { return Option{Name: name, Value: partial, Focused: true} }

var ids atomic.Int64

// Interaction is an interaction as Discord sends it.
type Interaction map[string]any

// ID is the interaction's id.
func (i Interaction) ID() string { s, _ := i["id"].(string); return s }

// Token is the interaction's token.
func (i Interaction) Token() string { s, _ := i["token"].(string); return s }

// Ping is a PING interaction (type 1).
func Ping(appID string) Interaction {
	n := ids.Add(1)
	return Interaction{"id": snowflake(n), "application_id": appID, "type": 1, "token": "ping-token-" + strconv.FormatInt(n, 10), "version": 1}
}

// Command is a /careers SUB interaction (type 2) from a guild member.
func Command(appID, user, sub string, opts ...Option) Interaction {
	return command(2, appID, user, "careers", sub, opts)
}

// Autocomplete is an autocomplete interaction (type 4) for /careers SUB.
func Autocomplete(appID, user, sub string, opts ...Option) Interaction {
	return command(4, appID, user, "careers", sub, opts)
}

func command(typ int, appID, user, name, sub string, opts []Option) Interaction {
	n := ids.Add(1)
	var options []map[string]any
	for _, o := range opts {
		m := map[string]any{"name": o.Name, "type": 3, "value": o.Value}
		if o.Focused {
			m["focused"] = true
		}
		options = append(options, m)
	}
	subOpt := map[string]any{"name": sub, "type": 1}
	if len(options) > 0 {
		subOpt["options"] = options
	}
	return Interaction{
		"id":             snowflake(n),
		"application_id": appID,
		"type":           typ,
		"token":          "itoken-" + strconv.FormatInt(n, 10) + "-aW50ZXJhY3Rpb24",
		"version":        1,
		"guild_id":       "200000000000000001",
		"channel_id":     "300000000000000001",
		"locale":         "en-GB",
		"member": map[string]any{
			"user":        map[string]any{"id": user, "username": "learner-" + user},
			"roles":       []string{},
			"permissions": "0",
		},
		"data": map[string]any{"id": "400000000000000001", "name": name, "type": 1, "options": []any{subOpt}},
	}
}

func snowflake(n int64) string { return strconv.FormatInt(900000000000000000+n, 10) }
