package discord

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/careersbot/careersbot/adapters/discord/discordfake"
)

// TestGateway: against a local WebSocket server speaking the gateway, Run
// registers the commands, identifies with the bot token, keeps heartbeats
// going, and answers an INTERACTION_CREATE dispatch at the fake REST API:
// inline (the callback with the answer) or deferred (the callback, then one
// edit of @original). A dropped connection ends Run with an error, and the
// next Run resumes the session.
func TestGateway(t *testing.T) {
	h := newHarness(t, harnessOptions{gateway: true})

	// Registration, then the gateway URL from GET /gateway.
	rs := h.api.Requests()
	if len(rs) < 2 || rs[0].Method != "PUT" || rs[0].Path != "applications/"+testApp+"/guilds/"+testGuild+"/commands" ||
		!strings.HasPrefix(rs[1].Path, "gateway") {
		t.Fatalf("requests: %+v", rs)
	}

	// Identify with the bot token; READY came back before Run reported up.
	ids := h.gw.Ops(2)
	if len(ids) != 1 {
		t.Fatalf("%d identifies", len(ids))
	}
	var identify struct {
		Token   string `json:"token"`
		Intents int    `json:"intents"`
	}
	if err := json.Unmarshal(ids[0].D, &identify); err != nil {
		t.Fatal(err)
	}
	if identify.Token != "Bot "+testToken {
		t.Errorf("identify token %q", identify.Token)
	}

	// Heartbeats flow (every 200 ms at the fake) and are acknowledged: the
	// session stays up through several.
	h.gw.WaitFor(t, 5*time.Second, "three heartbeats", func(fs []discordfake.Frame) bool {
		n := 0
		for _, f := range fs {
			if f.Op == 1 {
				n++
			}
		}
		return n >= 3
	})

	// An interaction dispatched on the gateway is answered inline at the
	// callback endpoint.
	ic := discordfake.Command(testApp, testUser, "ask", discordfake.Opt("question", wirelessQuestion))
	if err := h.gw.Dispatch("INTERACTION_CREATE", ic); err != nil {
		t.Fatal(err)
	}
	reqs := h.api.WaitFor(t, 20*time.Second, "the interaction callback", func(rs []discordfake.Request) bool {
		return len(exactly(rs, "POST", callbackPath(ic))) > 0
	})
	cb := exactly(reqs, "POST", callbackPath(ic))[0]
	var resp struct {
		Type int             `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := cb.JSON(&resp); err != nil {
		t.Fatal(err)
	}
	if resp.Type != 4 || cb.Status != 204 {
		t.Fatalf("callback type %d status %d: %s", resp.Type, cb.Status, cb.Body)
	}
	m := decodeMessage(t, resp.Data)
	checkSent(t, "gateway answer", m)
	checkWirelessAnswer(t, m)

	// Autocomplete over the gateway.
	ac := discordfake.Autocomplete(testApp, testUser, "occupation", discordfake.Focus("name", "netw"))
	if err := h.gw.Dispatch("INTERACTION_CREATE", ac); err != nil {
		t.Fatal(err)
	}
	reqs = h.api.WaitFor(t, 10*time.Second, "the autocomplete callback", func(rs []discordfake.Request) bool {
		return len(exactly(rs, "POST", callbackPath(ac))) > 0
	})
	if body := string(exactly(reqs, "POST", callbackPath(ac))[0].Body); !strings.Contains(body, `"type":8`) || !strings.Contains(body, `"value":"ST0127"`) {
		t.Errorf("autocomplete callback %s", body)
	}

	// A lost connection ends Run with an error, for serve to retry.
	h.gw.Drop()
	select {
	case err := <-h.runDone:
		if err == nil || !strings.Contains(err.Error(), "lost") {
			t.Errorf("Run after a drop = %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after the connection dropped")
	}
	h.waitState("down:", time.Second)

	// Run again: the session resumes (op 6) with its session id, and the
	// commands are not registered again.
	h.start()
	resumes := h.gw.WaitFor(t, 10*time.Second, "a resume", func(fs []discordfake.Frame) bool {
		for _, f := range fs {
			if f.Op == 6 {
				return true
			}
		}
		return false
	})
	for _, f := range resumes {
		if f.Op != 6 {
			continue
		}
		var r struct {
			Token     string `json:"token"`
			SessionID string `json:"session_id"`
			Seq       int64  `json:"seq"`
		}
		_ = json.Unmarshal(f.D, &r)
		if r.SessionID != h.gw.SessionID || r.Token != "Bot "+testToken || r.Seq < 1 || f.Conn != 2 {
			t.Errorf("resume %+v on connection %d", r, f.Conn)
		}
	}
	if n := len(h.api.Matching("PUT", "commands")); n != 1 {
		t.Errorf("%d registrations", n)
	}

	// And answers on the new connection.
	ic2 := discordfake.Command(testApp, testUser, "ksb", discordfake.Opt("occupation", "ST0127"), discordfake.Opt("id", "K12"))
	if err := h.gw.Dispatch("INTERACTION_CREATE", ic2); err != nil {
		t.Fatal(err)
	}
	h.api.WaitFor(t, 20*time.Second, "the second callback", func(rs []discordfake.Request) bool {
		return len(exactly(rs, "POST", callbackPath(ic2))) > 0
	})
}

// TestGatewayDeferred: on the gateway too, a slow answer is a deferred
// callback (type 5) and then exactly one edit of @original.
func TestGatewayDeferred(t *testing.T) {
	h := newHarness(t, harnessOptions{gateway: true, mod: func(o *Options) { o.QuickAnswer = -1 }})
	ic := discordfake.Command(testApp, testUser, "ask", discordfake.Opt("question", wirelessQuestion))
	if err := h.gw.Dispatch("INTERACTION_CREATE", ic); err != nil {
		t.Fatal(err)
	}
	h.api.WaitFor(t, 20*time.Second, "the edit", func(rs []discordfake.Request) bool {
		return len(exactly(rs, "PATCH", originalPath(ic))) > 0
	})
	h.settle()
	rs := h.api.Requests()
	cbs := exactly(rs, "POST", callbackPath(ic))
	edits := exactly(rs, "PATCH", originalPath(ic))
	if len(cbs) != 1 || string(cbs[0].Body) != `{"type":5}` || len(edits) != 1 {
		t.Fatalf("callbacks %d (%s), edits %d", len(cbs), cbs[0].Body, len(edits))
	}
	if !cbs[0].At.Before(edits[0].At) {
		t.Errorf("the edit came before the deferred response")
	}
	m := decodeMessage(t, edits[0].Body)
	checkSent(t, "edit", m)
	checkWirelessAnswer(t, m)
}

// TestGatewayUnreachable: a gateway that cannot be reached is an error
// from Run, and the state says down.
func TestGatewayUnreachable(t *testing.T) {
	api := discordfake.NewAPI(t)
	api.SetGatewayURL("ws://127.0.0.1:1/")
	var state string
	a, err := New(Options{BotToken: testToken, AppID: testApp, APIURL: api.Base, Asker: catalogueBot(t),
		OnState: func(ok bool, d string) { state = d }})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(t.Context()); err == nil || !strings.Contains(err.Error(), "gateway") {
		t.Errorf("Run = %v", err)
	}
	if !strings.HasPrefix(state, "gateway:") {
		t.Errorf("state %q", state)
	}
}
