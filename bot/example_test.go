package bot_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/retrieval"
	"github.com/careersbot/careersbot/seeds"
)

// Ask answers a question with passages cited from the standards; the
// Answer's JSON form is the contract of docs/interfaces.md section 3.
func ExampleBot_Ask() {
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
	b := bot.New(ix, bot.Options{})
	a, err := b.Ask(context.Background(), bot.Question{Text: "Is wireless networking part of the network engineer role?"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Grounded, a.Intent, a.Citations[0].Marker())
	// Output:
	// true topic [ST0127 K12]
}
