package slack

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/careersbot/careersbot/adapters/internal/fakes/slackfake"
	"github.com/careersbot/careersbot/bot"
)

// eventPayload is an events_api envelope's payload: the callback as JSON.
func eventPayload(inner map[string]any, eventID string) json.RawMessage {
	return json.RawMessage(callback(inner, eventID))
}

// Through a local WebSocket server speaking Socket Mode envelopes: a
// mention, a DM and /careers are each acknowledged, then answered; a
// resent envelope is acknowledged and not answered again.
func TestSocketModeMentionDMAndCommand(t *testing.T) {
	b := seedBot(t)
	e := start(t, guard(b, 0), true, nil)
	if e.a.Routes() != nil {
		t.Errorf("Socket Mode serves HTTP routes")
	}

	// A mention, answered in its thread after its ack.
	ts := newTS()
	q := "Which skills does a network engineer need?"
	sent := time.Now()
	env := e.fake.Send(t, slackfake.EventsAPI, eventPayload(mention(channel, user, ts, "", q), "EvSOCKET01"), 0)
	ack := e.fake.WaitAck(t, env, 5*time.Second)
	if took := ack.At.Sub(sent); took > time.Second {
		t.Errorf("the ack took %v; Slack's limit is 3 s", took)
	}
	post := e.fake.WaitFor(t, "chat.postMessage", 1, 10*time.Second)[0]
	m := post.Message()
	if m.Channel != channel || m.ThreadTS != ts {
		t.Errorf("mention answered in %s thread %q, want %s thread %s", m.Channel, m.ThreadTS, channel, ts)
	}
	wantCitations(t, m, b, q)
	// The ack is queued on the WebSocket before the work starts; on the
	// wire it and the post race, so only a clear inversion is an error.
	if ack.At.After(post.At.Add(500 * time.Millisecond)) {
		t.Errorf("the envelope was acknowledged %v after the answer was posted", ack.At.Sub(post.At))
	}
	if len(ack.Payload) != 0 && string(ack.Payload) != "null" {
		t.Errorf("event ack payload %s, want none", ack.Payload)
	}

	// Slack resends it (retry_attempt 1): acknowledged, not answered again.
	env = e.fake.Send(t, slackfake.EventsAPI, eventPayload(mention(channel, user, ts, "", q), "EvSOCKET01"), 1)
	e.fake.WaitAck(t, env, 5*time.Second)

	// A DM, answered in the DM.
	env = e.fake.Send(t, slackfake.EventsAPI, eventPayload(dm(dmChan, user, newTS(), "How much does a network engineer earn?"), ""), 0)
	e.fake.WaitAck(t, env, 5*time.Second)
	d := e.fake.WaitFor(t, "chat.postMessage", 2, 10*time.Second)[1].Message()
	if d.Channel != dmChan || d.ThreadTS != "" || !markers(d)["[ST0127 profile]"] {
		t.Errorf("DM answer: channel %s thread %q: %s", d.Channel, d.ThreadTS, d.AllText())
	}
	if extra := e.fake.Quiet("chat.postMessage", quiet); len(extra) > 0 {
		t.Errorf("%d more posts: the resent mention was answered again", len(extra))
	}

	// /careers QUESTION: an empty ack, then a private answer at response_url.
	cmd := map[string]any{"token": "x", "team_id": slackfake.TeamID, "channel_id": channel, "user_id": user,
		"command": "/careers", "text": "Which behaviours does a network engineer need?",
		"response_url": e.fake.ResponseURL("socket-cmd"), "trigger_id": newTrigger(), "api_app_id": "A0CAREERS"}
	env = e.fake.Send(t, slackfake.SlashCommands, cmd, 0)
	ack = e.fake.WaitAck(t, env, 5*time.Second)
	if len(ack.Payload) != 0 && string(ack.Payload) != "null" {
		t.Errorf("command ack payload %s, want none", ack.Payload)
	}
	r := e.fake.WaitFor(t, "response_url", 1, 10*time.Second)[0]
	rm := r.Message()
	if r.Path != "/hooks/socket-cmd" || rm.ResponseType != "ephemeral" || !hasButton(rm, actionShare) {
		t.Errorf("command reply at %s as %q", r.Path, rm.ResponseType)
	}
	wantCitations(t, rm, b, "Which behaviours does a network engineer need?")

	// An empty /careers: the help, in the ack itself.
	cmd["text"], cmd["trigger_id"] = "", newTrigger()
	env = e.fake.Send(t, slackfake.SlashCommands, cmd, 0)
	ack = e.fake.WaitAck(t, env, 5*time.Second)
	if !strings.Contains(string(ack.Payload), helpExamples[0]) || !strings.Contains(string(ack.Payload), `"ephemeral"`) {
		t.Errorf("empty /careers ack: %s", ack.Payload)
	}

	// A 👍 through Socket Mode.
	env = e.fake.Send(t, slackfake.Interactive, blockAction(user, channel, actionFeedbackUp, "ST0127|list|grounded", e.fake.ResponseURL("socket-fb")), 0)
	e.fake.WaitAck(t, env, 5*time.Second)
	e.fake.WaitFor(t, "response_url", 2, 10*time.Second)
	if got := e.votes.all(); len(got) != 1 || got[0] != (bot.Feedback{Vote: "up", Occupation: "ST0127", Via: "slack"}) {
		t.Errorf("votes %+v, want one up on ST0127 from slack", got)
	}

	// An event type slack-go does not know is acknowledged and ignored.
	env = e.fake.Send(t, slackfake.EventsAPI, eventPayload(map[string]any{"type": "some_future_event", "event_ts": newTS()}, ""), 0)
	e.fake.WaitAck(t, env, 5*time.Second)
}

// A dropped connection is redialled at once and reported; answering goes on.
func TestSocketModeReconnects(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), true, nil)
	e.fake.DropConnections()
	deadline := time.Now().Add(10 * time.Second)
	for {
		open, dials := e.fake.Connections()
		if open == 1 && dials == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not reconnected: %d open, %d dials; states %v", open, dials, e.state.History())
		}
		time.Sleep(10 * time.Millisecond)
	}
	env := e.fake.Send(t, slackfake.EventsAPI, eventPayload(mention(channel, user, newTS(), "", "What level is a network engineer?"), ""), 0)
	e.fake.WaitAck(t, env, 5*time.Second)
	e.fake.WaitFor(t, "chat.postMessage", 1, 10*time.Second)
	h := strings.Join(e.state.History(), "\n")
	if !strings.Contains(h, "false: reconnecting") || !strings.HasSuffix(h, "true: socket mode connected: team T0TEAM001, bot user U0CAREERS") {
		t.Errorf("states:\n%s", h)
	}
}

// When Socket Mode cannot connect, Run returns an error so that serve
// retries with backoff, and reports the adapter down.
func TestSocketModeRunFailsWhenItCannotConnect(t *testing.T) {
	fake := slackfake.New(t)
	st := newState()
	a, err := New(Options{BotToken: slackfake.BotToken, AppToken: "xapp-revoked", APIURL: fake.APIURL(),
		Asker: seedBot(t), OnState: st.on})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = a.Run(ctx)
	if err == nil || ctx.Err() != nil {
		t.Fatalf("Run: %v (context: %v), want an error before the deadline", err, ctx.Err())
	}
	if !strings.Contains(err.Error(), "invalid_auth") {
		t.Errorf("Run: %v, want invalid_auth", err)
	}
	h := st.History()
	if len(h) == 0 || !strings.HasPrefix(h[len(h)-1], "false: ") {
		t.Errorf("states %v: want down last", h)
	}
}
