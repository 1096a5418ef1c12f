package bot

import (
	"testing"

	"github.com/careersbot/careersbot/retrieval"
)

// Cues of one intent that match the same words count once, at the heavier
// weight; cues over other words add up, and a cue against an intent still
// takes its weight away.
func TestCuesOverTheSameWordsCountOnce(t *testing.T) {
	cs, err := parseCues(`overview 2.5 is there a * apprenticeship
overview 2.5 is there a ** apprenticeship
overview 1   tell me
progression 3   higher apprenticeship
progression 1.5 higher level
progression 2.5 after
progression -2.5 look after
`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    string
		want map[Intent]float64
	}{
		{"is there a plumbing apprenticeship", map[Intent]float64{IntentOverview: 2.5}},
		{"tell me, is there a plumbing apprenticeship", map[Intent]float64{IntentOverview: 3.5}},
		{"who will look after me after", map[Intent]float64{IntentProgression: 0}},
		// A wildcard does not stand for another intent's cue.
		{"is there a higher apprenticeship", map[Intent]float64{IntentOverview: 0, IntentProgression: 3}},
		{"is there a higher level apprenticeship", map[Intent]float64{IntentOverview: 0, IntentProgression: 1.5}},
	}
	for _, tt := range tests {
		m := cs.match(retrieval.Tokenize(tt.q))
		for intent, want := range tt.want {
			if got := m.weight[intent]; got != want {
				t.Errorf("%q: %s weighs %v, want %v", tt.q, intent, got, want)
			}
		}
	}
}
