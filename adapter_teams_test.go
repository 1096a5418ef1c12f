package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/careersbot/careersbot/adapters"
	"github.com/careersbot/careersbot/internal/server"
	"github.com/careersbot/careersbot/internal/teamsfake"
)

func teamsEnv(fake *teamsfake.Server) map[string]string {
	return map[string]string{
		"TEAMS_APP_ID":       teamsfake.AppID,
		"TEAMS_APP_PASSWORD": teamsfake.AppPassword,
		"TEAMS_TENANT_ID":    teamsfake.TenantID,
		"TEAMS_OPENID_URL":   fake.OpenIDURL(),
		"TEAMS_TOKEN_URL":    fake.TokenURL(),
	}
}

// serve with the TEAMS_ settings runs the Teams adapter: /readyz waits for
// the OpenID metadata, the keys and a token; an activity with a valid token
// posted to /teams/messages of the running server is answered in its
// thread through the fake connector, a bad token gets 401, and the answer
// and its feedback are counted in /metrics.
func TestServeTeams(t *testing.T) {
	fake := teamsfake.New(t)
	cfg := serveConfig(t, teamsEnv(fake))
	s, base, _ := startServer(t, cfg)
	var names []string
	for _, a := range s.Adapters() {
		names = append(names, a.Name())
	}
	if !strings.Contains(strings.Join(names, ","), "teams") {
		t.Fatalf("adapters %v, want teams", names)
	}
	if fake.TokenFetches() != 1 || fake.JWKSFetches() != 1 {
		t.Errorf("ready after %d token and %d JWKS fetches, want 1 each", fake.TokenFetches(), fake.JWKSFetches())
	}

	act := map[string]any{
		"type": "message", "id": "1750000000001", "serviceUrl": fake.ServiceURL(), "channelId": "msteams",
		"from":         map[string]any{"id": "29:adviser", "aadObjectId": "00000000-0000-4000-8000-0000000a0001"},
		"recipient":    map[string]any{"id": teamsfake.BotID, "name": teamsfake.BotName},
		"conversation": map[string]any{"id": "19:careers@thread.tacv2;messageid=1750000000001", "conversationType": "channel", "isGroup": true},
		"text":         "<at>careersbot</at> Which skills does a network engineer need?",
		"entities":     []map[string]any{{"type": "mention", "text": "<at>careersbot</at>", "mentioned": map[string]any{"id": teamsfake.BotID, "name": "careersbot"}}},
		"channelData":  map[string]any{"tenant": map[string]any{"id": teamsfake.TenantID}},
	}
	send := func(act map[string]any, token string) int {
		body, _ := json.Marshal(act)
		req, _ := http.NewRequest(http.MethodPost, base+"/teams/messages", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := send(act, fake.Token(teamsfake.Claims{Audience: "someone-else"})); code != http.StatusUnauthorized {
		t.Errorf("a token for another bot: status %d, want 401", code)
	}
	if code := send(act, fake.Token(teamsfake.Claims{})); code != http.StatusOK {
		t.Fatalf("a valid activity: status %d, want 200", code)
	}
	reply := fake.WaitFor(t, "reply", "message", 1, 10*time.Second)[0]
	if reply.Conversation != "19:careers@thread.tacv2;messageid=1750000000001" || reply.ReplyToID != "1750000000001" {
		t.Errorf("replied in %s to %s", reply.Conversation, reply.ReplyToID)
	}
	text := reply.Activity().AllText()
	for _, want := range []string{"[ST0127 S1]", "[ST0127 S14]", "Open Government Licence"} {
		if !strings.Contains(text, want) {
			t.Errorf("the card lacks %s", want)
		}
	}
	vote := map[string]any{}
	for k, v := range act {
		vote[k] = v
	}
	vote["id"], vote["text"] = "1750000000002", ""
	vote["value"] = map[string]any{"careersbot": "feedback", "vote": "up", "about": "ST0127|list|grounded"}
	if code := send(vote, fake.Token(teamsfake.Claims{})); code != http.StatusOK {
		t.Fatalf("feedback: status %d", code)
	}
	fake.WaitFor(t, "reply", "message", 2, 10*time.Second)

	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`careersbot_adapter_connected{adapter="teams"} 1`,
		`careersbot_questions_total{adapter="teams",outcome="grounded"} 1`,
		`careersbot_feedback_total{adapter="teams",vote="up"} 1`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// Without TEAMS_ settings there is no Teams adapter; with a password the
// token endpoint refuses, serve keeps serving and /readyz says why Teams
// is not ready.
func TestServeTeamsOffOrDown(t *testing.T) {
	if a, err := newTeamsAdapter(server.Deps{Config: serveConfig(t, nil)}); a != nil || err != nil {
		t.Errorf("no Teams settings: %v, %v; want nil, nil", a, err)
	}
	fake := teamsfake.New(t)
	env := teamsEnv(fake)
	env["TEAMS_APP_PASSWORD"] = "not-the-secret"
	s, err := server.New(serveConfig(t, env), slog.New(slog.DiscardHandler), serveOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LoadIndex(t.Context()); err != nil {
		t.Fatal(err)
	}
	var teams adapters.Adapter
	for _, a := range s.Adapters() {
		if a.Name() == "teams" {
			teams = a
		}
	}
	if teams == nil {
		t.Fatal("no teams adapter")
	}
	if err := teams.Run(t.Context()); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("Run: %v, want invalid_client", err)
	}
	ready, checks := s.Ready()
	if ready || !strings.Contains(checks["teams"], "invalid_client") {
		t.Errorf("ready %v, checks %v", ready, checks)
	}
}
