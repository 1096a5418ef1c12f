package slack

import (
	"slices"
	"testing"
	"time"
)

// The time from a signed app_mention posted to /slack/events to its
// answer's chat.postMessage at the fake Slack, on the default corpus (the
// seed and the 839-standard catalogue): the median of 50, logged.
func TestLatencyMedianOf50(t *testing.T) {
	b := catalogueBot(t)
	e := start(t, guard(b, 0), false, nil)
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
		q := questions[i%len(questions)]
		sent := time.Now()
		e.postEvent(t, callback(mention(channel, user, newTS(), "", q), ""), nil)
		post := e.fake.WaitFor(t, "chat.postMessage", i+1, 10*time.Second)[i]
		took = append(took, post.At.Sub(sent))
	}
	slices.Sort(took)
	median := (took[n/2-1] + took[n/2]) / 2
	t.Logf("event to chat.postMessage on the default corpus, %d events: median %v, p90 %v, min %v, max %v",
		n, median.Round(10*time.Microsecond), took[n*9/10-1].Round(10*time.Microsecond),
		took[0].Round(10*time.Microsecond), took[n-1].Round(10*time.Microsecond))
	if median > 2*time.Second {
		t.Errorf("median %v: an answer should be in the thread within seconds", median)
	}
}
