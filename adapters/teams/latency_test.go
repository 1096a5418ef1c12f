package teams

import (
	"slices"
	"testing"
	"time"

	"github.com/careersbot/careersbot/internal/teamsfake"
)

// The time from a channel mention posted to /teams/messages (with a signed
// token) to its answer's reply at the fake connector, on the default corpus
// (the seed and the 839-standard catalogue): the median of 50, logged. The
// same questions as Slack's TestLatencyMedianOf50, for the figures side by
// side.
func TestLatencyMedianOf50(t *testing.T) {
	b := catalogueBot(t)
	e := start(t, guard(b, 0), nil)
	questions := []string{
		"Which skills does a network engineer need?",
		"Is wireless networking part of the role of a network engineer?",
		"How much does a network engineer earn?",
		"Which skills does a commis chef need?",
		"What level is the cyber security technician apprenticeship?",
		"Which apprenticeships involve routing and switching?",
		"What does a network engineer do day to day?",
		"Tell me about the dog groomer apprenticeship",
		"Which behaviours does a software developer need?",
		"What does an astronaut apprenticeship involve?",
	}
	const n = 50
	took := make([]time.Duration, 0, n)
	for i := range n {
		act := message(e, ConversationChannel, questions[i%len(questions)], true)
		token := e.fake.Token(teamsfake.Claims{})
		sent := time.Now()
		e.post(t, act, token)
		reply := e.fake.WaitFor(t, "reply", "message", i+1, 10*time.Second)[i]
		took = append(took, reply.At.Sub(sent))
	}
	slices.Sort(took)
	median := (took[n/2-1] + took[n/2]) / 2
	t.Logf("activity to connector reply on the default corpus, %d activities: median %v, p90 %v, min %v, max %v",
		n, median.Round(10*time.Microsecond), took[n*9/10-1].Round(10*time.Microsecond),
		took[0].Round(10*time.Microsecond), took[n-1].Round(10*time.Microsecond))
	if median > 2*time.Second {
		t.Errorf("median %v: an answer should be in the thread within seconds", median)
	}
}
