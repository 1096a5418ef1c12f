package retrieval

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The persisted index is one file in the data dir, named by its key:
//
//	magic "CBINDEX\n" | format uint32 | key (string) | payload length uint64 |
//	payload | CRC-32C of the payload
//
// The payload holds the occupations, the vectors, the mined acronyms and the
// lexical index, so a warm start decodes it without parsing or embedding
// anything. chromem-go's own persistence is not used: NewPersistentDB writes
// a file per document (and loses documents whose ids share its 32-bit
// file-name hash), and its gob export takes half a second to import for the
// catalogue, more than a CLI question may spend.
const (
	indexMagic   = "CBINDEX\n"
	formatVer    = 2 // 2: everyday facts with their provenance
	indexPattern = "index-*.cbx"
	keepIndexes  = 4 // index files kept per data dir (one per corpus in use)
)

var (
	// ErrCorruptIndex is a persisted index that cannot be read: truncated,
	// damaged, or written by something else. It is rebuilt.
	ErrCorruptIndex = errors.New("corrupt index file")
	// ErrStaleIndex is a persisted index for another corpus, embedder or
	// format. It is rebuilt.
	ErrStaleIndex = errors.New("index file is for another corpus, embedder or format")
	// ErrNotSaved is an index built but not saved (a full or read-only
	// data dir): Open returns the index with it, for a caller that can
	// serve from memory.
	ErrNotSaved = errors.New("the index could not be saved")
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// IndexKey is the key of the index for a corpus and an embedder.
func IndexKey(corpusKey string, emb Embedder) string {
	h := sha256.New()
	fmt.Fprintf(h, "format %d\x00embedder %s\x00lexicon %s\x00corpus %s", formatVer, emb.Name, lexiconVersion, corpusKey)
	return hex.EncodeToString(h.Sum(nil))
}

// IndexPath is where the index with this key lives in dataDir.
func IndexPath(dataDir, key string) string {
	return filepath.Join(dataDir, "index-"+key[:16]+".cbx")
}

// Open returns the index of src: loaded from dataDir when a file with its key
// is there, else built and saved. A corrupt or stale file is rebuilt with a
// warning, never a crash. An unwritable dataDir is an error naming it,
// wrapping ErrNotSaved, returned with the index built in memory.
func Open(ctx context.Context, src *Source, dataDir string, emb Embedder, log *slog.Logger) (*Index, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	corpusKey, err := src.Key()
	if err != nil {
		return nil, err
	}
	key := IndexKey(corpusKey, emb)
	path := IndexPath(dataDir, key)
	ix, err := Load(path, key, emb)
	switch {
	case err == nil:
		return ix, nil
	case errors.Is(err, fs.ErrNotExist):
		err = nil
	default:
		log.Warn("rebuilding the index", "file", path, "reason", err.Error())
	}
	reason := "no index file for this corpus yet"
	if err != nil {
		reason = err.Error()
	}
	corpus, err := src.Load()
	if err != nil {
		return nil, err
	}
	ix, err = Build(ctx, corpus, emb)
	if err != nil {
		return nil, err
	}
	ix.key = key
	ix.stats.Reason = reason
	if err := ix.Save(dataDir); err != nil {
		return ix, fmt.Errorf("%w: %w", ErrNotSaved, err)
	}
	return ix, nil
}

// Save writes the index atomically into dataDir (temp file, fsync, rename)
// and prunes old index files beyond the newest few.
func (ix *Index) Save(dataDir string) error {
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return fmt.Errorf("data dir %s is not writable (set --data-dir or CAREERSBOT_DATA_DIR to a writable folder): %w", dataDir, err)
	}
	path := IndexPath(dataDir, ix.key)
	payload := ix.encode()
	var out []byte
	out = append(out, indexMagic...)
	out = binary.LittleEndian.AppendUint32(out, formatVer)
	out = appendString(out, ix.key)
	out = binary.LittleEndian.AppendUint64(out, uint64(len(payload)))
	out = append(out, payload...)
	out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(payload, castagnoli))
	if err := writeAtomic(path, out); err != nil {
		return fmt.Errorf("data dir %s is not writable (set --data-dir or CAREERSBOT_DATA_DIR to a writable folder): %w", dataDir, err)
	}
	ix.stats.File = path
	ix.stats.FileBytes = int64(len(out))
	pruneIndexes(dataDir, path)
	return nil
}

// writeAtomic writes a file so that a reader sees the old or the new one,
// never a part.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tmpPrefix+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op once renamed
	// Held until the rename: RemoveOrphans leaves a live write's file be.
	if err := lockFile(f); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	// Renamed before it is closed: the lock lasts until the file has its
	// name, so no RemoveOrphans can take it for a killed write's.
	if err := os.Rename(tmp, path); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// WriteFileAtomic is writeAtomic for other packages' files in the data dir.
func WriteFileAtomic(path string, data []byte) error { return writeAtomic(path, data) }

func pruneIndexes(dataDir, keep string) {
	files, _ := filepath.Glob(filepath.Join(dataDir, indexPattern))
	type f struct {
		path string
		mod  time.Time
	}
	var list []f
	for _, p := range files {
		if p == keep {
			continue
		}
		if st, err := os.Stat(p); err == nil {
			list = append(list, f{p, st.ModTime()})
		}
	}
	slices.SortFunc(list, func(a, b f) int { return b.mod.Compare(a.mod) })
	for i := keepIndexes - 1; i < len(list); i++ {
		os.Remove(list[i].path)
	}
}

// Load reads the index file at path, which must have the given key.
func Load(path, key string, emb Embedder) (*Index, error) {
	start := time.Now()
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	payload, err := checkFrame(data, key)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ix, err := decode(payload, emb)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", path, ErrCorruptIndex, err)
	}
	ix.key = key
	ix.stats.File = path
	ix.stats.FileBytes = int64(len(data))
	ix.stats.LoadTime = time.Since(start)
	return ix, nil
}

func checkFrame(data []byte, key string) ([]byte, error) {
	r := reader{b: data}
	if string(r.bytes(len(indexMagic))) != indexMagic {
		return nil, fmt.Errorf("%w: not a careersbot index", ErrCorruptIndex)
	}
	if v := r.u32(); v != formatVer {
		return nil, fmt.Errorf("%w: format %d, want %d", ErrStaleIndex, v, formatVer)
	}
	if k := r.str(); k != key {
		if r.err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCorruptIndex, r.err)
		}
		return nil, ErrStaleIndex
	}
	n := r.u64()
	payload := r.bytes(int(min(n, math.MaxInt32)))
	sum := r.u32()
	if r.err != nil {
		return nil, fmt.Errorf("%w: truncated", ErrCorruptIndex)
	}
	if r.off != len(data) {
		return nil, fmt.Errorf("%w: %d bytes after the checksum", ErrCorruptIndex, len(data)-r.off)
	}
	if crc32.Checksum(payload, castagnoli) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrCorruptIndex)
	}
	return payload, nil
}

func (ix *Index) encode() []byte {
	var b []byte
	b = appendString(b, ix.embedder.Name)
	b = binary.AppendUvarint(b, uint64(len(ix.occupations)))
	for _, o := range ix.occupations {
		b = appendOccupation(b, o)
	}
	b = binary.AppendUvarint(b, uint64(ix.dims))
	b = binary.AppendUvarint(b, uint64(ix.vectors.len()))
	for _, s := range ix.vectors.scale {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(s))
	}
	for _, q := range ix.vectors.q {
		b = append(b, byte(q))
	}
	keys := make([]string, 0, len(ix.acronyms))
	for k := range ix.acronyms {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = appendString(b, k)
		b = appendStrings(b, ix.acronyms[k])
	}
	li := ix.lex
	b = appendStrings(b, li.vocab)
	for _, ps := range li.postings {
		b = binary.AppendUvarint(b, uint64(len(ps)))
		prev := uint32(0)
		for _, p := range ps {
			b = binary.AppendUvarint(b, uint64(p.doc-prev))
			b = binary.AppendUvarint(b, uint64(p.tf))
			prev = p.doc
		}
	}
	b = binary.AppendUvarint(b, uint64(len(li.docLen)))
	for _, l := range li.docLen {
		b = binary.AppendUvarint(b, uint64(l))
	}
	return b
}

func decode(payload []byte, emb Embedder) (*Index, error) {
	r := reader{b: payload}
	if name := r.str(); name != emb.Name && r.err == nil {
		return nil, fmt.Errorf("made with embedder %q, not %q", name, emb.Name)
	}
	nOcc := r.count(1 << 20)
	occs := make([]*Occupation, 0, nOcc)
	for i := 0; i < nOcc && r.err == nil; i++ {
		occs = append(occs, r.occupation())
	}
	if r.err != nil {
		return nil, r.err
	}
	ix := newIndex(occs, emb)
	ix.dims = r.count(1 << 16)
	nv := r.count(1 << 30)
	if r.err == nil && nv != len(ix.passages) {
		return nil, fmt.Errorf("%d vectors for %d passages", nv, len(ix.passages))
	}
	scales := r.bytes(nv * 4)
	raw := r.bytes(nv * ix.dims)
	if r.err == nil {
		ix.vectors = vectorStore{dims: ix.dims, scale: make([]float32, nv), q: make([]int8, len(raw))}
		for i := range ix.vectors.scale {
			ix.vectors.scale[i] = math.Float32frombits(binary.LittleEndian.Uint32(scales[i*4:]))
		}
		for i, b := range raw {
			ix.vectors.q[i] = int8(b)
		}
	}
	nAcr := r.count(1 << 20)
	ix.acronyms = make(map[string][]string, nAcr)
	for i := 0; i < nAcr && r.err == nil; i++ {
		k := r.str()
		ix.acronyms[k] = r.strs()
	}
	li := &lexicalIndex{terms: map[string]uint32{}}
	li.vocab = r.strs()
	li.postings = make([][]posting, len(li.vocab))
	for t := range li.vocab {
		if r.err != nil {
			break
		}
		li.terms[li.vocab[t]] = uint32(t)
		n := r.count(len(ix.passages))
		ps := make([]posting, n)
		prev := uint64(0)
		for j := range ps {
			prev += r.uvarint()
			ps[j] = posting{doc: uint32(prev), tf: uint16(r.uvarint())}
		}
		li.postings[t] = ps
	}
	nd := r.count(1 << 30)
	if r.err == nil && nd != len(ix.passages) {
		return nil, fmt.Errorf("%d document lengths for %d passages", nd, len(ix.passages))
	}
	li.docLen = make([]uint16, nd)
	var total int
	for i := range li.docLen {
		li.docLen[i] = uint16(r.uvarint())
		total += int(li.docLen[i])
	}
	if r.err != nil {
		return nil, r.err
	}
	if r.off != len(r.b) {
		return nil, fmt.Errorf("%d bytes left over", len(r.b)-r.off)
	}
	for _, ps := range li.postings {
		if len(ps) > 0 && int(ps[len(ps)-1].doc) >= len(ix.passages) {
			return nil, errors.New("posting beyond the last passage")
		}
	}
	if nd > 0 {
		li.avgLen = float32(total) / float32(nd)
	}
	ix.lex = li
	ix.lexicon = defaultLexicon.With(ix.acronyms)
	ix.names = buildNames(ix.occupations)
	ix.resolve = buildResolve(ix.names, ix.occupations)
	ix.vectors.signatures()
	ix.finishStats()
	return ix, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

func appendOccupation(b []byte, o *Occupation) []byte {
	for _, s := range []string{o.Reference, o.OccReference, o.Title, o.Status, o.Route, o.Purpose,
		o.SOCCode, o.SOCTitle, o.Version, o.NewerVersion, o.PageURL, o.LastUpdated, o.Source, o.LarsCode,
		o.TypicalDuration, o.EntryRequirements, o.AssessmentPlanURL, o.Regulated,
		o.SalaryGroup, o.SalaryQuality, o.SalaryWithheld, o.RegulatedBody, o.IntegratedDegree, o.EnglishMaths} {
		b = appendString(b, s)
	}
	for _, n := range []int{o.Level, o.SalaryMedian, o.MaxFunding} {
		b = binary.AppendUvarint(b, uint64(n))
	}
	if o.FromPage {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	for _, l := range [][]string{o.Summary, o.SOCSubGroups, o.JobTitles, o.Keywords, o.Qualifications, o.SOCOptions, o.Recognition} {
		b = appendStrings(b, l)
	}
	// Provenance in FactFields order, so equal records encode equally.
	var fields []FactField
	for _, f := range factFields {
		if _, ok := o.Provenance[f]; ok {
			fields = append(fields, f)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(fields)))
	for _, f := range fields {
		p := o.Provenance[f]
		for _, s := range []string{string(f), p.Source, p.AsOf, p.Version, p.Origin} {
			b = appendString(b, s)
		}
	}
	for _, l := range [][]Statement{o.Knowledge, o.Skills, o.Behaviours} {
		b = binary.AppendUvarint(b, uint64(len(l)))
		for _, s := range l {
			b = appendString(b, s.ID)
			b = appendString(b, s.Text)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(o.Duties)))
	for _, d := range o.Duties {
		b = appendString(b, d.ID)
		b = appendString(b, d.Text)
		b = appendStrings(b, d.KSBs)
	}
	return b
}

// reader decodes the payload; the first error sticks and later reads return
// zero values, so decoding code checks once.
type reader struct {
	b   []byte
	off int
	err error
	// interned holds strings that repeat across occupations (fact
	// sources, dates, versions), so that each is allocated once.
	interned map[string]string
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("truncated or damaged at byte %d (%s)", r.off, what)
	}
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil || n < 0 || r.off+n > len(r.b) {
		r.fail("bytes")
		return nil
	}
	out := r.b[r.off : r.off+n]
	r.off += n
	return out
}

func (r *reader) u32() uint32 {
	b := r.bytes(4)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

func (r *reader) u64() uint64 {
	b := r.bytes(8)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.fail("varint")
		return 0
	}
	r.off += n
	return v
}

// count reads a length and checks it against a bound and against the bytes
// left, so a damaged length cannot make decoding allocate without limit.
func (r *reader) count(limit int) int {
	v := r.uvarint()
	if v > uint64(limit) || v > uint64(len(r.b)-r.off)*8+8 {
		r.fail("length")
		return 0
	}
	return int(v)
}

func (r *reader) str() string {
	n := r.count(len(r.b) - r.off)
	return string(r.bytes(n))
}

// istr is str for a string that repeats: the copy made the first time is
// returned again after.
func (r *reader) istr() string {
	n := r.count(len(r.b) - r.off)
	b := r.bytes(n)
	if s, ok := r.interned[string(b)]; ok {
		return s
	}
	if r.interned == nil {
		r.interned = map[string]string{}
	}
	s := string(b)
	r.interned[s] = s
	return s
}

func (r *reader) strs() []string {
	n := r.count(len(r.b) - r.off)
	if n == 0 {
		return nil
	}
	out := make([]string, 0, min(n, 1<<16))
	for i := 0; i < n && r.err == nil; i++ {
		out = append(out, r.str())
	}
	return out
}

func (r *reader) occupation() *Occupation {
	o := &Occupation{}
	for _, p := range []*string{&o.Reference, &o.OccReference, &o.Title, &o.Status, &o.Route, &o.Purpose,
		&o.SOCCode, &o.SOCTitle, &o.Version, &o.NewerVersion, &o.PageURL, &o.LastUpdated, &o.Source, &o.LarsCode,
		&o.TypicalDuration, &o.EntryRequirements, &o.AssessmentPlanURL, &o.Regulated,
		&o.SalaryGroup, &o.SalaryQuality, &o.SalaryWithheld, &o.RegulatedBody, &o.IntegratedDegree, &o.EnglishMaths} {
		*p = r.str()
	}
	for _, p := range []*int{&o.Level, &o.SalaryMedian, &o.MaxFunding} {
		*p = int(r.uvarint())
	}
	o.FromPage = len(r.bytes(1)) == 1 && r.b[r.off-1] == 1
	for _, p := range []*[]string{&o.Summary, &o.SOCSubGroups, &o.JobTitles, &o.Keywords, &o.Qualifications, &o.SOCOptions, &o.Recognition} {
		*p = r.strs()
	}
	np := r.count(len(factFields))
	for i := 0; i < np && r.err == nil; i++ {
		f := FactField(r.istr())
		p := Provenance{Source: r.istr(), AsOf: r.istr(), Version: r.istr(), Origin: r.istr()}
		if r.err == nil && !slices.Contains(factFields, f) {
			r.fail("provenance of an unknown fact")
		}
		o.setProv(f, p)
	}
	for _, p := range []*[]Statement{&o.Knowledge, &o.Skills, &o.Behaviours} {
		n := r.count(len(r.b) - r.off)
		for i := 0; i < n && r.err == nil; i++ {
			*p = append(*p, Statement{ID: r.str(), Text: r.str()})
		}
	}
	n := r.count(len(r.b) - r.off)
	for i := 0; i < n && r.err == nil; i++ {
		o.Duties = append(o.Duties, Duty{ID: r.str(), Text: r.str(), KSBs: r.strs()})
	}
	if r.err == nil && (o.Reference == "" || strings.TrimSpace(o.Title) == "") {
		r.fail("occupation without reference or title")
	}
	return o
}
