// Package teams is the Microsoft Teams adapter: careers questions asked in
// a personal chat with the bot, or by mentioning it in a channel (answered
// in the post's thread) or a group chat, through the Bot Framework's Bot
// Connector protocol, answered with Adaptive Cards that show every
// citation.
//
// The Bot Connector posts each activity to POST /teams/messages (Routes)
// with a bearer JWT; every request is authenticated before anything else
// (see verifier): a bad token is 401 and nothing is done. An activity is
// acknowledged at once and answered after, through the connector's REST API
// at the activity's serviceUrl, with the bot's client-credentials token from
// Microsoft Entra (single-tenant). An activity delivered again is answered
// once. Run loads the OpenID metadata, the signing keys and a first token:
// the adapter is ready once it has them.
package teams

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/careersbot/careersbot/adapters/internal/qlog"

	"github.com/careersbot/careersbot/adapters"
	"github.com/careersbot/careersbot/internal/store"

	"github.com/careersbot/careersbot/bot"
)

// MessagesPath is where the Bot Connector posts activities: the Azure Bot's
// messaging endpoint is https://YOUR-HOST/teams/messages.
const MessagesPath = "/teams/messages"

// DefaultOpenIDURL is the Bot Framework's OpenID metadata for tokens the
// Bot Connector sends to bots (public cloud).
const DefaultOpenIDURL = "https://login.botframework.com/v1/.well-known/openidconfiguration"

// Defaults of the Options.
const (
	DefaultHTTPTimeout       = 10 * time.Second
	DefaultWorkTimeout       = 45 * time.Second
	DefaultKeyRefresh        = time.Hour
	DefaultUnknownKeyRefresh = 5 * time.Minute
	DefaultTokenEarlyExpiry  = 5 * time.Minute
	// SeenTTL is how long an activity id is remembered: longer than the
	// Bot Framework's redeliveries.
	SeenTTL  = time.Hour
	seenKeys = 100_000
)

// Options configure the adapter: plain values and funcs only.
type Options struct {
	AppID       string // the Azure Bot's Microsoft App ID (a GUID)
	AppPassword string // its client secret
	TenantID    string // the single tenant the app is registered in
	OpenIDURL   string // "": DefaultOpenIDURL
	TokenURL    string // "": DefaultTokenURL for TenantID

	// Asker answers; serve passes its bot.Guard.
	Asker bot.Asker
	// Memory keeps each conversation's occupation so a follow-up keeps
	// it; nil: no follow-ups.
	Memory bot.Conversations
	// Seen remembers the activities taken; nil: a bounded set of the last
	// hour's.
	Seen Seen

	Logger       *slog.Logger
	LogQuestions bool
	// HashUser turns a user id into a pseudonym for logs.
	HashUser func(string) string
	// OnState reports readiness: the OpenID metadata, keys and a token
	// fetched, or what failed.
	OnState func(connected bool, detail string)
	// OnFeedback is told of a Helpful ("up") or Not helpful ("down"): the
	// vote, the answer's ID and occupation the button carries, Via "teams".
	OnFeedback func(bot.Feedback)
	// OnPlatformError counts a connector call that failed after retries.
	OnPlatformError func()
	// Now is the clock tokens are checked against; nil: time.Now.
	Now func() time.Time

	// HTTPClient makes every outbound call (OpenID metadata, keys, token,
	// connector); nil: a client with HTTPTimeout.
	HTTPClient  *http.Client
	HTTPTimeout time.Duration // 0: DefaultHTTPTimeout
	// MaxAttempts is how often a connector call is tried on 429 or 5xx;
	// 0: DefaultMaxAttempts.
	MaxAttempts int
	// WorkTimeout bounds the work on one acknowledged activity; 0:
	// DefaultWorkTimeout.
	WorkTimeout time.Duration
	// KeyRefresh is how often the signing keys are fetched again; 0:
	// DefaultKeyRefresh.
	KeyRefresh time.Duration
	// UnknownKeyRefresh is the least time between refreshes that a token
	// naming an unknown key id triggers; 0: DefaultUnknownKeyRefresh.
	UnknownKeyRefresh time.Duration
	// TokenEarlyExpiry is how long before its expiry the bot's token is
	// replaced; 0: DefaultTokenEarlyExpiry.
	TokenEarlyExpiry time.Duration
}

// Adapter is the Teams adapter. It implements serve's Adapter.
// The serve runtime holds it as an adapters.Adapter.
var _ adapters.Adapter = (*Adapter)(nil)

type Adapter struct {
	o         Options
	log       *slog.Logger
	client    *http.Client
	tokens    *tokenSource
	connector *connector
	verifier  atomic.Pointer[verifier]

	mu       sync.Mutex
	closing  bool
	inFlight sync.WaitGroup
	hardStop context.Context // cancelled when Shutdown gives up waiting
	stopWork context.CancelFunc
}

// New checks the options and builds the adapter; it connects to nothing:
// Run does.
func New(o Options) (*Adapter, error) {
	var problems []string
	if strings.TrimSpace(o.AppID) == "" {
		problems = append(problems, "the app id (TEAMS_APP_ID) is empty")
	}
	if o.AppPassword == "" {
		problems = append(problems, "the app password (TEAMS_APP_PASSWORD) is empty")
	}
	if strings.TrimSpace(o.TenantID) == "" && o.TokenURL == "" {
		problems = append(problems, "the tenant id (TEAMS_TENANT_ID) is empty")
	}
	if o.Asker == nil {
		problems = append(problems, "no Asker")
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("teams: %s", strings.Join(problems, "; "))
	}
	// Tokens name the app id in lower case, as the Azure portal shows it.
	o.AppID = strings.ToLower(strings.TrimSpace(o.AppID))
	o.TenantID = strings.TrimSpace(o.TenantID)
	if o.OpenIDURL == "" {
		o.OpenIDURL = DefaultOpenIDURL
	}
	if o.TokenURL == "" {
		o.TokenURL = strings.Replace(DefaultTokenURL, "{tenant}", strings.TrimSpace(o.TenantID), 1)
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
	if o.OnFeedback == nil {
		o.OnFeedback = func(bot.Feedback) {}
	}
	if o.OnPlatformError == nil {
		o.OnPlatformError = func() {}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPTimeout <= 0 {
		o.HTTPTimeout = DefaultHTTPTimeout
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: o.HTTPTimeout}
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.WorkTimeout <= 0 {
		o.WorkTimeout = DefaultWorkTimeout
	}
	if o.KeyRefresh <= 0 {
		o.KeyRefresh = DefaultKeyRefresh
	}
	if o.UnknownKeyRefresh <= 0 {
		o.UnknownKeyRefresh = DefaultUnknownKeyRefresh
	}
	if o.TokenEarlyExpiry <= 0 {
		o.TokenEarlyExpiry = DefaultTokenEarlyExpiry
	}
	if o.Seen == nil {
		o.Seen = store.NewDedupe(seenKeys, SeenTTL, nil)
	}
	hardStop, stopWork := context.WithCancel(context.Background())
	a := &Adapter{o: o, log: o.Logger.With("adapter", "teams"), client: o.HTTPClient, hardStop: hardStop, stopWork: stopWork}
	a.tokens = newTokenSource(&a.o, a.client)
	a.connector = &connector{client: a.client, tokens: a.tokens, maxAttempts: o.MaxAttempts}
	return a, nil
}

// Name is "teams".
func (a *Adapter) Name() string { return "teams" }

// Routes is POST /teams/messages.
func (a *Adapter) Routes() map[string]http.Handler {
	return map[string]http.Handler{"POST " + MessagesPath: http.HandlerFunc(a.serveMessages)}
}

// Run fetches the OpenID metadata and the signing keys it names (refreshed
// while ctx lasts) and a first token, reports ready, and waits for ctx to
// end. A failure is returned, for serve to retry with backoff.
func (a *Adapter) Run(ctx context.Context) error {
	v, err := loadVerifier(ctx, &a.o, a.client)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		a.o.OnState(false, "Bot Framework keys: "+err.Error())
		return fmt.Errorf("teams: %w", err)
	}
	a.verifier.Store(v)
	if _, err := a.tokens.token(); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		a.o.OnState(false, "token: "+err.Error())
		return fmt.Errorf("teams: %w", err)
	}
	a.o.OnState(true, fmt.Sprintf("OpenID metadata and %d signing keys loaded, token fetched; activities at %s", v.nKeys(), MessagesPath))
	a.log.Info("teams ready", "signing_keys", v.nKeys())
	<-ctx.Done()
	return nil
}

// Shutdown stops taking new work and waits for the activities acknowledged
// and still being answered, until ctx ends; then it cancels them.
func (a *Adapter) Shutdown(ctx context.Context) error {
	a.mu.Lock()
	a.closing = true
	a.mu.Unlock()
	done := make(chan struct{})
	go func() {
		a.inFlight.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		a.stopWork()
		return fmt.Errorf("answers still in flight: %w", ctx.Err())
	}
}

// goWork runs fn on its own with a context that outlives the request that
// acknowledged the work but not WorkTimeout, nor Shutdown giving up. It
// reports false, and runs nothing, once the adapter is shutting down.
func (a *Adapter) goWork(parent context.Context, fn func(ctx context.Context)) bool {
	a.mu.Lock()
	if a.closing {
		a.mu.Unlock()
		return false
	}
	a.inFlight.Add(1)
	a.mu.Unlock()
	go func() {
		defer a.inFlight.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), a.o.WorkTimeout)
		defer cancel()
		stop := context.AfterFunc(a.hardStop, cancel)
		defer stop()
		defer func() {
			if r := recover(); r != nil {
				a.log.Error("panic while answering", "panic", fmt.Sprint(r))
			}
		}()
		fn(ctx)
	}()
	return true
}

// platformError logs and counts a connector call that failed, and returns
// err.
func (a *Adapter) platformError(what string, err error) error {
	if err == nil {
		return nil
	}
	attrs := []any{"call", what, "error", err.Error()}
	var ce *ConnectorError
	if errors.As(err, &ce) && ce.RetryAfter > 0 {
		attrs = append(attrs, "retry_after", ce.RetryAfter.String())
	}
	a.log.Warn("teams connector call failed", attrs...)
	a.o.OnPlatformError()
	return err
}

// asked is one question as the log records it.
type asked struct {
	via   string // where it was asked
	user  string
	text  string
	start time.Time
}

// logQuestion logs one question and how it ended (qlog): never its text
// unless LogQuestions, and the user only as a pseudonym.
func (a *Adapter) logQuestion(q asked, ans bot.Answer, err error) {
	qlog.Log(a.log, qlog.Question{Platform: "teams", Via: q.via, User: a.o.HashUser(q.user), Text: q.text, Start: q.start},
		a.o.LogQuestions, ans, err)
}
