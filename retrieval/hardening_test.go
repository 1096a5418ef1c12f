package retrieval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// officialJSON is one standard in the official API format with the given
// knowledge details.
func officialJSON(t *testing.T, title string, jobTitles []string, knowledge ...string) []byte {
	t.Helper()
	var ks []map[string]string
	for i, k := range knowledge {
		ks = append(ks, map[string]string{"knowledgeId": fmt.Sprintf("k-%d", i), "detail": k})
	}
	b, err := json.Marshal(map[string]any{"referenceNumber": "ST9001", "title": title, "level": 3,
		"typicalJobTitles": jobTitles, "knowledges": ks, "overviewOfRole": "Looks after networks."})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOfficialStripsDecodedMarkup: markup that decoding entities makes is
// removed from KSB text, titles and job titles; a "<" in prose stays.
func TestOfficialStripsDecodedMarkup(t *testing.T) {
	b := officialJSON(t, "Network &lt;i&gt;engineer&lt;/i&gt;<script>x</script>",
		[]string{"&lt;b&gt;Network technician&lt;/b&gt;", "<em>Support engineer</em>"},
		"Use &lt;b&gt;routers&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt; and &lt;img src=x onerror=alert(1)&gt; switches",
		"Keep cables below &lt;5°C? No: store food below &lt;5°C and a &lt; b &amp; c",
		"&lt;!-- note --&gt;Network &lt;a href=&quot;https://x&quot;&gt;protocols&lt;/a&gt;")
	occs, err := ParseOfficial("hostile.json", b)
	if err != nil {
		t.Fatal(err)
	}
	o := occs[0]
	for _, c := range []struct{ got, want string }{
		{o.Title, "Network engineer"},
		{strings.Join(o.JobTitles, "|"), "Network technician|Support engineer"},
		{o.Knowledge[0].Text, "Use routers and switches"},
		{o.Knowledge[1].Text, "Keep cables below <5°C? No: store food below <5°C and a < b & c"},
		{o.Knowledge[2].Text, "Network protocols"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// TestOfficialLimits: a standard with more than 500 KSBs and duties, or a
// passage over 5,000 characters, is refused, named.
func TestOfficialLimits(t *testing.T) {
	many := make([]string, MaxStatements+1)
	for i := range many {
		many[i] = fmt.Sprintf("Knowledge item %d", i)
	}
	_, err := ParseOfficial("many.json", officialJSON(t, "Network engineer", nil, many...))
	if err == nil || !strings.Contains(err.Error(), "ST9001") || !strings.Contains(err.Error(), "501") || !strings.Contains(err.Error(), "many.json") {
		t.Errorf("501 KSBs: %v", err)
	}
	if _, err := ParseOfficial("ok.json", officialJSON(t, "Network engineer", nil, many[:MaxStatements]...)); err != nil {
		t.Errorf("500 KSBs refused: %v", err)
	}
	long := strings.Repeat("é", MaxPassageChars+1)
	_, err = ParseOfficial("long.json", officialJSON(t, "Network engineer", nil, "short", long))
	if err == nil || !strings.Contains(err.Error(), "ST9001 K2") || !strings.Contains(err.Error(), "5,001") && !strings.Contains(err.Error(), "5001") {
		t.Errorf("a 5,001-character passage: %v", err)
	}
	if _, err := ParseOfficial("ok.json", officialJSON(t, "Network engineer", nil, long[:len(long)-2])); err != nil {
		t.Errorf("a 5,000-character passage refused: %v", err)
	}
}

// TestRemoveOrphans: a temp file no writer holds goes; one a live writer
// holds (its lock) stays, and goes once the writer is gone.
func TestRemoveOrphans(t *testing.T) {
	dir := t.TempDir()
	orphan := filepath.Join(dir, tmpPrefix+"index-abc.cbx-123")
	held := filepath.Join(dir, tmpPrefix+"catalogue.jsonl-456")
	other := filepath.Join(dir, "catalogue.jsonl")
	for _, p := range []string{orphan, held, other} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(held)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	RemoveOrphans(dir, nil)
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Errorf("orphan kept: %v", err)
	}
	for _, p := range []string{held, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed: %v", filepath.Base(p), err)
		}
	}
	f.Close() // the writer dies: its lock goes
	RemoveOrphans(dir, nil)
	if _, err := os.Stat(held); !os.IsNotExist(err) {
		t.Errorf("the dead writer's file kept: %v", err)
	}
	RemoveOrphans(filepath.Join(dir, "missing"), nil) // no folder: nothing to do, no panic
}

// TestWriteAtomicLeavesNoTemp: a completed write leaves only its file.
func TestWriteAtomicLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFileAtomic(filepath.Join(dir, "a.txt"), []byte("hello")); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "a.txt" {
		t.Errorf("files after a write: %v", entries)
	}
}

// TestOpenReturnsIndexItCouldNotSave: on a data dir that cannot be
// written, Open returns the index it built with ErrNotSaved.
func TestOpenReturnsIndexItCouldNotSave(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(context.Background(), seedOnlySource(t), filepath.Join(file, "data"), BuiltinEmbedder(0), nil)
	if !errors.Is(err, ErrNotSaved) || ix == nil || ix.Stats().Passages == 0 {
		t.Fatalf("Open = %v, %v; want the index and ErrNotSaved", ix, err)
	}
	hits, err := ix.Search(context.Background(), Query{Text: "wireless networks"})
	if err != nil || len(hits) == 0 {
		t.Errorf("the unsaved index does not search: %v %d", err, len(hits))
	}
}
