package retrieval_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/careersbot/careersbot/retrieval"
	"github.com/careersbot/careersbot/seeds"
)

// Open builds (or loads) the index of a corpus; Search ranks its passages
// for a question's topic, within one occupation or across all of them.
func Example() {
	src, err := retrieval.OpenSource(seeds.FS, "built-in corpus")
	if err != nil {
		log.Fatal(err)
	}
	// The data dir keeps the index between runs (the tests' own, here).
	dataDir := filepath.Join(os.TempDir(), "careersbot-test-corpus", "catalogue-data")
	ix, err := retrieval.Open(context.Background(), src, dataDir, retrieval.BuiltinEmbedder(0), nil)
	if err != nil {
		log.Fatal(err)
	}
	hits, err := ix.Search(context.Background(), retrieval.Query{Text: "wireless networking", Occupation: "ST0127", Limit: 1})
	if err != nil {
		log.Fatal(err)
	}
	for _, h := range hits {
		fmt.Println(h.Passage.Key(), h.Passage.Text)
	}
	// Output:
	// ST0127 K12 Wireless networks technologies and configurations.
}

// RankOccupations ranks the occupations a text names, as people name them.
func ExampleIndex_RankOccupations() {
	src, err := retrieval.OpenSource(seeds.FS, "built-in corpus")
	if err != nil {
		log.Fatal(err)
	}
	// The data dir keeps the index between runs (the tests' own, here).
	dataDir := filepath.Join(os.TempDir(), "careersbot-test-corpus", "catalogue-data")
	ix, err := retrieval.Open(context.Background(), src, dataDir, retrieval.BuiltinEmbedder(0), nil)
	if err != nil {
		log.Fatal(err)
	}
	best := ix.RankOccupations("what does a sparky earn")[0]
	fmt.Println(best.Occupation.Reference, best.Occupation.Title)
	// Output:
	// ST0152 Installation electrician and maintenance electrician
}
