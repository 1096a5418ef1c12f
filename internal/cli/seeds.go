package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/careersbot/careersbot/internal/app"

	"github.com/careersbot/careersbot/config"
	"github.com/careersbot/careersbot/retrieval"
)

// seedsUsage is seeds' help.
const seedsUsage = `Usage:
  careersbot seeds import [flags] PATH...   merge standards in the official API format (files or folders of *.json)
  careersbot seeds import --pay FILE        take a newer ONS ASHE pay table (--soc FILE: a newer SOC mapping)
  careersbot seeds update [--from URL]      download the official list and merge it

Both write the data dir's catalogue atomically; a failure leaves it as it was.
Run "careersbot seeds import -h" or "careersbot seeds update -h" for their flags.
`

func cmdSeeds(ctx context.Context, e Env, args []string) error {
	if len(args) == 0 {
		return Usagef("seeds needs a subcommand: import PATH... or update [--from URL]")
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(e.Stdout, seedsUsage)
		return nil
	case "import":
		return cmdSeedsImport(ctx, e, args[1:])
	case "update":
		return cmdSeedsUpdate(ctx, e, args[1:])
	}
	return Usagef("unknown seeds subcommand %q: use import PATH... or update [--from URL]", args[0])
}

func cmdSeedsImport(ctx context.Context, e Env, args []string) error {
	fs, cfg, err := Flags(e, "seeds import", "seeds import [--pay FILE [--pay-edition EDITION]] [--soc FILE] [--data-dir DIR] [--seeds DIR] [PATH...]")
	if err != nil {
		return err
	}
	payFile := fs.String("pay", "", "an ONS ASHE table of median pay by SOC 2020 unit group (CSV, the format of seeds/ashe-2024-provisional-soc2020-median.csv)")
	payEdition := fs.String("pay-edition", "", `the --pay table's ASHE edition, such as "2025 provisional" or "2025 revised" (default: read from a file name like ashe-2025-...csv)`)
	socFile := fs.String("soc", "", "a mapping of standards to SOC 2020 unit groups (JSON lines, the format of seeds/soc.jsonl.gz)")
	if err := parse(fs, cfg, args); err != nil {
		return err
	}
	if *payEdition != "" && *payFile == "" {
		return Usagef("--pay-edition names the edition of a --pay table: give --pay FILE too")
	}
	if fs.NArg() == 0 && *payFile == "" && *socFile == "" {
		return Usagef("seeds import takes files in the official API format (a standard object or a list), or folders of them, and/or --pay FILE (an ASHE pay table) and --soc FILE (a SOC mapping)")
	}
	// Read and check everything before writing anything: a bad file
	// changes nothing.
	start := time.Now()
	var incoming []*retrieval.Occupation
	var files int
	for _, path := range fs.Args() {
		occs, n, err := retrieval.ReadOfficialPath(path)
		if err != nil {
			return err
		}
		incoming = append(incoming, occs...)
		files += n
	}
	var pay *retrieval.PayTable
	if *payFile != "" {
		if pay, err = readPayTable(*payFile, *payEdition); err != nil {
			return err
		}
	}
	var soc map[string]*retrieval.SOCLine
	if *socFile != "" {
		if soc, err = readSOCTable(*socFile); err != nil {
			return err
		}
	}
	if len(incoming) > 0 {
		fmt.Fprintf(e.Stderr, "read %d standards from %d files in %s\n", len(incoming), files, time.Since(start).Round(time.Millisecond))
		if err := importStandards(e, cfg, incoming, start); err != nil {
			return err
		}
	} else if fs.NArg() > 0 {
		return errors.New("no standards to import: the catalogue is unchanged")
	}
	if soc != nil {
		if err := importSOC(e, cfg, *socFile, soc); err != nil {
			return err
		}
	}
	if pay != nil {
		if err := importPay(e, cfg, pay); err != nil {
			return err
		}
	}
	fmt.Fprintln(e.Stdout, reloadHint)
	return nil
}

// reloadHint ends every import's report.
const reloadHint = "The next ask picks it up; a running serve does on SIGHUP or POST /admin/reload."

// readTableFile reads a fact table, gunzipping a name that ends .gz.
// readPayTable reads an ASHE table and its edition: the flag's, else the
// file name's.
func readPayTable(path, edition string) (*retrieval.PayTable, error) {
	var ed retrieval.PayEdition
	var err error
	switch {
	case edition != "":
		if ed, err = retrieval.ParsePayEdition(edition); err != nil {
			return nil, Usagef("--pay-edition: %v", err)
		}
	default:
		var ok bool
		if ed, ok = retrieval.PayEditionFromName(filepath.Base(path)); !ok {
			return nil, Usagef("--pay %s: the file name does not say which ASHE edition it is: give --pay-edition, such as \"2025 provisional\"", path)
		}
	}
	b, err := retrieval.ReadTable("pay", path)
	if err != nil {
		return nil, err
	}
	t, err := retrieval.ParsePayTable(path, b, ed)
	if err != nil {
		return nil, fmt.Errorf("import pay (nothing changed): %w", err)
	}
	return t, nil
}

func readSOCTable(path string) (map[string]*retrieval.SOCLine, error) {
	b, err := retrieval.ReadTable("SOC mapping", path)
	if err != nil {
		return nil, err
	}
	soc, err := retrieval.ParseSOCTable(path, b)
	if err != nil {
		return nil, fmt.Errorf("import SOC mapping (nothing changed): %w", err)
	}
	if len(soc) == 0 {
		return nil, fmt.Errorf("import SOC mapping (nothing changed): %s has no lines", path)
	}
	return soc, nil
}

// importSOC merges SOC mapping lines into the data dir's and prints what
// changes in the mapping in use.
func importSOC(e Env, cfg *config.Config, name string, incoming map[string]*retrieval.SOCLine) error {
	src, err := app.CorpusSource(cfg)
	if err != nil {
		return err
	}
	path, r, err := retrieval.ImportSOC(src, cfg.DataDir, incoming)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "imported the SOC 2020 mapping of %d standards from %s into %s\n", len(incoming), name, path)
	for _, l := range []struct {
		name string
		refs []string
	}{{"new", r.New}, {"updated", r.Updated}, {"older, kept", r.Older}, {"unchanged", r.Unchanged}} {
		fmt.Fprintf(e.Stdout, "%-12s %d%s\n", l.name+":", len(l.refs), sample(l.refs))
	}
	return nil
}

// importPay keeps an ASHE table in the data dir when it is at least as new
// as the one in use, and prints what that changes.
func importPay(e Env, cfg *config.Config, t *retrieval.PayTable) error {
	src, err := app.CorpusSource(cfg)
	if err != nil {
		return err
	}
	r, err := retrieval.ImportPay(src, cfg.DataDir, t)
	if err != nil {
		return err
	}
	w := e.Stdout
	if r.Path == "" {
		fmt.Fprintf(w, "pay: kept %s: %s is %s, which is older; nothing written\n", r.Replaced.Source(), t.Name, t.Edition.Source())
		return nil
	}
	fmt.Fprintf(w, "imported %s (%d unit groups, %d medians to quote) from %s into %s\n", t.Edition.Source(), len(t.Rows), t.Published(), t.Name, r.Path)
	if r.Replaced != nil {
		fmt.Fprintf(w, "pay: %s replaces %s; standards with a median to quote: %d, was %d\n", t.Edition.Source(), r.Replaced.Source(), r.After, r.Before)
	} else {
		fmt.Fprintf(w, "pay: standards with a median to quote: %d, was %d\n", r.After, r.Before)
	}
	return nil
}

// importStandards merges standards into the data dir's catalogue and
// prints what changed in the corpus in use.
func importStandards(e Env, cfg *config.Config, incoming []*retrieval.Occupation, start time.Time) error {
	src, err := app.CorpusSource(cfg)
	if err != nil {
		return err
	}
	path, report, err := retrieval.ImportStandards(src, cfg.DataDir, incoming)
	if err != nil {
		return err
	}
	w := e.Stdout
	fmt.Fprintf(w, "imported %d standards into %s in %s\n", len(incoming), path, time.Since(start).Round(time.Millisecond))
	for _, l := range []struct {
		name string
		refs []string
	}{{"new", report.New}, {"updated", report.Updated}, {"retired", report.Retired}, {"unchanged", report.Unchanged}} {
		fmt.Fprintf(w, "%-10s %d%s\n", l.name+":", len(l.refs), sample(l.refs))
	}
	return nil
}

func sample(refs []string) string {
	if len(refs) == 0 {
		return ""
	}
	if len(refs) > 8 {
		return fmt.Sprintf(" (%s, ...)", strings.Join(refs[:8], ", "))
	}
	return " (" + strings.Join(refs, ", ") + ")"
}

func cmdSeedsUpdate(ctx context.Context, e Env, args []string) error {
	fs, cfg, err := Flags(e, "seeds update", "seeds update [--from URL] [--data-dir DIR] [--seeds DIR]")
	if err != nil {
		return err
	}
	from := fs.String("from", retrieval.DefaultUpdateURL, "the official API's list of standards")
	if err := parse(fs, cfg, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return Usagef("seeds update takes no arguments, got %q (use --from URL)", strings.Join(fs.Args(), " "))
	}
	u, err := url.Parse(*from)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Usagef("--from %q is not an http(s) URL", *from)
	}
	start := time.Now()
	body, err := retrieval.Download(ctx, *from, e.Stderr)
	if err != nil {
		return fmt.Errorf("update from %s failed, the catalogue is unchanged: %w", *from, err)
	}
	incoming, err := retrieval.ParseOfficial(*from, body)
	if err != nil {
		return fmt.Errorf("update failed, the catalogue is unchanged: %w", err)
	}
	if len(incoming) == 0 {
		return fmt.Errorf("update from %s failed, the catalogue is unchanged: the list of standards is empty", *from)
	}
	// The live list's facts are current: as of today, not of each
	// standard's last change.
	retrieval.StampFacts(incoming, time.Now().Format("2006-01-02"))
	if err := importStandards(e, cfg, incoming, start); err != nil {
		return err
	}
	fmt.Fprintln(e.Stdout, reloadHint)
	return nil
}
