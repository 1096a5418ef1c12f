package retrieval

import (
	"context"
	"testing"
)

// TestSignatureScanMatchesExactScan: across the whole catalogue, searching
// vectors by signature first gives the hits an exact scan of every vector
// gives.
func TestSignatureScanMatchesExactScan(t *testing.T) {
	c, err := benchCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	ix := c.ix
	queries := []string{"routing switching", "food allergens", "suicide prevention", "capital france",
		"wireles netwroking", "health and safety legislation", "customer service", "welding techniques",
		"troubleshoting", "cyber security incident response"}
	for _, text := range queries {
		fast, err := ix.Search(context.Background(), Query{Text: text, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		exact, err := ix.Search(context.Background(), Query{Text: text, Limit: 10, exact: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(fast) != len(exact) {
			t.Errorf("%q: %d hits by signature, %d exactly", text, len(fast), len(exact))
			continue
		}
		for i := range fast {
			if fast[i].Passage.Key() != exact[i].Passage.Key() || fast[i].Score != exact[i].Score {
				t.Errorf("%q hit %d: %s %.4f by signature, %s %.4f exactly", text, i,
					fast[i].Passage.Key(), fast[i].Score, exact[i].Passage.Key(), exact[i].Score)
			}
		}
	}
}
