package server

import (
	"context"
	"sync/atomic"

	"github.com/careersbot/careersbot/bot"
)

// lazyAsker answers with the bot once the index is loaded, and with
// bot.ErrNotReady before.
type lazyAsker struct {
	a atomic.Pointer[askerBox]
}

type askerBox struct{ bot.Asker }

func (l *lazyAsker) set(a bot.Asker) { l.a.Store(&askerBox{a}) }

func (l *lazyAsker) Ask(ctx context.Context, q bot.Question) (bot.Answer, error) {
	b := l.a.Load()
	if b == nil {
		return bot.Answer{}, bot.ErrNotReady
	}
	return b.Ask(ctx, q)
}
