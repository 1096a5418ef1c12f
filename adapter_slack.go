package main

import (
	"time"

	"github.com/careersbot/careersbot/adapters/slack"
	"github.com/careersbot/careersbot/bot"
)

// newSlackAdapter builds the Slack adapter when SLACK_BOT_TOKEN and either
// SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode) are set.
func newSlackAdapter(d deps) (Adapter, error) {
	if d.cfg.SlackMode() == "" {
		return nil, nil
	}
	// The adapter's state, bounded: in memory, or shared by replicas.
	dedupe := d.stores.dedupe("slack", slack.SeenTTL)
	shares := keepFor[slack.Share](d.stores, d.cfg.SharesMax, slack.ShareTTL)
	a, err := slack.New(slack.Options{
		BotToken:      d.cfg.SlackBotToken.Reveal(),
		AppToken:      d.cfg.SlackAppToken.Reveal(),
		SigningSecret: d.cfg.SlackSigningSecret.Reveal(),
		APIURL:        d.cfg.SlackAPIURL,
		Asker:         d.asker,
		Memory:        d.memory,
		Dedupe:        dedupe,
		Shares:        shares,
		MaxPending:    d.cfg.PendingMax,
		OnReply:       d.onReply("slack"),
		OnReplay:      d.onReplay("slack"),
		Logger:        d.log,
		LogQuestions:  d.cfg.LogQuestions,
		HashUser:      d.hashUser,
		OnState:       d.onState("slack"),
		OnFeedback: func(f bot.Feedback) {
			d.metrics.Feedback.WithLabelValues("slack", f.Vote).Inc()
			if d.feedback != nil {
				d.feedback(f)
			}
		},
		OnPlatformError: func() {
			d.metrics.PlatformErrors.WithLabelValues("slack").Inc()
		},
		// Answers longer than the LLM timeout still get posted; shutdown
		// bounds them anyway.
		WorkTimeout: d.cfg.LLMTimeout + 30*time.Second,
		// A generated answer is shown as it is written.
		Stream:     d.cfg.LLMModel != "",
		Reaction:   "mag",
		ReactAfter: time.Second,
	})
	if err != nil {
		return nil, err
	}
	d.metrics.WatchStore("slack_dedupe", dedupe.Len, dedupe.Evicted)
	d.metrics.WatchStore("slack_shares", shares.Len, shares.Evicted)
	d.metrics.WatchPending("slack", a.Pending)
	return a, nil
}
