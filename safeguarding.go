package main

import (
	"log/slog"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/config"
	"github.com/careersbot/careersbot/internal/metrics"
	"github.com/careersbot/careersbot/internal/safeguard"
)

// safeguardingReplies turns the configured reply texts into the bot's.
func safeguardingReplies(cfg *config.Config) bot.SafeguardingReplies {
	r := bot.SafeguardingReplies{All: cfg.DistressReply, Kinds: map[bot.SafeguardingKind]string{}}
	for key, text := range cfg.SafeguardingReplies {
		if key == "danger_now" {
			r.DangerNow = text
			continue
		}
		r.Kinds[bot.SafeguardingKind(key)] = text
	}
	return r
}

// newAlerts starts the sender of safeguarding alerts (serve only: the
// command line never alerts), counting each alert's end by kind.
func newAlerts(cfg *config.Config, log *slog.Logger, m *metrics.Metrics) (*safeguard.Sender, error) {
	return safeguard.New(safeguard.Options{
		Destination: cfg.SafeguardingAlert,
		SlackToken:  cfg.SlackBotToken.Reveal(),
		SlackAPIURL: cfg.SlackAPIURL,
		IncludeText: cfg.SafeguardingAlertText,
		Logger:      log,
		OnResult: func(kind bot.SafeguardingKind, result string) {
			m.SafeguardAlerts.WithLabelValues(string(kind), result).Inc()
		},
	})
}
