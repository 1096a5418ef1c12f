package teams

import (
	"context"
	"testing"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/teamsfake"
)

// BenchmarkVerify is the check every request pays before anything else:
// parsing the JWT, the key lookup and the RS256 signature.
func BenchmarkVerify(b *testing.B) {
	e := start(b, guard(seedBot(b), 0), nil)
	v := e.a.verifier.Load()
	token := "Bearer " + e.fake.Token(teamsfake.Claims{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.verify(ctx, token, teamsfake.Channel, e.fake.ServiceURL()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderAnswer lays out the 38 skills of the Commis chef as a card.
func BenchmarkRenderAnswer(b *testing.B) {
	bt := catalogueBot(b)
	a, err := bt.Ask(context.Background(), bot.Question{Text: "Which skills does a commis chef need?"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		renderAnswer(a, renderOptions{Feedback: true})
	}
}
