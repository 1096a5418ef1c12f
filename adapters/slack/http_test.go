package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/careersbot/careersbot/adapters/internal/fakes/slackfake"
	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/testcorpus"
)

const (
	channel = "C0ADVISERS"
	user    = "U0ADVISER1"
	dmChan  = "D0ADVISER1"
)

const quiet = 300 * time.Millisecond

// A signed app_mention posted to /slack/events of a running server is
// acknowledged at once and yields exactly one chat.postMessage, in the
// mention's thread, whose blocks carry every citation.
func TestHTTPMentionAnsweredOnceInTheThread(t *testing.T) {
	b := seedBot(t)
	e := start(t, guard(b, 20), false, nil)
	ts := newTS()
	q := "Which skills does a network engineer need?"
	begin := time.Now()
	if code := e.postEvent(t, callback(mention(channel, user, ts, "", q), ""), nil); code != http.StatusOK {
		t.Fatalf("event: status %d, want 200", code)
	}
	if took := time.Since(begin); took > time.Second {
		t.Errorf("the ack took %v; Slack's limit is 3 s", took)
	}
	posts := e.fake.WaitFor(t, "chat.postMessage", 1, 10*time.Second)
	m := posts[0].Message()
	if m.Channel != channel || m.ThreadTS != ts {
		t.Errorf("posted to %s thread %q, want %s thread %s", m.Channel, m.ThreadTS, channel, ts)
	}
	ans := wantCitations(t, m, b, q)
	if len(ans.Citations) != 14 {
		t.Errorf("the bot cites %d skills, want 14", len(ans.Citations))
	}
	if !hasButton(m, actionFeedbackUp) || !hasButton(m, actionFeedbackDown) {
		t.Errorf("no feedback buttons")
	}
	if hasButton(m, actionShare) {
		t.Errorf("a share button on a channel answer")
	}
	if m.Text == "" || len([]rune(m.Text)) > maxFallbackRune {
		t.Errorf("fallback text %q: want a short one", m.Text)
	}
	if extra := e.fake.Quiet("chat.postMessage", quiet); len(extra) > 0 {
		t.Errorf("%d more posts, want exactly one", len(extra))
	}
	if n := len(e.fake.Calls("chat.postMessage")); n != 1 {
		t.Errorf("%d chat.postMessage calls, want 1", n)
	}
	if strings.Contains(e.logs.String(), q) || strings.Contains(e.logs.String(), user) {
		t.Errorf("the log holds the question or the raw user id:\n%s", e.logs.String())
	}
}

// Bad, stale or missing signatures get 401 and nothing is posted.
func TestHTTPSignatureChecked(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), false, nil)
	body := callback(mention(channel, user, newTS(), "", "Which skills does a network engineer need?"), "")
	now := e.clock.Now().Unix()
	ts := strconv.FormatInt(now, 10)
	stale := strconv.FormatInt(now-6*60, 10)
	future := strconv.FormatInt(now+6*60, 10)
	cases := []struct {
		name, ts, sig string
		body          []byte
	}{
		{"wrong secret", ts, Sign("another-secret", ts, body), body},
		{"tampered body", ts, Sign(testSecret, ts, body), []byte(strings.Replace(string(body), "network", "netw0rk", 1))},
		{"stale timestamp", stale, Sign(testSecret, stale, body), body},
		{"future timestamp", future, Sign(testSecret, future, body), body},
		{"no signature", ts, "", body},
		{"no timestamp", "", Sign(testSecret, ts, body), body},
		{"not hex", ts, "v0=zz", body},
		{"other version", ts, strings.Replace(Sign(testSecret, ts, body), "v0=", "v1=", 1), body},
	}
	for _, c := range cases {
		for _, path := range []string{"/slack/events", "/slack/commands", "/slack/interactions"} {
			code, _ := e.postSignedAs(t, path, "application/json", c.body, c.ts, c.sig, nil)
			if code != http.StatusUnauthorized {
				t.Errorf("%s on %s: status %d, want 401", c.name, path, code)
			}
		}
	}
	// The same request, well signed but 5 minutes and 1 second old by the
	// injected clock, is refused too; within 5 minutes it is taken.
	old := strconv.FormatInt(now-301, 10)
	if code, _ := e.postSignedAs(t, "/slack/events", "application/json", body, old, Sign(testSecret, old, body), nil); code != http.StatusUnauthorized {
		t.Errorf("301 s old: status %d, want 401", code)
	}
	if posted := e.fake.Quiet("", quiet); len(posted) > 0 {
		t.Errorf("calls to Slack after rejected requests: %v", posted)
	}
	recent := strconv.FormatInt(now-299, 10)
	if code, _ := e.postSignedAs(t, "/slack/events", "application/json", body, recent, Sign(testSecret, recent, body), nil); code != http.StatusOK {
		t.Errorf("299 s old: status %d, want 200", code)
	}
	e.fake.WaitFor(t, "chat.postMessage", 1, 10*time.Second)
}

// An event Slack resends (X-Slack-Retry-Num) is answered once.
func TestHTTPResentEventAnsweredOnce(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), false, nil)
	body := callback(mention(channel, user, newTS(), "", "How much does a network engineer earn?"), "Ev0RESENT1")
	if code := e.postEvent(t, body, nil); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	e.fake.WaitFor(t, "chat.postMessage", 1, 10*time.Second)
	for i := 1; i <= 3; i++ {
		code := e.postEvent(t, body, map[string]string{"X-Slack-Retry-Num": strconv.Itoa(i), "X-Slack-Retry-Reason": "http_timeout"})
		if code != http.StatusOK {
			t.Errorf("retry %d: status %d, want 200 (acknowledged)", i, code)
		}
	}
	if extra := e.fake.Quiet("chat.postMessage", quiet); len(extra) > 0 {
		t.Errorf("a resent event was answered again: %d more posts", len(extra))
	}
}

// A question holding <!channel>, <!here>, <!everyone> or a user mention
// never produces them unescaped: nobody is pinged.
func TestHTTPUserTextNeverPings(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), false, nil)
	pings := []string{"<!channel>", "<!here>", "<!everyone>", "<@U0SOMEONE>", "<!subteam^S0TEAM|@advisers>"}
	questions := []string{
		"<!channel> which skills does a network engineer need?",
		"Is &lt;!channel&gt; &lt;!here&gt; part of the network engineer role?",
		"<!everyone> what does a <@U0SOMEONE> earn as a network engineer?",
		"&lt;!everyone&gt; &lt;@U0SOMEONE&gt; <!subteam^S0TEAM|@advisers> &amp;",
	}
	for _, q := range questions {
		e.postEvent(t, callback(mention(channel, user, newTS(), "", q), ""), nil)
	}
	e.fake.WaitFor(t, "chat.postMessage", len(questions), 10*time.Second)
	// /careers echoes the question ("You asked: ..."), so the escaping shows.
	for i, q := range questions {
		form := command(e, user, channel, q, e.fake.ResponseURL("ping-"+strconv.Itoa(i)))
		e.post(t, "/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
	}
	e.fake.WaitFor(t, "response_url", len(questions), 10*time.Second)
	echoed := 0
	for _, c := range e.fake.Calls("") {
		m := c.Message()
		for _, text := range m.Texts() {
			for _, p := range pings {
				if strings.Contains(text, p) {
					t.Errorf("%s sent %q unescaped in %q", c.Method, p, text)
				}
			}
			if strings.Contains(text, "&lt;!channel&gt;") {
				echoed++
			}
		}
	}
	if echoed == 0 {
		t.Errorf("no echo of the question shows <!channel> escaped")
	}
}

// /careers QUESTION acks at once and answers privately through
// response_url, with a "Share in channel" button that posts it in the
// channel and deletes the private copy; the feedback buttons count votes.
func TestHTTPSlashCommandPrivateThenShared(t *testing.T) {
	b := seedBot(t)
	e := start(t, guard(b, 0), false, nil)
	q := "Which behaviours does a network engineer need?"
	form := command(e, user, channel, q, e.fake.ResponseURL("cmd-1"))
	code, body := e.post(t, "/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
	if code != http.StatusOK || len(strings.TrimSpace(string(body))) != 0 {
		t.Fatalf("ack: status %d body %q, want 200 and nothing shown", code, body)
	}
	r := e.fake.WaitFor(t, "response_url", 1, 10*time.Second)[0]
	m := r.Message()
	if r.Path != "/hooks/cmd-1" || m.ResponseType != "ephemeral" {
		t.Fatalf("reply at %s as %q, want the command's response_url, ephemeral", r.Path, m.ResponseType)
	}
	wantCitations(t, m, b, q)
	if !strings.Contains(m.AllText(), "You asked:") {
		t.Errorf("the private answer does not say what was asked")
	}
	if n := len(e.fake.Calls("chat.postMessage")); n != 0 {
		t.Errorf("%d public posts for a /careers question", n)
	}

	// Share it.
	share := buttonValue(t, m, actionShare)
	payload, _ := json.Marshal(blockAction(user, channel, actionShare, share, e.fake.ResponseURL("click-1")))
	code, _ = e.post(t, "/slack/interactions", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(payload)}}.Encode()), nil)
	if code != http.StatusOK {
		t.Fatalf("interaction: status %d", code)
	}
	calls := e.fake.WaitFor(t, "response_url", 3, 10*time.Second)
	var shared, deleted bool
	for _, c := range calls[1:] {
		cm := c.Message()
		switch {
		case c.Path == "/hooks/cmd-1" && cm.ResponseType == "in_channel":
			shared = true
			wantCitations(t, cm, b, q)
			if !strings.Contains(cm.AllText(), "<@"+user+"> asked:") {
				t.Errorf("the shared answer does not say who asked")
			}
			if hasButton(cm, actionShare) {
				t.Errorf("the shared answer still has a share button")
			}
		case c.Path == "/hooks/click-1" && cm.DeleteOriginal:
			deleted = true
		}
	}
	if !shared || !deleted {
		t.Errorf("shared in channel %v, private copy deleted %v", shared, deleted)
	}
	// A second click (a new press, with its own trigger id) finds nothing
	// to share.
	payload, _ = json.Marshal(blockAction(user, channel, actionShare, share, e.fake.ResponseURL("click-2")))
	e.post(t, "/slack/interactions", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(payload)}}.Encode()), nil)
	last := e.fake.WaitFor(t, "response_url", 4, 10*time.Second)[3].Message()
	if !strings.Contains(last.Text, "no longer be shared") || last.ResponseType != "ephemeral" {
		t.Errorf("second share: %+v", last)
	}

	// Feedback.
	fb, _ := json.Marshal(blockAction(user, channel, actionFeedbackDown, buttonValue(t, m, actionFeedbackDown), e.fake.ResponseURL("fb-1")))
	e.post(t, "/slack/interactions", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(fb)}}.Encode()), nil)
	thanks := e.fake.WaitFor(t, "response_url", 5, 10*time.Second)[4]
	if thanks.Path != "/hooks/fb-1" || !strings.Contains(thanks.Message().Text, "Thanks") {
		t.Errorf("feedback reply: %s %q", thanks.Path, thanks.Message().Text)
	}
	if got := e.votes.list(); len(got) != 1 || got[0] != "down" {
		t.Errorf("votes %v, want [down]", got)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, `"slack feedback"`) || strings.Contains(logs, q) {
		t.Errorf("feedback must be logged, without the question:\n%s", logs)
	}
}

// An empty /careers answers with the help in its ack; so does "help" in a
// mention; the App Home tab shows it too.
func TestHTTPHelp(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), false, nil)
	form := command(e, user, channel, "  ", e.fake.ResponseURL("help"))
	code, body := e.post(t, "/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
	var ack struct {
		ResponseType string           `json:"response_type"`
		Blocks       []map[string]any `json:"blocks"`
	}
	if code != http.StatusOK || json.Unmarshal(body, &ack) != nil || ack.ResponseType != "ephemeral" || len(ack.Blocks) == 0 {
		t.Fatalf("empty /careers: status %d body %s", code, body)
	}
	if !strings.Contains(string(body), helpExamples[0]) {
		t.Errorf("the help has no example question: %s", body)
	}
	ts := newTS()
	e.postEvent(t, callback(mention(channel, user, ts, "", "help"), ""), nil)
	m := e.fake.WaitFor(t, "chat.postMessage", 1, 10*time.Second)[0].Message()
	if m.ThreadTS != ts || !strings.Contains(m.AllText(), helpExamples[0]) || hasButton(m, actionFeedbackUp) {
		t.Errorf("help in a mention: thread %q, %s", m.ThreadTS, m.AllText())
	}
	e.postEvent(t, callback(map[string]any{"type": "app_home_opened", "user": user, "channel": dmChan, "tab": "home", "event_ts": newTS()}, ""), nil)
	v := e.fake.WaitFor(t, "views.publish", 1, 10*time.Second)[0].Message()
	if v.User != user || !strings.Contains(v.AllText(), helpExamples[0]) {
		t.Errorf("App Home: user %q, %s", v.User, v.AllText())
	}
	if n := len(e.fake.Calls("response_url")); n != 0 {
		t.Errorf("the help ack was followed by %d response_url calls", n)
	}
}

// A direct message is answered in the DM; a follow-up in a thread keeps the
// thread's occupation, and only that thread's.
func TestHTTPDirectMessageAndThreadFollowUp(t *testing.T) {
	b := catalogueBot(t)
	e := start(t, guard(b, 0), false, nil)
	e.postEvent(t, callback(dm(dmChan, user, newTS(), "What level is a commis chef?"), ""), nil)
	m := e.fake.WaitFor(t, "chat.postMessage", 1, 10*time.Second)[0].Message()
	if m.Channel != dmChan || m.ThreadTS != "" {
		t.Errorf("DM answered in %s thread %q, want %s, no thread", m.Channel, m.ThreadTS, dmChan)
	}
	if !markers(m)["[ST0228 profile]"] {
		t.Errorf("DM answer lacks [ST0228 profile]: %s", m.AllText())
	}

	root := newTS()
	e.postEvent(t, callback(mention(channel, user, root, "", "Which skills does a commis chef need?"), ""), nil)
	e.fake.WaitFor(t, "chat.postMessage", 2, 10*time.Second)
	e.postEvent(t, callback(mention(channel, user, newTS(), root, "and what about the behaviours?"), ""), nil)
	f := e.fake.WaitFor(t, "chat.postMessage", 3, 10*time.Second)[2].Message()
	if f.ThreadTS != root {
		t.Errorf("follow-up answered in thread %q, want %s", f.ThreadTS, root)
	}
	got := markers(f)
	if !got["[ST0228 B1]"] {
		t.Errorf("the follow-up did not keep the thread's occupation (Commis chef): %s", f.AllText())
	}
	// Another thread has no occupation to keep.
	e.postEvent(t, callback(mention(channel, user, newTS(), "", "and what about the behaviours?"), ""), nil)
	o := e.fake.WaitFor(t, "chat.postMessage", 4, 10*time.Second)[3].Message()
	if markers(o)["[ST0228 B1]"] {
		t.Errorf("a new thread inherited another thread's occupation: %s", o.AllText())
	}
}

// It never answers itself, other bots, edits, joins or other subtypes, nor
// messages in channels it was not mentioned in.
func TestHTTPIgnoresWhatIsNotAQuestion(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), false, nil)
	q := "Which skills does a network engineer need?"
	own := dm(dmChan, slackfake.BotUserID, newTS(), q)
	bot := dm(dmChan, "U0OTHERBOT", newTS(), q)
	bot["bot_id"] = "B0OTHER"
	botMsg := dm(dmChan, "", newTS(), q)
	botMsg["subtype"], botMsg["bot_id"] = "bot_message", "B0OTHER"
	edit := dm(dmChan, user, newTS(), q)
	edit["subtype"] = "message_changed"
	edit["message"] = map[string]any{"type": "message", "user": user, "text": q, "ts": newTS()}
	join := map[string]any{"type": "message", "subtype": "channel_join", "channel_type": "channel", "user": user, "text": "<@" + user + "> has joined the channel", "channel": channel, "ts": newTS()}
	inChannel := dm(channel, user, newTS(), q)
	inChannel["channel_type"] = "channel"
	editedMention := mention(channel, user, newTS(), "", q)
	editedMention["edited"] = map[string]any{"user": user, "ts": newTS()}
	botMention := mention(channel, "U0OTHERBOT", newTS(), "", q)
	botMention["bot_id"] = "B0OTHER"
	for _, ev := range []map[string]any{own, bot, botMsg, edit, join, inChannel, editedMention, botMention} {
		if code := e.postEvent(t, callback(ev, ""), nil); code != http.StatusOK {
			t.Errorf("status %d for %v, want 200 (acknowledged)", code, ev)
		}
	}
	if calls := e.fake.Quiet("", quiet); len(calls) > 0 {
		t.Errorf("answered what it should ignore: %d calls", len(calls))
	}
}

// A message that shows distress gets the kind reply as plain text,
// privately in a channel, with no buttons; the bot's safeguarding hook is
// told the platform, the channel and the user.
func TestHTTPDistressRepliesPrivately(t *testing.T) {
	told := make(chan bot.Question, 4)
	b := bot.New(testcorpus.Seed(t), bot.Options{OnDistress: func(_ context.Context, q bot.Question, _ bot.Safeguarding) { told <- q }})
	e := start(t, guard(b, 0), false, nil)
	wantTold := func(where, channel string) {
		t.Helper()
		select {
		case q := <-told:
			if q.Via != "slack" || q.Channel != channel || q.User != user {
				t.Errorf("%s: the hook was told via %q channel %q user %q, want slack %s %s", where, q.Via, q.Channel, q.User, channel, user)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: the hook was not told", where)
		}
	}
	e.postEvent(t, callback(mention(channel, user, newTS(), "", "I want to kill myself"), ""), nil)
	p := e.fake.WaitFor(t, "chat.postEphemeral", 1, 10*time.Second)[0].Message()
	if p.User != user || len(p.Blocks) != 0 || !strings.Contains(p.Text, "Samaritans") {
		t.Errorf("distress in a channel: to %q, %d blocks, %q", p.User, len(p.Blocks), p.Text)
	}
	wantTold("mention", channel)
	e.postEvent(t, callback(dm(dmChan, user, newTS(), "I want to kill myself"), ""), nil)
	d := e.fake.WaitFor(t, "chat.postMessage", 1, 10*time.Second)[0].Message()
	if d.Channel != dmChan || len(d.Blocks) != 0 || !strings.Contains(d.Text, "Samaritans") {
		t.Errorf("distress in a DM: %+v", d)
	}
	wantTold("dm", dmChan)
	form := command(e, user, channel, "my dad hits me", e.fake.ResponseURL("cmd-distress"))
	if code, _ := e.post(t, "/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()), nil); code != http.StatusOK {
		t.Fatalf("command ack: %d", code)
	}
	r := e.fake.WaitFor(t, "response_url", 1, 10*time.Second)[0].Message()
	if r.ResponseType != "ephemeral" || !strings.Contains(r.Text, "0800 1111") {
		t.Errorf("distress in /careers: %q %q", r.ResponseType, r.Text)
	}
	wantTold("command", channel)
	if n := len(e.fake.Calls("chat.postMessage")); n != 1 {
		t.Errorf("%d public posts, want only the DM", n)
	}
}

// serve's per-user rate limit and length limit apply; the user is told
// politely and privately.
func TestHTTPLimitsAnsweredPolitely(t *testing.T) {
	e := start(t, bot.NewGuard(seedBot(t), bot.GuardOptions{PerMinute: 1, MaxQuestionChars: 100}), false, nil)
	e.postEvent(t, callback(mention(channel, user, newTS(), "", "Which skills does a network engineer need?"), ""), nil)
	e.fake.WaitFor(t, "chat.postMessage", 1, 10*time.Second)
	e.postEvent(t, callback(mention(channel, user, newTS(), "", "How much does a network engineer earn?"), ""), nil)
	p := e.fake.WaitFor(t, "chat.postEphemeral", 1, 10*time.Second)[0].Message()
	if !strings.Contains(p.Text, "slow down") || p.User != user {
		t.Errorf("rate limit reply: %+v", p)
	}
	e.postEvent(t, callback(mention(channel, "U0SOMEONE2", newTS(), "", strings.Repeat("network ", 30)), ""), nil)
	p = e.fake.WaitFor(t, "chat.postEphemeral", 2, 10*time.Second)[1].Message()
	if !strings.Contains(p.Text, "too long") || p.User != "U0SOMEONE2" {
		t.Errorf("length limit reply: %+v", p)
	}
	if n := len(e.fake.Calls("chat.postMessage")); n != 1 {
		t.Errorf("%d public posts, want 1", n)
	}
}

// A 429 from Slack is retried after its Retry-After.
func TestHTTPRateLimitedPostIsRetried(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), false, nil)
	e.fake.RateLimit("chat.postMessage", 1, time.Second)
	e.postEvent(t, callback(mention(channel, user, newTS(), "", "How much does a network engineer earn?"), ""), nil)
	e.fake.WaitFor(t, "chat.postMessage", 1, 10*time.Second)
	calls := e.fake.Calls("chat.postMessage")
	if len(calls) != 2 || calls[0].Status != http.StatusTooManyRequests || !calls[1].OK() {
		t.Fatalf("calls %+v, want a 429 then an accepted post", calls)
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < time.Second {
		t.Errorf("retried after %v, before the Retry-After of 1 s", gap)
	}
	if n := e.platform.Load(); n != 0 {
		t.Errorf("%d platform errors counted for a call that succeeded on retry", n)
	}
	// An error that is not a 429 is logged and counted, not retried.
	e.fake.Fail("chat.postMessage", "channel_not_found")
	e.postEvent(t, callback(mention(channel, user, newTS(), "", "What level is a network engineer?"), ""), nil)
	deadline := time.Now().Add(10 * time.Second)
	for e.platform.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if e.platform.Load() != 1 || !strings.Contains(e.logs.String(), "channel_not_found") {
		t.Errorf("platform errors %d; log: %s", e.platform.Load(), e.logs.String())
	}
}

// While it works it puts a reaction on the question, and takes it off
// after answering.
func TestHTTPReactionWhileWorking(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), false, func(o *Options) { o.Reaction = ":mag:" })
	ts := newTS()
	e.postEvent(t, callback(mention(channel, user, ts, "", "Which duties does a network engineer have?"), ""), nil)
	rm := e.fake.WaitFor(t, "reactions.remove", 1, 10*time.Second)[0]
	add := e.fake.OKCalls("reactions.add")
	post := e.fake.OKCalls("chat.postMessage")
	if len(add) != 1 || len(post) != 1 {
		t.Fatalf("%d reactions.add, %d posts", len(add), len(post))
	}
	for _, c := range []struct {
		name string
		m    slackfake.Message
	}{{"add", add[0].Message()}, {"remove", rm.Message()}} {
		if c.m.Name != "mag" || c.m.Channel != channel || c.m.Timestamp != ts {
			t.Errorf("reactions.%s: %+v", c.name, c.m)
		}
	}
	if rm.At.Before(post[0].At) {
		t.Errorf("the reaction came off before the answer was posted")
	}
}

// With ReactAfter, a quick answer gets no reaction at all.
func TestHTTPNoReactionForQuickAnswers(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), false, func(o *Options) { o.Reaction, o.ReactAfter = "mag", time.Hour })
	e.postEvent(t, callback(mention(channel, user, newTS(), "", "What level is a network engineer?"), ""), nil)
	e.fake.WaitFor(t, "chat.postMessage", 1, 10*time.Second)
	if calls := append(e.fake.Quiet("reactions.add", quiet), e.fake.Calls("reactions.add")...); len(calls) > 0 {
		t.Errorf("%d reactions for a quick answer", len(calls))
	}
}

// Slack's url_verification challenge is answered.
func TestHTTPURLVerification(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), false, nil)
	body := []byte(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	code, resp := e.post(t, "/slack/events", "application/json", body, nil)
	var got struct{ Challenge string }
	if code != http.StatusOK || json.Unmarshal(resp, &got) != nil || got.Challenge != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("status %d body %s", code, resp)
	}
}

// Run reports the state: connected once auth.test answers; an error (to be
// retried) when it does not.
func TestHTTPRunChecksAuth(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), false, nil)
	if h := e.state.History(); len(h) == 0 || !strings.HasPrefix(h[len(h)-1], "true: HTTP mode, auth.test ok") {
		t.Errorf("states %v", h)
	}
	bad, err := New(Options{BotToken: "xoxb-wrong", SigningSecret: testSecret, APIURL: e.fake.APIURL(), Asker: seedBot(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := bad.Run(ctx); err == nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Errorf("Run with a wrong token: %v, want an invalid_auth error", err)
	}
}

// Shutdown waits for an answer acknowledged and still in flight; an event
// that comes after is not acknowledged, so that Slack resends it later.
func TestHTTPShutdownFinishesAnswersInFlight(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), false, nil)
	e.fake.RateLimit("chat.postMessage", 1, time.Second) // keeps the answer in flight a second
	e.postEvent(t, callback(mention(channel, user, newTS(), "", "What level is a network engineer?"), ""), nil)
	// The answer is in flight once Slack has told it to wait.
	for deadline := time.Now().Add(10 * time.Second); len(e.fake.Calls("chat.postMessage")) == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no chat.postMessage within 10 s")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.a.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if n := len(e.fake.OKCalls("chat.postMessage")); n != 1 {
		t.Errorf("after Shutdown, %d answers posted, want the one in flight", n)
	}
	if code := e.postEvent(t, callback(mention(channel, user, newTS(), "", "What level is a network engineer?"), ""), nil); code != http.StatusServiceUnavailable {
		t.Errorf("an event during shutdown: status %d, want 503", code)
	}
}
