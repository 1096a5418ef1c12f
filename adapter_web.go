package main

import (
	"github.com/careersbot/careersbot/adapters"
	"github.com/careersbot/careersbot/adapters/web"
	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/server"
)

// newWebAdapter serves the web chat: the page at / and the embeddable
// widget at /widget.js, over the HTTP API's POST /v1/ask. It is always on
// and has no connection to keep, so it never affects /readyz.
func newWebAdapter(d server.Deps) (adapters.Adapter, error) {
	facts := func() string {
		if b := d.Bot(); b != nil {
			return bot.FactsCoverage(b.Searcher().Occupations())
		}
		return "" // still loading: the intro goes without it
	}
	return web.New(web.Options{MaxQuestionChars: d.Config.MaxQuestionChars, Facts: facts}), nil
}
