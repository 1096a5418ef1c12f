// Package slack is the Slack adapter: careers questions asked by mentioning
// the bot in a channel (answered in the thread), in a direct message, or with
// the /careers slash command (answered privately, with a button to share),
// answered in Block Kit with every citation shown.
//
// It connects in one of two modes: Socket Mode (a bot token and an app-level
// token; Run keeps the WebSocket) or HTTP mode (a bot token and the signing
// secret; Routes serves /slack/events, /slack/commands and
// /slack/interactions on serve's HTTP server, each request's signature
// checked before anything else). Every event, command and interaction is
// acknowledged at once and answered afterwards; an event Slack resends is
// answered once.
package slack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/careersbot/careersbot/adapters/internal/qlog"

	"github.com/careersbot/careersbot/adapters"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/careersbot/careersbot/adapters/internal/work"
	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/store"
)

// Mode is how the adapter talks to Slack.
type Mode string

const (
	ModeSocket Mode = "socket" // Socket Mode: a WebSocket the adapter opens; no public URL
	ModeHTTP   Mode = "http"   // HTTP mode: Slack posts to the Paths
)

// Paths are the routes of HTTP mode.
var Paths = []string{"POST /slack/events", "POST /slack/commands", "POST /slack/interactions"}

// Defaults of the Options.
const (
	DefaultHTTPTimeout = 10 * time.Second
	DefaultWorkTimeout = 45 * time.Second
	DefaultMaxRetries  = 3
	// ShareTTL is how long a /careers answer can be shared in the channel
	// (Slack's response_url lasts 30 minutes).
	ShareTTL = 30 * time.Minute
	// SeenTTL is how long an event id, a command's trigger id or a button
	// press is remembered: longer than Slack's retries of an event (at
	// once, after a minute, after five) and than the signature window a
	// replay must fall in.
	SeenTTL = time.Hour
	// Default bounds of the adapter's state and queue.
	DefaultDedupeMax  = 100_000
	DefaultSharesMax  = 1000
	DefaultMaxPending = 256
	// noticeSlots bounds the "busy, try again" notices to mentions and DMs
	// in flight past MaxPending; past both, an event is not acknowledged,
	// and Slack sends it again later.
	noticeSlots = 32
)

// Results of a question, for OnReply.
const (
	ReplyAnswered    = "answered"    // the answer was delivered
	ReplyRefused     = "refused"     // the bot's refusal was delivered: too long, too fast, busy, starting
	ReplyBusy        = "busy"        // more than MaxPending waiting: "busy, try again" at once
	ReplyFailed      = "failed"      // the answer failed and the user was told so
	ReplyUndelivered = "undelivered" // nothing could be delivered
)

// Dedupe remembers what was taken (an event, a slash command's trigger id,
// a button press), so that a resend or a replay within the signature
// window is answered once. store.Dedupe keeps it in memory.
type Dedupe interface {
	// First records key and reports whether it is new.
	First(key string) bool
	// Forget lets key be taken again.
	Forget(key string)
}

// Share is a /careers answer that its asker may share in the channel.
type Share struct {
	Answer      bot.Answer
	Question    string
	User        string
	Channel     string
	ResponseURL string
}

// ShareStore keeps /careers answers for their share button: Put returns
// the id the button carries, Take gives the answer once. store.Keep keeps
// them in memory.
type ShareStore interface {
	Put(s Share) string
	Take(id string) (Share, bool)
}

// Options configure the adapter: plain values and funcs only.
type Options struct {
	BotToken      string // xoxb-...: always
	AppToken      string // xapp-...: Socket Mode
	SigningSecret string // HTTP mode
	APIURL        string // Web API base; "": https://slack.com/api/

	// Asker answers; serve passes its bot.Guard, which applies the length
	// and per-user rate limits and bounds concurrency.
	Asker bot.Asker
	// Memory keeps each thread's occupation so a follow-up keeps it; nil:
	// no follow-ups.
	Memory bot.Conversations
	// Dedupe remembers what was taken; nil: in memory, DefaultDedupeMax
	// keys for SeenTTL.
	Dedupe Dedupe
	// Shares keeps answers to share; nil: in memory, DefaultSharesMax for
	// ShareTTL.
	Shares ShareStore
	// MaxPending bounds the questions acknowledged and not yet answered;
	// past it a slash command is told "busy, try again" in its
	// acknowledgement. 0: DefaultMaxPending.
	MaxPending int

	Logger       *slog.Logger
	LogQuestions bool
	// HashUser turns a Slack user id into a pseudonym for logs.
	HashUser func(string) string

	// OnState reports the connection: Socket Mode up or down; in HTTP
	// mode, whether auth.test answered at start.
	OnState func(connected bool, detail string)
	// OnFeedback is told of a 👍 ("up") or 👎 ("down"): the vote, the
	// answer's ID and occupation the button carries, Via "slack".
	OnFeedback func(bot.Feedback)
	// OnPlatformError counts a Slack API call that failed after retries.
	OnPlatformError func()
	// OnReply counts how each question ended (ReplyAnswered, ...).
	OnReply func(result string)
	// OnReplay counts an event, command or button press taken before:
	// a resend or a replay, not answered again.
	OnReplay func()
	// Now is the clock the request signatures are checked against; nil:
	// time.Now.
	Now func() time.Time

	// HTTPClient calls the Web API and response URLs; nil: a client with
	// HTTPTimeout.
	HTTPClient  *http.Client
	HTTPTimeout time.Duration // 0: DefaultHTTPTimeout
	// MaxRetries is how often a call Slack answers with 429 is retried,
	// after its Retry-After; 0: DefaultMaxRetries, negative: never.
	MaxRetries int
	// WorkTimeout bounds the work on one acknowledged question: answering
	// and posting; 0: DefaultWorkTimeout.
	WorkTimeout time.Duration
	// Stream shows a generated answer as it is written: posted at its
	// first words, then updated (chat.update) at most every StreamEvery
	// (0: a second), and finally replaced by the checked answer with its
	// citations.
	Stream      bool
	StreamEvery time.Duration
	// Reaction is the emoji (name without colons, e.g. "mag") put on a
	// message while its answer is being worked out, then removed; "": none.
	Reaction string
	// ReactAfter is how long an answer may take before the reaction is
	// added; 0: at once.
	ReactAfter time.Duration
	// PingInterval is how long Socket Mode waits for Slack's ping before
	// it reconnects; 0: slack-go's 30 s.
	PingInterval time.Duration
}

// Adapter is the Slack adapter. It implements serve's Adapter.
// The serve runtime holds it as an adapters.Adapter.
var _ adapters.Adapter = (*Adapter)(nil)

type Adapter struct {
	o    Options
	mode Mode
	api  *slackgo.Client
	log  *slog.Logger

	id      atomic.Pointer[identity]
	seen    Dedupe
	shares  ShareStore
	jobs    *work.Queue // questions and button presses acknowledged
	notices *work.Queue // "busy" notices to mentions and DMs past jobs
}

// identity is who the bot is, from auth.test.
type identity struct {
	TeamID, Team, UserID, BotID string
}

// New returns the adapter, in Socket Mode when AppToken is set, else in HTTP
// mode when SigningSecret is.
func New(o Options) (*Adapter, error) {
	if o.BotToken == "" {
		return nil, errors.New("slack: a bot token (SLACK_BOT_TOKEN, xoxb-...) is needed")
	}
	if o.Asker == nil {
		return nil, errors.New("slack: no Asker")
	}
	var mode Mode
	switch {
	case o.AppToken != "":
		mode = ModeSocket
	case o.SigningSecret != "":
		mode = ModeHTTP
	default:
		return nil, errors.New("slack: set an app-level token (SLACK_APP_TOKEN) for Socket Mode or the signing secret (SLACK_SIGNING_SECRET) for HTTP mode")
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
	if o.OnReply == nil {
		o.OnReply = func(string) {}
	}
	if o.OnReplay == nil {
		o.OnReplay = func() {}
	}
	if o.MaxPending <= 0 {
		o.MaxPending = DefaultMaxPending
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPTimeout <= 0 {
		o.HTTPTimeout = DefaultHTTPTimeout
	}
	if o.HTTPClient == nil {
		// Connections to Slack are kept for reuse by as many answers as
		// may be delivered at once: with the default two, a burst of
		// answers opens (and leaves in TIME_WAIT) a connection each.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = min(o.MaxPending, 256)
		o.HTTPClient = &http.Client{Timeout: o.HTTPTimeout, Transport: t}
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = DefaultMaxRetries
	}
	if o.WorkTimeout <= 0 {
		o.WorkTimeout = DefaultWorkTimeout
	}
	o.Reaction = strings.Trim(o.Reaction, ":")

	log := o.Logger.With("adapter", "slack")
	opts := []slackgo.Option{
		slackgo.OptionHTTPClient(o.HTTPClient),
		slackgo.OptionLog(slogOutput{log}),
	}
	if o.APIURL != "" {
		u := o.APIURL
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		opts = append(opts, slackgo.OptionAPIURL(u))
	}
	if o.AppToken != "" {
		opts = append(opts, slackgo.OptionAppLevelToken(o.AppToken))
	}
	if o.MaxRetries > 0 {
		// After OptionHTTPClient, so that it wraps that client: 429s are
		// retried after their Retry-After (slack-go's rate limit handler).
		opts = append(opts, slackgo.OptionRetryConfig(slackgo.RetryConfig{
			MaxRetries:         o.MaxRetries,
			RetryAfterDuration: 30 * time.Second,
			RetryAfterJitter:   250 * time.Millisecond,
		}))
	}
	a := &Adapter{
		o:       o,
		mode:    mode,
		api:     slackgo.New(o.BotToken, opts...),
		log:     log,
		seen:    o.Dedupe,
		shares:  o.Shares,
		jobs:    work.New(o.MaxPending, o.WorkTimeout, log),
		notices: work.New(noticeSlots, work.NoticeTimeout, log),
	}
	if a.seen == nil {
		a.seen = store.NewDedupe(DefaultDedupeMax, SeenTTL, o.Now)
	}
	if a.shares == nil {
		a.shares = store.NewKeep[Share](DefaultSharesMax, ShareTTL, o.Now)
	}
	return a, nil
}

// Name is "slack".
func (a *Adapter) Name() string { return "slack" }

// Mode is the mode the adapter runs in.
func (a *Adapter) Mode() Mode { return a.mode }

// Routes are the three POST routes in HTTP mode, none in Socket Mode.
func (a *Adapter) Routes() map[string]http.Handler {
	if a.mode != ModeHTTP {
		return nil
	}
	return map[string]http.Handler{
		Paths[0]: a.verified(a.serveEvents),
		Paths[1]: a.verified(a.serveCommands),
		Paths[2]: a.verified(a.serveInteractions),
	}
}

// Run keeps the Socket Mode connection, returning an error when it is lost
// and cannot be restored at once (serve retries with backoff); in HTTP mode
// it checks the token with auth.test and waits for ctx to end.
func (a *Adapter) Run(ctx context.Context) error {
	if a.mode == ModeSocket {
		return a.runSocket(ctx)
	}
	id, err := a.authTest(ctx)
	if err != nil {
		a.o.OnState(false, "auth.test failed: "+err.Error())
		return err
	}
	a.o.OnState(true, fmt.Sprintf("HTTP mode, auth.test ok: team %s, bot user %s", id.TeamID, id.UserID))
	<-ctx.Done()
	return nil
}

// Shutdown stops taking new work and waits for the answers acknowledged
// and still in flight, until ctx ends; then it cancels them, and they tell
// their users they failed.
func (a *Adapter) Shutdown(ctx context.Context) error {
	return errors.Join(a.jobs.Shutdown(ctx), a.notices.Shutdown(ctx))
}

// Pending is the number of questions and button presses acknowledged and
// not yet answered.
func (a *Adapter) Pending() int { return a.jobs.Len() }

// authTest checks the bot token and learns who the bot is.
func (a *Adapter) authTest(ctx context.Context) (*identity, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*a.o.HTTPTimeout)
	defer cancel()
	r, err := a.api.AuthTestContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("slack auth.test: %w", err)
	}
	id := &identity{TeamID: r.TeamID, Team: r.Team, UserID: r.UserID, BotID: r.BotID}
	a.id.Store(id)
	return id, nil
}

func (a *Adapter) botUserID() string {
	if id := a.id.Load(); id != nil {
		return id.UserID
	}
	return ""
}

// busyText is what a question is told when it cannot be taken now.
func busyText(err error) string {
	if errors.Is(err, work.ErrClosing) {
		return "Sorry, I'm restarting: please ask again in a few seconds."
	}
	return "Sorry, I'm busy answering a lot of questions right now: please try again in a minute."
}

func (a *Adapter) isClosing() bool { return a.jobs.Closing() }

// messageKind is where a question was asked of the bot; it decides
// whether the answer goes in a thread and is the "via" of the log.
type messageKind string

const (
	kindMention messageKind = "mention" // @careersbot in a channel
	kindDM      messageKind = "dm"      // the bot's direct messages
	kindCommand messageKind = "command" // the /careers slash command
)

// message is a mention or a direct message to answer.
type message struct {
	kind     messageKind
	eventID  string
	team     string
	channel  string
	user     string
	text     string
	ts       string
	threadTS string
}

// onEvent handles an Events API event (from either mode): it takes the
// work of answering and returns at once. It returns false when it took
// nothing and the event must not be acknowledged (HTTP mode answers 503,
// Socket Mode does not ack), so that Slack sends it again later: while
// shutting down, or when even the "busy" notices are all in flight.
func (a *Adapter) onEvent(parent context.Context, ev slackevents.EventsAPIEvent, retry int) bool {
	if ev.Type != slackevents.CallbackEvent {
		if ev.Type == slackevents.AppRateLimited {
			a.log.Warn("Slack is rate limiting this app's events")
		}
		return true
	}
	if a.isClosing() {
		return false
	}
	cb, _ := ev.Data.(*slackevents.EventsAPICallbackEvent)
	eventID := ""
	if cb != nil {
		eventID = cb.EventID
	}
	eventKey := "slack:event:" + eventID
	if eventID != "" && !a.seen.First(eventKey) {
		a.o.OnReplay()
		a.log.Debug("event already taken; not answered again", "event_id", eventID, "retry", retry)
		return true
	}
	var m message
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		if e.Edited != nil || e.BotID != "" {
			return true
		}
		m = message{kind: kindMention, team: ev.TeamID, channel: e.Channel, user: e.User, text: e.Text, ts: e.TimeStamp, threadTS: e.ThreadTimeStamp}
	case *slackevents.MessageEvent:
		if e.ChannelType != "im" || e.SubType != "" || e.BotID != "" {
			return true // edits, joins, bots' messages and other subtypes
		}
		m = message{kind: kindDM, team: ev.TeamID, channel: e.Channel, user: e.User, text: e.Text, ts: e.TimeStamp, threadTS: e.ThreadTimeStamp}
	case *slackevents.AppHomeOpenedEvent:
		if e.Tab != "home" || e.User == "" {
			return true
		}
		// The Home tab is no question: past the bound it is skipped.
		if slot, err := a.jobs.Reserve(); err == nil {
			user := e.User
			slot.Go(parent, func(ctx context.Context) { a.publishHome(ctx, user) })
		}
		return true
	default:
		return true
	}
	m.eventID = eventID
	if m.user == "" || m.user == a.botUserID() || m.channel == "" {
		return true // itself, or not a person
	}
	// A DM that mentions the bot may come as both message.im and
	// app_mention: one answer per message.
	msgKey := "slack:message:" + m.channel + ":" + m.ts
	if m.ts != "" && !a.seen.First(msgKey) {
		return true
	}
	slot, err := a.jobs.Reserve()
	if err == nil {
		slot.Go(parent, func(ctx context.Context) { a.answerMessage(ctx, m) })
		return true
	}
	if errors.Is(err, work.ErrFull) {
		if n, nerr := a.notices.Reserve(); nerr == nil {
			n.Go(parent, func(ctx context.Context) { a.tellBusy(ctx, m, err) })
			return true
		}
	}
	// Not taken: Slack sends it again later, to be taken then.
	a.seen.Forget(eventKey)
	a.seen.Forget(msgKey)
	return false
}

// memoryKey names a conversation: a thread in a channel, a DM, or one
// user's /careers questions in a channel.
func memoryKey(team, channel, thread string) string {
	return "slack/" + team + "/" + channel + "/" + thread
}

func (a *Adapter) memoryGet(key string) bot.Context {
	if a.o.Memory == nil {
		return bot.Context{}
	}
	return a.o.Memory.Get(key)
}

func (a *Adapter) remember(key string, ans bot.Answer) {
	if a.o.Memory != nil {
		a.o.Memory.Remember(key, ans)
	}
}

// tellBusy tells a mention or DM that came past MaxPending to try again:
// privately in a channel, in the DM itself.
func (a *Adapter) tellBusy(ctx context.Context, m message, why error) {
	r := plainMessage(busyText(why))
	var err error
	if m.kind == kindDM {
		err = a.post(ctx, m.channel, m.threadTS, r)
	} else {
		thread := m.threadTS
		if thread == "" {
			thread = m.ts
		}
		err = a.postEphemeral(ctx, m.channel, m.user, thread, r)
	}
	if err != nil {
		a.o.OnReply(ReplyUndelivered)
		return
	}
	a.o.OnReply(ReplyBusy)
}

// result classifies how a question ended, for OnReply.
func result(err error, delivered bool) string {
	switch {
	case !delivered:
		return ReplyUndelivered
	case err == nil:
		return ReplyAnswered
	case bot.Refused(err):
		return ReplyRefused
	}
	return ReplyFailed
}

// failedText is what a user is told when their answer was worked out but
// could not be posted.
const failedText = "Sorry, I couldn't post my answer here. Please try again in a moment."

// deliver sends a reply, retrying a failure of the network or of Slack's
// servers (slack-go retries a 429 itself), within ctx.
func deliver(ctx context.Context, send func(ctx context.Context) error) error {
	wait := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := send(ctx)
		if err == nil || attempt == 3 || !transient(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// transient reports whether a failed call may succeed if sent again: no
// answer, or Slack's server failed.
func transient(err error) bool {
	var sc slackgo.StatusCodeError
	var ne net.Error
	var ue *url.Error
	switch {
	case errors.As(err, &sc):
		return sc.Code >= 500
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	case errors.As(err, &ne), errors.As(err, &ue), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return true
	}
	return false
}

// answerMessage answers a mention (in its thread) or a DM (in the DM).
// Whatever happens, the user is answered, or told it failed.
func (a *Adapter) answerMessage(ctx context.Context, m message) {
	start := time.Now()
	q := questionText(m.text, a.botUserID())
	thread := m.threadTS
	if m.kind == kindMention && thread == "" {
		thread = m.ts // answer in the thread of the mention
	}
	// private sends what only the asker should see: privately in a
	// channel, in the DM itself.
	private := func(ctx context.Context, r rendered) error {
		if m.kind == kindDM {
			return a.post(ctx, m.channel, m.threadTS, r)
		}
		return a.postEphemeral(ctx, m.channel, m.user, thread, r)
	}
	if isHelp(q) {
		dctx, cancel := work.Notice(ctx)
		defer cancel()
		err := deliver(dctx, func(ctx context.Context) error { return a.post(ctx, m.channel, thread, helpBlocks()) })
		a.o.OnReply(result(nil, err == nil))
		a.logQuestion(asked{m.kind, m.user, q, start}, bot.Answer{Outcome: bot.OutcomeHelp}, nil)
		return
	}
	key := memoryKey(m.team, m.channel, thread)
	done := a.react(ctx, m.channel, m.ts)
	defer done()
	question := bot.Question{Text: q, User: m.user, Channel: m.channel, Context: a.memoryGet(key), Via: "slack"}
	var st *streamer
	if a.o.Stream {
		st = &streamer{a: a, ctx: ctx, channel: m.channel, thread: thread, every: a.o.StreamEvery}
		question.OnPartial = st.partial
	}
	ans, err := a.o.Asker.Ask(ctx, question)
	// The answer, or the apology, goes out even when ctx has just ended.
	dctx, cancel := work.Notice(ctx)
	defer cancel()
	var sent error
	switch {
	case st != nil && st.ts != "":
		// The streamed message becomes the final answer, or the apology.
		r := renderAnswer(ans, renderOptions{Feedback: ans.Outcome != bot.OutcomeHelp})
		if err != nil {
			r = plainMessage(errorReply(err))
		} else {
			a.remember(key, ans)
		}
		sent = deliver(dctx, func(ctx context.Context) error { return st.finish(ctx, r) })
	case err != nil:
		sent = deliver(dctx, func(ctx context.Context) error { return private(ctx, plainMessage(errorReply(err))) })
	case isDistress(ans):
		sent = deliver(dctx, func(ctx context.Context) error { return private(ctx, plainMessage(ans.Text)) })
	default:
		a.remember(key, ans)
		sent = deliver(dctx, func(ctx context.Context) error {
			return a.post(ctx, m.channel, thread, renderAnswer(ans, renderOptions{Feedback: ans.Outcome != bot.OutcomeHelp}))
		})
		if sent != nil {
			// The answer could not be posted (not in the channel,
			// blocks refused): the asker is told, privately.
			if private(dctx, plainMessage(failedText)) == nil {
				err, sent = errors.New("posting the answer failed"), nil
			}
		}
	}
	a.o.OnReply(result(err, sent == nil))
	a.logQuestion(asked{m.kind, m.user, q, start}, ans, err)
}

// command handles /careers: it returns the reply to put in the ack (the
// help, for an empty command) and the work to do after the ack, if any.
func (a *Adapter) command(cmd slackgo.SlashCommand) (ack *ackMessage, job func(ctx context.Context)) {
	q := questionText(cmd.Text, a.botUserID())
	if isHelp(q) {
		h := helpBlocks()
		a.logQuestion(asked{kindCommand, cmd.UserID, q, time.Now()}, bot.Answer{Outcome: bot.OutcomeHelp}, nil)
		return &ackMessage{ResponseType: slackgo.ResponseTypeEphemeral, Text: h.Text, Blocks: h.Blocks}, nil
	}
	return nil, func(ctx context.Context) { a.answerCommand(ctx, cmd, q) }
}

// takeCommand decides a /careers command's acknowledgement (from either
// mode): the reply to put in it, if any, and the work to start once it is
// sent, if any. A replay (the same trigger id, or the same signed request)
// is acknowledged and not answered again; past MaxPending, or while
// shutting down, the acknowledgement itself says "busy, try again".
func (a *Adapter) takeCommand(parent context.Context, cmd slackgo.SlashCommand, replayKey string) (ack *ackMessage, start func()) {
	if cmd.TriggerID != "" {
		replayKey = cmd.TriggerID
	}
	if replayKey != "" && !a.seen.First("slack:command:"+replayKey) {
		a.o.OnReplay()
		a.log.Info("slash command already taken; not answered again", "user", a.o.HashUser(cmd.UserID))
		return nil, nil
	}
	ack, job := a.command(cmd)
	if job == nil {
		return ack, nil
	}
	slot, err := a.jobs.Reserve()
	if err != nil {
		a.o.OnReply(ReplyBusy)
		return &ackMessage{ResponseType: slackgo.ResponseTypeEphemeral, Text: busyText(err)}, nil
	}
	return nil, func() { slot.Go(parent, job) }
}

// ackMessage is a reply carried in a command's acknowledgement.
type ackMessage struct {
	ResponseType string          `json:"response_type"`
	Text         string          `json:"text"`
	Blocks       []slackgo.Block `json:"blocks,omitempty"`
}

// answerCommand answers /careers QUESTION privately, with a button to share
// the answer in the channel. Whatever happens, the user is answered, or
// told it failed.
func (a *Adapter) answerCommand(ctx context.Context, cmd slackgo.SlashCommand, q string) {
	start := time.Now()
	key := memoryKey(cmd.TeamID, cmd.ChannelID, "command:"+cmd.UserID)
	ans, err := a.o.Asker.Ask(ctx, bot.Question{Text: q, User: cmd.UserID, Channel: cmd.ChannelID, Context: a.memoryGet(key), Via: "slack"})
	dctx, cancel := work.Notice(ctx)
	defer cancel()
	reply := func(r rendered) error {
		return deliver(dctx, func(ctx context.Context) error {
			return a.respond(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, slackgo.ResponseTypeEphemeral, r)
		})
	}
	var sent error
	switch {
	case err != nil:
		sent = reply(plainMessage(errorReply(err)))
	case isDistress(ans):
		sent = reply(plainMessage(ans.Text))
	default:
		a.remember(key, ans)
		o := renderOptions{Feedback: ans.Outcome != bot.OutcomeHelp, Asked: q}
		if ans.Outcome != bot.OutcomeHelp {
			o.ShareID = a.shares.Put(Share{Answer: ans, Question: q, User: cmd.UserID, Channel: cmd.ChannelID, ResponseURL: cmd.ResponseURL})
		}
		if sent = reply(renderAnswer(ans, o)); sent != nil && reply(plainMessage(failedText)) == nil {
			err, sent = errors.New("posting the answer failed"), nil
		}
	}
	a.o.OnReply(result(err, sent == nil))
	a.logQuestion(asked{kindCommand, cmd.UserID, q, start}, ans, err)
}

// interaction handles a button: it counts feedback at once and returns the
// work to do after the ack (thanking, sharing).
func (a *Adapter) interaction(cb slackgo.InteractionCallback) (job func(ctx context.Context)) {
	if cb.Type != slackgo.InteractionTypeBlockActions {
		return nil
	}
	for _, act := range cb.ActionCallback.BlockActions {
		switch act.ActionID {
		case actionFeedbackUp, actionFeedbackDown:
			vote := "up"
			if act.ActionID == actionFeedbackDown {
				vote = "down"
			}
			occ, intent, outcome, answer := splitFeedbackValue(act.Value)
			a.o.OnFeedback(bot.Feedback{Answer: answer, Vote: vote, Occupation: occ, Via: "slack"})
			a.log.Info("slack feedback", "vote", vote, "user", a.o.HashUser(cb.User.ID),
				"occupation", occ, "intent", intent, "outcome", outcome)
			return func(ctx context.Context) {
				a.respond(ctx, cb.ResponseURL, cb.Channel.ID, cb.User.ID, slackgo.ResponseTypeEphemeral,
					plainMessage("Thanks for the feedback: it helps make the answers better."))
			}
		case actionShare:
			id := act.Value
			return func(ctx context.Context) { a.share(ctx, cb, id) }
		}
	}
	return nil
}

// takeInteraction handles a button press (from either mode): whether to
// acknowledge it, and the work to start once acknowledged, if any. A
// replay is acknowledged and not taken again; past MaxPending a share is
// not acknowledged (Slack shows the user an error and the button can be
// pressed again), and the thanks for a vote, already counted, is left out.
func (a *Adapter) takeInteraction(parent context.Context, cb slackgo.InteractionCallback, replayKey string) (ack bool, start func()) {
	if cb.TriggerID != "" {
		replayKey = cb.TriggerID
	}
	if replayKey != "" && !a.seen.First("slack:interaction:"+replayKey) {
		a.o.OnReplay()
		return true, nil
	}
	job := a.interaction(cb)
	if job == nil {
		return true, nil
	}
	slot, err := a.jobs.Reserve()
	if err != nil {
		return !isShare(cb), nil
	}
	return true, func() { slot.Go(parent, job) }
}

func isShare(cb slackgo.InteractionCallback) bool {
	for _, act := range cb.ActionCallback.BlockActions {
		if act.ActionID == actionShare {
			return true
		}
	}
	return false
}

func splitFeedbackValue(v string) (occupation, intent, outcome, answer string) {
	parts := strings.SplitN(v, "|", 4)
	for len(parts) < 4 {
		parts = append(parts, "")
	}
	return parts[0], parts[1], parts[2], parts[3]
}

// share posts a /careers answer in the channel, through the command's
// response URL (which works in any channel the command was used in), and
// deletes the private copy.
func (a *Adapter) share(ctx context.Context, cb slackgo.InteractionCallback, id string) {
	s, ok := a.shares.Take(id)
	if !ok {
		a.respond(ctx, cb.ResponseURL, cb.Channel.ID, cb.User.ID, slackgo.ResponseTypeEphemeral,
			plainMessage("That answer can no longer be shared (answers are kept for 30 minutes): ask again with /careers."))
		return
	}
	r := renderAnswer(s.Answer, renderOptions{Feedback: true, Asked: s.Question, AskedBy: s.User})
	if err := a.respond(ctx, s.ResponseURL, s.Channel, "", slackgo.ResponseTypeInChannel, r); err != nil {
		a.respond(ctx, cb.ResponseURL, cb.Channel.ID, cb.User.ID, slackgo.ResponseTypeEphemeral,
			plainMessage("Sorry, I couldn't share that answer here. Invite me to the channel and try again."))
		return
	}
	if cb.ResponseURL != "" {
		_, _, _, err := a.api.SendMessageContext(ctx, "", slackgo.MsgOptionDeleteOriginal(cb.ResponseURL))
		a.apiError("response_url delete_original", err)
	}
	a.log.Info("slack answer shared", "user", a.o.HashUser(cb.User.ID), "occupation", s.Answer.Occupation)
}

// publishHome shows the App Home tab.
func (a *Adapter) publishHome(ctx context.Context, user string) {
	_, err := a.api.PublishViewContext(ctx, slackgo.PublishViewContextRequest{UserID: user, View: homeView()})
	a.apiError("views.publish", err)
}

// msgOptions are a message's text (already escaped), blocks and settings:
// no link previews, which would bury the citations.
func msgOptions(r rendered, thread string) []slackgo.MsgOption {
	opts := []slackgo.MsgOption{slackgo.MsgOptionText(r.Text, false), slackgo.MsgOptionDisableLinkUnfurl(), slackgo.MsgOptionDisableMediaUnfurl()}
	if len(r.Blocks) > 0 {
		opts = append(opts, slackgo.MsgOptionBlocks(r.Blocks...))
	}
	if thread != "" {
		opts = append(opts, slackgo.MsgOptionTS(thread))
	}
	return opts
}

// streamer posts a generated answer as it streams and keeps the message up
// to date, at most once every interval; the text it shows carries no
// citation markers (the bot checks them at the end), and the final update
// is the checked answer.
type streamer struct {
	a       *Adapter
	ctx     context.Context
	channel string
	thread  string
	every   time.Duration

	ts   string // the streamed message, once posted
	last time.Time
}

func (s *streamer) partial(text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	every := s.every
	if every <= 0 {
		every = time.Second
	}
	r := plainMessage(text + " …")
	if s.ts == "" {
		_, ts, err := s.a.api.PostMessageContext(s.ctx, s.channel, msgOptions(r, s.thread)...)
		if s.a.apiError("chat.postMessage", err) == nil {
			s.ts, s.last = ts, time.Now()
		}
		return
	}
	if time.Since(s.last) < every {
		return
	}
	s.last = time.Now()
	_, _, _, err := s.a.api.UpdateMessageContext(s.ctx, s.channel, s.ts, msgOptions(r, "")...)
	s.a.apiError("chat.update", err)
}

func (s *streamer) finish(ctx context.Context, r rendered) error {
	_, _, _, err := s.a.api.UpdateMessageContext(ctx, s.channel, s.ts, msgOptions(r, "")...)
	return s.a.apiError("chat.update", err)
}

// post sends a message to a channel (in a thread when thread is set).
func (a *Adapter) post(ctx context.Context, channel, thread string, r rendered) error {
	_, _, err := a.api.PostMessageContext(ctx, channel, msgOptions(r, thread)...)
	return a.apiError("chat.postMessage", err)
}

// postEphemeral sends a message only user sees.
func (a *Adapter) postEphemeral(ctx context.Context, channel, user, thread string, r rendered) error {
	_, err := a.api.PostEphemeralContext(ctx, channel, user, msgOptions(r, thread)...)
	return a.apiError("chat.postEphemeral", err)
}

// respond replies through a response URL; without one, with
// chat.postEphemeral (to user) or chat.postMessage.
func (a *Adapter) respond(ctx context.Context, responseURL, channel, user, responseType string, r rendered) error {
	if responseURL == "" {
		if responseType == slackgo.ResponseTypeEphemeral && user != "" {
			return a.postEphemeral(ctx, channel, user, "", r)
		}
		return a.post(ctx, channel, "", r)
	}
	opts := append([]slackgo.MsgOption{slackgo.MsgOptionResponseURL(responseURL, responseType)}, msgOptions(r, "")...)
	_, _, _, err := a.api.SendMessageContext(ctx, "", opts...)
	return a.apiError("response_url", err)
}

// react puts the Reaction on a message while it is answered (after
// ReactAfter); the func it returns takes it off again.
func (a *Adapter) react(ctx context.Context, channel, ts string) (done func()) {
	if a.o.Reaction == "" || ts == "" {
		return func() {}
	}
	item := slackgo.NewRefToMessage(channel, ts)
	added := make(chan bool, 1)
	add := func() {
		err := a.api.AddReactionContext(ctx, a.o.Reaction, item)
		if err != nil && err.Error() == "already_reacted" {
			err = nil
		}
		added <- a.apiError("reactions.add", err) == nil
	}
	var timer *time.Timer
	if a.o.ReactAfter <= 0 {
		go add()
	} else {
		timer = time.AfterFunc(a.o.ReactAfter, add)
	}
	return func() {
		if timer != nil && timer.Stop() {
			return // answered before the reaction was due
		}
		if <-added {
			err := a.api.RemoveReactionContext(ctx, a.o.Reaction, item)
			a.apiError("reactions.remove", err)
		}
	}
}

// apiError logs and counts a failed Web API call (after slack-go's
// retries), and returns err.
func (a *Adapter) apiError(method string, err error) error {
	if err == nil {
		return nil
	}
	var rl *slackgo.RateLimitedError
	attrs := []any{"method", method, "error", err.Error()}
	if errors.As(err, &rl) {
		attrs = append(attrs, "retry_after", rl.RetryAfter.String())
	}
	a.log.Warn("slack API call failed", attrs...)
	a.o.OnPlatformError()
	return err
}

// asked is one question as the log records it.
type asked struct {
	via   messageKind // where it was asked
	user  string
	text  string
	start time.Time
}

// logQuestion logs one question and how it ended (qlog): never its text
// unless LogQuestions, and the user only as a pseudonym.
func (a *Adapter) logQuestion(q asked, ans bot.Answer, err error) {
	qlog.Log(a.log, qlog.Question{Platform: "slack", Via: string(q.via), User: a.o.HashUser(q.user), Text: q.text, Start: q.start},
		a.o.LogQuestions, ans, err)
}

// slogOutput lets slack-go's debug logging go to slog.
type slogOutput struct{ l *slog.Logger }

func (s slogOutput) Output(_ int, msg string) error {
	s.l.Debug(strings.TrimSpace(msg))
	return nil
}
