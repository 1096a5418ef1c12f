package main

import (
	"time"

	"github.com/careersbot/careersbot/adapters"
	"github.com/careersbot/careersbot/adapters/discord"
	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/server"
)

// newDiscordAdapter builds the Discord adapter when DISCORD_BOT_TOKEN and
// DISCORD_APP_ID are set: HTTP interactions at /discord/interactions when
// DISCORD_PUBLIC_KEY is set too, else a gateway session.
func newDiscordAdapter(d server.Deps) (adapters.Adapter, error) {
	if d.Config.DiscordMode() == "" {
		return nil, nil
	}
	dedupe := d.Stores.Dedupe("discord", time.Hour)
	a, err := discord.New(discord.Options{
		BotToken:  d.Config.DiscordBotToken.Reveal(),
		AppID:     d.Config.DiscordAppID,
		PublicKey: d.Config.DiscordPublicKey,
		GuildID:   d.Config.DiscordGuildID,
		APIURL:    d.Config.DiscordAPIURL,
		Asker:     d.Asker,
		// Occupations for a partly typed name once the index is loaded,
		// none before.
		Complete: func(p string, n int) []bot.Completion {
			if b := d.Bot(); b != nil {
				return b.Complete(p, n)
			}
			return nil
		},
		Memory:           d.Memory,
		Dedupe:           dedupe,
		MaxPending:       d.Config.PendingMax,
		OnReply:          d.OnReply("discord"),
		OnReplay:         d.OnReplay("discord"),
		Logger:           d.Log.With("adapter", "discord"),
		LogQuestions:     d.Config.LogQuestions,
		HashUser:         d.HashUser,
		OnState:          d.OnState("discord"),
		OnPlatformError:  d.Metrics.PlatformErrors.WithLabelValues("discord").Inc,
		MaxQuestionChars: d.Config.MaxQuestionChars,
	})
	if err != nil {
		return nil, err
	}
	d.Metrics.WatchStore("discord_dedupe", dedupe.Len, dedupe.Evicted)
	d.Metrics.WatchPending("discord", a.Pending)
	return a, nil
}
