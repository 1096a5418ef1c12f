// Package cli is careersbot's command line: the subcommands (ask, chat,
// index, eval, seeds, config, insights, healthcheck, serve), their flags and
// their output. Package main runs it with what only it may build: the
// adapters serve runs, and the commands that need one (the Teams package).
package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/careersbot/careersbot/internal/app"
	"github.com/careersbot/careersbot/internal/server"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/config"
	"github.com/careersbot/careersbot/retrieval"
)

// Exit codes of docs/interfaces.md section 2.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// usageError is a mistake in how careersbot was called: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// Usagef is a usage error (exit code 2) with its message.
func Usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// Env is what a command runs with: streams and the environment, so tests
// can run commands in-process.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// Command is one subcommand.
type Command func(ctx context.Context, e Env, args []string) error

// Options are what package main gives the command line.
type Options struct {
	// Serve is what serve runs (its adapters).
	Serve server.Options
	// Commands are more subcommands, by name.
	Commands map[string]Command
}

const usage = `careersbot answers careers questions from England's occupational standards.

Usage:
  careersbot ask [flags] QUESTION...    one answer (--json for programs)
  careersbot chat [flags]               a question a line on stdin, answers on stdout
  careersbot serve [flags]              the HTTP API, Slack, Discord and Teams adapters
  careersbot index [flags]              build or refresh the index and say what it holds
  careersbot eval [flags] FILE.jsonl    score questions against expected citations
  careersbot seeds import PATH...       merge standards in the official API format into the data dir
  careersbot seeds import --pay FILE    take a newer ONS ASHE pay table (--soc FILE: a newer SOC mapping)
  careersbot seeds update [--from URL]  download the official list and merge it
  careersbot config                     print the effective settings, secrets redacted
  careersbot healthcheck                exit 0 when the local serve answers /healthz (container health checks)
  careersbot teams-package --out FILE   write the Microsoft Teams app package (manifest and icons)
  careersbot insights [--since 7d]      what learners asked and how it went (--json, --csv)

Common flags: --seeds DIR, --data-dir DIR, --http-addr ADDR (each also an environment variable).
Run "careersbot COMMAND -h" for a command's flags.
`

var commands = map[string]Command{
	"ask":         cmdAsk,
	"chat":        cmdChat,
	"index":       cmdIndex,
	"eval":        cmdEval,
	"config":      cmdConfig,
	"seeds":       cmdSeeds,
	"healthcheck": cmdHealthcheck,
	"insights":    cmdInsights,
}

// Run runs the command line args names, with e's streams and environment,
// and returns the exit code (docs/interfaces.md section 2).
func Run(ctx context.Context, args []string, e Env, o Options) int {
	stdin, stdout, stderr := e.Stdin, e.Stdout, e.Stderr
	_ = stdin
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return ExitUsage
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "help" {
		fmt.Fprint(stdout, usage)
		if facts := factsHelp(e); facts != "" {
			fmt.Fprint(stdout, "\n"+facts)
		}
		return ExitOK
	}
	all := maps.Clone(commands)
	all["serve"] = func(ctx context.Context, e Env, args []string) error { return cmdServe(ctx, e, args, o) }
	maps.Copy(all, o.Commands)
	cmd, ok := all[name]
	if !ok {
		names := make([]string, 0, len(all))
		for n := range all {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(stderr, "careersbot: unknown command %q: use one of %s\n", name, strings.Join(names, ", "))
		return ExitUsage
	}
	err := cmd(ctx, e, args[1:])
	var ue *usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "careersbot %s: %s\n", name, oneLine(ue.msg))
		return ExitUsage
	case errors.Is(err, errBelowMin):
		return ExitFailure
	case errors.Is(err, errSilentUsage):
		return ExitUsage
	default:
		fmt.Fprintf(stderr, "careersbot %s: %s\n", name, oneLine(err.Error()))
		return ExitFailure
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// factsHelp says which everyday facts the corpus in use has, for how many
// standards, counted from it (not the index: help writes nothing); "" when
// the corpus cannot be read, which the commands themselves report.
func factsHelp(e Env) string {
	cfg, err := config.Load(e.Getenv, nil)
	if err != nil {
		return ""
	}
	src, err := app.CorpusSource(cfg)
	if err != nil {
		return ""
	}
	c, err := src.Load()
	if err != nil {
		return ""
	}
	return wrap("Facts: "+bot.FactsCoverage(c.Occupations), 100)
}

// wrap breaks text into lines of at most width characters, at spaces.
func wrap(text string, width int) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(text) {
		if n > 0 && n+1+len(w) > width {
			b.WriteString("\n")
			n = 0
		} else if n > 0 {
			b.WriteString(" ")
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String() + "\n"
}

// flags makes a command's flag set: the common flags bound to the
// configuration, plus the command's own. The flag package prints nothing:
// a mistake is reported as one line by run, and -h prints the usage.
// Flags makes a command's flag set with the common flags its synopsis
// names, and reads the configuration.
func Flags(e Env, name, synopsis string) (*flag.FlagSet, *config.Config, error) {
	fs := flag.NewFlagSet("careersbot "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	synopses.Store(fs, usagePrinter{e.Stderr, synopsis})
	// A command binds the common flags its synopsis shows, no others.
	var only []string
	for _, f := range []string{"seeds", "data-dir", "http-addr"} {
		if strings.Contains(synopsis, "--"+f) {
			only = append(only, f)
		}
	}
	cfg, err := config.Load(e.Getenv, fs, only...)
	if err != nil {
		return fs, cfg, &usageError{strings.ReplaceAll(err.Error(), "\n", "; ")}
	}
	return fs, cfg, nil
}

// usagePrinter prints a command's usage for -h.
type usagePrinter struct {
	w        io.Writer
	synopsis string
}

// synopses maps each flag set to its usage (a sync.Map: tests run commands
// in parallel).
var synopses sync.Map

func printUsage(fs *flag.FlagSet) {
	v, _ := synopses.Load(fs)
	u, _ := v.(usagePrinter)
	if u.w == nil {
		return
	}
	fmt.Fprintf(u.w, "Usage: careersbot %s\n\nFlags:\n", u.synopsis)
	fs.SetOutput(u.w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// parse parses a command's arguments and validates the configuration.
// Flags may come after the words of a question ("ask what is a TA --json"):
// a word that names a flag of the command is taken as that flag.
func parse(fs *flag.FlagSet, cfg *config.Config, args []string) error {
	if err := ParseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return &usageError{strings.ReplaceAll(err.Error(), "\n", "; ")}
	}
	return nil
}

// flagsFirst moves the command's flags (and their values) that follow the
// first word of a question before it; "--" ends the flags, and anything
// after it is question. A word shaped like a flag the command does not have
// ("--jsn") goes with the flags too, so that it is refused by name rather
// than asked about.
func flagsFirst(fs *flag.FlagSet, args []string) []string {
	var flags, words []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			words = append(words, args[i+1:]...)
			break
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := fs.Lookup(name)
		if f == nil && flagShaped(a) {
			flags = append(flags, a)
			continue
		}
		if !strings.HasPrefix(a, "-") || a == "-" || f == nil {
			words = append(words, a)
			continue
		}
		flags = append(flags, a)
		if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); !hasValue && !(ok && bf.IsBoolFlag()) && i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	return append(flags, words...)
}

// flagShaped reports whether a word reads as a flag: one or two dashes, a
// letter, then letters, digits or dashes, and perhaps "=value". "-" alone,
// "-5" and "- and" are words of a question.
func flagShaped(a string) bool {
	name, _, _ := strings.Cut(a, "=")
	name, ok := strings.CutPrefix(name, "-")
	if !ok {
		return false
	}
	name = strings.TrimPrefix(name, "-")
	if name == "" || !('a' <= name[0] && name[0] <= 'z' || 'A' <= name[0] && name[0] <= 'Z') {
		return false
	}
	for _, r := range name {
		if !(r == '-' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return true
}

func ParseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(fs)
			return err
		}
		return Usagef("%v (see careersbot %s -h)", err, strings.TrimPrefix(fs.Name(), "careersbot "))
	}
	return nil
}

// cliLogger logs warnings and progress to stderr as text: a person reads it.
func cliLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// askError turns the bot's refusals into usage errors (exit 2) with their
// polite messages.
func askError(err error) error {
	if bot.ErrorCode(err) == bot.Invalid {
		return &usageError{err.Error()}
	}
	return err
}

func cmdAsk(ctx context.Context, e Env, args []string) error {
	fs, cfg, err := Flags(e, "ask", "ask [--json] [--occupation REF] [--seeds DIR] [--data-dir DIR] QUESTION...")
	if err != nil {
		return err
	}
	asJSON := fs.Bool("json", false, "print the answer as JSON (docs/interfaces.md section 3)")
	occupation := fs.String("occupation", "", "answer about this occupation (reference such as ST0127, or title)")
	if err := parse(fs, cfg, args); err != nil {
		return err
	}
	q := bot.Question{Text: strings.Join(fs.Args(), " "), User: "cli", Occupation: *occupation}
	// Check the question before opening the index: a usage error is cheap.
	if err := bot.CheckQuestion(q.Text, cfg.MaxQuestionChars); err != nil {
		return askError(err)
	}
	if err := bot.CheckOccupation(q.Occupation); err != nil {
		return askError(err)
	}
	ix, err := app.OpenIndex(ctx, cfg, cliLogger(e.Stderr), app.OpenOptions{})
	if err != nil {
		return err
	}
	a, err := app.NewBot(ix, cfg, nil, bot.Metrics{}).Ask(ctx, q)
	if err != nil {
		return askError(err)
	}
	return printAnswer(e.Stdout, a, *asJSON)
}

func printAnswer(w io.Writer, a bot.Answer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(a)
	}
	_, err := fmt.Fprintln(w, a.Text)
	return err
}

// chatGreeting is chat's one line of welcome, on stderr so --json output
// stays one answer a line.
const chatGreeting = "careersbot: ask about any apprenticeship standard, one question a line; \"help\" shows examples, \"quit\" (or Ctrl-D) leaves."

func cmdChat(ctx context.Context, e Env, args []string) error {
	fs, cfg, err := Flags(e, "chat", "chat [--json] [--seeds DIR] [--data-dir DIR]")
	if err != nil {
		return err
	}
	asJSON := fs.Bool("json", false, "print one JSON answer (docs/interfaces.md section 3) a line")
	if err := parse(fs, cfg, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return Usagef("chat takes questions on stdin, not as arguments (use careersbot ask %q)", strings.Join(fs.Args(), " "))
	}
	ix, err := app.OpenIndex(ctx, cfg, cliLogger(e.Stderr), app.OpenOptions{})
	if err != nil {
		return err
	}
	b := app.NewBot(ix, cfg, nil, bot.Metrics{})
	fmt.Fprintln(e.Stderr, chatGreeting)
	sc := bufio.NewScanner(e.Stdin)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	var conv bot.Context
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		switch strings.ToLower(strings.Trim(line, " .!")) {
		case "quit", "exit", "bye", "q", ":q":
			return nil
		}
		a, err := b.Ask(ctx, bot.Question{Text: line, User: "cli", Context: conv})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if bot.ErrorCode(err) == bot.Invalid {
				fmt.Fprintln(e.Stderr, err.Error())
				continue
			}
			return err
		}
		if a.Occupation != "" {
			conv.Occupation = a.Occupation
		}
		if err := printAnswer(e.Stdout, a, *asJSON); err != nil {
			return err
		}
		if !*asJSON {
			fmt.Fprintln(e.Stdout)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read questions from stdin: %w", err)
	}
	return nil
}

func cmdIndex(ctx context.Context, e Env, args []string) error {
	fs, cfg, err := Flags(e, "index", "index [--rebuild] [--seeds DIR] [--data-dir DIR]")
	if err != nil {
		return err
	}
	rebuild := fs.Bool("rebuild", false, "build the index from scratch even when a current one exists")
	if err := parse(fs, cfg, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return Usagef("index takes no arguments, got %q", strings.Join(fs.Args(), " "))
	}
	ix, err := app.OpenIndex(ctx, cfg, cliLogger(e.Stderr), app.OpenOptions{Rebuild: *rebuild})
	if err != nil {
		return err
	}
	st := ix.Stats()
	tw := tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "index\t%s\n", st.File)
	fmt.Fprintf(tw, "file size\t%.1f MB\n", float64(st.FileBytes)/1e6)
	reason := st.Reason
	if *rebuild {
		reason = "--rebuild asked for a new one"
	}
	if st.Rebuilt {
		fmt.Fprintf(tw, "built in\t%s (%s)\n", st.BuildTime.Round(time.Millisecond), reason)
	} else {
		fmt.Fprintf(tw, "loaded in\t%s (already current; --rebuild to build it again)\n", st.LoadTime.Round(time.Millisecond))
	}
	fmt.Fprintf(tw, "occupations\t%d\n", st.Occupations)
	fmt.Fprintf(tw, "passages\t%d\n", st.Passages)
	for _, k := range retrieval.Kinds {
		fmt.Fprintf(tw, "  %s\t%d\n", k, st.ByKind[k])
	}
	fmt.Fprintf(tw, "embedder\t%s (%d dimensions)\n", st.Embedder, st.Dims)
	fmt.Fprintf(tw, "terms\t%d\n", st.Terms)
	fmt.Fprintf(tw, "acronyms mined\t%d\n", st.Acronyms)
	// The everyday facts, counted from the corpus the index holds.
	fc := retrieval.CountFacts(ix.Occupations())
	for _, f := range []struct {
		name string
		n    int
		note string
	}{
		{"pay", fc.Salary, fmt.Sprintf("%d more withheld: ONS suppressed the median", fc.SalaryWithheld)},
		{"SOC unit group", fc.SOC, fmt.Sprintf("%d more whose options differ", fc.SOCOptions)},
		{"duration", fc.Duration, ""},
		{"funding band", fc.Funding, ""},
		{"recognition", fc.Recognition, ""},
		{"regulated", fc.Regulated, fmt.Sprintf("%d with a regulator", fc.RegulatedBody)},
		{"degree status", fc.IntegratedDegree, ""},
		{"entry text", fc.EntryAny, fmt.Sprintf("entry requirements %d, English and maths %d, qualifications %d", fc.Entry, fc.EnglishMaths, fc.Qualifications)},
	} {
		note := ""
		if f.note != "" {
			note = " (" + f.note + ")"
		}
		fmt.Fprintf(tw, "facts: %s\t%d of %d standards%s\n", f.name, f.n, fc.Standards, note)
	}
	return tw.Flush()
}

// errBelowMin makes eval exit 1 when the pass rate is below --min; the
// report is already printed.
var errBelowMin = errors.New("pass rate below --min")

func cmdEval(ctx context.Context, e Env, args []string) error {
	fs, cfg, err := Flags(e, "eval", "eval [--min R] [--seeds DIR] [--data-dir DIR] FILE.jsonl")
	if err != nil {
		return err
	}
	minRate := fs.Float64("min", 0, "exit 1 when the pass rate is below this (0..1)")
	verbose := fs.Bool("v", false, "print every question, passing or not")
	if err := parse(fs, cfg, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return Usagef("eval takes one FILE.jsonl (one JSON object a line: q and a check), got %d arguments", fs.NArg())
	}
	if *minRate < 0 || *minRate > 1 {
		return Usagef("--min must be between 0 and 1, got %v", *minRate)
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("eval file: %w", err)
	}
	cases, err := bot.ParseEval(path, f)
	f.Close()
	if err != nil {
		return err
	}
	ix, err := app.OpenIndex(ctx, cfg, cliLogger(e.Stderr), app.OpenOptions{})
	if err != nil {
		return err
	}
	results, err := bot.RunEval(ctx, app.NewBot(ix, cfg, nil, bot.Metrics{}), cases)
	if err != nil {
		return err
	}
	for _, r := range results {
		if !r.Pass {
			fmt.Fprintf(e.Stdout, "miss %s:%d %q: %s\n", path, r.Case.Line, r.Case.Q, r.Why)
		} else if *verbose {
			fmt.Fprintf(e.Stdout, "pass %s:%d %q\n", path, r.Case.Line, r.Case.Q)
		}
	}
	for _, c := range bot.PassRateByCategory(results) {
		fmt.Fprintf(e.Stdout, "category %-14s %d/%d = %.2f\n", c.Category, c.Passed, c.Total, c.Rate())
	}
	passed, rate := bot.PassRate(results)
	fmt.Fprintf(e.Stdout, "pass %d/%d = %.2f\n", passed, len(results), rate)
	if rate < *minRate {
		fmt.Fprintf(e.Stderr, "careersbot eval: pass rate %.2f is below --min %.2f\n", rate, *minRate)
		return errBelowMin
	}
	return nil
}

func cmdConfig(ctx context.Context, e Env, args []string) error {
	// A value that does not parse is reported below the table, not
	// instead of it: config is where one looks to find out why.
	fs, cfg, loadErr := Flags(e, "config", "config [--seeds DIR] [--data-dir DIR] [--http-addr ADDR]")
	if err := ParseFlags(fs, args); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
	for _, en := range cfg.Entries() {
		fmt.Fprintf(tw, "%s\t%s\t(%s)\n", en.Env, quoteEmpty(en.Value), en.Source)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var msgs []string
	for _, err := range []error{loadErrCause(loadErr), cfg.Validate()} {
		if err != nil {
			msgs = append(msgs, strings.Split(err.Error(), "\n")...)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	slices.Sort(msgs)
	msgs = slices.Compact(msgs)
	for _, m := range msgs {
		fmt.Fprintf(e.Stderr, "careersbot config: %s\n", m)
	}
	return errSilentUsage
}

// loadErrCause is the configuration's own error inside the usage error
// flags makes of it, one problem a line.
func loadErrCause(err error) error {
	var ue *usageError
	if errors.As(err, &ue) {
		return errors.New(strings.ReplaceAll(ue.msg, "; ", "\n"))
	}
	return err
}

// errSilentUsage is a usage error already reported: exit 2, nothing more.
var errSilentUsage = errors.New("usage error, reported")

func quoteEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return s
}
