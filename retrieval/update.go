package retrieval

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// DefaultUpdateURL is the official list of standards (Skills England, which
// took over the IfATE API).
const DefaultUpdateURL = "https://skillsengland.education.gov.uk/api/apprenticeshipstandards"

// Limits of a download of the official list (about 40 MB).
const (
	UpdateTimeout  = 5 * time.Minute
	UpdateMaxBytes = 512 << 20
)

// Download fetches the official list (or any URL) within UpdateTimeout and
// UpdateMaxBytes, writing a progress line to progress (nil: none). A body
// cut short, a status other than 200 or one too large is an error.
func Download(ctx context.Context, from string, progress io.Writer) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, UpdateTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, from, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "careersbot (seeds update)")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the server answered %s", resp.Status)
	}
	if progress == nil {
		progress = io.Discard
	}
	p := &progressLine{w: progress, total: resp.ContentLength, last: time.Now()}
	body, err := io.ReadAll(io.TeeReader(io.LimitReader(resp.Body, UpdateMaxBytes+1), p))
	p.done()
	if err != nil {
		return nil, fmt.Errorf("download cut short after %d bytes: %w", len(body), err)
	}
	if len(body) > UpdateMaxBytes {
		return nil, fmt.Errorf("the list is larger than %d MB", UpdateMaxBytes>>20)
	}
	if resp.ContentLength > 0 && int64(len(body)) != resp.ContentLength {
		return nil, fmt.Errorf("download cut short: %d of %d bytes", len(body), resp.ContentLength)
	}
	return body, nil
}

// progressLine writes "downloading... 12.3 MB" at most a few times a second.
type progressLine struct {
	w     io.Writer
	n     int64
	total int64
	last  time.Time
}

func (p *progressLine) Write(b []byte) (int, error) {
	p.n += int64(len(b))
	if time.Since(p.last) > 250*time.Millisecond {
		p.show()
		p.last = time.Now()
	}
	return len(b), nil
}

func (p *progressLine) show() {
	if p.total > 0 {
		fmt.Fprintf(p.w, "\rdownloading... %.1f of %.1f MB", float64(p.n)/1e6, float64(p.total)/1e6)
	} else {
		fmt.Fprintf(p.w, "\rdownloading... %.1f MB", float64(p.n)/1e6)
	}
}

func (p *progressLine) done() {
	p.show()
	fmt.Fprintln(p.w)
}

// ReadOfficialPath reads standards in the official API format from one
// file, or every *.json file of a folder, and says how many files it read.
func ReadOfficialPath(path string) ([]*Occupation, int, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, 0, fmt.Errorf("import: %w", err)
	}
	files := []string{path}
	if st.IsDir() {
		if files, err = filepath.Glob(filepath.Join(path, "*.json")); err != nil {
			return nil, 0, err
		}
		if len(files) == 0 {
			return nil, 0, fmt.Errorf("import: %s holds no *.json files in the official API format", path)
		}
	}
	slices.Sort(files)
	var out []*Occupation
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, 0, fmt.Errorf("import: %w", err)
		}
		occs, err := ParseOfficial(f, b)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, occs...)
	}
	return out, len(files), nil
}

// ImportStandards merges standards into the data dir's catalogue (src's
// overlay), atomically: a failure leaves the catalogue as it was. It
// returns the catalogue's path and what changed in the corpus in use.
func ImportStandards(src *Source, dataDir string, incoming []*Occupation) (string, ImportReport, error) {
	if len(incoming) == 0 {
		return "", ImportReport{}, errors.New("no standards to import: the catalogue is unchanged")
	}
	base := *src
	overlayPath := base.Overlay
	base.Overlay = ""
	std, err := base.Standards()
	if err != nil {
		return "", ImportReport{}, err
	}
	overlay, err := ReadCatalogueFile(overlayPath)
	if err != nil {
		return "", ImportReport{}, fmt.Errorf("the imported catalogue %s: %w", overlayPath, err)
	}
	merged, report := Import(std.Occupations, overlay, incoming)
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", ImportReport{}, fmt.Errorf("data dir %s is not writable: %w", dataDir, err)
	}
	if err := WriteCatalogueFile(overlayPath, merged); err != nil {
		return "", ImportReport{}, fmt.Errorf("write %s (the catalogue is unchanged): %w", overlayPath, err)
	}
	return overlayPath, report, nil
}

// ReadTable reads a fact table's file, gunzipped when it ends in .gz; what
// names the table in errors.
func ReadTable(what, path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", what, err)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("import %s: %s is not gzip data: %w", what, path, err)
		}
		defer zr.Close()
		if b, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("import %s: %s: %w", what, path, err)
		}
	}
	return b, nil
}

// SOCReport says what a SOC mapping import changes in the mapping in use,
// by reference.
type SOCReport struct {
	New, Updated, Older, Unchanged []string
}

// ImportSOC merges SOC mapping lines into the data dir's, per reference the
// later retrieval winning, atomically. It returns the file written and what
// changes in the mapping src uses.
func ImportSOC(src *Source, dataDir string, incoming map[string]*SOCLine) (string, SOCReport, error) {
	inUse, err := src.LoadTables()
	if err != nil {
		return "", SOCReport{}, err
	}
	imported, err := ReadImportedSOC(dataDir)
	if err != nil {
		return "", SOCReport{}, fmt.Errorf("the imported SOC mapping in %s (nothing changed): %w", dataDir, err)
	}
	var r SOCReport
	for ref, l := range incoming {
		var cur *SOCLine
		if inUse != nil {
			cur = inUse.SOC[ref]
		}
		switch {
		case cur == nil:
			r.New = append(r.New, ref)
		case l.AsOf() < cur.AsOf():
			r.Older = append(r.Older, ref)
		case l.SameGroups(cur):
			r.Unchanged = append(r.Unchanged, ref)
		default:
			r.Updated = append(r.Updated, ref)
		}
	}
	for _, l := range [][]string{r.New, r.Updated, r.Older, r.Unchanged} {
		slices.Sort(l)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", SOCReport{}, fmt.Errorf("data dir %s is not writable: %w", dataDir, err)
	}
	path, err := WriteImportedSOC(dataDir, MergeSOC(imported, incoming))
	if err != nil {
		return "", SOCReport{}, fmt.Errorf("write the SOC mapping (nothing changed): %w", err)
	}
	return path, r, nil
}

// PayImport says what a pay table import did: the file written ("" when
// the table in use is newer and nothing was written), the edition it
// replaced (nil for none) and the standards with a median to quote before
// and after.
type PayImport struct {
	Path          string
	Replaced      *PayEdition
	Before, After int
}

// ImportPay keeps an ASHE table in the data dir when it is at least as new
// as the one src uses, atomically.
func ImportPay(src *Source, dataDir string, t *PayTable) (PayImport, error) {
	inUse, err := src.LoadTables()
	if err != nil {
		return PayImport{}, err
	}
	var r PayImport
	if inUse != nil && inUse.Pay != nil {
		ed := inUse.Pay.Edition
		r.Replaced = &ed
		if t.Edition.Compare(ed) < 0 {
			return r, nil
		}
	}
	standards, err := src.Standards()
	if err != nil {
		return PayImport{}, err
	}
	r.Before = CountFacts(JoinFacts(standards, inUse).Occupations).Salary
	after := &FactTables{Pay: t}
	if inUse != nil {
		after.Facts, after.SOC = inUse.Facts, inUse.SOC
	}
	r.After = CountFacts(JoinFacts(standards, after).Occupations).Salary
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return PayImport{}, fmt.Errorf("data dir %s is not writable: %w", dataDir, err)
	}
	if r.Path, err = WriteImportedPay(dataDir, t); err != nil {
		return PayImport{}, fmt.Errorf("write the pay table (nothing changed): %w", err)
	}
	return r, nil
}
