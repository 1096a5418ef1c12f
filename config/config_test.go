package config

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// mapEnv is a getenv over a map: tests never read the real environment.
func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// load runs Load over env with no flags and fails the test on an error.
func load(t *testing.T, env map[string]string) *Config {
	t.Helper()
	c, err := Load(mapEnv(env), nil)
	if err != nil {
		t.Fatalf("Load(%v) = %v, want no error", env, err)
	}
	return c
}

// entry finds the entry of one variable.
func entry(t *testing.T, c *Config, env string) Entry {
	t.Helper()
	for _, e := range c.Entries() {
		if e.Env == env {
			return e
		}
	}
	t.Fatalf("Entries() has no %s", env)
	return Entry{}
}

// lines splits a joined error into its lines.
func lines(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

func TestLoadDefaults(t *testing.T) {
	c := load(t, map[string]string{})
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate() of the defaults = %v, want nil", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"HTTPAddr", c.HTTPAddr, ":8080"},
		{"MaxQuestionChars", c.MaxQuestionChars, 1000},
		{"RatePerMinute", c.RatePerMinute, 20},
		{"InsightsRetentionDays", c.InsightsRetentionDays, 90},
		{"DatabaseURL", string(c.DatabaseURL), ""},
		{"LLMTimeout", c.LLMTimeout, 15 * time.Second},
		{"SlackAPIURL", c.SlackAPIURL, DefaultSlackAPIURL},
		{"SlackAPIURL literal", c.SlackAPIURL, "https://slack.com/api/"},
		{"DiscordAPIURL", c.DiscordAPIURL, DefaultDiscordAPIURL},
		{"DiscordAPIURL literal", c.DiscordAPIURL, "https://discord.com/api/v10/"},
		{"MaxConcurrent", c.MaxConcurrent, 2 * runtime.NumCPU()},
		{"Seeds", c.Seeds, ""},
		{"LogQuestions", c.LogQuestions, false},
		{"LogLevel", c.LogLevel, "info"},
		{"OpenAIBaseURL", c.OpenAIBaseURL, ""},
		{"OpenAIURL()", c.OpenAIURL(), DefaultOpenAIBaseURL},
		{"SlackMode()", c.SlackMode(), ""},
		{"DiscordMode()", c.DiscordMode(), ""},
		{"TeamsEnabled()", c.TeamsEnabled(), false},
		{"TeamsOpenIDURL", c.TeamsOpenIDURL, DefaultTeamsOpenIDURL},
		{"AllowedOrigins empty", len(c.AllowedOrigins), 0},
		{"TrustedProxies empty", len(c.TrustedProxies), 0},
		{"SlackBotToken empty", c.SlackBotToken.Reveal(), ""},
		{"AdminToken empty", c.AdminToken.Reveal(), ""},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	// The default data dir is the user cache dir + /careersbot; Load must
	// not create it.
	if filepath.Base(c.DataDir) != "careersbot" {
		t.Errorf("DataDir = %q, want a folder named careersbot", c.DataDir)
	}
	for _, e := range c.Entries() {
		if e.Source != "default" {
			t.Errorf("Entries(): %s source = %q, want default with an empty environment", e.Env, e.Source)
		}
	}
}

func TestSources(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		wantAddr   string
		wantSource string
	}{
		{"default", map[string]string{}, nil, ":8080", "default"},
		{"env", map[string]string{"CAREERSBOT_HTTP_ADDR": ":9000"}, nil, ":9000", "env"},
		{"flag over env", map[string]string{"CAREERSBOT_HTTP_ADDR": ":9000"}, []string{"--http-addr", ":7000"}, ":7000", "flag"},
		{"flag over env, = form", map[string]string{"CAREERSBOT_HTTP_ADDR": ":9000"}, []string{"--http-addr=:7000"}, ":7000", "flag"},
		{"flag over default", map[string]string{}, []string{"-http-addr", ":7000"}, ":7000", "flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			c, err := Load(mapEnv(tt.env), fs)
			if err != nil {
				t.Fatalf("Load = %v", err)
			}
			if err := fs.Parse(tt.args); err != nil {
				t.Fatalf("Parse(%q) = %v", tt.args, err)
			}
			if c.HTTPAddr != tt.wantAddr {
				t.Errorf("HTTPAddr = %q, want %q", c.HTTPAddr, tt.wantAddr)
			}
			e := entry(t, c, "CAREERSBOT_HTTP_ADDR")
			if e.Value != tt.wantAddr || e.Source != tt.wantSource {
				t.Errorf("Entries() CAREERSBOT_HTTP_ADDR = %q (%s), want %q (%s)", e.Value, e.Source, tt.wantAddr, tt.wantSource)
			}
			if e.Flag != "http-addr" {
				t.Errorf("Entries() CAREERSBOT_HTTP_ADDR flag = %q, want http-addr", e.Flag)
			}
			if err := c.Validate(); err != nil {
				t.Errorf("Validate() = %v", err)
			}
		})
	}
}

func TestCommonFlags(t *testing.T) {
	// The common flags of docs/interfaces.md section 2, each bound to its
	// variable.
	seeds, data := t.TempDir(), t.TempDir()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c, err := Load(mapEnv(map[string]string{"CAREERSBOT_SEEDS": "/env/seeds", "CAREERSBOT_DATA_DIR": "/env/data"}), fs)
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"--seeds", seeds, "--data-dir", data, "rest", "--not-a-flag"}); err != nil {
		t.Fatal(err)
	}
	if c.Seeds != seeds || c.DataDir != data {
		t.Errorf("Seeds, DataDir = %q, %q, want %q, %q", c.Seeds, c.DataDir, seeds, data)
	}
	if got := fs.Args(); !slices.Equal(got, []string{"rest", "--not-a-flag"}) {
		t.Errorf("Args() = %q", got)
	}
	for _, name := range []string{"CAREERSBOT_SEEDS", "CAREERSBOT_DATA_DIR"} {
		if e := entry(t, c, name); e.Source != "flag" {
			t.Errorf("%s source = %q, want flag", name, e.Source)
		}
	}
}

func TestVariables(t *testing.T) {
	// Every variable of docs/interfaces.md sections 2 and 5 is read.
	want := []string{
		"CAREERSBOT_SEEDS", "CAREERSBOT_DATA_DIR", "CAREERSBOT_HTTP_ADDR",
		"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL",
		"DISCORD_BOT_TOKEN", "DISCORD_APP_ID", "DISCORD_PUBLIC_KEY", "DISCORD_GUILD_ID", "DISCORD_API_URL",
		"TEAMS_APP_ID", "TEAMS_APP_PASSWORD", "TEAMS_TENANT_ID", "TEAMS_OPENID_URL", "TEAMS_TOKEN_URL",
		"OPENAI_BASE_URL", "OPENAI_API_KEY", "CAREERSBOT_LLM_MODEL", "CAREERSBOT_LLM_TIMEOUT",
		"CAREERSBOT_EMBED_MODEL", "CAREERSBOT_LOG_QUESTIONS", "CAREERSBOT_ALLOWED_ORIGINS",
		"CAREERSBOT_MAX_QUESTION_CHARS", "CAREERSBOT_MAX_CONCURRENT", "CAREERSBOT_TRUSTED_PROXIES",
		"CAREERSBOT_ADMIN_TOKEN", "CAREERSBOT_RATE_PER_MINUTE",
		"CAREERSBOT_DATABASE_URL", "CAREERSBOT_INSIGHTS_RETENTION_DAYS",
		"CAREERSBOT_SAFEGUARDING_ALERT", "CAREERSBOT_SAFEGUARDING_ALERT_TEXT",
	}
	got := Variables()
	for _, v := range want {
		if !slices.Contains(got, v) {
			t.Errorf("Variables() lacks %s", v)
		}
	}
	seen := map[string]bool{}
	for _, v := range got {
		if seen[v] {
			t.Errorf("Variables() lists %s twice", v)
		}
		seen[v] = true
	}
	// Entries lists the same variables in the same order.
	var entries []string
	for _, e := range load(t, nil).Entries() {
		entries = append(entries, e.Env)
	}
	if !slices.Equal(entries, got) {
		t.Errorf("Entries() variables = %v, want Variables() = %v", entries, got)
	}
}

const (
	teamsApp    = "5a0b6c5e-1f0e-4c84-9c2a-3b1c7d2e9f10"
	teamsTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
)

const (
	hex64     = "0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef"
	appID     = "123456789012345678"
	longToken = "0123456789abcdef-long-admin-token"
)

// TestInvalidSettings has one row a rule: the setting's problem is
// reported on one line that names the variable and says what would be
// valid. Parse errors come from Load, the rest from Validate.
func TestInvalidSettings(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		load bool     // the error comes from Load (a value that does not parse)
		want []string // substrings of the one error line
		full string   // the exact error line, when the contract fixes it
	}{
		{name: "teams without a password",
			env:  map[string]string{"TEAMS_APP_ID": teamsApp, "TEAMS_TENANT_ID": teamsTenant},
			want: []string{"TEAMS_APP_PASSWORD is not set", "client secret"}},
		{name: "teams without a tenant",
			env:  map[string]string{"TEAMS_APP_ID": teamsApp, "TEAMS_APP_PASSWORD": "pw"},
			want: []string{"TEAMS_TENANT_ID is not set", "tenant (directory) id"}},
		{name: "teams password alone",
			env:  map[string]string{"TEAMS_APP_PASSWORD": "pw", "TEAMS_TENANT_ID": teamsTenant},
			want: []string{"TEAMS_APP_ID is not set", "Microsoft App ID"}},
		{name: "teams app id not a guid",
			env:  map[string]string{"TEAMS_APP_ID": "careersbot", "TEAMS_APP_PASSWORD": "pw", "TEAMS_TENANT_ID": teamsTenant},
			want: []string{"TEAMS_APP_ID must be the Microsoft App ID, a GUID", `"careersbot"`}},
		{name: "teams tenant a domain",
			env:  map[string]string{"TEAMS_APP_ID": teamsApp, "TEAMS_APP_PASSWORD": "pw", "TEAMS_TENANT_ID": "contoso.onmicrosoft.com"},
			want: []string{"TEAMS_TENANT_ID must be the tenant (directory) id, a GUID", "Microsoft Entra ID overview"}},
		{name: "teams token url over plain http",
			env:  map[string]string{"TEAMS_APP_ID": teamsApp, "TEAMS_APP_PASSWORD": "pw", "TEAMS_TENANT_ID": teamsTenant, "TEAMS_TOKEN_URL": "http://login.example.org/t/token"},
			want: []string{"TEAMS_TOKEN_URL", "https://", "loopback"}},
		{name: "teams openid url not a url",
			env:  map[string]string{"TEAMS_APP_ID": teamsApp, "TEAMS_APP_PASSWORD": "pw", "TEAMS_TENANT_ID": teamsTenant, "TEAMS_OPENID_URL": "login.botframework.com"},
			want: []string{"TEAMS_OPENID_URL", "not an https URL"}},
		{name: "slack bot token alone",
			env:  map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"},
			full: "SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP mode) is"},
		{name: "alert to a slack channel without the bot token",
			env:  map[string]string{"CAREERSBOT_SAFEGUARDING_ALERT": "C0123456789"},
			want: []string{"CAREERSBOT_SAFEGUARDING_ALERT", "Slack channel id", "SLACK_BOT_TOKEN"}},
		{name: "alert over plain http to another host",
			env: map[string]string{"CAREERSBOT_SAFEGUARDING_ALERT": "http://hooks.example.org/x"}, load: true,
			want: []string{"CAREERSBOT_SAFEGUARDING_ALERT", "https://", "loopback"}},
		{name: "alert neither a channel nor a url",
			env: map[string]string{"CAREERSBOT_SAFEGUARDING_ALERT": "#safeguarding"}, load: true,
			want: []string{"CAREERSBOT_SAFEGUARDING_ALERT", "Slack channel id such as C0123456789", "https://"}},
		{name: "alert text without an alert",
			env:  map[string]string{"CAREERSBOT_SAFEGUARDING_ALERT_TEXT": "true"},
			want: []string{"CAREERSBOT_SAFEGUARDING_ALERT_TEXT", "CAREERSBOT_SAFEGUARDING_ALERT is not set"}},
		{name: "alert text not a bool",
			env: map[string]string{"CAREERSBOT_SAFEGUARDING_ALERT_TEXT": "yes please"}, load: true,
			want: []string{"CAREERSBOT_SAFEGUARDING_ALERT_TEXT", "true or false"}},
		{name: "a reply of spaces",
			env: map[string]string{"CAREERSBOT_SAFEGUARDING_REPLY_BULLYING": "   "}, load: true,
			want: []string{"CAREERSBOT_SAFEGUARDING_REPLY_BULLYING", "unset it"}},
		{name: "a reply too long",
			env: map[string]string{"CAREERSBOT_DISTRESS_REPLY": strings.Repeat("x", 1501)}, load: true,
			want: []string{"CAREERSBOT_DISTRESS_REPLY", "1501 characters", "under 1500"}},
		{name: "slack app token without bot token",
			env:  map[string]string{"SLACK_APP_TOKEN": "xapp-1"},
			want: []string{"SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "xoxb-"}},
		{name: "slack signing secret without bot token",
			env:  map[string]string{"SLACK_SIGNING_SECRET": "s3cr3t"},
			want: []string{"SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "xoxb-"}},
		{name: "slack bot token not xoxb-",
			env:  map[string]string{"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": "s3cr3t"},
			want: []string{"SLACK_BOT_TOKEN", "xoxb-"}},
		{name: "slack app token not xapp-",
			env:  map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"},
			want: []string{"SLACK_APP_TOKEN", "xapp-"}},
		{name: "discord public key too short",
			env:  map[string]string{"DISCORD_BOT_TOKEN": "t", "DISCORD_APP_ID": appID, "DISCORD_PUBLIC_KEY": "abc123"},
			want: []string{"DISCORD_PUBLIC_KEY must be 64 hex characters"}},
		{name: "discord public key 64 characters, not hex",
			env:  map[string]string{"DISCORD_BOT_TOKEN": "t", "DISCORD_APP_ID": appID, "DISCORD_PUBLIC_KEY": strings.Repeat("zz", 32)},
			want: []string{"DISCORD_PUBLIC_KEY must be 64 hex characters"}},
		{name: "discord public key 65 hex",
			env:  map[string]string{"DISCORD_BOT_TOKEN": "t", "DISCORD_APP_ID": appID, "DISCORD_PUBLIC_KEY": hex64 + "0"},
			want: []string{"DISCORD_PUBLIC_KEY must be 64 hex characters"}},
		{name: "discord app id not a number",
			env:  map[string]string{"DISCORD_BOT_TOKEN": "t", "DISCORD_APP_ID": "my-app"},
			want: []string{"DISCORD_APP_ID", "number"}},
		{name: "discord app id missing",
			env:  map[string]string{"DISCORD_BOT_TOKEN": "t"},
			want: []string{"DISCORD_APP_ID", "number"}},
		{name: "discord guild id not a number",
			env:  map[string]string{"DISCORD_BOT_TOKEN": "t", "DISCORD_APP_ID": appID, "DISCORD_GUILD_ID": "my guild"},
			want: []string{"DISCORD_GUILD_ID", "number"}},
		{name: "discord app id without bot token",
			env:  map[string]string{"DISCORD_APP_ID": appID},
			want: []string{"DISCORD_BOT_TOKEN", "DISCORD_"}},
		{name: "discord public key and app id without bot token",
			env:  map[string]string{"DISCORD_APP_ID": appID, "DISCORD_PUBLIC_KEY": hex64},
			want: []string{"DISCORD_BOT_TOKEN", "DISCORD_"}},
		{name: "http addr without port",
			env:  map[string]string{"CAREERSBOT_HTTP_ADDR": "localhost"},
			want: []string{"CAREERSBOT_HTTP_ADDR", `"localhost"`, ":8080"}},
		{name: "http addr port out of range",
			env:  map[string]string{"CAREERSBOT_HTTP_ADDR": ":99999"},
			want: []string{"CAREERSBOT_HTTP_ADDR", `":99999"`, "0 to 65535"}},
		{name: "http addr port not a number",
			env:  map[string]string{"CAREERSBOT_HTTP_ADDR": "localhost:port"},
			want: []string{"CAREERSBOT_HTTP_ADDR", ":8080"}},
		{name: "slack api url not a url",
			env:  map[string]string{"SLACK_API_URL": "slack.com/api"},
			want: []string{"SLACK_API_URL", "http(s) URL"}},
		{name: "slack api url ftp",
			env:  map[string]string{"SLACK_API_URL": "ftp://slack.com/api/"},
			want: []string{"SLACK_API_URL", "http(s) URL"}},
		{name: "discord api url not a url",
			env:  map[string]string{"DISCORD_API_URL": "not a url"},
			want: []string{"DISCORD_API_URL", "http(s) URL"}},
		{name: "openai base url without scheme",
			env:  map[string]string{"OPENAI_BASE_URL": "localhost:11434/v1"},
			want: []string{"OPENAI_BASE_URL", "http(s) URL"}},
		{name: "openai base url without host",
			env:  map[string]string{"OPENAI_BASE_URL": "http:///v1"},
			want: []string{"OPENAI_BASE_URL", "http(s) URL"}},
		{name: "llm timeout not a duration", load: true,
			env:  map[string]string{"CAREERSBOT_LLM_TIMEOUT": "soon"},
			want: []string{"CAREERSBOT_LLM_TIMEOUT", "positive duration", "15s", `"soon"`}},
		{name: "llm timeout negative", load: true,
			env:  map[string]string{"CAREERSBOT_LLM_TIMEOUT": "-1s"},
			want: []string{"CAREERSBOT_LLM_TIMEOUT", "positive duration", `"-1s"`}},
		{name: "llm timeout zero", load: true,
			env:  map[string]string{"CAREERSBOT_LLM_TIMEOUT": "0s"},
			want: []string{"CAREERSBOT_LLM_TIMEOUT", "positive duration"}},
		{name: "max question chars not a number", load: true,
			env:  map[string]string{"CAREERSBOT_MAX_QUESTION_CHARS": "abc"},
			want: []string{"CAREERSBOT_MAX_QUESTION_CHARS", "whole number", "1000", `"abc"`}},
		{name: "max question chars zero", load: true,
			env:  map[string]string{"CAREERSBOT_MAX_QUESTION_CHARS": "0"},
			want: []string{"CAREERSBOT_MAX_QUESTION_CHARS", "whole number", `"0"`}},
		{name: "max concurrent zero", load: true,
			env:  map[string]string{"CAREERSBOT_MAX_CONCURRENT": "0"},
			want: []string{"CAREERSBOT_MAX_CONCURRENT", "at least 1"}},
		{name: "rate per minute negative", load: true,
			env:  map[string]string{"CAREERSBOT_RATE_PER_MINUTE": "-1"},
			want: []string{"CAREERSBOT_RATE_PER_MINUTE", "whole number", "0 for no limit", `"-1"`}},
		{name: "database URL not postgres", load: true,
			env:  map[string]string{"CAREERSBOT_DATABASE_URL": "mysql://bot:hunter2@db/careers"},
			want: []string{"CAREERSBOT_DATABASE_URL", "postgres://", "mysql://bot:xxxxx@db/careers"}},
		{name: "database URL without a host", load: true,
			env:  map[string]string{"CAREERSBOT_DATABASE_URL": "postgres:///careers"},
			want: []string{"CAREERSBOT_DATABASE_URL", "postgres://careersbot:PASSWORD@"}},
		{name: "insights retention negative", load: true,
			env:  map[string]string{"CAREERSBOT_INSIGHTS_RETENTION_DAYS": "-1"},
			want: []string{"CAREERSBOT_INSIGHTS_RETENTION_DAYS", "whole number of days", "0 to record no insights", `"-1"`}},
		{name: "insights retention past ten years",
			env:  map[string]string{"CAREERSBOT_INSIGHTS_RETENTION_DAYS": "5000"},
			want: []string{"CAREERSBOT_INSIGHTS_RETENTION_DAYS", "3650"}},
		{name: "trusted proxies not an address", load: true,
			env:  map[string]string{"CAREERSBOT_TRUSTED_PROXIES": "not-an-ip"},
			want: []string{"CAREERSBOT_TRUSTED_PROXIES", "CIDRs", "10.0.0.0/8", `"not-an-ip"`}},
		{name: "trusted proxies one bad among good", load: true,
			env:  map[string]string{"CAREERSBOT_TRUSTED_PROXIES": "10.0.0.0/8, 300.1.1.1"},
			want: []string{"CAREERSBOT_TRUSTED_PROXIES", `"300.1.1.1"`}},
		{name: "allowed origins star", load: true,
			env:  map[string]string{"CAREERSBOT_ALLOWED_ORIGINS": "*"},
			want: []string{"CAREERSBOT_ALLOWED_ORIGINS", "https://", `"*"`}},
		{name: "allowed origins with a path", load: true,
			env:  map[string]string{"CAREERSBOT_ALLOWED_ORIGINS": "https://x.org/path"},
			want: []string{"CAREERSBOT_ALLOWED_ORIGINS", "no path", `"https://x.org/path"`}},
		{name: "allowed origins without scheme", load: true,
			env:  map[string]string{"CAREERSBOT_ALLOWED_ORIGINS": "x.org"},
			want: []string{"CAREERSBOT_ALLOWED_ORIGINS", "https://", `"x.org"`}},
		{name: "allowed origins with a query", load: true,
			env:  map[string]string{"CAREERSBOT_ALLOWED_ORIGINS": "https://x.org?a=1"},
			want: []string{"CAREERSBOT_ALLOWED_ORIGINS", "https://"}},
		{name: "log questions not a bool", load: true,
			env:  map[string]string{"CAREERSBOT_LOG_QUESTIONS": "maybe"},
			want: []string{"CAREERSBOT_LOG_QUESTIONS", "true or false", `"maybe"`}},
		{name: "log level unknown", load: true,
			env:  map[string]string{"CAREERSBOT_LOG_LEVEL": "loud"},
			want: []string{"CAREERSBOT_LOG_LEVEL", "debug, info, warn or error"}},
		{name: "llm model without a server",
			env:  map[string]string{"CAREERSBOT_LLM_MODEL": "gpt-4o-mini"},
			want: []string{"CAREERSBOT_LLM_MODEL", "OPENAI_BASE_URL", "OPENAI_API_KEY"}},
		{name: "embed model without a server",
			env:  map[string]string{"CAREERSBOT_EMBED_MODEL": "nomic-embed-text"},
			want: []string{"CAREERSBOT_EMBED_MODEL", "OPENAI_BASE_URL", "OPENAI_API_KEY"}},
		{name: "admin token short",
			env:  map[string]string{"CAREERSBOT_ADMIN_TOKEN": "short"},
			want: []string{"CAREERSBOT_ADMIN_TOKEN", "16"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, loadErr := Load(mapEnv(tt.env), nil)
			var err error
			if tt.load {
				err = loadErr
				if err == nil {
					t.Fatalf("Load(%v) = nil, want an error", tt.env)
				}
			} else {
				if loadErr != nil {
					t.Fatalf("Load(%v) = %v, want no error (the problem is Validate's)", tt.env, loadErr)
				}
				err = c.Validate()
				if err == nil {
					t.Fatalf("Validate() of %v = nil, want an error", tt.env)
				}
			}
			ls := lines(err)
			if len(ls) != 1 {
				t.Fatalf("error has %d lines, want 1:\n%v", len(ls), err)
			}
			if tt.full != "" && ls[0] != tt.full {
				t.Errorf("error = %q\nwant    %q", ls[0], tt.full)
			}
			for _, w := range tt.want {
				if !strings.Contains(ls[0], w) {
					t.Errorf("error %q does not contain %q", ls[0], w)
				}
			}
			// A value that does not parse leaves the default in place.
			if tt.load {
				d := load(t, nil)
				for _, e := range c.Entries() {
					if de := entry(t, d, e.Env); e.Value != de.Value && tt.env[e.Env] != "" {
						t.Errorf("after a bad %s the value is %q, want the default %q", e.Env, e.Value, de.Value)
					}
				}
			}
		})
	}
}

func TestValidSettings(t *testing.T) {
	tests := []struct {
		name        string
		env         map[string]string
		slackMode   string
		discordMode string
		check       func(t *testing.T, c *Config)
	}{
		{name: "nothing configured"},
		{name: "slack socket mode",
			env:       map[string]string{"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_APP_TOKEN": "xapp-1-A-abc"},
			slackMode: "socket"},
		{name: "slack http mode",
			env:       map[string]string{"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5"},
			slackMode: "http"},
		{name: "slack with its own api url",
			env:       map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "SLACK_API_URL": "http://127.0.0.1:9999/api/"},
			slackMode: "socket",
			check: func(t *testing.T, c *Config) {
				if c.SlackAPIURL != "http://127.0.0.1:9999/api/" {
					t.Errorf("SlackAPIURL = %q", c.SlackAPIURL)
				}
			}},
		{name: "discord gateway",
			env:         map[string]string{"DISCORD_BOT_TOKEN": "MTA.abc.def", "DISCORD_APP_ID": appID},
			discordMode: "gateway"},
		{name: "teams, single tenant",
			env: map[string]string{"TEAMS_APP_ID": teamsApp, "TEAMS_APP_PASSWORD": "s3cret~pw", "TEAMS_TENANT_ID": teamsTenant},
			check: func(t *testing.T, c *Config) {
				if !c.TeamsEnabled() || c.TeamsOpenIDURL != "https://login.botframework.com/v1/.well-known/openidconfiguration" ||
					c.TeamsTokenEndpoint() != "https://login.microsoftonline.com/"+teamsTenant+"/oauth2/v2.0/token" {
					t.Errorf("teams %v openid %q token %q", c.TeamsEnabled(), c.TeamsOpenIDURL, c.TeamsTokenEndpoint())
				}
			}},
		{name: "teams against loopback endpoints (tests)",
			env: map[string]string{"TEAMS_APP_ID": teamsApp, "TEAMS_APP_PASSWORD": "pw", "TEAMS_TENANT_ID": teamsTenant,
				"TEAMS_OPENID_URL": "http://127.0.0.1:8081/v1/.well-known/openidconfiguration", "TEAMS_TOKEN_URL": "http://localhost:8081/t/token"},
			check: func(t *testing.T, c *Config) {
				if c.TeamsTokenEndpoint() != "http://localhost:8081/t/token" {
					t.Errorf("token endpoint %q", c.TeamsTokenEndpoint())
				}
			}},
		{name: "slack bot token alone, for alerts to a channel",
			env: map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "CAREERSBOT_SAFEGUARDING_ALERT": "G0SAFEGUARD", "CAREERSBOT_SAFEGUARDING_ALERT_TEXT": "true"},
			check: func(t *testing.T, c *Config) {
				if !c.AlertIsSlack() || !c.SafeguardingAlertText || c.SlackMode() != "" {
					t.Errorf("alert %q slack %v text %v mode %q", c.SafeguardingAlert, c.AlertIsSlack(), c.SafeguardingAlertText, c.SlackMode())
				}
			}},
		{name: "alert to an https webhook, and to a loopback http one",
			env: map[string]string{"CAREERSBOT_SAFEGUARDING_ALERT": "https://hooks.example.org/services/T1/B2/s3cret"},
			check: func(t *testing.T, c *Config) {
				if c.AlertIsSlack() || c.SafeguardingAlert != "https://hooks.example.org/services/T1/B2/s3cret" {
					t.Errorf("alert %q", c.SafeguardingAlert)
				}
				for _, u := range []string{"http://127.0.0.1:9999/hook", "http://[::1]:80/", "http://localhost/x"} {
					if err := checkAlert(u); err != nil {
						t.Errorf("%s: %v", u, err)
					}
				}
			}},
		{name: "replies of each kind",
			env: map[string]string{"CAREERSBOT_SAFEGUARDING_REPLY_SUICIDE_SELF_HARM": " Call Mrs Smith on 01234 567890. ",
				"CAREERSBOT_SAFEGUARDING_REPLY_DANGER_NOW": "Call 999.", "CAREERSBOT_DISTRESS_REPLY": "See your tutor."},
			check: func(t *testing.T, c *Config) {
				want := map[string]string{"suicide_self_harm": "Call Mrs Smith on 01234 567890.", "danger_now": "Call 999."}
				if fmt.Sprint(c.SafeguardingReplies) != fmt.Sprint(want) || c.DistressReply != "See your tutor." {
					t.Errorf("replies %v, distress reply %q", c.SafeguardingReplies, c.DistressReply)
				}
			}},
		{name: "discord gateway in one guild",
			env:         map[string]string{"DISCORD_BOT_TOKEN": "MTA.abc.def", "DISCORD_APP_ID": appID, "DISCORD_GUILD_ID": "987654321098765432"},
			discordMode: "gateway"},
		{name: "discord http interactions",
			env:         map[string]string{"DISCORD_BOT_TOKEN": "MTA.abc.def", "DISCORD_APP_ID": appID, "DISCORD_PUBLIC_KEY": hex64},
			discordMode: "http"},
		{name: "slack and discord together",
			env: map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s",
				"DISCORD_BOT_TOKEN": "MTA.abc.def", "DISCORD_APP_ID": appID, "DISCORD_API_URL": "http://localhost:8081/api/v10/"},
			slackMode: "http", discordMode: "gateway"},
		{name: "trusted proxies",
			env: map[string]string{"CAREERSBOT_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.5"},
			check: func(t *testing.T, c *Config) {
				want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.5/32")}
				if !slices.Equal(c.TrustedProxies, want) {
					t.Errorf("TrustedProxies = %v, want %v", c.TrustedProxies, want)
				}
			}},
		{name: "trusted proxies ipv6",
			env: map[string]string{"CAREERSBOT_TRUSTED_PROXIES": "::1,fd00::/8"},
			check: func(t *testing.T, c *Config) {
				want := []netip.Prefix{netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("fd00::/8")}
				if !slices.Equal(c.TrustedProxies, want) {
					t.Errorf("TrustedProxies = %v, want %v", c.TrustedProxies, want)
				}
			}},
		{name: "allowed origins",
			env: map[string]string{"CAREERSBOT_ALLOWED_ORIGINS": "https://a.org,http://localhost:3000"},
			check: func(t *testing.T, c *Config) {
				want := []string{"https://a.org", "http://localhost:3000"}
				if !slices.Equal(c.AllowedOrigins, want) {
					t.Errorf("AllowedOrigins = %q, want %q", c.AllowedOrigins, want)
				}
			}},
		{name: "allowed origin with a trailing slash",
			env: map[string]string{"CAREERSBOT_ALLOWED_ORIGINS": " https://careers.example.org/ "},
			check: func(t *testing.T, c *Config) {
				if want := []string{"https://careers.example.org"}; !slices.Equal(c.AllowedOrigins, want) {
					t.Errorf("AllowedOrigins = %q, want %q", c.AllowedOrigins, want)
				}
			}},
		{name: "llm model with a local server",
			env: map[string]string{"CAREERSBOT_LLM_MODEL": "llama3", "OPENAI_BASE_URL": "http://localhost:11434/v1", "CAREERSBOT_LLM_TIMEOUT": "1m"},
			check: func(t *testing.T, c *Config) {
				if c.OpenAIURL() != "http://localhost:11434/v1" || c.LLMTimeout != time.Minute {
					t.Errorf("OpenAIURL(), LLMTimeout = %q, %v", c.OpenAIURL(), c.LLMTimeout)
				}
			}},
		{name: "llm model with only a key uses OpenAI",
			env: map[string]string{"CAREERSBOT_LLM_MODEL": "gpt-4o-mini", "OPENAI_API_KEY": "sk-test"},
			check: func(t *testing.T, c *Config) {
				if c.OpenAIURL() != DefaultOpenAIBaseURL {
					t.Errorf("OpenAIURL() = %q, want %q", c.OpenAIURL(), DefaultOpenAIBaseURL)
				}
			}},
		{name: "numbers and switches",
			env: map[string]string{"CAREERSBOT_RATE_PER_MINUTE": "0", "CAREERSBOT_MAX_QUESTION_CHARS": " 500 ", "CAREERSBOT_MAX_CONCURRENT": "3",
				"CAREERSBOT_LOG_QUESTIONS": "true", "CAREERSBOT_LOG_LEVEL": "DEBUG", "CAREERSBOT_ADMIN_TOKEN": longToken,
				"CAREERSBOT_HTTP_ADDR": "127.0.0.1:0"},
			check: func(t *testing.T, c *Config) {
				if c.RatePerMinute != 0 || c.MaxQuestionChars != 500 || c.MaxConcurrent != 3 || !c.LogQuestions || c.LogLevel != "debug" || c.AdminToken.Reveal() != longToken {
					t.Errorf("got rate %d, max chars %d, concurrent %d, log questions %v, level %q, admin %q",
						c.RatePerMinute, c.MaxQuestionChars, c.MaxConcurrent, c.LogQuestions, c.LogLevel, c.AdminToken.Reveal())
				}
			}},
		{name: "insights in PostgreSQL, kept a month",
			env: map[string]string{"CAREERSBOT_DATABASE_URL": "postgres://bot:hunter2@db.internal:5432/careers?sslmode=require",
				"CAREERSBOT_INSIGHTS_RETENTION_DAYS": "30"},
			check: func(t *testing.T, c *Config) {
				if c.DatabaseURL.Reveal() != "postgres://bot:hunter2@db.internal:5432/careers?sslmode=require" || c.InsightsRetentionDays != 30 {
					t.Errorf("database URL %q, retention %d", c.DatabaseURL.Reveal(), c.InsightsRetentionDays)
				}
				if e := entry(t, c, "CAREERSBOT_DATABASE_URL"); e.Value != "postgres://REDACTED@db.internal:5432/careers?sslmode=require" {
					t.Errorf("config shows the database URL as %q, want its password hidden", e.Value)
				}
			}},
		{name: "insights off",
			env: map[string]string{"CAREERSBOT_INSIGHTS_RETENTION_DAYS": "0"},
			check: func(t *testing.T, c *Config) {
				if c.InsightsRetentionDays != 0 || c.DatabaseURL != "" {
					t.Errorf("retention %d, database %q", c.InsightsRetentionDays, c.DatabaseURL)
				}
			}},
		{name: "ipv6 listen address",
			env: map[string]string{"CAREERSBOT_HTTP_ADDR": "[::1]:8080"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := load(t, tt.env)
			if err := c.Validate(); err != nil {
				t.Fatalf("Validate() = %v, want nil", err)
			}
			if got := c.SlackMode(); got != tt.slackMode {
				t.Errorf("SlackMode() = %q, want %q", got, tt.slackMode)
			}
			if got := c.DiscordMode(); got != tt.discordMode {
				t.Errorf("DiscordMode() = %q, want %q", got, tt.discordMode)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestSeveralProblems(t *testing.T) {
	t.Run("validate", func(t *testing.T) {
		c := load(t, map[string]string{
			"SLACK_BOT_TOKEN":        "xoxb-1",
			"DISCORD_PUBLIC_KEY":     "abc",
			"CAREERSBOT_HTTP_ADDR":   "localhost",
			"CAREERSBOT_ADMIN_TOKEN": "short",
			"SLACK_API_URL":          "slack",
		})
		err := c.Validate()
		ls := lines(err)
		// SLACK_BOT_TOKEN alone; DISCORD_PUBLIC_KEY's format, its missing
		// DISCORD_BOT_TOKEN and DISCORD_APP_ID; the address; the URL; the
		// admin token.
		for _, want := range []string{
			"SLACK_BOT_TOKEN is set but neither",
			"DISCORD_PUBLIC_KEY must be 64 hex characters",
			"DISCORD_BOT_TOKEN is not set",
			"DISCORD_APP_ID is not set",
			"CAREERSBOT_HTTP_ADDR",
			"SLACK_API_URL",
			"CAREERSBOT_ADMIN_TOKEN",
		} {
			n := 0
			for _, l := range ls {
				if strings.HasPrefix(l, want) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%d lines start with %q, want 1; error:\n%v", n, want, err)
			}
		}
		if len(ls) != 7 {
			t.Errorf("error has %d lines, want 7 (one a problem):\n%v", len(ls), err)
		}
	})
	t.Run("load", func(t *testing.T) {
		c, err := Load(mapEnv(map[string]string{
			"CAREERSBOT_MAX_QUESTION_CHARS": "abc",
			"CAREERSBOT_LLM_TIMEOUT":        "soon",
			"CAREERSBOT_LOG_QUESTIONS":      "maybe",
			"CAREERSBOT_HTTP_ADDR":          ":9000",
		}), nil)
		ls := lines(err)
		if len(ls) != 3 {
			t.Fatalf("Load error has %d lines, want 3:\n%v", len(ls), err)
		}
		for i, want := range []string{"CAREERSBOT_LLM_TIMEOUT", "CAREERSBOT_LOG_QUESTIONS", "CAREERSBOT_MAX_QUESTION_CHARS"} {
			if !strings.HasPrefix(ls[i], want) {
				t.Errorf("line %d = %q, want it to start with %s", i+1, ls[i], want)
			}
		}
		// The good values are kept, the bad ones fall back to their defaults.
		if c == nil {
			t.Fatal("Load returned no Config with its error")
		}
		if c.HTTPAddr != ":9000" || c.MaxQuestionChars != 1000 || c.LLMTimeout != 15*time.Second || c.LogQuestions {
			t.Errorf("got addr %q, max chars %d, timeout %v, log questions %v", c.HTTPAddr, c.MaxQuestionChars, c.LLMTimeout, c.LogQuestions)
		}
	})
}

// holder is a struct with a secret in it, as a caller might log or print.
type holder struct {
	Name  string
	Token Secret
}

func TestSecretRedaction(t *testing.T) {
	const value = "xoxb-very-secret-value"
	s := Secret(value)
	h := holder{Name: "slack", Token: s}

	jsonOf := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal: %v", err)
		}
		return string(b)
	}
	slogJSON := func(args ...any) string {
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("settings", args...)
		return buf.String()
	}
	slogText := func(args ...any) string {
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("settings", args...)
		return buf.String()
	}

	tests := []struct {
		name string
		got  string
		want string // a substring; "" to check only that the value is absent
	}{
		//lint:ignore S1025 the test is of what fmt's %s prints
		{"%s", fmt.Sprintf("%s", s), "REDACTED"},
		{"%v", fmt.Sprintf("%v", s), "REDACTED"},
		{"%q", fmt.Sprintf("%q", s), `"REDACTED"`},
		{"Sprint", fmt.Sprint(s), "REDACTED"},
		{"%#v", fmt.Sprintf("%#v", s), `"REDACTED"`},
		{"%v of a struct", fmt.Sprintf("%v", h), "{slack REDACTED}"},
		{"%+v of a struct", fmt.Sprintf("%+v", h), "{Name:slack Token:REDACTED}"},
		{"%#v of a struct", fmt.Sprintf("%#v", h), `Token:"REDACTED"`},
		{"%v of a pointer to a struct", fmt.Sprintf("%v", &h), "REDACTED"},
		{"%v of a slice", fmt.Sprintf("%v", []Secret{s, s}), "[REDACTED REDACTED]"},
		{"json.Marshal", jsonOf(s), `"REDACTED"`},
		{"json.Marshal of a struct", jsonOf(h), `{"Name":"slack","Token":"REDACTED"}`},
		{"slog JSON attribute", slogJSON("token", s), `"token":"REDACTED"`},
		{"slog JSON struct", slogJSON("holder", h), `"Token":"REDACTED"`},
		{"slog JSON slog.Any", slogJSON(slog.Any("token", s)), `"token":"REDACTED"`},
		{"slog text attribute", slogText("token", s), "token=REDACTED"},
		{"slog text struct", slogText("holder", h), "REDACTED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(tt.got, value) || strings.Contains(tt.got, "very-secret") {
				t.Errorf("output shows the secret: %s", tt.got)
			}
			if !strings.Contains(tt.got, tt.want) {
				t.Errorf("output = %s, want it to contain %s", tt.got, tt.want)
			}
		})
	}

	if got := s.Reveal(); got != value {
		t.Errorf("Reveal() = %q, want %q", got, value)
	}
}

func TestSecretEmpty(t *testing.T) {
	var s Secret
	for _, tt := range []struct{ name, got, want string }{
		//lint:ignore S1025 the test is of what fmt's %s prints
		{"%s", fmt.Sprintf("%s", s), ""},
		{"%v", fmt.Sprintf("%v", s), ""},
		{"%#v", fmt.Sprintf("%#v", s), `""`},
		{"json", func() string { b, _ := json.Marshal(s); return string(b) }(), `""`},
		{"Reveal", s.Reveal(), ""},
	} {
		if tt.got != tt.want {
			t.Errorf("%s of an empty secret = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestConfigRedaction(t *testing.T) {
	secrets := map[string]string{
		"SLACK_BOT_TOKEN":        "xoxb-secret-bot-value",
		"SLACK_APP_TOKEN":        "xapp-secret-app-value",
		"SLACK_SIGNING_SECRET":   "secret-signing-value",
		"DISCORD_BOT_TOKEN":      "secret-discord-value",
		"TEAMS_APP_PASSWORD":     "secret-teams-client-value",
		"OPENAI_API_KEY":         "sk-secret-openai-value",
		"CAREERSBOT_ADMIN_TOKEN": "secret-admin-value-0123456789",
	}
	c := load(t, secrets)

	// Entries: secrets are flagged and REDACTED, non-secrets shown.
	for _, e := range c.Entries() {
		if _, isSecret := secrets[e.Env]; isSecret {
			if !e.Secret || e.Value != Redacted || e.Source != "env" {
				t.Errorf("Entries() %s = %+v, want a secret shown as %s from env", e.Env, e, Redacted)
			}
		} else if e.Secret && e.Value != "" {
			t.Errorf("Entries() %s is a secret with value %q, want it unset", e.Env, e.Value)
		}
	}
	if e := entry(t, load(t, nil), "SLACK_BOT_TOKEN"); e.Value != "" || !e.Secret {
		t.Errorf("Entries() of an unset secret = %+v, want an empty value", e)
	}

	// The whole Config printed or marshalled shows none of them.
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "config", c)
	outputs := map[string]string{
		"%v":    fmt.Sprintf("%v", c),
		"%+v":   fmt.Sprintf("%+v", *c),
		"%#v":   fmt.Sprintf("%#v", *c),
		"json":  func() string { b, _ := json.Marshal(c); return string(b) }(),
		"slog":  logged.String(),
		"entry": fmt.Sprintf("%+v", c.Entries()),
	}
	for how, out := range outputs {
		for name, v := range secrets {
			if strings.Contains(out, v) {
				t.Errorf("%s of the Config shows %s: %s", how, name, out)
			}
		}
		if !strings.Contains(out, Redacted) {
			t.Errorf("%s of the Config shows no %s: %s", how, Redacted, out)
		}
	}
	// The code that sends them gets them.
	if c.SlackBotToken.Reveal() != secrets["SLACK_BOT_TOKEN"] || c.OpenAIAPIKey.Reveal() != secrets["OPENAI_API_KEY"] {
		t.Errorf("Reveal() does not give the configured values")
	}
}

func TestValidateEmptyDataDir(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c, err := Load(mapEnv(nil), fs)
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"--data-dir", ""}); err != nil {
		t.Fatal(err)
	}
	err = c.Validate()
	if ls := lines(err); len(ls) != 1 || !strings.Contains(ls[0], "CAREERSBOT_DATA_DIR") || !strings.Contains(ls[0], "writable folder") {
		t.Errorf("Validate() with an empty data dir = %v, want one line naming CAREERSBOT_DATA_DIR", err)
	}
}

func TestAllowedOriginsRejectNonOrigins(t *testing.T) {
	for _, o := range []string{"https://a.org#frag", "https://user:pw@a.org", "https://a.org?"} {
		_, err := Load(mapEnv(map[string]string{"CAREERSBOT_ALLOWED_ORIGINS": o}), nil)
		if err == nil || !strings.Contains(err.Error(), "CAREERSBOT_ALLOWED_ORIGINS") {
			t.Errorf("CAREERSBOT_ALLOWED_ORIGINS=%q: Load error = %v, want one naming the variable", o, err)
		}
	}
}

// `careersbot config` shows a webhook's host, never its secret path.
func TestAlertRedaction(t *testing.T) {
	c := load(t, map[string]string{"CAREERSBOT_SAFEGUARDING_ALERT": "https://hooks.example.org/services/T1/B2/s3cret"})
	e := entry(t, c, "CAREERSBOT_SAFEGUARDING_ALERT")
	if e.Value != "https://hooks.example.org/"+Redacted || strings.Contains(e.Value, "s3cret") {
		t.Errorf("shown as %q", e.Value)
	}
	c = load(t, map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "CAREERSBOT_SAFEGUARDING_ALERT": "C0123456789"})
	if e := entry(t, c, "CAREERSBOT_SAFEGUARDING_ALERT"); e.Value != "C0123456789" {
		t.Errorf("a channel id shown as %q", e.Value)
	}
	if err := checkAlert("https://user:pw@hooks.example.org/x"); err == nil || strings.Contains(err.Error(), "pw") {
		t.Errorf("a URL with credentials: %v", err)
	}
}
