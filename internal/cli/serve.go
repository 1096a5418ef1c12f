package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/careersbot/careersbot/config"
	"github.com/careersbot/careersbot/internal/server"
)

// cmdServe is serve: the HTTP API and every configured adapter, until
// SIGINT or SIGTERM.
func cmdServe(ctx context.Context, e Env, args []string, o Options) error {
	fs, cfg, err := Flags(e, "serve", "serve [--http-addr ADDR] [--seeds DIR] [--data-dir DIR]")
	if err != nil {
		return err
	}
	if err := parse(fs, cfg, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return Usagef("serve takes no arguments, got %q", strings.Join(fs.Args(), " "))
	}
	log := serveLogger(e, cfg)
	s, err := server.New(cfg, log, o.Serve)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s (CAREERSBOT_HTTP_ADDR): %w", cfg.HTTPAddr, err)
	}
	var names []string
	for _, a := range s.Adapters() {
		names = append(names, a.Name())
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	s.OnSIGHUP(hup)
	log.Info("serving", "addr", ln.Addr().String(), "adapters", strings.Join(names, ","))
	return s.Run(ctx, ln)
}

// serveLogger logs JSON to stderr, at the configured level.
func serveLogger(e Env, cfg *config.Config) *slog.Logger {
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	return slog.New(slog.NewJSONHandler(e.Stderr, &slog.HandlerOptions{Level: level}))
}
