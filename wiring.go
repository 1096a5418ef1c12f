package main

import (
	"github.com/careersbot/careersbot/adapters"
	"github.com/careersbot/careersbot/adapters/httpapi"
	"github.com/careersbot/careersbot/adapters/web"
	"github.com/careersbot/careersbot/internal/server"
)

// serveOptions are what serve runs: one constructor a platform, in order
// (adding a platform is its constructor and one line here), and the chat
// page's security policy for the insights page.
func serveOptions() server.Options {
	return server.Options{
		Adapters: []server.Constructor{
			newHTTPAPI,
			newDiscordAdapter,
			newSlackAdapter,
			newTeamsAdapter,
			newWebAdapter,
		},
		PageCSP: web.ContentSecurityPolicy,
	}
}

// newHTTPAPI is the HTTP API: POST /v1/ask, /healthz and /readyz, always on.
func newHTTPAPI(d server.Deps) (adapters.Adapter, error) {
	return httpapi.New(d.Asker, httpapi.Options{
		Ready:          d.Ready,
		TrustedProxies: d.Config.TrustedProxies,
		AllowedOrigins: d.Config.AllowedOrigins,
		Logger:         d.Log,
		LogQuestions:   d.Config.LogQuestions,
		HashUser:       d.HashUser,
	}), nil
}
