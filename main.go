// Command careersbot answers careers questions with passages cited from
// England's occupational standards: from the command line, an HTTP API, a
// web chat, Slack, Discord and Microsoft Teams.
//
// Package main is the wiring: it runs the command line (internal/cli) with
// the adapters serve runs (wiring.go) and the commands that need an adapter
// package (the Teams package). Only it imports the adapters.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	cmdline "github.com/careersbot/careersbot/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// Exit codes of docs/interfaces.md section 2.
const (
	exitOK      = cmdline.ExitOK
	exitFailure = cmdline.ExitFailure
	exitUsage   = cmdline.ExitUsage
)

// run is the command line with this binary's wiring, on the given streams
// and environment, so tests run commands in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	return cmdline.Run(ctx, args, cmdline.Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: getenv}, cmdline.Options{
		Serve:    serveOptions(),
		Commands: map[string]cmdline.Command{"teams-package": cmdTeamsPackage},
	})
}
