package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/careersbot/careersbot/adapters/discord/discordfake"
	"github.com/careersbot/careersbot/internal/server"
)

const (
	discordTestToken = "serve-test-bot-token"
	discordTestApp   = "100000000000000011"
	discordTestGuild = "200000000000000011"
	discordTestUser  = "500000000000000011"
)

type discordReply struct {
	Type int `json:"type"`
	Data struct {
		discordfake.Message
		Choices []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"choices"`
	} `json:"data"`
}

func postDiscord(t *testing.T, url string, s *discordfake.Signer, ic any, at time.Time) (int, discordReply, []byte) {
	t.Helper()
	code, body, err := s.Post(url+"/discord/interactions", ic, at)
	if err != nil {
		t.Fatal(err)
	}
	var r discordReply
	if code == http.StatusOK {
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if r.Type == 4 {
			if p := r.Data.Check(); len(p) > 0 || !r.Data.MentionsOff() {
				t.Errorf("reply outside Discord's limits or with mentions on: %q %s", p, body)
			}
		}
	}
	return code, r, body
}

// TestServeDiscordHTTPInteractions runs serve with Discord in HTTP
// interactions mode against a fake Discord REST API: the commands are
// registered at start (and /readyz waits for it), a signed PING gets PONG,
// a signed /careers ask is answered with its citations, ksb returns the
// passage exactly, autocomplete offers Network engineer, a bad signature or
// an old timestamp is 401, and serve's per-user rate limit answers
// ephemerally.
func TestServeDiscordHTTPInteractions(t *testing.T) {
	api := discordfake.NewAPI(t)
	api.Token = discordTestToken
	signer := discordfake.NewSigner(t)
	cfg := serveConfig(t, map[string]string{
		"DISCORD_BOT_TOKEN":          discordTestToken,
		"DISCORD_APP_ID":             discordTestApp,
		"DISCORD_PUBLIC_KEY":         signer.PublicKeyHex(),
		"DISCORD_GUILD_ID":           discordTestGuild,
		"DISCORD_API_URL":            api.Base,
		"CAREERSBOT_RATE_PER_MINUTE": "4",
	})
	if cfg.DiscordMode() != "http" {
		t.Fatalf("mode %q", cfg.DiscordMode())
	}
	_, url, stop := startServer(t, cfg)

	puts := api.Matching("PUT", "applications/"+discordTestApp+"/guilds/"+discordTestGuild+"/commands")
	if len(puts) != 1 || puts[0].Status != 200 || puts[0].Header.Get("Authorization") != "Bot "+discordTestToken {
		t.Fatalf("registration: %+v", puts)
	}
	resp, err := http.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	ready, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(ready), `"discord":"ok: commands registered`) {
		t.Errorf("/readyz: %s", ready)
	}

	now := time.Now()
	if code, _, body := postDiscord(t, url, signer, discordfake.Ping(discordTestApp), now); code != 200 || string(body) != `{"type":1}` {
		t.Errorf("PING: %d %s", code, body)
	}

	ask := discordfake.Command(discordTestApp, discordTestUser, "ask",
		discordfake.Opt("question", "Is wireless networking part of the role of a network engineer? @everyone"))
	code, r, body := postDiscord(t, url, signer, ask, now)
	switch {
	case code != 200:
		t.Fatalf("ask: %d %s", code, body)
	case r.Type == 4:
		checkDiscordK12(t, r.Data.Message)
	case r.Type == 5:
		api.WaitFor(t, 20*time.Second, "the edit", func([]discordfake.Request) bool {
			return len(api.Matching("PATCH", ask.Token()+"/messages/@original")) > 0
		})
		edits := api.Matching("PATCH", ask.Token()+"/messages/@original")
		var m discordfake.Message
		if err := edits[0].JSON(&m); err != nil {
			t.Fatal(err)
		}
		if p := m.Check(); len(p) > 0 || !m.MentionsOff() {
			t.Errorf("edit: %q", p)
		}
		checkDiscordK12(t, m)
	default:
		t.Fatalf("ask: type %d", r.Type)
	}

	ksb := discordfake.Command(discordTestApp, discordTestUser, "ksb", discordfake.Opt("occupation", "ST0127"), discordfake.Opt("id", "K12"))
	if _, r, body := postDiscord(t, url, signer, ksb, now); r.Type != 4 || len(r.Data.Embeds) != 1 || len(r.Data.Embeds[0].Fields) != 1 ||
		r.Data.Embeds[0].Fields[0].Value != "Wireless networks technologies and configurations." {
		t.Errorf("ksb: %s", body)
	}

	ac := discordfake.Autocomplete(discordTestApp, discordTestUser, "occupation", discordfake.Focus("name", "netw"))
	if _, r, body := postDiscord(t, url, signer, ac, now); r.Type != 8 || len(r.Data.Choices) == 0 ||
		r.Data.Choices[0].Value != "ST0127" || !strings.Contains(r.Data.Choices[0].Name, "Network engineer") {
		t.Errorf("autocomplete: %s", body)
	}

	if code, _, _ := postDiscord(t, url, signer, ask, now.Add(-6*time.Minute)); code != http.StatusUnauthorized {
		t.Errorf("old timestamp: %d, want 401", code)
	}
	if code, _, _ := postDiscord(t, url, discordfake.NewSigner(t), ask, now); code != http.StatusUnauthorized {
		t.Errorf("bad signature: %d, want 401", code)
	}

	// Two questions asked: two more are allowed this minute, then the user
	// is told to slow down, ephemerally.
	var flags []int
	for range 3 {
		_, r, _ := postDiscord(t, url, signer, discordfake.Command(discordTestApp, discordTestUser, "ask",
			discordfake.Opt("question", "What level is a network engineer?")), now)
		flags = append(flags, r.Data.Flags)
	}
	if flags[0]&64 != 0 || flags[1]&64 != 0 || flags[2]&64 == 0 {
		t.Errorf("flags %v: want two answers then an ephemeral limit message", flags)
	}

	resp, err = http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`careersbot_adapter_connected{adapter="discord"} 1`, `careersbot_questions_total{adapter="discord",outcome="grounded"}`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if err := stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
	if p := api.Problems(); len(p) > 0 {
		t.Errorf("Discord would have refused: %q", p)
	}
}

func checkDiscordK12(t *testing.T, m discordfake.Message) {
	t.Helper()
	for _, e := range m.Embeds {
		for _, f := range e.Fields {
			if f.Name == "ST0127 K12" && f.Value == "Wireless networks technologies and configurations." {
				return
			}
		}
	}
	t.Errorf("no ST0127 K12 citation: %+v", m)
}

// TestServeDiscordGateway runs serve with Discord in gateway mode against a
// fake gateway: /readyz waits for the session, and an interaction
// dispatched on it is answered at the fake REST API.
func TestServeDiscordGateway(t *testing.T) {
	api := discordfake.NewAPI(t)
	api.Token = discordTestToken
	gw := discordfake.NewGateway(t)
	gw.AppID = discordTestApp
	api.SetGatewayURL(gw.URL)
	cfg := serveConfig(t, map[string]string{
		"DISCORD_BOT_TOKEN": discordTestToken,
		"DISCORD_APP_ID":    discordTestApp,
		"DISCORD_API_URL":   api.Base,
	})
	if cfg.DiscordMode() != "gateway" {
		t.Fatalf("mode %q", cfg.DiscordMode())
	}
	_, _, stop := startServer(t, cfg)
	if puts := api.Matching("PUT", "applications/"+discordTestApp+"/commands"); len(puts) != 1 {
		t.Errorf("global registration: %+v", puts)
	}
	ic := discordfake.Command(discordTestApp, discordTestUser, "ask", discordfake.Opt("question", "Which skills does a network engineer need?"))
	if err := gw.Dispatch("INTERACTION_CREATE", ic); err != nil {
		t.Fatal(err)
	}
	api.WaitFor(t, 20*time.Second, "the callback", func([]discordfake.Request) bool {
		return len(api.Matching("POST", "interactions/"+ic.ID()+"/"+ic.Token()+"/callback")) > 0
	})
	if err := stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
	if p := api.Problems(); len(p) > 0 {
		t.Errorf("Discord would have refused: %q", p)
	}
}

// TestDiscordAdapterOff: without a bot token and an application id there is
// no Discord adapter.
func TestDiscordAdapterOff(t *testing.T) {
	a, err := newDiscordAdapter(server.Deps{Config: serveConfig(t, nil)})
	if a != nil || err != nil {
		t.Errorf("newDiscordAdapter = %v, %v; want nil, nil", a, err)
	}
}
