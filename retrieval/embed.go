package retrieval

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"

	"github.com/philippgille/chromem-go"
)

// Embedder turns texts into normalised vectors. Name identifies the model
// (and its settings) in the persisted index's key, so a different embedder
// rebuilds the index instead of mixing vector spaces.
type Embedder struct {
	Name string
	// Embed is the chromem-go embedding function: the seam where the
	// built-in embedder or a remote model plugs in.
	Embed chromem.EmbeddingFunc
	// EmbedBatch, when set, embeds many texts per call (remote models);
	// building the index uses it instead of Embed.
	EmbedBatch func(ctx context.Context, texts []string) ([][]float32, error)
}

// builtinDims is the length of the built-in embedder's vectors.
const builtinDims = 256

// builtinVersion changes whenever the built-in embedder's output changes.
const builtinVersion = 2

// BuiltinEmbedder is the offline embedder: feature hashing of word stems and
// character n-grams into a fixed-length vector. It is deterministic, pure
// Go, downloads nothing, and tolerates typos and word forms (n-grams),
// synonyms of the lexicon and WordNet's related words (their stems are
// added, weighted below the text's own). Vectors are L2-normalised,
// as chromem-go stores an embedding function's output as it is.
func BuiltinEmbedder(dims int) Embedder {
	if dims <= 0 {
		dims = builtinDims
	}
	lx := defaultLexicon
	return Embedder{
		Name: fmt.Sprintf("builtin-ngram-v%d-%d-%s-%s", builtinVersion, dims, lexiconVersion, wordNetVersion),
		Embed: func(ctx context.Context, text string) ([]float32, error) {
			return embedText(text, dims, lx), nil
		},
	}
}

// Feature weights: the stem carries the meaning, n-grams catch typos and
// word forms, lexicon alternatives pull synonyms together, and WordNet's
// related words (concepts) pull paraphrases closer, below the words
// themselves so that an exact match still ranks first.
const (
	wStem    = 1.0
	wGram    = 0.35
	wSynonym = 0.6
	wConcept = 0.3
	// maxConcepts bounds the WordNet features a word adds.
	maxConcepts = 6
)

func embedText(text string, dims int, lx *Lexicon) []float32 {
	v := make([]float32, dims)
	toks := Tokenize(text)
	stems := make([]string, 0, len(toks))
	for _, t := range toks {
		if !t.Meaningful() || t.Joined {
			continue
		}
		stems = append(stems, t.Stem)
		addFeature(v, 'w', t.Stem, wStem)
		if !t.Upper {
			for i, r := range WordNet.Related(t.Word) {
				if i == maxConcepts {
					break
				}
				for _, s := range r.Stems {
					addFeature(v, 'w', s, wConcept*float64(r.Weight)/float64(len(r.Stems)))
				}
			}
		}
		w := "<" + t.Word + ">"
		for n := 3; n <= 4; n++ {
			for i := 0; i+n <= len(w); i++ {
				addFeature(v, 'g', w[i:i+n], wGram)
			}
		}
	}
	for _, m := range lx.match(stems) {
		for ai, p := range lx.groups[m.group] {
			if ai == m.alt {
				continue
			}
			for _, s := range p {
				addFeature(v, 'w', s, wSynonym/float64(len(p)))
			}
		}
	}
	if len(stems) == 0 {
		// A text of stopwords only: one shared feature keeps the vector
		// non-zero, which chromem-go needs to normalise it.
		addFeature(v, 'e', "", 1)
	}
	normalise(v)
	return v
}

// addFeature adds weight to the feature's bucket with a sign taken from its
// hash, so that collisions cancel out on average instead of piling up.
func addFeature(v []float32, space byte, feature string, weight float64) {
	// FNV-1a, inline: hash/fnv would allocate for every feature.
	x := uint64(14695981039346656037)
	x = (x ^ uint64(space)) * 1099511628211
	for i := 0; i < len(feature); i++ {
		x = (x ^ uint64(feature[i])) * 1099511628211
	}
	i := int(x % uint64(len(v)))
	if x>>63 == 1 {
		weight = -weight
	}
	v[i] += float32(weight)
}

func normalise(v []float32) {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(sum))
	for i := range v {
		v[i] *= inv
	}
}

func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// Normalised returns v scaled to unit length (a copy), as chromem-go and
// the index's cosine scores expect of every vector.
func Normalised(v []float32) []float32 {
	out := append([]float32(nil), v...)
	normalise(out)
	return out
}
