package main

import (
	"time"

	"github.com/careersbot/careersbot/adapters"
	"github.com/careersbot/careersbot/adapters/teams"
	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/server"
)

// newTeamsAdapter builds the Microsoft Teams adapter when TEAMS_APP_ID is
// set (config.Validate has checked that the password and tenant are too):
// the Bot Connector posts activities to /teams/messages.
func newTeamsAdapter(d server.Deps) (adapters.Adapter, error) {
	if !d.Config.TeamsEnabled() {
		return nil, nil
	}
	dedupe := d.Stores.Dedupe("teams", teams.SeenTTL)
	d.Metrics.WatchStore("teams_dedupe", dedupe.Len, dedupe.Evicted)
	a, err := teams.New(teams.Options{
		Seen:         dedupe,
		AppID:        d.Config.TeamsAppID,
		AppPassword:  d.Config.TeamsAppPassword.Reveal(),
		TenantID:     d.Config.TeamsTenantID,
		OpenIDURL:    d.Config.TeamsOpenIDURL,
		TokenURL:     d.Config.TeamsTokenEndpoint(),
		Asker:        d.Asker,
		Memory:       d.Memory,
		Logger:       d.Log,
		LogQuestions: d.Config.LogQuestions,
		HashUser:     d.HashUser,
		OnState:      d.OnState("teams"),
		OnFeedback: func(f bot.Feedback) {
			d.Metrics.Feedback.WithLabelValues("teams", f.Vote).Inc()
			if d.Feedback != nil {
				d.Feedback(f)
			}
		},
		OnPlatformError: d.Metrics.PlatformErrors.WithLabelValues("teams").Inc,
		// Answers longer than the LLM timeout still get posted; shutdown
		// bounds them anyway.
		WorkTimeout: d.Config.LLMTimeout + 30*time.Second,
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}
