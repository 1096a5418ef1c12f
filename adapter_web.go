package main

import (
	"context"
	"net/http"

	"github.com/careersbot/careersbot/adapters/web"
	"github.com/careersbot/careersbot/bot"
)

// newWebAdapter serves the web chat: the page at / and the embeddable
// widget at /widget.js, over the HTTP API's POST /v1/ask. It is always on
// and has no connection to keep, so it never affects /readyz.
func newWebAdapter(d deps) (Adapter, error) {
	facts := func() string {
		if b := d.bot(); b != nil {
			return bot.FactsCoverage(b.Searcher().Occupations())
		}
		return "" // still loading: the intro goes without it
	}
	return &webAdapter{h: web.New(web.Options{MaxQuestionChars: d.cfg.MaxQuestionChars, Facts: facts})}, nil
}

type webAdapter struct{ h *web.Handler }

func (a *webAdapter) Name() string { return "web" }

func (a *webAdapter) Routes() map[string]http.Handler { return a.h.Routes() }

// Run has nothing to connect: it waits for the end.
func (a *webAdapter) Run(ctx context.Context) error {
	<-ctx.Done()
	return nil
}

// Shutdown has nothing to wait for: the HTTP server finishes the requests
// in flight.
func (a *webAdapter) Shutdown(context.Context) error { return nil }
