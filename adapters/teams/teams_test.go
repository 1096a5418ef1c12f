package teams

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/teamsfake"
)

const quiet = 300 * time.Millisecond

// A channel post that mentions the bot, with a valid token, is
// acknowledged at once and answered exactly once in its thread: a typing
// indicator, then one reply to the post whose card shows every citation,
// the source line and the feedback buttons. The same activity delivered
// again is acknowledged and not answered again.
func TestChannelMentionAnsweredOnceInTheThread(t *testing.T) {
	b := seedBot(t)
	e := start(t, guard(b, 20), nil)
	q := "Which skills does a network engineer need?"
	act := message(e, ConversationChannel, q, true)
	begin := time.Now()
	if code := e.post(t, act, ""); code != http.StatusOK {
		t.Fatalf("status %d, want 200", code)
	}
	if took := time.Since(begin); took > time.Second {
		t.Errorf("the ack took %v; the Bot Connector waits 15 s at most", took)
	}
	replies := e.fake.WaitFor(t, "reply", "message", 1, 10*time.Second)
	r := replies[0]
	wantConv := channelID + ";messageid=" + act["id"].(string)
	if r.Conversation != wantConv || r.ReplyToID != act["id"] {
		t.Errorf("replied in %q to %q, want the thread %q and the post %q", r.Conversation, r.ReplyToID, wantConv, act["id"])
	}
	reply := r.Activity()
	if reply.Recipient.ID != userID || reply.From.ID != teamsfake.BotID {
		t.Errorf("from %s to %s, want from the bot to the asker", reply.From.ID, reply.Recipient.ID)
	}
	ans := wantCitations(t, []teamsfake.Activity{reply}, b, q)
	if len(ans.Citations) != 14 {
		t.Errorf("the bot cites %d skills, want 14", len(ans.Citations))
	}
	if _, ok := hasAction(reply, "👍 Helpful"); !ok {
		t.Errorf("no Helpful button")
	}
	if _, ok := hasAction(reply, "👎 Not helpful"); !ok {
		t.Errorf("no Not helpful button")
	}
	if reply.Summary == "" {
		t.Errorf("no summary for notifications")
	}
	typing := e.fake.OKCalls("send", "typing")
	if len(typing) != 1 || typing[0].Conversation != wantConv || !typing[0].At.Before(r.At) {
		t.Errorf("typing indicators %d, want one in the thread before the reply", len(typing))
	}
	for i := range 3 {
		if code := e.post(t, act, ""); code != http.StatusOK {
			t.Errorf("redelivery %d: status %d, want 200", i+1, code)
		}
	}
	if extra := e.fake.Quiet(quiet); len(extra) > 0 {
		t.Errorf("a redelivered activity was answered again: %d more calls", len(extra))
	}
	if n := len(e.fake.Calls("reply")); n != 1 {
		t.Errorf("%d replies, want 1", n)
	}
	logs := e.logs.String()
	if strings.Contains(logs, q) || strings.Contains(logs, userAAD) || strings.Contains(logs, userID) {
		t.Errorf("the log holds the question or a raw user id:\n%s", logs)
	}
}

// A personal chat is answered in the chat; a follow-up there keeps the
// occupation; a group chat keeps its own.
func TestPersonalChatFollowUpKeepsTheOccupation(t *testing.T) {
	b := catalogueBot(t)
	e := start(t, guard(b, 0), nil)
	e.post(t, message(e, ConversationPersonal, "Which skills does a commis chef need?", false), "")
	first := e.fake.WaitFor(t, "reply", "message", 1, 10*time.Second)[0]
	if first.Conversation != personal {
		t.Fatalf("answered in %q, want the personal chat", first.Conversation)
	}
	if !strings.Contains(first.Activity().AllText(), "[ST0228 S1]") {
		t.Fatalf("the first answer is not about the commis chef: %s", first.Activity().Summary)
	}
	e.post(t, message(e, ConversationPersonal, "and what about the behaviours?", false), "")
	second := e.fake.WaitFor(t, "reply", "message", 2, 10*time.Second)[1].Activity()
	if !strings.Contains(second.AllText(), "[ST0228 B1]") {
		t.Errorf("the follow-up lost the occupation: %s", second.Summary)
	}
	// A group chat that never named an occupation is not about the chef.
	e.post(t, message(e, ConversationGroup, "and what about the behaviours?", true), "")
	third := e.fake.WaitFor(t, "reply", "message", 3, 10*time.Second)[2]
	if third.Conversation != groupChat || strings.Contains(third.Activity().AllText(), "[ST0228 B1]") {
		t.Errorf("the group chat shares the personal chat's occupation: %s", third.Activity().Summary)
	}
}

// A follow-up in a channel post's thread keeps the occupation, and is
// answered in that thread.
func TestChannelThreadFollowUp(t *testing.T) {
	e := start(t, guard(catalogueBot(t), 0), nil)
	root := message(e, ConversationChannel, "Which skills does a commis chef need?", true)
	e.post(t, root, "")
	e.fake.WaitFor(t, "reply", "message", 1, 10*time.Second)
	follow := inThread(message(e, ConversationChannel, "and what about the behaviours?", true), root["id"].(string))
	e.post(t, follow, "")
	r := e.fake.WaitFor(t, "reply", "message", 2, 10*time.Second)[1]
	if want := channelID + ";messageid=" + root["id"].(string); r.Conversation != want || r.ReplyToID != follow["id"] {
		t.Errorf("the follow-up was answered in %q to %q, want the thread %q", r.Conversation, r.ReplyToID, want)
	}
	if !strings.Contains(r.Activity().AllText(), "[ST0228 B1]") {
		t.Errorf("the follow-up in the thread lost the occupation: %s", r.Activity().Summary)
	}
}

// Every request whose token fails a check gets 401, and nothing is sent
// to the connector; a token within the clock skew is accepted.
func TestTokensChecked(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), nil)
	e.fake.AddKey("key-unpublished", false)
	now := time.Now()
	act := message(e, ConversationPersonal, "Which skills does a network engineer need?", false)
	cases := []struct {
		name  string
		auth  string
		patch func(map[string]any)
	}{
		{"no header", "", nil},
		{"not bearer", "Basic " + e.fake.Token(teamsfake.Claims{}), nil},
		{"empty bearer", "Bearer ", nil},
		{"not a JWT", "Bearer not.a.jwt", nil},
		{"wrong issuer", "Bearer " + e.fake.Token(teamsfake.Claims{Issuer: "https://sts.windows.net/someone/"}), nil},
		{"wrong audience", "Bearer " + e.fake.Token(teamsfake.Claims{Audience: "another-bots-app-id"}), nil},
		{"wrong signature", "Bearer " + e.fake.Token(teamsfake.Claims{SignWith: "key-unpublished"}), nil},
		{"expired", "Bearer " + e.fake.Token(teamsfake.Claims{IssuedAt: now.Add(-2 * time.Hour), Expiry: now.Add(-6 * time.Minute)}), nil},
		{"not yet valid", "Bearer " + e.fake.Token(teamsfake.Claims{IssuedAt: now.Add(6 * time.Minute)}), nil},
		{"no expiry", "Bearer " + e.fake.Token(teamsfake.Claims{NoExpiry: true}), nil},
		{"unknown kid", "Bearer " + e.fake.Token(teamsfake.Claims{KID: "key-nobody-has"}), nil},
		{"serviceurl claim mismatch", "Bearer " + e.fake.Token(teamsfake.Claims{ServiceURL: "https://smba.trafficmanager.net/emea/"}), nil},
		{"activity serviceUrl elsewhere", "Bearer " + e.fake.Token(teamsfake.Claims{}), func(a map[string]any) { a["serviceUrl"] = "http://127.0.0.1:1/evil/" }},
		{"key not endorsed for the channel", "Bearer " + e.fake.Token(teamsfake.Claims{}), func(a map[string]any) { a["channelId"] = "webchat" }},
	}
	for _, c := range cases {
		a := map[string]any{}
		for k, v := range act {
			a[k] = v
		}
		a["id"] = newActivityID()
		if c.patch != nil {
			c.patch(a)
		}
		body, _ := json.Marshal(a)
		if code := e.postRaw(t, body, c.auth); code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", c.name, code)
		}
	}
	if calls := e.fake.Quiet(quiet); len(calls) > 0 || len(e.fake.Calls("")) > 0 {
		t.Errorf("connector calls after rejected requests: %d", len(e.fake.Calls("")))
	}
	// Four minutes past expiry is inside the five minutes of skew.
	late := e.fake.Token(teamsfake.Claims{IssuedAt: now.Add(-time.Hour), Expiry: now.Add(-4 * time.Minute)})
	if code := e.post(t, act, late); code != http.StatusOK {
		t.Errorf("a token 4 minutes past expiry: status %d, want 200", code)
	}
	e.fake.WaitFor(t, "reply", "message", 1, 10*time.Second)
	// The body is read only after the token passed: a bad token with a
	// body that is not JSON is 401, a good one 400.
	if code := e.postRaw(t, []byte("{not json"), "Bearer "+e.fake.Token(teamsfake.Claims{})); code != http.StatusUnauthorized {
		t.Errorf("a body that is not JSON: status %d, want 401 (its serviceUrl cannot match)", code)
	}
}

// An app id typed in capitals still matches the tokens' audience.
func TestAppIDInCapitals(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), func(o *Options) { o.AppID = strings.ToUpper(teamsfake.AppID) })
	if code := e.post(t, message(e, ConversationPersonal, "help", false), ""); code != http.StatusOK {
		t.Errorf("status %d, want 200", code)
	}
	e.fake.WaitFor(t, "reply", "message", 1, 10*time.Second)
}

// A key the Bot Framework rotates in is picked up by one refresh when a
// token names it; a key rotated out is refused.
func TestKeyRotationPickedUp(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), nil)
	if code := e.post(t, message(e, ConversationPersonal, "help", false), ""); code != http.StatusOK {
		t.Fatalf("key-1: status %d", code)
	}
	before := e.fake.JWKSFetches()
	e.fake.AddKey("key-2", false)
	e.fake.Publish("key-2")
	if code := e.post(t, message(e, ConversationPersonal, "help", false), e.fake.Token(teamsfake.Claims{KID: "key-2"})); code != http.StatusOK {
		t.Fatalf("a token signed by the rotated-in key: status %d, want 200", code)
	}
	if got := e.fake.JWKSFetches() - before; got != 1 {
		t.Errorf("%d JWKS fetches for the new key, want exactly 1", got)
	}
	if code := e.post(t, message(e, ConversationPersonal, "help", false), e.fake.Token(teamsfake.Claims{KID: "key-1"})); code != http.StatusUnauthorized {
		t.Errorf("a token signed by the rotated-out key: status %d, want 401", code)
	}
	e.fake.WaitFor(t, "reply", "message", 2, 10*time.Second)
}

// An unknown key id triggers one refresh of the keys; more unknown key ids
// soon after are refused at once without fetching again.
func TestUnknownKeyIDRefreshesOnce(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), nil)
	before := e.fake.JWKSFetches()
	for i, kid := range []string{"forged-1", "forged-2", "forged-3"} {
		begin := time.Now()
		code := e.post(t, message(e, ConversationPersonal, "help", false), e.fake.Token(teamsfake.Claims{KID: kid}))
		if code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", kid, code)
		}
		if took := time.Since(begin); i > 0 && took > time.Second {
			t.Errorf("%s took %v: a refused refresh must not hold the request", kid, took)
		}
	}
	if got := e.fake.JWKSFetches() - before; got != 1 {
		t.Errorf("%d JWKS fetches for 3 unknown key ids, want 1", got)
	}
}

// A connector that answers 429 with Retry-After, then 503, is tried again
// after the wait it asked for; the reply arrives once.
func TestConnectorRetriesHonourRetryAfter(t *testing.T) {
	b := seedBot(t)
	e := start(t, guard(b, 0), nil)
	act := message(e, ConversationPersonal, "How much does a network engineer earn?", false)
	// The typing indicator goes first: it takes the 429, then the 503.
	e.fake.Fail(1, http.StatusTooManyRequests, "1")
	e.fake.Fail(1, http.StatusServiceUnavailable, "")
	e.post(t, act, "")
	reply := e.fake.WaitFor(t, "reply", "message", 1, 15*time.Second)[0]
	calls := e.fake.Calls("")
	if len(calls) < 4 || calls[0].Status != http.StatusTooManyRequests || calls[1].Status != http.StatusServiceUnavailable {
		t.Fatalf("calls %v, want a 429, a 503, then the typing indicator and the reply", calls)
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < time.Second {
		t.Errorf("retried %v after a 429 with Retry-After: 1, want at least 1 s", gap)
	}
	if !calls[2].OK() || calls[2].Activity().Type != "typing" {
		t.Errorf("the third call is %s %d, want the typing indicator accepted", calls[2].Kind, calls[2].Status)
	}
	wantCitations(t, []teamsfake.Activity{reply.Activity()}, b, "How much does a network engineer earn?")
	if extra := e.fake.Quiet(quiet); len(e.fake.Calls("reply")) != 1 {
		t.Errorf("%d replies (%d late calls), want 1", len(e.fake.Calls("reply")), len(extra))
	}
	if n := e.platform.Load(); n != 0 {
		t.Errorf("%d platform errors counted for calls that succeeded on retry", n)
	}
}

// A connector that keeps refusing is given up on after MaxAttempts, and
// the failure is counted.
func TestConnectorGivesUp(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), func(o *Options) { o.MaxAttempts = 2 })
	e.fake.Fail(10, http.StatusTooManyRequests, "0")
	e.post(t, message(e, ConversationPersonal, "help", false), "")
	deadline := time.Now().Add(10 * time.Second)
	for e.platform.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := e.platform.Load(); n != 1 {
		t.Fatalf("%d platform errors, want 1", n)
	}
	if n := len(e.fake.Calls("reply")); n != 2 {
		t.Errorf("%d tries of the reply, want MaxAttempts = 2", n)
	}
	if !strings.Contains(e.logs.String(), "teams connector call failed") {
		t.Errorf("the failure is not logged")
	}
}

// Distress asked in a channel gets the safeguarding reply in a 1:1 chat the
// bot opens with the asker, nothing in the channel, and the bot's
// OnDistress hook is told the platform, conversation and user; in a
// personal chat it is the reply there.
func TestDistressAnsweredPrivately(t *testing.T) {
	var mu sync.Mutex
	var alerts []bot.Question
	b := bot.New(seedBot(t).Searcher(), bot.Options{OnDistress: func(_ context.Context, q bot.Question, _ bot.Safeguarding) {
		mu.Lock()
		alerts = append(alerts, q)
		mu.Unlock()
	}})
	e := start(t, guard(b, 0), nil)
	distress := "I want to kill myself"
	act := message(e, ConversationChannel, distress, true)
	e.post(t, act, "")
	sent := e.fake.WaitFor(t, "send", "message", 1, 10*time.Second)[0]
	create := e.fake.OKCalls("create", "")
	if len(create) != 1 || !strings.Contains(string(create[0].Body), `"id":"`+userID+`"`) {
		t.Fatalf("no 1:1 conversation opened with the asker: %v", create)
	}
	m := sent.Activity()
	if sent.Conversation != "a:1on1-"+userID || !strings.Contains(m.Text, "Samaritans") || len(m.Attachments) != 0 || m.TextFormat != "plain" {
		t.Errorf("private reply in %q: %q (%d cards)", sent.Conversation, m.Text, len(m.Attachments))
	}
	if extra := e.fake.Quiet(quiet); len(e.fake.OKCalls("reply", "message")) != 0 {
		t.Errorf("the channel got a reply to a message showing distress (%d late calls)", len(extra))
	}
	mu.Lock()
	if len(alerts) != 1 || alerts[0].Via != "teams" || alerts[0].Channel != act["conversation"].(map[string]any)["id"] || alerts[0].User != userAAD {
		t.Errorf("OnDistress got %+v, want via teams, the conversation and the user", alerts)
	}
	mu.Unlock()

	e.post(t, message(e, ConversationPersonal, distress, false), "")
	r := e.fake.WaitFor(t, "reply", "message", 1, 10*time.Second)[0]
	if r.Conversation != personal || !strings.Contains(r.Activity().Text, "Samaritans") {
		t.Errorf("personal distress reply in %q: %q", r.Conversation, r.Activity().Text)
	}
}

// When the bot cannot open a 1:1 chat, the thread is told to message it
// directly, and nothing of the reply is shown there.
func TestDistressWhenNoPrivateChat(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), nil)
	e.fake.Fail(2, http.StatusForbidden, "") // the typing indicator, then the 1:1 chat
	e.post(t, message(e, ConversationChannel, "I want to kill myself", true), "")
	r := e.fake.WaitFor(t, "reply", "message", 1, 10*time.Second)[0].Activity()
	if strings.Contains(r.Text, "Samaritans") || !strings.Contains(r.Text, "open a chat with me") {
		t.Errorf("thread reply %q: want the pointer to a private chat, without the reply", r.Text)
	}
}

// "help", and the bot's install in a conversation, show what it does with
// examples; another member joining is not greeted.
func TestHelpAndWelcome(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), nil)
	e.post(t, message(e, ConversationChannel, "help", true), "")
	help := e.fake.WaitFor(t, "reply", "message", 1, 10*time.Second)[0].Activity()
	for _, ex := range helpExamples {
		if !strings.Contains(help.AllText(), ex) {
			t.Errorf("the help lacks the example %q", ex)
		}
	}
	update := func(member string) map[string]any {
		return map[string]any{
			"type": "conversationUpdate", "id": newActivityID(), "serviceUrl": e.fake.ServiceURL(), "channelId": "msteams",
			"from":         map[string]any{"id": userID, "aadObjectId": userAAD},
			"recipient":    map[string]any{"id": teamsfake.BotID, "name": teamsfake.BotName},
			"conversation": map[string]any{"id": "19:general@thread.tacv2", "conversationType": "channel", "isGroup": true},
			"membersAdded": []map[string]any{{"id": member}},
			"channelData":  map[string]any{"tenant": map[string]any{"id": teamsfake.TenantID}, "eventType": "teamMemberAdded"},
		}
	}
	e.post(t, update("29:someone-else"), "")
	e.post(t, update(teamsfake.BotID), "")
	w := e.fake.WaitFor(t, "send", "message", 1, 10*time.Second)
	if extra := e.fake.Quiet(quiet); len(e.fake.OKCalls("send", "message")) != 1 {
		t.Fatalf("%d welcomes (%d late calls), want 1: for the bot's own install only", len(e.fake.OKCalls("send", "message")), len(extra))
	}
	if w[0].Conversation != "19:general@thread.tacv2" || !strings.Contains(w[0].Activity().AllText(), "Hello! I'm careersbot.") ||
		!strings.Contains(w[0].Activity().AllText(), helpExamples[0]) {
		t.Errorf("welcome in %q: %s", w[0].Conversation, w[0].Activity().AllText())
	}
}

// Helpful / Not helpful presses are counted (like Slack's), logged without
// the question, and thanked.
func TestFeedbackCounted(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), nil)
	q := "Which behaviours does a network engineer need?"
	act := message(e, ConversationPersonal, q, false)
	e.post(t, act, "")
	card := e.fake.WaitFor(t, "reply", "message", 1, 10*time.Second)[0]
	button, ok := hasAction(card.Activity(), "👎 Not helpful")
	if !ok {
		t.Fatal("no Not helpful button")
	}
	e.post(t, submit(e, ConversationPersonal, button["data"], "1750000999"), "")
	thanks := e.fake.WaitFor(t, "reply", "message", 2, 10*time.Second)[1].Activity()
	if !strings.Contains(thanks.Text, "Thanks for the feedback") {
		t.Errorf("feedback reply %q", thanks.Text)
	}
	if got := e.voteList(); len(got) != 1 || got[0] != "down" {
		t.Errorf("votes %v, want [down]", got)
	}
	e.mu.Lock()
	if f := e.votes[len(e.votes)-1]; f.Occupation != "ST0127" || f.Via != "teams" {
		t.Errorf("the vote %+v, want one on ST0127 from teams", f)
	}
	e.mu.Unlock()
	logs := e.logs.String()
	if !strings.Contains(logs, `"teams feedback"`) || !strings.Contains(logs, `"occupation":"ST0127"`) || strings.Contains(logs, q) {
		t.Errorf("feedback must be logged with what the answer was about, without the question:\n%s", logs)
	}
}

// The bot's token is fetched once and reused while it is valid; a token
// within TokenEarlyExpiry of its end is replaced before the next call.
func TestBotTokenCachedUntilNearExpiry(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), nil)
	for range 3 {
		e.post(t, message(e, ConversationPersonal, "help", false), "")
	}
	e.fake.WaitFor(t, "reply", "message", 3, 10*time.Second)
	if n := e.fake.TokenFetches(); n != 1 {
		t.Errorf("%d token fetches for 3 replies, want 1 (the token lasts an hour)", n)
	}

	// Tokens that last less than the early expiry are always near it:
	// each call needs a fresh one.
	short := start(t, guard(seedBot(t), 0), func(o *Options) { o.TokenEarlyExpiry = 2 * time.Hour })
	for range 2 {
		short.post(t, message(short, ConversationPersonal, "help", false), "")
	}
	short.fake.WaitFor(t, "reply", "message", 2, 10*time.Second)
	calls := len(short.fake.OKCalls("", ""))
	if n := short.fake.TokenFetches(); n < 1+calls {
		t.Errorf("%d token fetches for %d calls with tokens near expiry, want a new one each", n, calls)
	}
}

// Until Run has loaded the keys the route answers 503 (a bearer token) or
// 401 (none); a token endpoint that refuses the password keeps the adapter
// not ready, saying why.
func TestReadiness(t *testing.T) {
	fake := teamsfake.New(t)
	st := newState()
	a, err := New(Options{AppID: teamsfake.AppID, AppPassword: "wrong", TenantID: teamsfake.TenantID,
		OpenIDURL: fake.OpenIDURL(), TokenURL: fake.TokenURL(), Asker: guard(seedBot(t), 0), OnState: st.on})
	if err != nil {
		t.Fatal(err)
	}
	srv := newRouteServer(t, a)
	if code := postTo(t, srv, "Bearer "+fake.Token(teamsfake.Claims{})); code != http.StatusServiceUnavailable {
		t.Errorf("before Run: status %d, want 503", code)
	}
	if code := postTo(t, srv, ""); code != http.StatusUnauthorized {
		t.Errorf("before Run, no token: status %d, want 401", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = a.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("Run with a wrong password: %v, want the token endpoint's invalid_client", err)
	}
	h := st.History()
	if len(h) == 0 || !strings.HasPrefix(h[len(h)-1], "false: token:") {
		t.Errorf("state %v, want not ready because of the token", h)
	}
}

// An activity from another tenant is acknowledged and not answered: the
// bot is single-tenant.
func TestOtherTenantIgnored(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), nil)
	act := message(e, ConversationPersonal, "help", false)
	act["channelData"] = map[string]any{"tenant": map[string]any{"id": "another-tenant"}}
	if code := e.post(t, act, ""); code != http.StatusOK {
		t.Errorf("status %d, want 200", code)
	}
	if calls := e.fake.Quiet(quiet); len(calls) > 0 {
		t.Errorf("answered another tenant: %d calls", len(calls))
	}
}

// Shutdown waits for an answer in flight; after it began, activities are
// refused with 503 so that the Bot Framework may deliver them again.
func TestShutdownFinishesAnswersInFlight(t *testing.T) {
	release := make(chan struct{})
	slow := askerFunc(func(ctx context.Context, q bot.Question) (bot.Answer, error) {
		<-release
		return seedBot(t).Ask(ctx, q)
	})
	e := start(t, slow, nil)
	e.post(t, message(e, ConversationPersonal, "How much does a network engineer earn?", false), "")
	e.fake.WaitFor(t, "send", "typing", 1, 10*time.Second)
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- e.a.Shutdown(ctx)
	}()
	for closing := false; !closing; time.Sleep(time.Millisecond) {
		e.a.mu.Lock()
		closing = e.a.closing
		e.a.mu.Unlock()
	}
	if code := e.post(t, message(e, ConversationPersonal, "help", false), ""); code != http.StatusServiceUnavailable {
		t.Errorf("during shutdown: status %d, want 503", code)
	}
	close(release)
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if n := len(e.fake.OKCalls("reply", "message")); n != 1 {
		t.Errorf("%d replies, want the one in flight", n)
	}
}

type askerFunc func(ctx context.Context, q bot.Question) (bot.Answer, error)

func (f askerFunc) Ask(ctx context.Context, q bot.Question) (bot.Answer, error) { return f(ctx, q) }
