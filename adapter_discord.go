package main

import (
	"time"

	"github.com/careersbot/careersbot/adapters/discord"
	"github.com/careersbot/careersbot/bot"
)

// newDiscordAdapter builds the Discord adapter when DISCORD_BOT_TOKEN and
// DISCORD_APP_ID are set: HTTP interactions at /discord/interactions when
// DISCORD_PUBLIC_KEY is set too, else a gateway session.
func newDiscordAdapter(d deps) (Adapter, error) {
	if d.cfg.DiscordMode() == "" {
		return nil, nil
	}
	dedupe := d.stores.dedupe("discord", time.Hour)
	a, err := discord.New(discord.Options{
		BotToken:  d.cfg.DiscordBotToken.Reveal(),
		AppID:     d.cfg.DiscordAppID,
		PublicKey: d.cfg.DiscordPublicKey,
		GuildID:   d.cfg.DiscordGuildID,
		APIURL:    d.cfg.DiscordAPIURL,
		Asker:     d.asker,
		// Occupations for a partly typed name once the index is loaded,
		// none before.
		Complete: func(p string, n int) []bot.Completion {
			if b := d.bot(); b != nil {
				return b.Complete(p, n)
			}
			return nil
		},
		Memory:           d.memory,
		Dedupe:           dedupe,
		MaxPending:       d.cfg.PendingMax,
		OnReply:          d.onReply("discord"),
		OnReplay:         d.onReplay("discord"),
		Logger:           d.log.With("adapter", "discord"),
		LogQuestions:     d.cfg.LogQuestions,
		HashUser:         d.hashUser,
		OnState:          d.onState("discord"),
		OnPlatformError:  d.metrics.PlatformErrors.WithLabelValues("discord").Inc,
		MaxQuestionChars: d.cfg.MaxQuestionChars,
	})
	if err != nil {
		return nil, err
	}
	d.metrics.WatchStore("discord_dedupe", dedupe.Len, dedupe.Evicted)
	d.metrics.WatchPending("discord", a.Pending)
	return a, nil
}
