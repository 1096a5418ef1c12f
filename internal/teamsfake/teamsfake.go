// Package teamsfake is a fake Microsoft Bot Framework at the wire, for
// tests: the OpenID metadata and its JWKS (RSA keys of its own, which it
// rotates on request), Microsoft Entra's client-credentials token endpoint,
// and the Bot Connector's REST API (replies, posts, new 1:1 conversations).
// It mints the bearer tokens the Bot Connector sends to a bot, checks the
// bot's token on every connector call, applies Teams' message size limit,
// can answer 429 or 5xx with Retry-After, and records every call. It
// listens on 127.0.0.1 only.
package teamsfake

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/golang-jwt/jwt/v5"
)

// Identity of the fake bot and tenant.
const (
	AppID       = "5a0b6c5e-1f0e-4c84-9c2a-3b1c7d2e9f10"
	AppPassword = "fake-client-secret"
	TenantID    = "72f988bf-0000-4000-8000-00000000c0de"
	Issuer      = "https://api.botframework.com"
	BotID       = "28:" + AppID
	BotName     = "careersbot"
	Channel     = "msteams"
	Scope       = "https://api.botframework.com/.default"
)

// MaxActivityBytes is the message size the fake connector accepts, counted
// as Teams counts it (the payload as UTF-16): the smallest limit Teams has
// documented.
const MaxActivityBytes = 28 * 1024

// Call is one request the fake connector received.
type Call struct {
	Kind         string // "reply", "send" or "create"
	Conversation string // the conversation id in the path ("" for create)
	ReplyToID    string // reply: the activity replied to
	Body         json.RawMessage
	Auth         string // the Authorization header
	Status       int    // what the fake answered
	At           time.Time
}

// OK reports whether the fake accepted the call.
func (c Call) OK() bool { return c.Status >= 200 && c.Status < 300 }

// Activity decodes the activity a reply or send posted.
func (c Call) Activity() Activity {
	var a Activity
	_ = json.Unmarshal(c.Body, &a)
	return a
}

// Activity is what the fake reads of a posted activity.
type Activity struct {
	Type         string `json:"type"`
	Text         string `json:"text"`
	TextFormat   string `json:"textFormat"`
	Summary      string `json:"summary"`
	ReplyToID    string `json:"replyToId"`
	Conversation struct {
		ID string `json:"id"`
	} `json:"conversation"`
	From struct {
		ID string `json:"id"`
	} `json:"from"`
	Recipient struct {
		ID string `json:"id"`
	} `json:"recipient"`
	Attachments []struct {
		ContentType string          `json:"contentType"`
		Content     json.RawMessage `json:"content"`
	} `json:"attachments"`
}

// Cards are the Adaptive Cards an activity carries, decoded.
func (a Activity) Cards() []map[string]any {
	var out []map[string]any
	for _, at := range a.Attachments {
		if at.ContentType != "application/vnd.microsoft.card.adaptive" {
			continue
		}
		var m map[string]any
		if json.Unmarshal(at.Content, &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// Texts are every text the activity shows: its text and each text and
// button title in its cards.
func (a Activity) Texts() []string {
	out := []string{a.Text}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && (k == "text" || k == "title") {
					out = append(out, s)
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	for _, c := range a.Cards() {
		walk(c)
	}
	return out
}

// AllText is Texts joined by newlines.
func (a Activity) AllText() string { return strings.Join(a.Texts(), "\n") }

// Server is the fake.
type Server struct {
	srv *httptest.Server

	mu          sync.Mutex
	changed     chan struct{}
	keys        map[string]*rsa.PrivateKey // every key made, by kid
	certs       map[string][]byte          // each key's self-signed certificate (DER), as the real JWKS carries
	published   []string                   // the kids the JWKS lists
	endorse     []string                   // the endorsements each published key lists
	jwksFetches int
	openIDGets  int
	tokens      map[string]bool // access tokens issued
	tokenSeq    int
	tokenTTL    time.Duration
	calls       []Call
	queued      []queued
	convSeq     int
	nextKey     int
}

type queued struct {
	status     int
	retryAfter string
}

// New starts a fake on 127.0.0.1 with one published signing key, "key-1";
// it stops when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{changed: make(chan struct{}), keys: map[string]*rsa.PrivateKey{}, certs: map[string][]byte{}, tokens: map[string]bool{},
		tokenTTL: time.Hour, endorse: []string{Channel}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	s.AddKey("key-1", true)
	return s
}

// URL is the fake's base.
func (s *Server) URL() string { return s.srv.URL }

// OpenIDURL is the OpenID metadata, for TEAMS_OPENID_URL.
func (s *Server) OpenIDURL() string { return s.srv.URL + "/v1/.well-known/openidconfiguration" }

// TokenURL is the token endpoint of the fake tenant, for TEAMS_TOKEN_URL.
func (s *Server) TokenURL() string { return s.srv.URL + "/" + TenantID + "/oauth2/v2.0/token" }

// ServiceURL is the fake connector's base, as activities name it.
func (s *Server) ServiceURL() string { return s.srv.URL + "/amer/" }

// AddKey makes an RSA key named kid and, if publish, lists it in the JWKS
// beside the keys already there.
func (s *Server) AddKey(kid string, publish bool) {
	k := s.newKey()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "api.botframework.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		panic(fmt.Sprintf("teamsfake: certificate: %v", err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[kid] = k
	s.certs[kid] = der
	if publish {
		s.published = append(s.published, kid)
	}
}

// Publish makes the JWKS list exactly these keys.
func (s *Server) Publish(kids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.published = append([]string(nil), kids...)
}

// Endorse sets the channels each published key is endorsed for (default
// msteams); none lists no endorsements.
func (s *Server) Endorse(channels ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endorse = append([]string(nil), channels...)
}

// JWKSFetches is how often the JWKS was fetched.
func (s *Server) JWKSFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.jwksFetches
}

// TokenFetches is how many bot tokens the token endpoint issued.
func (s *Server) TokenFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenSeq
}

// SetTokenLifetime sets the expires_in of the tokens issued from now on.
func (s *Server) SetTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenTTL = d
}

// Claims are what a minted token says; zero fields take the defaults of a
// valid token for the fake bot and ServiceURL.
type Claims struct {
	KID        string // default "key-1"
	SignWith   string // sign with this kid's key but name KID in the header (a bad signature)
	Issuer     string
	Audience   string
	ServiceURL string
	IssuedAt   time.Time // default now - 1 minute
	Expiry     time.Time // default IssuedAt + 1 hour
	NoExpiry   bool
	Method     jwt.SigningMethod // default RS256
}

// Token mints a Bot Connector token.
func (s *Server) Token(c Claims) string {
	if c.KID == "" {
		c.KID = "key-1"
	}
	if c.Issuer == "" {
		c.Issuer = Issuer
	}
	if c.Audience == "" {
		c.Audience = AppID
	}
	if c.ServiceURL == "" {
		c.ServiceURL = s.ServiceURL()
	}
	if c.IssuedAt.IsZero() {
		c.IssuedAt = time.Now().Add(-time.Minute)
	}
	if c.Expiry.IsZero() {
		c.Expiry = c.IssuedAt.Add(time.Hour)
	}
	if c.Method == nil {
		c.Method = jwt.SigningMethodRS256
	}
	signer := c.KID
	if c.SignWith != "" {
		signer = c.SignWith
	}
	s.mu.Lock()
	key := s.keys[signer]
	s.mu.Unlock()
	if key == nil {
		// A key nobody publishes: a token no JWKS can verify.
		key = s.newKey()
	}
	mc := jwt.MapClaims{
		"iss": c.Issuer, "aud": c.Audience, "serviceurl": c.ServiceURL,
		"nbf": c.IssuedAt.Unix(), "iat": c.IssuedAt.Unix(),
	}
	if !c.NoExpiry {
		mc["exp"] = c.Expiry.Unix()
	}
	tok := jwt.NewWithClaims(c.Method, mc)
	tok.Header["kid"] = c.KID
	signed, err := tok.SignedString(key)
	if err != nil {
		panic(fmt.Sprintf("teamsfake: sign: %v", err))
	}
	return signed
}

// keyPool holds RSA keys generated once per test binary (generating them is
// the slow part of these tests); each Server takes them in turn, so its
// keys differ from one another.
var keyPool struct {
	mu   sync.Mutex
	keys []*rsa.PrivateKey
}

// newKey is the server's next key from the pool.
func (s *Server) newKey() *rsa.PrivateKey {
	s.mu.Lock()
	i := s.nextKey
	s.nextKey++
	s.mu.Unlock()
	keyPool.mu.Lock()
	defer keyPool.mu.Unlock()
	for len(keyPool.keys) <= i {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keyPool.keys = append(keyPool.keys, k)
	}
	return keyPool.keys[i]
}

// Fail makes the next n connector calls answer status (429, 500, 503...)
// with Retry-After (none when retryAfter is "").
func (s *Server) Fail(n, status int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.queued = append(s.queued, queued{status: status, retryAfter: retryAfter})
	}
}

// Calls returns the connector calls of kind so far ("" for all).
func (s *Server) Calls(kind string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if kind == "" || c.Kind == kind {
			out = append(out, c)
		}
	}
	return out
}

// OKCalls returns the accepted calls of kind whose activity is of type
// actType ("" for any).
func (s *Server) OKCalls(kind, actType string) []Call {
	var out []Call
	for _, c := range s.Calls(kind) {
		if c.OK() && (actType == "" || c.Activity().Type == actType) {
			out = append(out, c)
		}
	}
	return out
}

// WaitFor waits until at least n accepted calls of kind and activity type
// have come, and returns them; it fails the test after timeout.
func (s *Server) WaitFor(t testing.TB, kind, actType string, n int, timeout time.Duration) []Call {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cs := s.OKCalls(kind, actType); len(cs) >= n {
			return cs
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("teamsfake: waited %v for %d %s %s calls, got %d (all: %s)", timeout, n, kind, actType, len(s.OKCalls(kind, actType)), s.summary())
			return nil
		}
	}
}

// Quiet waits for d and reports the connector calls that came meanwhile.
func (s *Server) Quiet(d time.Duration) []Call {
	before := len(s.Calls(""))
	time.Sleep(d)
	return s.Calls("")[before:]
}

func (s *Server) summary() string {
	var parts []string
	for _, c := range s.Calls("") {
		parts = append(parts, fmt.Sprintf("%s(%s)=%d", c.Kind, c.Activity().Type, c.Status))
	}
	return strings.Join(parts, ", ")
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/.well-known/openidconfiguration":
		s.mu.Lock()
		s.openIDGets++
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{
			"issuer":                                Issuer,
			"authorization_endpoint":                "https://invalid.botframework.com",
			"jwks_uri":                              s.srv.URL + "/v1/.well-known/keys",
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"token_endpoint_auth_methods_supported": []string{"private_key_jwt"},
		})
	case r.Method == http.MethodGet && r.URL.Path == "/v1/.well-known/keys":
		s.serveJWKS(w)
	case r.Method == http.MethodPost && r.URL.Path == "/"+TenantID+"/oauth2/v2.0/token":
		s.serveToken(w, r)
	case strings.HasPrefix(r.URL.Path, "/amer/v3/conversations"):
		s.serveConnector(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) serveJWKS(w http.ResponseWriter) {
	s.mu.Lock()
	s.jwksFetches++
	var keys []map[string]any
	for _, kid := range s.published {
		k := s.keys[kid]
		der := s.certs[kid]
		thumb := sha1.Sum(der)
		jwk := map[string]any{
			"kty": "RSA", "use": "sig", "kid": kid, "x5t": base64.RawURLEncoding.EncodeToString(thumb[:]),
			"n": b64(k.N), "e": b64(big.NewInt(int64(k.E))),
			"x5c": []string{base64.StdEncoding.EncodeToString(der)},
		}
		if len(s.endorse) > 0 {
			jwk["endorsements"] = s.endorse
		}
		keys = append(keys, jwk)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

func b64(n *big.Int) string { return base64.RawURLEncoding.EncodeToString(n.Bytes()) }

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request"})
		return
	}
	f := r.PostForm
	switch {
	case f.Get("grant_type") != "client_credentials":
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "unsupported_grant_type"})
		return
	case f.Get("client_id") != AppID || f.Get("client_secret") != AppPassword:
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client",
			"error_description": "AADSTS7000215: Invalid client secret provided."})
		return
	case f.Get("scope") != Scope:
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_scope"})
		return
	}
	s.mu.Lock()
	s.tokenSeq++
	tok := "fake-bot-token-" + strconv.Itoa(s.tokenSeq)
	s.tokens[tok] = true
	ttl := s.tokenTTL
	s.notify()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": int(ttl / time.Second),
		"ext_expires_in": int(ttl / time.Second), "access_token": tok})
}

func (s *Server) serveConnector(w http.ResponseWriter, r *http.Request) {
	c := Call{At: time.Now(), Auth: r.Header.Get("Authorization")}
	body, _ := io.ReadAll(r.Body)
	c.Body = body
	// The path's segments are escaped: a conversation id holds ';' and ':'.
	parts := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/amer/v3/conversations"), "/")
	seg := func(i int) string {
		if i >= len(parts) {
			return ""
		}
		v, _ := url.PathUnescape(parts[i])
		return v
	}
	switch {
	case r.Method == http.MethodPost && len(parts) == 1 && parts[0] == "":
		c.Kind = "create"
	case r.Method == http.MethodPost && len(parts) == 3 && parts[2] == "activities":
		c.Kind, c.Conversation = "send", seg(1)
	case r.Method == http.MethodPost && len(parts) == 4 && parts[2] == "activities":
		c.Kind, c.Conversation, c.ReplyToID = "reply", seg(1), seg(3)
	default:
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	defer func() {
		s.calls = append(s.calls, c)
		s.notify()
		s.mu.Unlock()
	}()
	token, _ := strings.CutPrefix(c.Auth, "Bearer ")
	if !s.tokens[token] {
		c.Status = http.StatusUnauthorized
		writeJSON(w, c.Status, connectorError("Unauthorized", "the bot's token is missing or not one the token endpoint issued"))
		return
	}
	if len(s.queued) > 0 {
		q := s.queued[0]
		s.queued = s.queued[1:]
		c.Status = q.status
		if q.retryAfter != "" {
			w.Header().Set("Retry-After", q.retryAfter)
		}
		writeJSON(w, c.Status, connectorError("ServiceError", http.StatusText(q.status)))
		return
	}
	if n := utf16Len(string(body)) * 2; n > MaxActivityBytes {
		c.Status = http.StatusRequestEntityTooLarge
		writeJSON(w, c.Status, connectorError("MessageSizeTooBig", fmt.Sprintf("%d bytes as UTF-16, over %d", n, MaxActivityBytes)))
		return
	}
	if c.Kind == "create" {
		var p struct {
			Bot     struct{ ID string } `json:"bot"`
			Members []struct{ ID string }
		}
		if json.Unmarshal(body, &p) != nil || p.Bot.ID != BotID || len(p.Members) != 1 {
			c.Status = http.StatusBadRequest
			writeJSON(w, c.Status, connectorError("BadArgument", "a 1:1 conversation needs the bot and one member"))
			return
		}
		s.convSeq++
		c.Status = http.StatusCreated
		writeJSON(w, c.Status, map[string]any{"id": "a:1on1-" + p.Members[0].ID})
		return
	}
	act := c.Activity()
	if problem := checkActivity(act, c); problem != "" {
		c.Status = http.StatusBadRequest
		writeJSON(w, c.Status, connectorError("BadArgument", problem))
		return
	}
	s.convSeq++
	c.Status = http.StatusCreated
	writeJSON(w, c.Status, map[string]any{"id": fmt.Sprintf("1750000%06d", s.convSeq)})
}

// checkActivity applies what the connector and Teams check of a message:
// from the bot, in the conversation of the path, and each card an Adaptive
// Card of version at most 1.5 with a body.
func checkActivity(a Activity, c Call) string {
	if a.From.ID != BotID {
		return "from is not the bot"
	}
	if a.Conversation.ID != c.Conversation {
		return "the activity's conversation is not the path's"
	}
	if c.Kind == "reply" && a.ReplyToID != c.ReplyToID {
		return "replyToId is not the path's"
	}
	for _, card := range a.Cards() {
		if card["type"] != "AdaptiveCard" {
			return "an attachment is not an AdaptiveCard"
		}
		v, _ := card["version"].(string)
		if v == "" || v > "1.5" {
			return "card version " + v + ": Teams renders up to 1.5"
		}
		body, _ := card["body"].([]any)
		if len(body) == 0 {
			return "a card has no body"
		}
		if acts, _ := card["actions"].([]any); len(acts) > 6 {
			return "more than 6 actions"
		}
	}
	if a.Type == "message" && a.Text == "" && len(a.Attachments) == 0 {
		return "an empty message"
	}
	return ""
}

func connectorError(code, msg string) map[string]any {
	return map[string]any{"error": map[string]string{"code": code, "message": msg}}
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
