package config

import (
	"strings"
	"testing"
	"time"
)

// TestStateBoundsDefaults: every store and queue is bounded by default.
func TestStateBoundsDefaults(t *testing.T) {
	c := load(t, nil)
	for _, ch := range []struct {
		name      string
		got, want any
	}{
		{"BreakerFailures", c.BreakerFailures, 3},
		{"BreakerCooldown", c.BreakerCooldown, 30 * time.Second},
		{"MemoryMax", c.MemoryMax, 10000},
		{"MemoryTTL", c.MemoryTTL, 24 * time.Hour},
		{"DedupeMax", c.DedupeMax, 100000},
		{"SharesMax", c.SharesMax, 1000},
		{"PendingMax", c.PendingMax, 256},
		{"RateUsersMax", c.RateUsersMax, 100000},
	} {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	if e := entry(t, c, "CAREERSBOT_MEMORY_TTL"); e.Value != "24h" {
		t.Errorf("CAREERSBOT_MEMORY_TTL shows %q, want 24h", e.Value)
	}
}

// TestStateBoundsInvalid: a bad bound is one line naming the variable and
// the valid range.
func TestStateBoundsInvalid(t *testing.T) {
	for _, tc := range []struct {
		env, val string
		want     []string
	}{
		{"CAREERSBOT_MEMORY_MAX", "0", []string{"from 1 to 10000000"}},
		{"CAREERSBOT_MEMORY_MAX", "lots", []string{"whole number"}},
		{"CAREERSBOT_MEMORY_TTL", "48h", []string{"from 1m to 24h"}},
		{"CAREERSBOT_MEMORY_TTL", "forever", []string{"duration"}},
		{"CAREERSBOT_DEDUPE_MAX", "100000000", []string{"10000000"}},
		{"CAREERSBOT_SHARES_MAX", "-1", []string{"from 1"}},
		{"CAREERSBOT_PENDING_MAX", "0", []string{"from 1 to 100000"}},
		{"CAREERSBOT_RATE_USERS_MAX", "0", []string{"from 1"}},
		{"CAREERSBOT_LLM_BREAKER_FAILURES", "0", []string{"from 1 to 100"}},
		{"CAREERSBOT_LLM_BREAKER_COOLDOWN", "10ms", []string{"from 1s to 1h"}},
	} {
		t.Run(tc.env+"="+tc.val, func(t *testing.T) {
			_, err := Load(mapEnv(map[string]string{tc.env: tc.val}), nil)
			ls := lines(err)
			if len(ls) != 1 || !strings.HasPrefix(ls[0], tc.env+" ") {
				t.Fatalf("error %v, want one line naming %s", err, tc.env)
			}
			for _, w := range tc.want {
				if !strings.Contains(ls[0], w) {
					t.Errorf("error %q lacks %q", ls[0], w)
				}
			}
		})
	}
}

func TestRedactUserinfo(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"http://user:pw@proxy.example.org:3128/v1", "http://REDACTED@proxy.example.org:3128/v1"},
		{"https://token@api.example.org/", "https://REDACTED@api.example.org/"},
		{"http://localhost:11434/v1", "http://localhost:11434/v1"},
		{"https://slack.com/api/", "https://slack.com/api/"},
		{"someone@example.org", "someone@example.org"}, // not a URL
		{"http://us%zzer:pw@host/v1", "http://REDACTED@host/v1"},
	} {
		if got := RedactUserinfo(tc.in); got != tc.want {
			t.Errorf("RedactUserinfo(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestConfigRedactsURLUserinfo: credentials in a base URL are shown by
// neither the settings list (careersbot config) nor a validation error.
func TestConfigRedactsURLUserinfo(t *testing.T) {
	c := load(t, map[string]string{
		"OPENAI_BASE_URL": "http://user:hunter2@localhost:11434/v1",
		"SLACK_API_URL":   "https://bot:s3cret@slack-proxy.example.org/api/",
	})
	for _, env := range []string{"OPENAI_BASE_URL", "SLACK_API_URL"} {
		e := entry(t, c, env)
		if strings.Contains(e.Value, "hunter2") || strings.Contains(e.Value, "s3cret") || !strings.Contains(e.Value, Redacted+"@") {
			t.Errorf("%s shows %q", env, e.Value)
		}
	}
	if c.OpenAIBaseURL != "http://user:hunter2@localhost:11434/v1" {
		t.Errorf("the client's URL lost its credentials: %q", c.OpenAIBaseURL)
	}
	bad := load(t, map[string]string{"DISCORD_API_URL": "ftp://u:topsecret@discord.example.org/"})
	err := bad.Validate()
	if err == nil || strings.Contains(err.Error(), "topsecret") || !strings.Contains(err.Error(), "DISCORD_API_URL") {
		t.Errorf("Validate() = %v, want DISCORD_API_URL named without its password", err)
	}
}
