package main

import (
	"time"

	"github.com/careersbot/careersbot/adapters"
	"github.com/careersbot/careersbot/adapters/slack"
	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/server"
)

// newSlackAdapter builds the Slack adapter when SLACK_BOT_TOKEN and either
// SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode) are set.
func newSlackAdapter(d server.Deps) (adapters.Adapter, error) {
	if d.Config.SlackMode() == "" {
		return nil, nil
	}
	// The adapter's state, bounded: in memory, or shared by replicas.
	dedupe := d.Stores.Dedupe("slack", slack.SeenTTL)
	shares := server.KeepIn[slack.Share](d.Stores, d.Config.SharesMax, slack.ShareTTL)
	a, err := slack.New(slack.Options{
		BotToken:      d.Config.SlackBotToken.Reveal(),
		AppToken:      d.Config.SlackAppToken.Reveal(),
		SigningSecret: d.Config.SlackSigningSecret.Reveal(),
		APIURL:        d.Config.SlackAPIURL,
		Asker:         d.Asker,
		Memory:        d.Memory,
		Dedupe:        dedupe,
		Shares:        shares,
		MaxPending:    d.Config.PendingMax,
		OnReply:       d.OnReply("slack"),
		OnReplay:      d.OnReplay("slack"),
		Logger:        d.Log,
		LogQuestions:  d.Config.LogQuestions,
		HashUser:      d.HashUser,
		OnState:       d.OnState("slack"),
		OnFeedback: func(f bot.Feedback) {
			d.Metrics.Feedback.WithLabelValues("slack", f.Vote).Inc()
			if d.Feedback != nil {
				d.Feedback(f)
			}
		},
		OnPlatformError: func() {
			d.Metrics.PlatformErrors.WithLabelValues("slack").Inc()
		},
		// Answers longer than the LLM timeout still get posted; shutdown
		// bounds them anyway.
		WorkTimeout: d.Config.LLMTimeout + 30*time.Second,
		// A generated answer is shown as it is written.
		Stream:     d.Config.LLMModel != "",
		Reaction:   "mag",
		ReactAfter: time.Second,
	})
	if err != nil {
		return nil, err
	}
	d.Metrics.WatchStore("slack_dedupe", dedupe.Len, dedupe.Evicted)
	d.Metrics.WatchStore("slack_shares", shares.Len, shares.Evicted)
	d.Metrics.WatchPending("slack", a.Pending)
	return a, nil
}
