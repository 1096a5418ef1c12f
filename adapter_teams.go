package main

import (
	"time"

	"github.com/careersbot/careersbot/adapters/teams"
	"github.com/careersbot/careersbot/bot"
)

// newTeamsAdapter builds the Microsoft Teams adapter when TEAMS_APP_ID is
// set (config.Validate has checked that the password and tenant are too):
// the Bot Connector posts activities to /teams/messages.
func newTeamsAdapter(d deps) (Adapter, error) {
	if !d.cfg.TeamsEnabled() {
		return nil, nil
	}
	dedupe := d.stores.dedupe("teams", teams.SeenTTL)
	d.metrics.WatchStore("teams_dedupe", dedupe.Len, dedupe.Evicted)
	a, err := teams.New(teams.Options{
		Seen:         dedupe,
		AppID:        d.cfg.TeamsAppID,
		AppPassword:  d.cfg.TeamsAppPassword.Reveal(),
		TenantID:     d.cfg.TeamsTenantID,
		OpenIDURL:    d.cfg.TeamsOpenIDURL,
		TokenURL:     d.cfg.TeamsTokenEndpoint(),
		Asker:        d.asker,
		Memory:       d.memory,
		Logger:       d.log,
		LogQuestions: d.cfg.LogQuestions,
		HashUser:     d.hashUser,
		OnState:      d.onState("teams"),
		OnFeedback: func(f bot.Feedback) {
			d.metrics.Feedback.WithLabelValues("teams", f.Vote).Inc()
			if d.feedback != nil {
				d.feedback(f)
			}
		},
		OnPlatformError: d.metrics.PlatformErrors.WithLabelValues("teams").Inc,
		// Answers longer than the LLM timeout still get posted; shutdown
		// bounds them anyway.
		WorkTimeout: d.cfg.LLMTimeout + 30*time.Second,
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}
