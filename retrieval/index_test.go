package retrieval

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestSeedIndexLayout(t *testing.T) {
	ix := seedIndex(t)
	st := ix.Stats()
	if st.Occupations != 1 || st.Dims != builtinDims || !st.Rebuilt {
		t.Errorf("Stats = %+v", st)
	}
	// profile, 9 overview paragraphs (purpose + 8 summary), 21 K, 14 S, 6 B, 10 duties
	want := map[Kind]int{KindProfile: 1, KindOverview: 9, KindKnowledge: 21, KindSkill: 14, KindBehaviour: 6, KindDuty: 10}
	if !reflect.DeepEqual(st.ByKind, want) || st.Passages != 61 {
		t.Errorf("ByKind = %v (%d passages), want %v (61)", st.ByKind, st.Passages, want)
	}
	if st.Acronyms != 2 {
		t.Errorf("%d acronyms mined, want 2 (SASE, SLA)", st.Acronyms)
	}
	ps := ix.Passages("ST0127")
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	if len(ids) != 61 || ids[0] != "profile" || ids[1] != "overview-1" || ids[10] != "K1" || ids[31] != "S1" || ids[45] != "B1" || ids[51] != "D1" || ids[60] != "D10" {
		t.Errorf("passage order = %q", ids)
	}
	if ix.Passages("ST9999") != nil {
		t.Error("Passages of an unknown reference")
	}
	if o, ok := ix.Occupation("ST0127"); !ok || o.Title != "Network engineer" {
		t.Errorf("Occupation(ST0127) = %v, %v", o, ok)
	}
	profile := ps[0].Text
	for _, s := range []string{"Network engineer (ST0127)", "Level 4", "£43,692", "2137 IT network professionals", "Occupation reference: OCC0127"} {
		if !strings.Contains(profile, s) {
			t.Errorf("profile %q lacks %q", profile, s)
		}
	}
}

func TestSearchSeed(t *testing.T) {
	ix := seedIndex(t)
	tests := []struct {
		name  string
		query string
		top   []string // the first hit must be one of these; nil: no hit at all
		topN  int      // or, when set, one of top must be within the first topN
	}{
		{"wireless", "wireless networking", []string{"K12"}, 0},
		{"lexicon expansion of acronyms", "DNS and DHCP", []string{"K14"}, 0},
		{"typo", "troubleshoting", []string{"S5", "K17"}, 3},
		{"unrelated", "capital of France", nil, 0},
		{"mined acronym", "zero trust SASE", []string{"K21", "S14"}, 0},
		{"routing", "routing and switching", []string{"K10"}, 0},
		{"American spelling", "network optimization", []string{"K3", "S9", "D3"}, 3},
		{"salary", "how much do they earn", []string{"profile"}, 0},
		{"stopwords only", "what is it", nil, 0},
		{"empty", "", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := search(t, ix, Query{Text: tt.query, Occupation: "ST0127"})
			ids := make([]string, len(hits))
			for i, h := range hits {
				ids[i] = h.Passage.ID
			}
			if tt.top == nil {
				if len(hits) != 0 {
					t.Fatalf("Search(%q) = %q, want no hit", tt.query, ids)
				}
				return
			}
			if len(hits) == 0 {
				t.Fatalf("Search(%q) gave no hit, want %q first", tt.query, tt.top)
			}
			n := max(tt.topN, 1)
			if !slices.ContainsFunc(ids[:min(n, len(ids))], func(id string) bool { return slices.Contains(tt.top, id) }) {
				t.Errorf("Search(%q) = %q, want one of %q in the first %d", tt.query, ids, tt.top, n)
			}
			checkHits(t, hits, DefaultFloorOccupation)
		})
	}
}

// checkHits asserts what every result list must satisfy.
func checkHits(t *testing.T, hits []Hit, floor float64) {
	t.Helper()
	seen := map[string]bool{}
	for i, h := range hits {
		if h.Score <= 0 || h.Score > 1 {
			t.Errorf("hit %s has score %v outside (0, 1]", h.Passage.Key(), h.Score)
		}
		if i > 0 && h.Score > hits[i-1].Score {
			t.Errorf("hits not sorted: %s %v after %s %v", h.Passage.Key(), h.Score, hits[i-1].Passage.Key(), hits[i-1].Score)
		}
		// What a passage holds through words near in meaning counts
		// toward the floor, never toward coverage.
		if h.Coverage+h.Soft < floor && h.Similarity < vectorRescue {
			t.Errorf("hit %s below the floor: coverage %v (soft %v), similarity %v", h.Passage.Key(), h.Coverage, h.Soft, h.Similarity)
		}
		if h.Coverage+h.Soft > 1.0001 || h.Soft < 0 {
			t.Errorf("hit %s has coverage %v and soft %v: want both within 0..1 together", h.Passage.Key(), h.Coverage, h.Soft)
		}
		if seen[h.Passage.Key()] {
			t.Errorf("hit %s twice", h.Passage.Key())
		}
		seen[h.Passage.Key()] = true
	}
}

func TestSearchOptions(t *testing.T) {
	ix := seedIndex(t)
	t.Run("limit", func(t *testing.T) {
		all := search(t, ix, Query{Text: "network", Occupation: "ST0127", Limit: 100})
		if len(all) <= 10 {
			t.Fatalf("only %d hits for network", len(all))
		}
		if def := search(t, ix, Query{Text: "network", Occupation: "ST0127"}); len(def) != 10 {
			t.Errorf("default limit gave %d hits, want 10", len(def))
		}
		three := search(t, ix, Query{Text: "network", Occupation: "ST0127", Limit: 3})
		if !slices.Equal(hitKeys(three), hitKeys(all[:3])) {
			t.Errorf("Limit 3 = %q, want the first three of %q", hitKeys(three), hitKeys(all[:3]))
		}
	})
	t.Run("unknown occupation", func(t *testing.T) {
		if hits := search(t, ix, Query{Text: "wireless", Occupation: "ST9999"}); len(hits) != 0 {
			t.Errorf("hits in an unknown occupation: %q", hitKeys(hits))
		}
		if hits := search(t, ix, Query{Text: "wireless", Occupations: []string{"ST9999", "FA0001"}}); len(hits) != 0 {
			t.Errorf("hits in unknown occupations: %q", hitKeys(hits))
		}
	})
	t.Run("group scope", func(t *testing.T) {
		hits := search(t, ix, Query{Text: "wireless networking", Occupations: []string{"ST9999", "ST0127"}})
		if len(hits) == 0 || hits[0].Passage.ID != "K12" {
			t.Errorf("group search = %q, want K12 first", hitKeys(hits))
		}
		checkHits(t, hits, DefaultFloorGroup)
	})
	t.Run("whole corpus", func(t *testing.T) {
		hits := search(t, ix, Query{Text: "wireless networking"})
		if len(hits) == 0 || hits[0].Passage.ID != "K12" {
			t.Errorf("corpus search = %q, want K12 first", hitKeys(hits))
		}
		checkHits(t, hits, DefaultFloorAll)
	})
	t.Run("kinds boost", func(t *testing.T) {
		plain := search(t, ix, Query{Text: "troubleshoot network issues", Occupation: "ST0127", Limit: 100})
		boosted := search(t, ix, Query{Text: "troubleshoot network issues", Occupation: "ST0127", Limit: 100, Kinds: []Kind{KindSkill}})
		score := func(hits []Hit, id string) float64 {
			for _, h := range hits {
				if h.Passage.ID == id {
					return h.Score
				}
			}
			return -1
		}
		if p, b := score(plain, "S5"), score(boosted, "S5"); p < 0 || b <= p {
			t.Errorf("S5 score %v with a skill boost, %v without", b, p)
		}
		if p, b := score(plain, "K17"), score(boosted, "K17"); p < 0 || b != p {
			t.Errorf("K17 score %v with a skill boost, %v without; want unchanged", b, p)
		}
	})
	t.Run("higher floor", func(t *testing.T) {
		loose := search(t, ix, Query{Text: "wireless networking configuration", Occupation: "ST0127", Limit: 100})
		strict := search(t, ix, Query{Text: "wireless networking configuration", Occupation: "ST0127", Limit: 100, MinCoverage: 0.99})
		if len(strict) >= len(loose) {
			t.Errorf("MinCoverage 0.99 kept %d hits of %d", len(strict), len(loose))
		}
		checkHits(t, strict, 0.99)
	})
	t.Run("repeatable", func(t *testing.T) {
		a := search(t, ix, Query{Text: "DNS and DHCP", Occupation: "ST0127", Limit: 50})
		search(t, ix, Query{Text: "security threats", Limit: 50})
		b := search(t, ix, Query{Text: "DNS and DHCP", Occupation: "ST0127", Limit: 50})
		if !slices.Equal(hitSummary(a), hitSummary(b)) {
			t.Errorf("same query, different answers:\n%q\n%q", hitSummary(a), hitSummary(b))
		}
	})
}

// Occupations listing one reference twice must not count its passages twice.
func TestSearchDuplicateScope(t *testing.T) {
	ix := seedIndex(t)
	hits := search(t, ix, Query{Text: "routing and switching", Occupations: []string{"ST0127", "ST0127"}})
	checkHits(t, hits, DefaultFloorGroup)
	once := search(t, ix, Query{Text: "routing and switching", Occupations: []string{"ST0127"}})
	if !slices.Equal(hitSummary(hits), hitSummary(once)) {
		t.Errorf("duplicated scope = %q, want %q", hitSummary(hits), hitSummary(once))
	}
}

func TestSearchConcurrent(t *testing.T) {
	ix := seedIndex(t)
	queries := []string{"wireless networking", "DNS and DHCP", "troubleshoting", "zero trust SASE", "capital of France"}
	want := make([][]string, len(queries))
	for i, q := range queries {
		want[i] = hitSummary(search(t, ix, Query{Text: q, Occupation: "ST0127"}))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range 10 {
				i := (g + r) % len(queries)
				hits, err := ix.Search(context.Background(), Query{Text: queries[i], Occupation: "ST0127"})
				if err != nil {
					errs <- err.Error()
					return
				}
				if got := hitSummary(hits); !slices.Equal(got, want[i]) {
					errs <- queries[i] + ": " + strings.Join(got, "; ")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent search differs: %s", e)
	}
}

func TestRankOccupationsSeed(t *testing.T) {
	ix := seedIndex(t)
	tests := []struct {
		text     string
		want     string // best candidate worth taking (score 0.72 or more); "" for none
		span     string // the words that name it
		complete bool
	}{
		{"network engineer", "ST0127", "network engineer", true},
		{"networks engineers", "ST0127", "networks engineers", true},
		{"network engineering", "ST0127", "network engineering", false},
		{"netwrok engineer", "ST0127", "netwrok engineer", true},
		{"ST0127", "ST0127", "ST0127", true},
		{"what does an st0127 do", "ST0127", "st0127", true},
		{"How do I become a Network Engineer?", "ST0127", "Network Engineer", true},
		{"I want to be a network architect", "ST0127", "network architect", true}, // a job title
		{"pastry chef", "", "", false},
		{"network", "", "", false},
		{"ST0128", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			cs := ix.RankOccupations(tt.text)
			if tt.want == "" {
				if len(cs) != 0 && cs[0].Score >= 0.72 {
					t.Errorf("RankOccupations(%q) = %+v, want none worth taking", tt.text, cs[0])
				}
				return
			}
			if len(cs) == 0 {
				t.Fatalf("RankOccupations(%q) found nothing, want %s", tt.text, tt.want)
			}
			c := cs[0]
			if c.Occupation.Reference != tt.want || c.Score < 0.72 {
				t.Errorf("best %s at %.2f, want %s", c.Occupation.Reference, c.Score, tt.want)
			}
			if got := tt.text[c.Start:c.End]; got != tt.span {
				t.Errorf("named by %q, want %q", got, tt.span)
			}
			if c.Complete != tt.complete {
				t.Errorf("Complete = %v, want %v", c.Complete, tt.complete)
			}
		})
	}
}

func TestEmbedderDims(t *testing.T) {
	src := seedOnlySource(t)
	dir := t.TempDir()
	a := openSeedIndex(t, src, dir)
	ix, err := Open(context.Background(), src, dir, BuiltinEmbedder(64), nil)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Stats().Dims != 64 || !ix.Stats().Rebuilt || ix.Key() == a.Key() {
		t.Errorf("another embedder: dims %d rebuilt %v same key %v", ix.Stats().Dims, ix.Stats().Rebuilt, ix.Key() == a.Key())
	}
	if hits := search(t, ix, Query{Text: "wireless networking", Occupation: "ST0127"}); len(hits) == 0 || hits[0].Passage.ID != "K12" {
		t.Errorf("64-dimension search = %q", hitKeys(hits))
	}
	// Both files are kept: switching back loads.
	if b := openSeedIndex(t, src, dir); b.Stats().Rebuilt {
		t.Errorf("switching back rebuilt: %s", b.Stats().Reason)
	}
}

func TestOpenLoadsSavedIndex(t *testing.T) {
	src := seedOnlySource(t)
	dir := t.TempDir()
	built := openSeedIndex(t, src, dir)
	if st := built.Stats(); !st.Rebuilt || st.Reason != "no index file for this corpus yet" || st.FileBytes == 0 {
		t.Errorf("first Open: %+v", st)
	}
	if _, err := os.Stat(built.Stats().File); err != nil {
		t.Fatalf("index file: %v", err)
	}
	if filepath.Dir(built.Stats().File) != dir || built.Stats().File != IndexPath(dir, built.Key()) {
		t.Errorf("index file %s, want %s", built.Stats().File, IndexPath(dir, built.Key()))
	}
	loaded := openSeedIndex(t, src, dir)
	st := loaded.Stats()
	if st.Rebuilt || st.Reason != "" {
		t.Errorf("second Open rebuilt: %+v", st)
	}
	if loaded.Key() != built.Key() || st.Passages != built.Stats().Passages || st.Terms != built.Stats().Terms ||
		st.Acronyms != built.Stats().Acronyms || !reflect.DeepEqual(st.ByKind, built.Stats().ByKind) || st.FileBytes != built.Stats().FileBytes {
		t.Errorf("loaded stats %+v differ from built %+v", st, built.Stats())
	}
	checkSameIndex(t, built, loaded)
}

// checkSameIndex asserts two indexes hold the same corpus and answer alike.
func checkSameIndex(t *testing.T, a, b *Index) {
	t.Helper()
	if len(a.Occupations()) != len(b.Occupations()) {
		t.Fatalf("%d occupations vs %d", len(a.Occupations()), len(b.Occupations()))
	}
	for i, o := range a.Occupations() {
		if !reflect.DeepEqual(canonical(o), canonical(b.Occupations()[i])) {
			t.Errorf("occupation %s differs after the round trip:\n%+v\n%+v", o.Reference, canonical(o), canonical(b.Occupations()[i]))
		}
	}
	for _, q := range []Query{
		{Text: "wireless networking", Occupation: "ST0127"},
		{Text: "DNS and DHCP", Occupation: "ST0127", Limit: 30},
		{Text: "troubleshoting", Occupation: "ST0127"},
		{Text: "zero trust SASE"},
		{Text: "routing and switching"},
		{Text: "capital of France"},
	} {
		ha, hb := search(t, a, q), search(t, b, q)
		if !slices.Equal(hitSummary(ha), hitSummary(hb)) {
			t.Errorf("Search(%q) differs:\n%q\n%q", q.Text, hitSummary(ha), hitSummary(hb))
		}
	}
	for _, text := range []string{"network engineer", "netwrok engineer", "ST0127"} {
		ma, mb := a.RankOccupations(text), b.RankOccupations(text)
		if len(ma) != len(mb) || (len(ma) > 0 && (ma[0].Occupation.Reference != mb[0].Occupation.Reference || ma[0].Score != mb[0].Score)) {
			t.Errorf("RankOccupations(%q) differs: %+v vs %+v", text, ma, mb)
		}
	}
}

// canonical is a copy of o with empty lists as nil: the index file does not
// tell the two apart, and nothing should.
func canonical(o *Occupation) Occupation {
	c := *o
	nilIfEmpty := func(s []string) []string {
		if len(s) == 0 {
			return nil
		}
		return s
	}
	c.Summary, c.SOCSubGroups, c.JobTitles, c.Keywords, c.Qualifications, c.SOCOptions, c.Recognition =
		nilIfEmpty(c.Summary), nilIfEmpty(c.SOCSubGroups), nilIfEmpty(c.JobTitles), nilIfEmpty(c.Keywords), nilIfEmpty(c.Qualifications),
		nilIfEmpty(c.SOCOptions), nilIfEmpty(c.Recognition)
	if len(c.Provenance) == 0 {
		c.Provenance = nil
	}
	for _, p := range []*[]Statement{&c.Knowledge, &c.Skills, &c.Behaviours} {
		if len(*p) == 0 {
			*p = nil
		}
	}
	if len(c.Duties) == 0 {
		c.Duties = nil
	} else {
		ds := slices.Clone(c.Duties)
		for i := range ds {
			ds[i].KSBs = nilIfEmpty(ds[i].KSBs)
		}
		c.Duties = ds
	}
	return c
}

func TestOpenRebuildsDamagedIndex(t *testing.T) {
	tests := []struct {
		name   string
		damage func(b []byte) []byte
		reason string
	}{
		{"truncated to half", func(b []byte) []byte { return b[:len(b)/2] }, "truncated"},
		{"truncated by one byte", func(b []byte) []byte { return b[:len(b)-1] }, "truncated"},
		{"truncated inside the header", func(b []byte) []byte { return b[:20] }, "corrupt index file"},
		{"one byte flipped in the middle", func(b []byte) []byte { b[len(b)/2] ^= 0x40; return b }, "checksum mismatch"},
		{"checksum flipped", func(b []byte) []byte { b[len(b)-1] ^= 0x01; return b }, "checksum mismatch"},
		{"empty file", func(b []byte) []byte { return nil }, "corrupt index file"},
		{"not an index", func(b []byte) []byte { return []byte("hello, world\n") }, "not a careersbot index"},
	}
	src := seedOnlySource(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			good := openSeedIndex(t, src, dir)
			path := good.Stats().File
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tt.damage(b), 0o644); err != nil {
				t.Fatal(err)
			}

			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			ix, err := Open(context.Background(), src, dir, BuiltinEmbedder(0), log)
			if err != nil {
				t.Fatalf("Open over a damaged index: %v", err)
			}
			st := ix.Stats()
			if !st.Rebuilt {
				t.Fatal("damaged index loaded instead of rebuilt")
			}
			if !strings.Contains(st.Reason, tt.reason) || !strings.Contains(st.Reason, "corrupt index file") {
				t.Errorf("Reason = %q, want it to mention %q", st.Reason, tt.reason)
			}
			out := logs.String()
			if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "rebuilding the index") || !strings.Contains(out, tt.reason) {
				t.Errorf("warning not logged; log:\n%s", out)
			}
			checkSameIndex(t, good, ix)

			// The rebuilt file replaced the damaged one.
			again := openSeedIndex(t, src, dir)
			if again.Stats().Rebuilt {
				t.Errorf("third Open rebuilt again: %s", again.Stats().Reason)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	src := seedOnlySource(t)
	dir := t.TempDir()
	ix := openSeedIndex(t, src, dir)
	path := ix.Stats().File
	emb := BuiltinEmbedder(0)

	t.Run("wrong key", func(t *testing.T) {
		otherKey := IndexKey("another corpus", emb)
		_, err := Load(path, otherKey, emb)
		if !errors.Is(err, ErrStaleIndex) || errors.Is(err, ErrCorruptIndex) {
			t.Fatalf("error = %v, want ErrStaleIndex", err)
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("error %q does not name the file", err)
		}
	})
	t.Run("corrupt", func(t *testing.T) {
		b, _ := os.ReadFile(path)
		b[len(b)/2] ^= 0xff
		bad := filepath.Join(t.TempDir(), "bad.cbx")
		if err := os.WriteFile(bad, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(bad, ix.Key(), emb)
		if !errors.Is(err, ErrCorruptIndex) || errors.Is(err, ErrStaleIndex) {
			t.Fatalf("error = %v, want ErrCorruptIndex", err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		_, err := Load(filepath.Join(t.TempDir(), "none.cbx"), ix.Key(), emb)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("error = %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("right key", func(t *testing.T) {
		got, err := Load(path, ix.Key(), emb)
		if err != nil {
			t.Fatal(err)
		}
		if got.Key() != ix.Key() || got.Stats().Rebuilt || got.Stats().File != path {
			t.Errorf("loaded %+v", got.Stats())
		}
	})
}

func TestOpenUnwritableDataDir(t *testing.T) {
	src := seedOnlySource(t)
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(file, "data")
	ix, err := Open(context.Background(), src, dataDir, BuiltinEmbedder(0), nil)
	if err == nil {
		t.Fatalf("Open into %s succeeded (%v)", dataDir, ix.Stats().File)
	}
	if !strings.Contains(err.Error(), dataDir) || !strings.Contains(err.Error(), "not writable") {
		t.Errorf("error %q does not name the data dir %s", err, dataDir)
	}
}

func TestSavePrunesOldIndexes(t *testing.T) {
	src := seedOnlySource(t)
	dir := t.TempDir()
	var last *Index
	for _, dims := range []int{8, 16, 24, 32, 40, 48} {
		ix, err := Open(context.Background(), src, dir, BuiltinEmbedder(dims), nil)
		if err != nil {
			t.Fatal(err)
		}
		last = ix
	}
	files, _ := filepath.Glob(filepath.Join(dir, indexPattern))
	if len(files) != keepIndexes {
		t.Errorf("%d index files kept, want %d: %q", len(files), keepIndexes, files)
	}
	if !slices.Contains(files, last.Stats().File) {
		t.Errorf("the newest index %s was pruned", last.Stats().File)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(tmp) != 0 {
		t.Errorf("temporary files left: %q", tmp)
	}
}

func TestCollectionOfLoadedIndex(t *testing.T) {
	src := seedOnlySource(t)
	dir := t.TempDir()
	openSeedIndex(t, src, dir)
	ix := openSeedIndex(t, src, dir)
	if ix.Stats().Rebuilt {
		t.Fatal("not loaded")
	}
	ctx := context.Background()
	coll, err := ix.Collection(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if coll.Count() != ix.Stats().Passages {
		t.Errorf("collection holds %d documents, want %d", coll.Count(), ix.Stats().Passages)
	}
	res, err := coll.Query(ctx, "Wireless networks technologies and configurations.", 1, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].ID != "ST0127 K12" || res[0].Metadata["kind"] != string(KindKnowledge) {
		t.Errorf("collection query = %+v, want ST0127 K12", res)
	}
}

// A catalogue line whose title is only white space must not leave an index
// that can never be loaded.
func TestOpenBlankTitleRebuildsForever(t *testing.T) {
	dir := writeFiles(t, map[string][]byte{"c.jsonl": []byte(`{"reference":"ST9999","title":"   ","knowledge":[{"id":"K1","text":"x"}]}` + "\n")})
	src, err := OpenSource(os.DirFS(dir), dir)
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	if _, err := Open(context.Background(), src, data, BuiltinEmbedder(0), nil); err != nil {
		return // rejecting the line is a fix too
	}
	second, err := Open(context.Background(), src, data, BuiltinEmbedder(0), nil)
	if err != nil {
		t.Fatal(err)
	}
	if second.Stats().Rebuilt {
		t.Errorf("second Open rebuilt: %s", second.Stats().Reason)
	}
}

func TestIndexKey(t *testing.T) {
	a := IndexKey("corpus", BuiltinEmbedder(0))
	if a != IndexKey("corpus", BuiltinEmbedder(0)) {
		t.Error("IndexKey is not stable")
	}
	for name, other := range map[string]string{
		"corpus":   IndexKey("corpus2", BuiltinEmbedder(0)),
		"embedder": IndexKey("corpus", BuiltinEmbedder(128)),
	} {
		if other == a {
			t.Errorf("IndexKey ignores the %s", name)
		}
	}
	if p := IndexPath("/data", a); p != "/data/index-"+a[:16]+".cbx" {
		t.Errorf("IndexPath = %s", p)
	}
}

// The whole-catalogue tests share one build of the default corpus.

func TestFullIndexSearch(t *testing.T) {
	ix := fullIndex(t)
	if st := ix.Stats(); st.Occupations != 839 || st.Dims != builtinDims {
		t.Errorf("Stats = %+v", st)
	}
	hits := search(t, ix, Query{Text: "routing and switching"})
	if len(hits) == 0 || hits[0].Passage.Key() != "ST0127 K10" {
		t.Errorf("routing and switching = %q, want ST0127 K10 first", hitKeys(hits))
	}
	checkHits(t, hits, DefaultFloorAll)
	if hits := search(t, ix, Query{Text: "capital of France"}); len(hits) != 0 {
		t.Errorf("capital of France = %q, want no hit", hitKeys(hits))
	}
	if hits := search(t, ix, Query{Text: "wireless networking", Occupation: "ST0127"}); len(hits) == 0 || hits[0].Passage.Key() != "ST0127 K12" {
		t.Errorf("wireless networking in ST0127 = %q, want ST0127 K12 first", hitKeys(hits))
	}
	for _, text := range []string{"network engineer", "networks engineers", "network engineering", "netwrok engineer", "ST0127"} {
		if cs := ix.RankOccupations(text); len(cs) == 0 || cs[0].Occupation.Reference != "ST0127" {
			t.Errorf("RankOccupations(%q) does not give ST0127 first: %+v", text, cs)
		}
	}
}

func TestFullIndexPassageKeysUnique(t *testing.T) {
	ix := fullIndex(t)
	seen := make(map[string]bool, ix.Stats().Passages)
	for _, o := range ix.Occupations() {
		for _, p := range ix.Passages(o.Reference) {
			if seen[p.Key()] {
				t.Errorf("passage key %q twice", p.Key())
			}
			seen[p.Key()] = true
		}
	}
	if len(seen) != ix.Stats().Passages {
		t.Errorf("%d keys for %d passages", len(seen), ix.Stats().Passages)
	}
}

// Every occupation of the default corpus survives the index file format.
func TestFullIndexRoundTrip(t *testing.T) {
	ix := fullIndex(t)
	got, err := decode(ix.encode(), ix.embedder)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Occupations()) != len(ix.Occupations()) {
		t.Fatalf("%d occupations decoded, want %d", len(got.Occupations()), len(ix.Occupations()))
	}
	for i, o := range ix.Occupations() {
		if !reflect.DeepEqual(canonical(o), canonical(got.Occupations()[i])) {
			t.Errorf("occupation %s differs after the round trip", o.Reference)
		}
	}
	if !slices.Equal(got.vectors.q, ix.vectors.q) || !slices.Equal(got.vectors.scale, ix.vectors.scale) || got.dims != ix.dims {
		t.Error("vectors differ after the round trip")
	}
	if !reflect.DeepEqual(got.acronyms, ix.acronyms) {
		t.Error("acronyms differ after the round trip")
	}
	if !slices.Equal(got.lex.vocab, ix.lex.vocab) || !slices.Equal(got.lex.docLen, ix.lex.docLen) || got.lex.avgLen != ix.lex.avgLen ||
		!reflect.DeepEqual(got.lex.postings, ix.lex.postings) {
		t.Error("lexical index differs after the round trip")
	}
}
