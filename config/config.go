// Package config holds every setting of careersbot in one place: read once
// in main from the environment and flags (flags win), validated at start,
// and handed down as plain values. No other package reads the environment.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Config is every setting. Zero values mean "off" or "default".
type Config struct {
	Seeds    string // folder of seed documents; "" uses the built-in corpus
	DataDir  string // where the persisted index and catalogue live
	HTTPAddr string

	SlackBotToken      Secret
	SlackAppToken      Secret
	SlackSigningSecret Secret
	SlackAPIURL        string

	DiscordBotToken  Secret
	DiscordAppID     string
	DiscordPublicKey string
	DiscordGuildID   string
	DiscordAPIURL    string

	TeamsAppID       string
	TeamsAppPassword Secret
	TeamsTenantID    string
	TeamsOpenIDURL   string
	TeamsTokenURL    string // "": Microsoft Entra's endpoint of TeamsTenantID

	OpenAIBaseURL string
	OpenAIAPIKey  Secret
	LLMModel      string
	LLMTimeout    time.Duration
	EmbedModel    string

	LogQuestions     bool
	LogLevel         string
	AllowedOrigins   []string
	MaxQuestionChars int
	MaxConcurrent    int
	TrustedProxies   []netip.Prefix
	AdminToken       Secret
	RatePerMinute    int
	DistressReply    string

	// DatabaseURL is a postgres:// URL shared by replicas, holding the
	// state between messages and insights; "" keeps state in memory and
	// insights in SQLite in the data dir.
	DatabaseURL Secret
	// InsightsRetentionDays is how long insight events are kept; 0 turns
	// insights off.
	InsightsRetentionDays int

	// The model server's circuit breaker: BreakerFailures consecutive
	// failures open it for BreakerCooldown, then one probe is let through.
	BreakerFailures int
	BreakerCooldown time.Duration

	// Bounds of the state kept between messages (each an LRU with a TTL)
	// and of the work acknowledged to a platform and not yet answered.
	MemoryMax    int           // conversations whose occupation is remembered
	MemoryTTL    time.Duration // how long one is remembered
	DedupeMax    int           // event, command and interaction ids remembered
	SharesMax    int           // Slack /careers answers kept for the share button
	PendingMax   int           // acknowledged questions not yet answered, per adapter
	RateUsersMax int           // users whose rate allowance is tracked

	// SafeguardingReplies are the replies set for each kind (keys are
	// SafeguardingReplyKeys); a missing key keeps the built-in text.
	SafeguardingReplies map[string]string
	// SafeguardingAlert is "" (off), a Slack channel id, or a webhook URL.
	SafeguardingAlert     string
	SafeguardingAlertText bool

	// sources records where each setting came from: default, env or flag.
	sources map[string]string
}

// Default URLs of the platforms.
const (
	DefaultSlackAPIURL   = "https://slack.com/api/"
	DefaultDiscordAPIURL = "https://discord.com/api/v10/"
	// DefaultTeamsOpenIDURL is the Bot Framework's OpenID metadata for
	// the tokens the Bot Connector sends (public cloud).
	DefaultTeamsOpenIDURL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
	// teamsTokenURLPattern is Microsoft Entra's token endpoint of a tenant.
	teamsTokenURLPattern = "https://login.microsoftonline.com/%s/oauth2/v2.0/token"
	DefaultOpenAIBaseURL = "https://api.openai.com/v1"
)

// setting describes one setting: its variable, its flag (if any), its
// default, how to read it and how to show it.
type setting struct {
	env    string
	flag   string
	def    func() string
	help   string
	secret bool
	set    func(c *Config, v string) error
	get    func(c *Config) string
}

func constant(s string) func() string { return func() string { return s } }

// settings is the one table of every setting, in the README's order.
var settings = []setting{
	{env: "CAREERSBOT_SEEDS", flag: "seeds", def: constant(""), help: "folder of seed documents (*.txt page format, *.jsonl catalogue) to use instead of the built-in corpus",
		set: func(c *Config, v string) error { c.Seeds = v; return nil }, get: func(c *Config) string { return c.Seeds }},
	{env: "CAREERSBOT_DATA_DIR", flag: "data-dir", def: defaultDataDir, help: "where the persisted index and the imported catalogue live",
		set: func(c *Config, v string) error { c.DataDir = v; return nil }, get: func(c *Config) string { return c.DataDir }},
	{env: "CAREERSBOT_HTTP_ADDR", flag: "http-addr", def: constant(":8080"), help: "serve's listen address",
		set: func(c *Config, v string) error { c.HTTPAddr = v; return nil }, get: func(c *Config) string { return c.HTTPAddr }},
	{env: "SLACK_BOT_TOKEN", def: constant(""), secret: true, help: "xoxb-... bot token; with SLACK_APP_TOKEN Socket Mode, with SLACK_SIGNING_SECRET HTTP mode",
		set: func(c *Config, v string) error { c.SlackBotToken = Secret(v); return nil }, get: func(c *Config) string { return string(c.SlackBotToken) }},
	{env: "SLACK_APP_TOKEN", def: constant(""), secret: true, help: "xapp-... app-level token for Socket Mode",
		set: func(c *Config, v string) error { c.SlackAppToken = Secret(v); return nil }, get: func(c *Config) string { return string(c.SlackAppToken) }},
	{env: "SLACK_SIGNING_SECRET", def: constant(""), secret: true, help: "signing secret for Slack's HTTP mode",
		set: func(c *Config, v string) error { c.SlackSigningSecret = Secret(v); return nil }, get: func(c *Config) string { return string(c.SlackSigningSecret) }},
	{env: "SLACK_API_URL", def: constant(DefaultSlackAPIURL), help: "Slack Web API base (proxies, tests)",
		set: func(c *Config, v string) error { c.SlackAPIURL = v; return nil }, get: func(c *Config) string { return c.SlackAPIURL }},
	{env: "DISCORD_BOT_TOKEN", def: constant(""), secret: true, help: "Discord bot token",
		set: func(c *Config, v string) error { c.DiscordBotToken = Secret(v); return nil }, get: func(c *Config) string { return string(c.DiscordBotToken) }},
	{env: "DISCORD_APP_ID", def: constant(""), help: "Discord application id",
		set: func(c *Config, v string) error { c.DiscordAppID = v; return nil }, get: func(c *Config) string { return c.DiscordAppID }},
	{env: "DISCORD_PUBLIC_KEY", def: constant(""), help: "hex Ed25519 public key: HTTP interactions at /discord/interactions instead of the gateway",
		set: func(c *Config, v string) error { c.DiscordPublicKey = v; return nil }, get: func(c *Config) string { return c.DiscordPublicKey }},
	{env: "DISCORD_GUILD_ID", def: constant(""), help: "register commands in this guild only (instant) instead of globally",
		set: func(c *Config, v string) error { c.DiscordGuildID = v; return nil }, get: func(c *Config) string { return c.DiscordGuildID }},
	{env: "DISCORD_API_URL", def: constant(DefaultDiscordAPIURL), help: "Discord REST base (proxies, tests)",
		set: func(c *Config, v string) error { c.DiscordAPIURL = v; return nil }, get: func(c *Config) string { return c.DiscordAPIURL }},
	{env: "TEAMS_APP_ID", def: constant(""), help: "the Azure Bot's Microsoft App ID (a GUID): turns on Microsoft Teams at /teams/messages",
		set: func(c *Config, v string) error { c.TeamsAppID = strings.TrimSpace(v); return nil }, get: func(c *Config) string { return c.TeamsAppID }},
	{env: "TEAMS_APP_PASSWORD", def: constant(""), secret: true, help: "the app registration's client secret",
		set: func(c *Config, v string) error { c.TeamsAppPassword = Secret(v); return nil }, get: func(c *Config) string { return string(c.TeamsAppPassword) }},
	{env: "TEAMS_TENANT_ID", def: constant(""), help: "the Microsoft Entra tenant (directory) id the single-tenant bot belongs to (a GUID)",
		set: func(c *Config, v string) error { c.TeamsTenantID = strings.TrimSpace(v); return nil }, get: func(c *Config) string { return c.TeamsTenantID }},
	{env: "TEAMS_OPENID_URL", def: constant(DefaultTeamsOpenIDURL), help: "the Bot Framework's OpenID metadata (tests, sovereign clouds)",
		set: func(c *Config, v string) error { c.TeamsOpenIDURL = strings.TrimSpace(v); return nil }, get: func(c *Config) string { return c.TeamsOpenIDURL }},
	{env: "TEAMS_TOKEN_URL", def: constant(""), help: "the token endpoint for the bot's client credentials; unset: https://login.microsoftonline.com/TEAMS_TENANT_ID/oauth2/v2.0/token (tests, sovereign clouds)",
		set: func(c *Config, v string) error { c.TeamsTokenURL = strings.TrimSpace(v); return nil }, get: func(c *Config) string { return c.TeamsTokenURL }},
	{env: "OPENAI_BASE_URL", def: constant(""), help: "OpenAI-compatible server, version path included (https://api.openai.com/v1, http://localhost:11434/v1)",
		set: func(c *Config, v string) error { c.OpenAIBaseURL = v; return nil }, get: func(c *Config) string { return c.OpenAIBaseURL }},
	{env: "OPENAI_API_KEY", def: constant(""), secret: true, help: "API key for that server",
		set: func(c *Config, v string) error { c.OpenAIAPIKey = Secret(v); return nil }, get: func(c *Config) string { return string(c.OpenAIAPIKey) }},
	{env: "CAREERSBOT_LLM_MODEL", def: constant(""), help: "model for generated answers; unset: extractive answers only",
		set: func(c *Config, v string) error { c.LLMModel = v; return nil }, get: func(c *Config) string { return c.LLMModel }},
	{env: "CAREERSBOT_LLM_TIMEOUT", def: constant("15s"), help: "how long to wait for a generated answer before the extractive one",
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil || d <= 0 {
				return fmt.Errorf("must be a positive duration such as 15s or 1m, got %q", v)
			}
			c.LLMTimeout = d
			return nil
		}, get: func(c *Config) string { return c.LLMTimeout.String() }},
	{env: "CAREERSBOT_EMBED_MODEL", def: constant(""), help: "remote embedding model on that server instead of the built-in embedder",
		set: func(c *Config, v string) error { c.EmbedModel = v; return nil }, get: func(c *Config) string { return c.EmbedModel }},
	{env: "CAREERSBOT_LOG_QUESTIONS", def: constant("false"), help: "true to log question text (off by default)",
		set: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("must be true or false, got %q", v)
			}
			c.LogQuestions = b
			return nil
		}, get: func(c *Config) string { return strconv.FormatBool(c.LogQuestions) }},
	{env: "CAREERSBOT_LOG_LEVEL", def: constant("info"), help: "debug, info, warn or error",
		set: func(c *Config, v string) error {
			switch strings.ToLower(v) {
			case "debug", "info", "warn", "error":
				c.LogLevel = strings.ToLower(v)
				return nil
			}
			return fmt.Errorf("must be debug, info, warn or error, got %q", v)
		}, get: func(c *Config) string { return c.LogLevel }},
	{env: "CAREERSBOT_ALLOWED_ORIGINS", def: constant(""), help: "comma-separated origins whose pages may call /v1/ask from a browser (CORS)",
		set: func(c *Config, v string) error {
			c.AllowedOrigins = nil
			for _, o := range splitList(v) {
				if err := checkOrigin(o); err != nil {
					return err
				}
				c.AllowedOrigins = append(c.AllowedOrigins, strings.TrimSuffix(o, "/"))
			}
			return nil
		}, get: func(c *Config) string { return strings.Join(c.AllowedOrigins, ",") }},
	{env: "CAREERSBOT_MAX_QUESTION_CHARS", def: constant("1000"), help: "longest question accepted, in characters",
		set: intSetter(func(c *Config) *int { return &c.MaxQuestionChars }, 1, "a whole number of characters such as 1000"),
		get: func(c *Config) string { return strconv.Itoa(c.MaxQuestionChars) }},
	{env: "CAREERSBOT_MAX_CONCURRENT", def: func() string { return strconv.Itoa(2 * runtime.NumCPU()) }, help: "answers worked on at once (default: twice the CPUs); the rest wait briefly, then get \"busy\"",
		set: intSetter(func(c *Config) *int { return &c.MaxConcurrent }, 1, "a whole number of at least 1 such as 8"),
		get: func(c *Config) string { return strconv.Itoa(c.MaxConcurrent) }},
	{env: "CAREERSBOT_TRUSTED_PROXIES", def: constant(""), help: "comma-separated addresses or CIDRs whose X-Forwarded-For names the client",
		set: func(c *Config, v string) error {
			c.TrustedProxies = nil
			for _, s := range splitList(v) {
				p, err := parsePrefix(s)
				if err != nil {
					return err
				}
				c.TrustedProxies = append(c.TrustedProxies, p)
			}
			return nil
		}, get: func(c *Config) string {
			var out []string
			for _, p := range c.TrustedProxies {
				out = append(out, p.String())
			}
			return strings.Join(out, ",")
		}},
	{env: "CAREERSBOT_ADMIN_TOKEN", def: constant(""), secret: true, help: "enables POST /admin/reload with Authorization: Bearer <token>, and the /insights page",
		set: func(c *Config, v string) error { c.AdminToken = Secret(v); return nil }, get: func(c *Config) string { return string(c.AdminToken) }},
	{env: "CAREERSBOT_RATE_PER_MINUTE", def: constant("20"), help: "questions a user may ask a minute; 0 turns the limit off",
		set: intSetter(func(c *Config) *int { return &c.RatePerMinute }, 0, "a whole number such as 20, or 0 for no limit"),
		get: func(c *Config) string { return strconv.Itoa(c.RatePerMinute) }},
	{env: "CAREERSBOT_DATABASE_URL", def: constant(""), help: "postgres:// URL of a PostgreSQL shared by replicas: the state between messages (dedupe, conversation context, rate limits, Slack shares) and insights go there; unset: state in memory, insights in SQLite in the data dir",
		set: func(c *Config, v string) error {
			v = strings.TrimSpace(v)
			if err := checkDatabaseURL(v); err != nil {
				return err
			}
			c.DatabaseURL = Secret(v)
			return nil
		}, get: func(c *Config) string { return redactPassword(string(c.DatabaseURL)) }},
	{env: "CAREERSBOT_INSIGHTS_RETENTION_DAYS", def: constant("90"), help: "days insight events are kept before the sweep deletes them; 0 records none",
		set: intSetter(func(c *Config) *int { return &c.InsightsRetentionDays }, 0, "a whole number of days such as 90, or 0 to record no insights"),
		get: func(c *Config) string { return strconv.Itoa(c.InsightsRetentionDays) }},
	{env: "CAREERSBOT_LLM_BREAKER_FAILURES", def: constant("3"), help: "consecutive failures of the model server (chat or embeddings) that open its circuit: answers are extractive and questions ranked lexically at once until a probe succeeds",
		set: intRange(func(c *Config) *int { return &c.BreakerFailures }, 1, 100, "a whole number from 1 to 100 such as 3"),
		get: func(c *Config) string { return strconv.Itoa(c.BreakerFailures) }},
	{env: "CAREERSBOT_LLM_BREAKER_COOLDOWN", def: constant("30s"), help: "how long an open circuit fails fast before one probe request is let through",
		set: durationRange(func(c *Config) *time.Duration { return &c.BreakerCooldown }, time.Second, time.Hour),
		get: func(c *Config) string { return short(c.BreakerCooldown) }},
	{env: "CAREERSBOT_MEMORY_MAX", def: constant("10000"), help: "conversations whose occupation is remembered for follow-ups; past it the least recently used is forgotten",
		set: intRange(func(c *Config) *int { return &c.MemoryMax }, 1, maxEntries, "a whole number from 1 to 10000000 such as 10000"),
		get: func(c *Config) string { return strconv.Itoa(c.MemoryMax) }},
	{env: "CAREERSBOT_MEMORY_TTL", def: constant("24h"), help: "how long a conversation's occupation is remembered (at most 24h: nothing about a user outlives a day)",
		set: durationRange(func(c *Config) *time.Duration { return &c.MemoryTTL }, time.Minute, 24*time.Hour),
		get: func(c *Config) string { return short(c.MemoryTTL) }},
	{env: "CAREERSBOT_DEDUPE_MAX", def: constant("100000"), help: "ids of Slack events, slash commands and button presses and of Discord interactions remembered (for an hour) so that a resend or replay is answered once",
		set: intRange(func(c *Config) *int { return &c.DedupeMax }, 1, maxEntries, "a whole number from 1 to 10000000 such as 100000"),
		get: func(c *Config) string { return strconv.Itoa(c.DedupeMax) }},
	{env: "CAREERSBOT_SHARES_MAX", def: constant("1000"), help: "Slack /careers answers kept (for 30 minutes) for their share button; past it the oldest can no longer be shared",
		set: intRange(func(c *Config) *int { return &c.SharesMax }, 1, maxEntries, "a whole number from 1 to 10000000 such as 1000"),
		get: func(c *Config) string { return strconv.Itoa(c.SharesMax) }},
	{env: "CAREERSBOT_PENDING_MAX", def: constant("256"), help: "questions a platform adapter has acknowledged and not yet answered; past it a question gets \"busy, try again\" at once",
		set: intRange(func(c *Config) *int { return &c.PendingMax }, 1, 100000, "a whole number from 1 to 100000 such as 256"),
		get: func(c *Config) string { return strconv.Itoa(c.PendingMax) }},
	{env: "CAREERSBOT_RATE_USERS_MAX", def: constant("100000"), help: "users whose rate allowance is tracked; past it the least recently active starts afresh",
		set: intRange(func(c *Config) *int { return &c.RateUsersMax }, 1, maxEntries, "a whole number from 1 to 10000000 such as 100000"),
		get: func(c *Config) string { return strconv.Itoa(c.RateUsersMax) }},
	{env: "CAREERSBOT_DISTRESS_REPLY", def: constant(""), help: "one reply to every message showing distress, replacing the built-in reply of each kind that has no CAREERSBOT_SAFEGUARDING_REPLY_* of its own",
		set: func(c *Config, v string) error {
			if err := checkReply(v); err != nil {
				return err
			}
			c.DistressReply = strings.TrimSpace(v)
			return nil
		}, get: func(c *Config) string { return c.DistressReply }},
}

// SafeguardingReplyKeys are the kinds of distress whose reply can be set,
// each with CAREERSBOT_SAFEGUARDING_REPLY_<KEY in capitals>; "danger_now" is
// the line put first when the danger is now. They match the bot's kinds.
var SafeguardingReplyKeys = []struct{ Key, Help string }{
	{"suicide_self_harm", "the reply to suicide or self-harm (default: Samaritans, Shout, Childline, a trusted adult, 999)"},
	{"abuse_home", "the reply to abuse or not being safe at home (default: a trusted adult, Childline, NSPCC for adults, 999)"},
	{"online_exploitation", "the reply to online exploitation or grooming (default: a trusted adult, Childline, NSPCC for adults, 999)"},
	{"forced_crime", "the reply to being forced into crime (default: a trusted adult, Childline, 999)"},
	{"homeless", "the reply to being homeless or thrown out (default: a trusted adult, the council, Childline, 999)"},
	{"bullying", "the reply to bullying (default: a trusted adult, Childline, Shout, 999)"},
	{"distress", "the reply to not coping, or danger with no other kind said (default: a trusted adult, Shout, Samaritans, Childline, 999)"},
	{"danger_now", "the line put first when the danger is now (default: call 999 now)"},
}

// maxReplyChars bounds a safeguarding reply: it must fit one Slack or
// Discord message with the danger-now line.
const maxReplyChars = 1500

func checkReply(v string) error {
	if v == "" {
		return nil
	}
	if strings.TrimSpace(v) == "" {
		return errors.New("is only spaces: unset it to keep the built-in reply")
	}
	if n := utf8.RuneCountInString(v); n > maxReplyChars {
		return fmt.Errorf("is %d characters: keep a reply under %d, short enough to read in a crisis", n, maxReplyChars)
	}
	return nil
}

func init() {
	for _, k := range SafeguardingReplyKeys {
		settings = append(settings, setting{
			env: "CAREERSBOT_SAFEGUARDING_REPLY_" + strings.ToUpper(k.Key), def: constant(""), help: k.Help,
			set: func(c *Config, v string) error {
				if err := checkReply(v); err != nil {
					return err
				}
				if c.SafeguardingReplies == nil {
					c.SafeguardingReplies = map[string]string{}
				}
				if v = strings.TrimSpace(v); v == "" {
					delete(c.SafeguardingReplies, k.Key)
				} else {
					c.SafeguardingReplies[k.Key] = v
				}
				return nil
			},
			get: func(c *Config) string { return c.SafeguardingReplies[k.Key] },
		})
	}
	settings = append(settings,
		setting{env: "CAREERSBOT_SAFEGUARDING_ALERT", def: constant(""), help: "tell the safeguarding lead when a message shows distress: a Slack channel id (posted with SLACK_BOT_TOKEN) or an https webhook URL; unset: no alert",
			set: func(c *Config, v string) error {
				v = strings.TrimSpace(v)
				if err := checkAlert(v); err != nil {
					return err
				}
				c.SafeguardingAlert = v
				return nil
			}, get: func(c *Config) string { return redactURL(c.SafeguardingAlert) }},
		setting{env: "CAREERSBOT_SAFEGUARDING_ALERT_TEXT", def: constant("false"), help: "true to put the learner's message in that alert (off: platform, channel, user id and kind only)",
			set: func(c *Config, v string) error {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return fmt.Errorf("must be true or false, got %q", v)
				}
				c.SafeguardingAlertText = b
				return nil
			}, get: func(c *Config) string { return strconv.FormatBool(c.SafeguardingAlertText) }},
	)
}

// reSlackChannel is a Slack conversation id: public (C), private (G) or
// direct (D).
var reSlackChannel = regexp.MustCompile(`^[CGD][A-Z0-9]{6,20}$`)

// AlertIsSlack reports whether the alert goes to a Slack channel.
func (c *Config) AlertIsSlack() bool { return reSlackChannel.MatchString(c.SafeguardingAlert) }

// checkAlert accepts a Slack channel id, an https URL, or an http URL to a
// loopback address (tests and a relay on the same host): an alert names a
// child and what they said, so it never crosses a network in clear.
func checkAlert(v string) error {
	if v == "" || reSlackChannel.MatchString(v) {
		return nil
	}
	const want = "must be a Slack channel id such as C0123456789, or an https:// webhook URL"
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || u.User != nil {
		return fmt.Errorf("%s, got %q", want, redactURL(v))
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("is plain http to %s: use https:// (plain http only to a loopback address such as 127.0.0.1, for tests)", u.Hostname())
	}
	return fmt.Errorf("%s, got %q", want, redactURL(v))
}

// checkDatabaseURL accepts "" or a postgres:// (postgresql://) URL with a
// host, or with a socket folder as its host parameter.
func checkDatabaseURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || (u.Host == "" && u.Query().Get("host") == "") {
		return fmt.Errorf("must be a postgres:// URL such as postgres://careersbot:PASSWORD@db.internal:5432/careersbot, got %q", redactPassword(v))
	}
	return nil
}

// redactPassword shows a URL without its password.
func redactPassword(v string) string {
	u, err := url.Parse(v)
	if err != nil {
		return Redacted
	}
	return u.Redacted()
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// redactURL shows a webhook URL's scheme and host only: its path often
// holds the webhook's secret.
func redactURL(v string) string {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return v
	}
	if u.Path == "" && u.RawQuery == "" {
		return u.Scheme + "://" + u.Host
	}
	return u.Scheme + "://" + u.Host + "/" + Redacted
}

// maxEntries bounds the size settings of the stores: far above any need,
// low enough that a typo of extra digits is caught.
const maxEntries = 10_000_000

// intRange reads a whole number from lo to hi.
func intRange(field func(*Config) *int, lo, hi int, want string) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("must be %s, got %q", want, v)
		}
		*field(c) = n
		return nil
	}
}

// durationRange reads a duration from lo to hi.
func durationRange(field func(*Config) *time.Duration, lo, hi time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d < lo || d > hi {
			return fmt.Errorf("must be a duration from %s to %s such as %s, got %q", short(lo), short(hi), short(hi/2), v)
		}
		*field(c) = d
		return nil
	}
}

// short prints a whole duration without its zero parts: 24h, not 24h0m0s.
func short(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// RedactUserinfo hides the user name and password of a URL
// (http://user:pw@host/v1 prints as http://REDACTED@host/v1): a proxy's
// credentials put in a base URL are as secret as a token. Anything that is
// not such a URL is returned as it is.
func RedactUserinfo(v string) string {
	if !strings.Contains(v, "@") || !strings.Contains(v, "://") {
		return v
	}
	u, err := url.Parse(v)
	if err != nil {
		// Unparseable, yet it may still hold credentials: keep the
		// scheme, hide up to the last @ of the authority.
		scheme, rest, _ := strings.Cut(v, "://")
		authority, path, _ := strings.Cut(rest, "/")
		if i := strings.LastIndex(authority, "@"); i >= 0 {
			authority = Redacted + authority[i:]
		}
		if path != "" {
			path = "/" + path
		}
		return scheme + "://" + authority + path
	}
	if u.User == nil {
		return v
	}
	u.User = url.User(Redacted)
	return u.String()
}

func intSetter(field func(*Config) *int, minimum int, want string) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < minimum {
			return fmt.Errorf("must be %s, got %q", want, v)
		}
		*field(c) = n
		return nil
	}
}

func defaultDataDir() string {
	dir, err := os.UserCacheDir()
	if err != nil || dir == "" {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "careersbot")
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func checkOrigin(o string) error {
	if o == "*" {
		return errors.New(`must list origins such as https://careers.example.org; "*" would let any site use the bot`)
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(o, "#") || u.User != nil || u.Opaque != "" {
		return fmt.Errorf("must be comma-separated origins such as https://careers.example.org (scheme and host, no path), got %q", o)
	}
	return nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	return netip.Prefix{}, fmt.Errorf("must be comma-separated addresses or CIDRs such as 10.0.0.0/8,192.168.1.5, got %q", s)
}

// Load reads every setting from the environment (getenv) over the defaults,
// then binds the common flags to fs (only those named, when some are) so
// that parsing fs overrides them. It returns the problems of the
// environment, one line each, joined.
func Load(getenv func(string) string, fs *flag.FlagSet, only ...string) (*Config, error) {
	c := &Config{sources: map[string]string{}}
	var errs []error
	for _, s := range settings {
		v, src := s.def(), "default"
		if e := getenv(s.env); e != "" {
			v, src = e, "env"
		}
		if err := s.set(c, v); err != nil {
			errs = append(errs, fmt.Errorf("%s %w", s.env, err))
			_ = s.set(c, s.def())
			src = "default"
		}
		c.sources[s.env] = src
		if s.flag != "" && fs != nil && (len(only) == 0 || slices.Contains(only, s.flag)) {
			fs.Func(s.flag, s.help+" (env "+s.env+")", func(v string) error {
				if err := s.set(c, v); err != nil {
					return fmt.Errorf("--%s %w", s.flag, err)
				}
				c.sources[s.env] = "flag"
				return nil
			})
		}
	}
	return c, errors.Join(errs...)
}

// Validate checks the settings together, returning every problem, one line
// each, naming the variable and what would be valid.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if _, port, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		add("CAREERSBOT_HTTP_ADDR %q is not a listen address: use host:port or :port, such as :8080", c.HTTPAddr)
	} else if n, err := strconv.ParseUint(port, 10, 16); err != nil || n > 65535 {
		add("CAREERSBOT_HTTP_ADDR %q has no valid port: use a number from 0 to 65535, such as :8080", c.HTTPAddr)
	}
	if c.DataDir == "" {
		add("CAREERSBOT_DATA_DIR is empty: set it to a writable folder")
	}
	for _, u := range []struct{ env, val string }{{"SLACK_API_URL", c.SlackAPIURL}, {"DISCORD_API_URL", c.DiscordAPIURL}, {"OPENAI_BASE_URL", c.OpenAIBaseURL}} {
		if u.val == "" && u.env == "OPENAI_BASE_URL" {
			continue
		}
		if err := checkURL(u.val); err != nil {
			add("%s %q %v", u.env, RedactUserinfo(u.val), err)
		}
	}

	// Slack: a bot token and exactly the mode's other secret, or the bot
	// token alone for safeguarding alerts to a Slack channel.
	switch {
	case c.SlackBotToken != "" && c.SlackAppToken == "" && c.SlackSigningSecret == "" && !c.AlertIsSlack():
		add("SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP mode) is")
	case c.SlackBotToken == "" && (c.SlackAppToken != "" || c.SlackSigningSecret != ""):
		add("SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN (xoxb-...) is not")
	}
	if c.SlackBotToken != "" && !strings.HasPrefix(string(c.SlackBotToken), "xoxb-") {
		add("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
	}
	if c.SlackAppToken != "" && !strings.HasPrefix(string(c.SlackAppToken), "xapp-") {
		add("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
	}

	// Discord: a bot token and an application id; a public key selects HTTP
	// interactions.
	discordAny := c.DiscordBotToken != "" || c.DiscordAppID != "" || c.DiscordPublicKey != "" || c.DiscordGuildID != ""
	if discordAny {
		if c.DiscordBotToken == "" {
			add("DISCORD_BOT_TOKEN is not set but other DISCORD_ variables are: the bot token is needed to register commands and reply")
		}
		if c.DiscordAppID == "" {
			add("DISCORD_APP_ID is not set but other DISCORD_ variables are: set it to the application id (a number)")
		}
	}
	if c.DiscordAppID != "" && !isSnowflake(c.DiscordAppID) {
		add("DISCORD_APP_ID must be the application id, a number such as 123456789012345678")
	}
	if c.DiscordGuildID != "" && !isSnowflake(c.DiscordGuildID) {
		add("DISCORD_GUILD_ID must be a guild id, a number such as 123456789012345678")
	}
	if c.DiscordPublicKey != "" && !isHex(c.DiscordPublicKey, 64) {
		add("DISCORD_PUBLIC_KEY must be 64 hex characters (the application's public key)")
	}

	// Teams: the app id, its password and the tenant, together; the
	// endpoints receive the password or vouch for the keys, so https.
	teamsAny := c.TeamsAppID != "" || c.TeamsAppPassword != "" || c.TeamsTenantID != "" || c.TeamsTokenURL != "" ||
		c.TeamsOpenIDURL != DefaultTeamsOpenIDURL
	if teamsAny {
		for _, v := range []struct{ env, val, what string }{
			{"TEAMS_APP_ID", c.TeamsAppID, "the Azure Bot's Microsoft App ID"},
			{"TEAMS_APP_PASSWORD", string(c.TeamsAppPassword), "the app registration's client secret"},
			{"TEAMS_TENANT_ID", c.TeamsTenantID, "the tenant (directory) id of the single-tenant app"},
		} {
			if v.val == "" {
				add("%s is not set but other TEAMS_ variables are: set it to %s", v.env, v.what)
			}
		}
	}
	if c.TeamsAppID != "" && !isGUID(c.TeamsAppID) {
		add("TEAMS_APP_ID must be the Microsoft App ID, a GUID such as 00000000-0000-0000-0000-000000000000, got %q", c.TeamsAppID)
	}
	if c.TeamsTenantID != "" && !isGUID(c.TeamsTenantID) {
		add("TEAMS_TENANT_ID must be the tenant (directory) id, a GUID from the Azure portal's Microsoft Entra ID overview, got %q", c.TeamsTenantID)
	}
	for _, u := range []struct{ env, val string }{{"TEAMS_OPENID_URL", c.TeamsOpenIDURL}, {"TEAMS_TOKEN_URL", c.TeamsTokenURL}} {
		if u.val == "" && u.env == "TEAMS_TOKEN_URL" {
			continue
		}
		if err := checkSecureURL(u.val); err != nil {
			add("%s %q %v", u.env, u.val, err)
		}
	}

	// Generated answers and remote embeddings need a server.
	if (c.LLMModel != "" || c.EmbedModel != "") && c.OpenAIBaseURL == "" && c.OpenAIAPIKey == "" {
		add("CAREERSBOT_LLM_MODEL or CAREERSBOT_EMBED_MODEL is set but neither OPENAI_BASE_URL nor OPENAI_API_KEY is: set the server's URL (and key)")
	}
	if c.AlertIsSlack() && c.SlackBotToken == "" {
		add("CAREERSBOT_SAFEGUARDING_ALERT is a Slack channel id (%s) but SLACK_BOT_TOKEN is not set: the alert is posted with the bot's token; set it, or use an https webhook URL", c.SafeguardingAlert)
	}
	if c.SafeguardingAlertText && c.SafeguardingAlert == "" {
		add("CAREERSBOT_SAFEGUARDING_ALERT_TEXT is true but CAREERSBOT_SAFEGUARDING_ALERT is not set: set where alerts go, or unset the text setting")
	}
	if c.InsightsRetentionDays > 3650 {
		add("CAREERSBOT_INSIGHTS_RETENTION_DAYS is %d: keep insights at most 3650 days (ten years), or 0 to record none", c.InsightsRetentionDays)
	}
	if c.AdminToken != "" && len(c.AdminToken) < 16 {
		add("CAREERSBOT_ADMIN_TOKEN is too short to be safe: use at least 16 random characters")
	}
	return errors.Join(errs...)
}

func checkURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("is not an http(s) URL such as https://example.org/api/")
	}
	return nil
}

// checkSecureURL accepts an https URL, or plain http to a loopback address
// (tests, a local proxy).
func checkSecureURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || u.User != nil {
		return errors.New("is not an https URL")
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return fmt.Errorf("is plain http to %s: use https:// (plain http only to a loopback address such as 127.0.0.1, for tests)", u.Hostname())
	}
	return errors.New("is not an https URL")
}

var reGUID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func isGUID(s string) bool { return reGUID.MatchString(s) }

func isSnowflake(s string) bool {
	if len(s) < 5 || len(s) > 20 {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// OpenAIURL is the OpenAI-compatible server to use: the configured one, or
// OpenAI's when only a key is set.
func (c *Config) OpenAIURL() string {
	if c.OpenAIBaseURL != "" {
		return c.OpenAIBaseURL
	}
	return DefaultOpenAIBaseURL
}

// SlackMode is "socket", "http" or "" (off).
func (c *Config) SlackMode() string {
	switch {
	case c.SlackBotToken == "":
		return ""
	case c.SlackAppToken != "":
		return "socket"
	case c.SlackSigningSecret != "":
		return "http"
	}
	return ""
}

// DiscordMode is "gateway", "http" or "" (off).
func (c *Config) DiscordMode() string {
	switch {
	case c.DiscordBotToken == "" || c.DiscordAppID == "":
		return ""
	case c.DiscordPublicKey != "":
		return "http"
	}
	return "gateway"
}

// TeamsEnabled reports whether the Teams adapter runs: its app id is set.
func (c *Config) TeamsEnabled() bool { return c.TeamsAppID != "" }

// TeamsTokenEndpoint is where the bot gets its token: TEAMS_TOKEN_URL, or
// Microsoft Entra's endpoint of TEAMS_TENANT_ID.
func (c *Config) TeamsTokenEndpoint() string {
	if c.TeamsTokenURL != "" {
		return c.TeamsTokenURL
	}
	return fmt.Sprintf(teamsTokenURLPattern, c.TeamsTenantID)
}

// Entry is one setting as printed by `careersbot config`.
type Entry struct {
	Env, Flag, Value, Source, Help string
	Secret                         bool
}

// Entries lists the effective settings, secrets redacted.
func (c *Config) Entries() []Entry {
	out := make([]Entry, 0, len(settings))
	for _, s := range settings {
		v := RedactUserinfo(s.get(c))
		if s.secret && v != "" {
			v = Redacted
		}
		out = append(out, Entry{Env: s.env, Flag: s.flag, Value: v, Source: c.sources[s.env], Help: s.help, Secret: s.secret})
	}
	return out
}

// Variables lists every environment variable the settings read.
func Variables() []string {
	out := make([]string, len(settings))
	for i, s := range settings {
		out[i] = s.env
	}
	return out
}
