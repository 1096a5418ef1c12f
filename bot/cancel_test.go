package bot

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/careersbot/careersbot/retrieval"
)

// TestAskStopsWhenContextEnds: a question whose asker has gone (the HTTP
// client disconnected, the platform's work timed out) is not worked on.
func TestAskStopsWhenContextEnds(t *testing.T) {
	b := catalogueBot(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, q := range []Question{
		{Text: "Which skills does a network engineer need?"},
		{Text: "Which apprenticeships involve food safety?"},
		{Text: "what does it involve", Occupation: "ST0127"},
	} {
		if _, err := b.Ask(ctx, q); !errors.Is(err, context.Canceled) {
			t.Errorf("Ask(%q) with an ended context: %v, want context.Canceled", q.Text, err)
		}
	}
	if _, err := b.Searcher().Search(ctx, retrieval.Query{Text: "routing and switching"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Search with an ended context: %v, want context.Canceled", err)
	}
}

// TestAskRefusesLongOccupation: the bot itself refuses an occupation over
// the limit (the CLI's --occupation has no Guard in front).
func TestAskRefusesLongOccupation(t *testing.T) {
	b := catalogueBot(t)
	_, err := b.Ask(context.Background(), Question{Text: "what skills?", Occupation: strings.Repeat("network engineer ", 30)})
	if ErrorReason(err) != ReasonTooLong || !strings.Contains(err.Error(), "occupation is too long") {
		t.Fatalf("error %v, want a too-long error for the occupation", err)
	}
}
