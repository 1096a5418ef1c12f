package retrieval

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// LoadTables reads the source's fact tables, with the imported ones in
// TableDir over them: per reference the newer SOC mapping line, and the
// newest ASHE edition (an imported table of the same edition wins). nil
// when there are none.
func (s *Source) LoadTables() (*FactTables, error) {
	imported, err := s.importedTables()
	if err != nil {
		return nil, err
	}
	if len(s.Tables) == 0 && len(imported) == 0 {
		return nil, nil
	}
	t := &FactTables{Facts: map[string]*Occupation{}, SOC: map[string]*SOCLine{}}
	type file struct {
		name string
		data []byte
	}
	var files []file
	for _, name := range s.Tables {
		b, err := fs.ReadFile(s.FS, name)
		if err != nil {
			return nil, fmt.Errorf("read fact table %s: %w", s.path(name), err)
		}
		files = append(files, file{s.path(name), b})
	}
	for _, p := range imported {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("the data dir's imported table %s cannot be read: %w", p, err)
		}
		files = append(files, file{p, b})
	}
	for _, f := range files {
		data, err := decompress(f.name, f.data)
		if err != nil {
			return nil, err
		}
		switch tableKind(filepath.Base(f.name)) {
		case "facts":
			facts, err := parseFactsTable(f.name, data)
			if err != nil {
				return nil, err
			}
			for ref, o := range facts {
				t.Facts[ref] = o
			}
		case "soc":
			soc, err := ParseSOCTable(f.name, data)
			if err != nil {
				return nil, err
			}
			t.SOC = MergeSOC(t.SOC, soc)
		case "pay":
			ed, ok := PayEditionFromName(filepath.Base(f.name))
			if !ok {
				return nil, fmt.Errorf("%s: the name does not say which ASHE edition the table is: name it like ashe-2024-provisional-soc2020-median.csv", f.name)
			}
			p, err := ParsePayTable(f.name, data, ed)
			if err != nil {
				return nil, err
			}
			if t.Pay == nil || p.Edition.Compare(t.Pay.Edition) >= 0 {
				t.Pay = p
			}
		}
	}
	return t, nil
}

// importedTables lists the fact tables in TableDir: the ASHE tables and the
// SOC mapping that seeds import wrote.
func (s *Source) importedTables() ([]string, error) {
	if s.TableDir == "" {
		return nil, nil
	}
	pay, err := filepath.Glob(filepath.Join(s.TableDir, payTablePrefix+"*"+payTableSuffix))
	if err != nil {
		return nil, err
	}
	out := slices.Clone(pay)
	soc := filepath.Join(s.TableDir, SOCTableFile)
	switch _, err := os.Stat(soc); {
	case err == nil:
		out = append(out, soc)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("the data dir's imported table %s cannot be read (set --data-dir or CAREERSBOT_DATA_DIR to a readable folder): %w", soc, err)
	}
	slices.Sort(out)
	return out, nil
}

// ReadImportedSOC reads the SOC mapping seeds import keeps in dir; a
// missing file is an empty one.
func ReadImportedSOC(dir string) (map[string]*SOCLine, error) {
	path := filepath.Join(dir, SOCTableFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]*SOCLine{}, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseSOCTable(path, b)
}

// WriteImportedSOC writes the imported SOC mapping into dir atomically, a
// line per reference in reference order, each as it was read.
func WriteImportedSOC(dir string, lines map[string]*SOCLine) (string, error) {
	refs := make([]string, 0, len(lines))
	for ref := range lines {
		refs = append(refs, ref)
	}
	slices.Sort(refs)
	var b bytes.Buffer
	for _, ref := range refs {
		b.Write(lines[ref].Raw)
		b.WriteByte('\n')
	}
	path := filepath.Join(dir, SOCTableFile)
	return path, writeAtomic(path, b.Bytes())
}

// WriteImportedPay writes a pay table into dir atomically under its
// edition's name, then removes the other tables imported there: only the
// newest is used, and a failed write leaves them as they were.
func WriteImportedPay(dir string, t *PayTable) (string, error) {
	path := filepath.Join(dir, t.Edition.FileName())
	if err := writeAtomic(path, t.Raw); err != nil {
		return "", err
	}
	old, _ := filepath.Glob(filepath.Join(dir, payTablePrefix+"*"+payTableSuffix))
	for _, p := range old {
		if p != path {
			os.Remove(p)
		}
	}
	return path, nil
}
