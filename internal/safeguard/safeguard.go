// Package safeguard tells an organisation's safeguarding lead when a
// learner's message shows distress: a post to a Slack channel, or a JSON
// webhook. It is off unless configured.
//
// An alert never delays the learner's reply and never reaches the learner:
// the bot hands it over with Notify, which only queues; one worker sends
// it, retrying with backoff, and logs (without the message) what failed.
// The queue is bounded, so a dead webhook cannot grow memory: past the
// bound alerts are dropped, logged and counted.
package safeguard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/careersbot/careersbot/bot"
)

// Results counted by Options.OnResult.
const (
	ResultSent    = "sent"
	ResultFailed  = "failed"  // every attempt failed, or the destination refused it
	ResultDropped = "dropped" // the queue was full, or shutdown came first
)

// Defaults of Options.
const (
	DefaultAttempts  = 5
	DefaultBackoff   = time.Second
	DefaultTimeout   = 10 * time.Second
	DefaultQueueSize = 100
	maxWait          = time.Minute // the longest a Retry-After is honoured
)

// Options configure a Sender.
type Options struct {
	// Destination is a Slack channel id (C..., G...) or a webhook URL.
	Destination string
	// SlackToken and SlackAPIURL post to a Slack channel (chat.postMessage).
	SlackToken  string
	SlackAPIURL string
	// IncludeText puts the learner's message in the alert.
	IncludeText bool

	Client    *http.Client  // nil: one with no overall timeout (Timeout bounds each attempt)
	Timeout   time.Duration // each attempt; 0: DefaultTimeout
	Attempts  int           // 0: DefaultAttempts
	Backoff   time.Duration // the first wait between attempts, doubling; 0: DefaultBackoff
	QueueSize int           // 0: DefaultQueueSize
	Logger    *slog.Logger
	// OnResult counts each alert's end: sent, failed or dropped.
	OnResult func(kind bot.SafeguardingKind, result string)
	Now      func() time.Time
}

// Alert is what the safeguarding lead is told.
type Alert struct {
	Platform string // slack, discord, http, ...
	Channel  string // the platform's channel id, if any
	User     string // the platform's user id (the client address over HTTP)
	Kind     bot.SafeguardingKind
	Now      bool   // in danger now
	Text     string // the message, only when Options.IncludeText
	Time     time.Time
}

// deliver makes one attempt.
type deliver func(ctx context.Context, a Alert) error

// Sender queues alerts and sends them from one worker.
type Sender struct {
	o       Options
	send    deliver
	queue   chan Alert
	mu      sync.Mutex
	closed  bool
	done    chan struct{}
	stop    context.CancelFunc
	stopCtx context.Context
}

// New starts a Sender; Close stops it.
func New(o Options) (*Sender, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Attempts <= 0 {
		o.Attempts = DefaultAttempts
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.OnResult == nil {
		o.OnResult = func(bot.SafeguardingKind, string) {}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	s := &Sender{o: o, queue: make(chan Alert, o.QueueSize), done: make(chan struct{})}
	switch {
	case IsSlackChannel(o.Destination):
		if o.SlackToken == "" {
			return nil, errors.New("a safeguarding alert to a Slack channel needs the bot token (SLACK_BOT_TOKEN)")
		}
		s.send = s.slack()
	default:
		u, err := url.Parse(o.Destination)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("the safeguarding alert goes to a Slack channel id or a webhook URL, not %q", o.Destination)
		}
		s.send = s.webhook(u.String())
	}
	s.stopCtx, s.stop = context.WithCancel(context.Background())
	go s.work()
	return s, nil
}

// IsSlackChannel reports whether dest is a Slack conversation id.
func IsSlackChannel(dest string) bool {
	if len(dest) < 7 || len(dest) > 21 || !strings.ContainsRune("CGD", rune(dest[0])) {
		return false
	}
	for _, r := range dest[1:] {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// Notify queues an alert about a message that showed distress; it never
// blocks. Its signature is bot.Options.OnDistress.
func (s *Sender) Notify(_ context.Context, q bot.Question, sg bot.Safeguarding) {
	a := Alert{Platform: q.Via, Channel: q.Channel, User: q.User, Kind: sg.Kind, Now: sg.Now, Time: s.o.Now().UTC()}
	if a.Platform == "" {
		a.Platform = "unknown"
	}
	if s.o.IncludeText {
		a.Text = q.Text
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		s.dropped(a, "shutting down")
		return
	}
	select {
	case s.queue <- a:
	default:
		s.dropped(a, "the alert queue is full")
	}
}

func (s *Sender) dropped(a Alert, why string) {
	s.o.Logger.Error("safeguarding alert dropped", "why", why, "kind", string(a.Kind), "platform", a.Platform)
	s.o.OnResult(a.Kind, ResultDropped)
}

// Close stops taking alerts and waits, until ctx ends, for the queued ones
// to be sent; those still queued then are dropped.
func (s *Sender) Close(ctx context.Context) error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.queue)
	}
	s.mu.Unlock()
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		s.stop()
		<-s.done
		return fmt.Errorf("safeguarding alerts: %w", ctx.Err())
	}
}

func (s *Sender) work() {
	defer close(s.done)
	for a := range s.queue {
		if s.stopCtx.Err() != nil {
			s.dropped(a, "shutting down")
			continue
		}
		if err := s.deliver(s.stopCtx, a); err != nil {
			s.o.Logger.Error("safeguarding alert not delivered", "error", err.Error(), "kind", string(a.Kind),
				"platform", a.Platform, "destination", s.where())
			s.o.OnResult(a.Kind, ResultFailed)
			continue
		}
		s.o.Logger.Info("safeguarding alert sent", "kind", string(a.Kind), "platform", a.Platform, "destination", s.where())
		s.o.OnResult(a.Kind, ResultSent)
	}
}

// where names the destination for logs without a webhook's secret path.
func (s *Sender) where() string {
	if IsSlackChannel(s.o.Destination) {
		return "slack:" + s.o.Destination
	}
	if u, err := url.Parse(s.o.Destination); err == nil {
		return u.Scheme + "://" + u.Host
	}
	return "webhook"
}

// permanentError is a refusal no retry will change (a bad channel, a
// revoked token, a 4xx).
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// waitError asks for a wait before the next attempt (Retry-After).
type waitError struct {
	err  error
	wait time.Duration
}

func (e *waitError) Error() string { return e.err.Error() }
func (e *waitError) Unwrap() error { return e.err }

// deliver tries up to Attempts times with doubling, jittered backoff.
func (s *Sender) deliver(ctx context.Context, a Alert) error {
	wait := s.o.Backoff
	var err error
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, s.o.Timeout)
		err = s.send(actx, a)
		cancel()
		if err == nil {
			return nil
		}
		var perm *permanentError
		if errors.As(err, &perm) || attempt >= s.o.Attempts || ctx.Err() != nil {
			return fmt.Errorf("after %d attempts: %w", attempt, err)
		}
		next := wait + time.Duration(rand.Int64N(int64(wait/4)+1))
		var we *waitError
		if errors.As(err, &we) && we.wait > next {
			next = min(we.wait, maxWait)
		}
		s.o.Logger.Warn("safeguarding alert failed; retrying", "error", err.Error(), "attempt", attempt, "retry_in", next.String())
		select {
		case <-ctx.Done():
			return fmt.Errorf("after %d attempts: %w", attempt, err)
		case <-time.After(next):
		}
		wait *= 2
	}
}

// kindLabel is a kind in words, for the lead.
var kindLabel = map[bot.SafeguardingKind]string{
	bot.KindSuicide:  "suicide or self-harm",
	bot.KindAbuse:    "abuse or not being safe at home",
	bot.KindOnline:   "online exploitation or grooming",
	bot.KindCrime:    "being forced into crime",
	bot.KindHomeless: "being homeless or thrown out",
	bot.KindBullying: "bullying",
	bot.KindDistress: "distress (not coping)",
}

// Summary is the alert in words: what a person reads in Slack or in a
// chat tool the webhook feeds.
func (a Alert) Summary() string {
	var b strings.Builder
	label := kindLabel[a.Kind]
	if label == "" {
		label = string(a.Kind)
	}
	fmt.Fprintf(&b, "Safeguarding alert from careersbot: a message on %s showed signs of %s", a.Platform, label)
	if a.Now {
		b.WriteString(", and of danger now")
	}
	b.WriteString(".\n")
	channel := a.Channel
	if channel == "" {
		channel = "none"
	}
	fmt.Fprintf(&b, "Platform: %s · channel: %s · user: %s · kind: %s · danger now: %s · time: %s\n",
		a.Platform, channel, a.User, a.Kind, yesNo(a.Now), a.Time.Format(time.RFC3339))
	if a.Text != "" {
		fmt.Fprintf(&b, "Message: %q\n", a.Text)
	}
	b.WriteString("The learner was shown the bot's reply pointing to a trusted adult and helplines, not this alert. Please follow your safeguarding procedure.")
	return b.String()
}

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

// webhookBody is the JSON posted to a webhook. "text" is the summary, so
// a Slack, Mattermost or similar incoming webhook shows it as is; the other
// fields are for machines.
type webhookBody struct {
	Text      string `json:"text"`
	Event     string `json:"event"`
	Platform  string `json:"platform"`
	Channel   string `json:"channel"`
	User      string `json:"user"`
	Kind      string `json:"kind"`
	DangerNow bool   `json:"danger_now"`
	Time      string `json:"time"`
	Message   string `json:"message,omitempty"`
}

func (s *Sender) webhook(target string) deliver {
	return func(ctx context.Context, a Alert) error {
		body, err := json.Marshal(webhookBody{Text: a.Summary(), Event: "safeguarding", Platform: a.Platform, Channel: a.Channel,
			User: a.User, Kind: string(a.Kind), DangerNow: a.Now, Time: a.Time.Format(time.RFC3339), Message: a.Text})
		if err != nil {
			return &permanentError{err}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
		if err != nil {
			return &permanentError{err}
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "careersbot-safeguarding")
		resp, err := s.o.Client.Do(req)
		if err != nil {
			return fmt.Errorf("webhook: %w", redactErr(err))
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		switch {
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			return nil
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
			err := fmt.Errorf("webhook answered %s", resp.Status)
			if secs, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && secs > 0 {
				return &waitError{err, time.Duration(secs) * time.Second}
			}
			return err
		}
		return &permanentError{fmt.Errorf("webhook refused the alert: %s", resp.Status)}
	}
}

// redactErr keeps a webhook's secret path out of logs: url.Error carries
// the whole URL.
func redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// slackRetryable are chat.postMessage errors worth another attempt.
var slackRetryable = map[string]bool{"ratelimited": true, "internal_error": true, "fatal_error": true,
	"request_timeout": true, "service_unavailable": true}

func (s *Sender) slack() deliver {
	opts := []slackgo.Option{slackgo.OptionHTTPClient(s.o.Client)}
	if s.o.SlackAPIURL != "" {
		opts = append(opts, slackgo.OptionAPIURL(s.o.SlackAPIURL))
	}
	api := slackgo.New(s.o.SlackToken, opts...)
	return func(ctx context.Context, a Alert) error {
		// Slack reads <...> and & as markup: the learner's words are
		// escaped so "<!channel>" pings no one.
		text := slackEscape(a.Summary())
		_, _, err := api.PostMessageContext(ctx, s.o.Destination, slackgo.MsgOptionText(text, false),
			slackgo.MsgOptionDisableLinkUnfurl(), slackgo.MsgOptionDisableMediaUnfurl())
		if err == nil {
			return nil
		}
		var rl *slackgo.RateLimitedError
		if errors.As(err, &rl) {
			return &waitError{err, rl.RetryAfter}
		}
		var se slackgo.SlackErrorResponse
		if errors.As(err, &se) && !slackRetryable[se.Err] {
			return &permanentError{fmt.Errorf("chat.postMessage: %w", err)}
		}
		var sc slackgo.StatusCodeError
		if errors.As(err, &sc) && !sc.Retryable() {
			return &permanentError{fmt.Errorf("chat.postMessage: %w", err)}
		}
		return fmt.Errorf("chat.postMessage: %w", err)
	}
}

func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
