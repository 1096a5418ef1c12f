// Package discord is the Discord adapter: the /careers slash command with
// its subcommands (ask, occupation, ksb, list, help), autocomplete of
// occupation names, and answers rendered as embeds with their citations.
//
// It connects in one of two modes: the gateway (a WebSocket session kept by
// Run), or HTTP interactions (Discord posts each interaction to
// POST /discord/interactions on the serve HTTP server, signed with
// Ed25519). Either way the commands are registered at start with one bulk
// overwrite, and answers are sent at Discord's REST API: in the first
// response when ready quickly, else after a deferred response, as an edit of
// it and follow-ups.
//
// It is built on github.com/bwmarrin/discordgo (its session, gateway,
// types and REST client), with the REST base rewritten by an
// http.RoundTripper and rate limits handled per call.
package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/careersbot/careersbot/adapters"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/careersbot/careersbot/adapters/internal/work"
	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/store"
)

// Mode is how the adapter hears interactions.
type Mode string

const (
	ModeGateway Mode = "gateway" // the gateway WebSocket; no public URL
	ModeHTTP    Mode = "http"    // Discord posts to InteractionsPath
)

// InteractionsPath is where Discord posts interactions in HTTP mode.
const InteractionsPath = "/discord/interactions"

// Timing.
const (
	// DefaultQuickAnswer is how long an interaction waits for its answer
	// before deferring: Discord wants the first response within 3 s.
	DefaultQuickAnswer = 1500 * time.Millisecond
	// DefaultWorkTimeout bounds an answer and its delivery once the
	// interaction is acknowledged (the interaction token lasts 15 minutes).
	DefaultWorkTimeout = 5 * time.Minute
	// MaxTimestampSkew is how old (or how far ahead) a signed interaction's
	// timestamp may be.
	MaxTimestampSkew = 5 * time.Minute
	// DefaultDedupeMax and DefaultMaxPending bound the adapter's state.
	DefaultDedupeMax  = 100_000
	DefaultMaxPending = 256
	// seenTTL is how long an interaction id is remembered: longer than
	// the signature window a replay must fall in.
	seenTTL = time.Hour
	// callTimeout bounds one REST call, its retries included.
	callTimeout = 30 * time.Second
	// respondTimeout bounds the first response on the gateway: after 3 s
	// the interaction is gone anyway.
	respondTimeout = 10 * time.Second
	// openTimeout bounds connecting to the gateway (dial, Hello, Identify,
	// Ready).
	openTimeout = 30 * time.Second
)

// Options configure the adapter: plain values and funcs.
type Options struct {
	BotToken string // the bot's token, without "Bot "
	AppID    string // the application id
	// PublicKey is the application's hex Ed25519 public key: set, the
	// adapter takes HTTP interactions; empty, it keeps a gateway session.
	PublicKey string
	GuildID   string // register the commands in this guild only
	APIURL    string // Discord's REST base; "" is DefaultAPIURL

	// Asker answers every command (serve's bot.Guard: it enforces the rate
	// and length limits).
	Asker bot.Asker
	// Complete offers occupations for a partly typed name; nil, or nil
	// results, offer none.
	Complete func(partial string, n int) []bot.Completion
	// Memory keeps each channel's context (the occupation it is about), if
	// set.
	Memory bot.Conversations
	// Dedupe remembers the interactions taken, so that a replay within
	// the signature window is answered once; nil: in memory,
	// DefaultDedupeMax ids for an hour.
	Dedupe Dedupe
	// MaxPending bounds the commands being answered; past it a command is
	// told "busy, try again" in its first response. 0: DefaultMaxPending.
	MaxPending int
	// OnReply counts how each command ended (ReplyAnswered, ...).
	OnReply func(result string)
	// OnReplay counts an interaction taken before, not answered again.
	OnReplay func()

	Logger       *slog.Logger
	LogQuestions bool
	HashUser     func(string) string // user ids to pseudonyms for logs
	// OnState reports the connection: the gateway session, or in HTTP mode
	// whether command registration succeeded.
	OnState func(connected bool, detail string)
	// OnPlatformError counts a failed call to Discord's API (after retries).
	OnPlatformError func()
	Now             func() time.Time // the clock for the timestamp check

	// QuickAnswer is how long to wait for an answer before deferring; 0 is
	// DefaultQuickAnswer, below 0 always defers.
	QuickAnswer time.Duration
	// WorkTimeout bounds an acknowledged answer and its delivery; 0 is
	// DefaultWorkTimeout.
	WorkTimeout time.Duration
	// MaxQuestionChars caps the question option's length in the command's
	// definition; 0 leaves it to the Asker.
	MaxQuestionChars int
}

// Results of a command, for OnReply.
const (
	ReplyAnswered    = "answered"    // the answer was delivered
	ReplyRefused     = "refused"     // the bot's refusal was delivered: too long, too fast, busy, starting
	ReplyBusy        = "busy"        // more than MaxPending being answered: "busy, try again" at once
	ReplyFailed      = "failed"      // the answer failed and the user was told so
	ReplyUndelivered = "undelivered" // nothing could be delivered
)

// Dedupe remembers the interactions taken. store.Dedupe keeps them in
// memory; a store shared by replicas implements the same two methods.
type Dedupe interface {
	// First records key and reports whether it is new.
	First(key string) bool
	// Forget lets key be taken again.
	Forget(key string)
}

// Adapter is the Discord adapter.
// The serve runtime holds it as an adapters.Adapter.
var _ adapters.Adapter = (*Adapter)(nil)

type Adapter struct {
	o       Options
	mode    Mode
	pub     ed25519.PublicKey
	session *discordgo.Session
	rest    *rest
	jobs    *work.Queue
	seen    Dedupe

	registered atomic.Bool

	connMu sync.Mutex
	conn   *watchedConn // the gateway's connection being opened or open
}

// New builds the adapter. It checks the options but connects to nothing:
// Run does.
func New(o Options) (*Adapter, error) {
	var problems []string
	if strings.TrimSpace(o.BotToken) == "" {
		problems = append(problems, "the bot token is empty")
	}
	if strings.TrimSpace(o.AppID) == "" {
		problems = append(problems, "the application id is empty")
	}
	if o.Asker == nil {
		problems = append(problems, "no Asker")
	}
	a := &Adapter{mode: ModeGateway}
	if o.PublicKey != "" {
		a.mode = ModeHTTP
		key, err := hex.DecodeString(strings.TrimSpace(o.PublicKey))
		if err != nil || len(key) != ed25519.PublicKeySize {
			problems = append(problems, "the public key must be 64 hex characters (the application's Ed25519 public key)")
		}
		a.pub = ed25519.PublicKey(key)
	}
	transport, err := newRewriteTransport(o.APIURL)
	if err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("discord: %s", strings.Join(problems, "; "))
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.HashUser == nil {
		o.HashUser = bot.UserHasher()
	}
	if o.OnState == nil {
		o.OnState = func(bool, string) {}
	}
	if o.OnPlatformError == nil {
		o.OnPlatformError = func() {}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.QuickAnswer == 0 {
		o.QuickAnswer = DefaultQuickAnswer
	}
	if o.WorkTimeout <= 0 {
		o.WorkTimeout = DefaultWorkTimeout
	}
	if o.MaxPending <= 0 {
		o.MaxPending = DefaultMaxPending
	}
	if o.OnReply == nil {
		o.OnReply = func(string) {}
	}
	if o.OnReplay == nil {
		o.OnReplay = func() {}
	}
	a.o = o
	a.jobs = work.New(o.MaxPending, o.WorkTimeout, o.Logger)
	a.seen = o.Dedupe
	if a.seen == nil {
		a.seen = store.NewDedupe(DefaultDedupeMax, seenTTL, o.Now)
	}
	// Connections to Discord are kept for reuse by as many answers as may
	// be delivered at once.
	transport.next.(*http.Transport).MaxIdleConnsPerHost = min(o.MaxPending, 256)

	token := strings.TrimSpace(o.BotToken)
	if !strings.HasPrefix(token, "Bot ") {
		token = "Bot " + token
	}
	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	s.Client = &http.Client{Transport: transport, Timeout: 20 * time.Second}
	s.ShouldRetryOnRateLimit = false // rest.call waits out a 429 itself, minding the context
	s.MaxRestRetries = 0             // and retries server errors itself
	s.ShouldReconnectOnError = false // Run returns instead, and serve retries it with backoff
	s.StateEnabled = false           // nothing here needs the guild cache
	s.LogLevel = discordgo.LogError - 1
	s.Identify.Intents = discordgo.IntentsNone // interactions arrive without intents
	s.Dialer = &websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: 15 * time.Second,
		NetDialContext:   a.dialGateway,
	}
	s.AddHandler(func(_ *discordgo.Session, e *discordgo.InteractionCreate) {
		if e.Interaction != nil {
			a.gatewayInteraction(e.Interaction)
		}
	})
	a.session = s
	a.rest = &rest{s: s}
	return a, nil
}

// Name is the adapter's name in metrics and /readyz.
func (a *Adapter) Name() string { return "discord" }

// Mode is ModeGateway or ModeHTTP.
func (a *Adapter) Mode() Mode { return a.mode }

// Routes is POST /discord/interactions in HTTP mode, nothing on the gateway.
func (a *Adapter) Routes() map[string]http.Handler {
	if a.mode != ModeHTTP {
		return map[string]http.Handler{}
	}
	return map[string]http.Handler{"POST " + InteractionsPath: http.HandlerFunc(a.serveInteraction)}
}

// Run registers the commands, then keeps the gateway session until ctx ends
// or the connection is lost (an error, so that serve retries), or in HTTP
// mode reports connected and waits for ctx.
func (a *Adapter) Run(ctx context.Context) error {
	if !a.registered.Load() {
		if err := a.register(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			a.o.OnPlatformError()
			a.o.OnState(false, "command registration failed: "+err.Error())
			return fmt.Errorf("register commands: %w", err)
		}
		a.registered.Store(true)
		a.o.Logger.Info("discord commands registered", "scope", a.scope(), "mode", a.mode)
	}
	if a.mode == ModeHTTP {
		a.o.OnState(true, "commands registered ("+a.scope()+"); interactions at "+InteractionsPath)
		<-ctx.Done()
		return nil
	}
	return a.runGateway(ctx)
}

func (a *Adapter) scope() string {
	if a.o.GuildID != "" {
		return "guild " + a.o.GuildID
	}
	return "global"
}

// Shutdown waits for the answers acknowledged and still being worked on or
// delivered, until ctx ends; then it cancels them, and they tell their
// users they failed.
func (a *Adapter) Shutdown(ctx context.Context) error {
	return a.jobs.Shutdown(ctx)
}

// Pending is the number of commands being answered.
func (a *Adapter) Pending() int { return a.jobs.Len() }

// runGateway opens the session and holds it until ctx ends or the
// connection drops.
func (a *Adapter) runGateway(ctx context.Context) error {
	a.connMu.Lock()
	a.conn = nil
	a.connMu.Unlock()
	opened := make(chan error, 1)
	go func() { opened <- a.session.Open() }()
	timer := time.NewTimer(openTimeout)
	defer timer.Stop()
	var err error
	select {
	case err = <-opened:
	case <-ctx.Done():
		a.killConn()
		<-opened
		_ = a.session.Close()
		return nil
	case <-timer.C:
		a.killConn()
		<-opened
		_ = a.session.Close()
		err = fmt.Errorf("no Ready within %s", openTimeout)
	}
	if err != nil {
		a.o.OnState(false, "gateway: "+err.Error())
		return fmt.Errorf("open the gateway: %w", err)
	}
	a.connMu.Lock()
	conn := a.conn
	a.connMu.Unlock()
	if conn == nil {
		_ = a.session.Close()
		return errors.New("open the gateway: no connection")
	}
	a.o.OnState(true, "gateway connected")
	a.o.Logger.Info("discord gateway connected")
	select {
	case <-ctx.Done():
		_ = a.session.Close()
		a.o.OnState(false, "stopped")
		return nil
	case <-conn.dead:
		a.o.OnState(false, "gateway connection lost")
		return errors.New("gateway connection lost")
	}
}

// dialGateway dials the gateway and watches the connection, so that Run
// learns when it drops and can cut a connection that hangs.
func (a *Adapter) dialGateway(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	w := &watchedConn{Conn: c, dead: make(chan struct{})}
	a.connMu.Lock()
	a.conn = w
	a.connMu.Unlock()
	return w, nil
}

func (a *Adapter) killConn() {
	a.connMu.Lock()
	c := a.conn
	a.connMu.Unlock()
	if c != nil {
		c.Close()
	}
}

// watchedConn is a connection that says when it is finished: read failed
// or closed.
type watchedConn struct {
	net.Conn
	once sync.Once
	dead chan struct{}
}

func (c *watchedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil {
		c.kill()
	}
	return n, err
}

func (c *watchedConn) Close() error {
	c.kill()
	return c.Conn.Close()
}

func (c *watchedConn) kill() { c.once.Do(func() { close(c.dead) }) }
