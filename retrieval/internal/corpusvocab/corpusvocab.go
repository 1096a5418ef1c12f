// Package corpusvocab gives the generators of retrieval's tables (WordNet's,
// the word vectors') the built-in corpus's vocabulary, so each table keeps
// what careers questions and the standards need.
package corpusvocab

import (
	"github.com/careersbot/careersbot/retrieval"
	"github.com/careersbot/careersbot/seeds"
)

// Stems is every stem of the built-in corpus's passages.
func Stems() (map[string]bool, error) {
	src, err := retrieval.OpenSource(seeds.FS, "built-in corpus")
	if err != nil {
		return nil, err
	}
	c, err := src.Load()
	if err != nil {
		return nil, err
	}
	vocab := map[string]bool{}
	for _, o := range c.Occupations {
		for _, p := range retrieval.Passages(o) {
			for _, t := range retrieval.Tokenize(p.Text) {
				if t.Meaningful() && !t.Joined {
					vocab[t.Stem] = true
				}
			}
		}
	}
	return vocab, nil
}
