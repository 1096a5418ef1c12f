package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// HTTPServer is the one HTTP server, with timeouts so that a slow client
// cannot hold a connection.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s.mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      s.cfg.LLMTimeout + 15*time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          log.New(addrRedactor{next: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn).Writer(), hash: s.hashUser}, "", 0),
	}
}

// reAddr is a client address as net/http writes it in its own log lines
// ("http: panic serving 203.0.113.7:51234", "TLS handshake error from
// [2001:db8::1]:443"): IPv4, or IPv6 in brackets, with a port.
var reAddr = regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b|\[[0-9A-Fa-f:.]+(?:%[^\]]*)?\](?::\d+)?`)

// addrRedactor writes net/http's log lines with each client address as its
// pseudonym: no raw address reaches the logs.
type addrRedactor struct {
	next io.Writer
	hash func(string) string
}

func (a addrRedactor) Write(p []byte) (int, error) {
	line := reAddr.ReplaceAllStringFunc(string(p), func(m string) string {
		host := m
		if h, _, err := net.SplitHostPort(m); err == nil {
			host = h
		}
		return "client " + a.hash(strings.Trim(host, "[]"))
	})
	if _, err := a.next.Write([]byte(line)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Run serves until ctx ends, then shuts down gracefully: no new work, the
// answers in flight finish (at most ShutdownGrace), adapters stop.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	srv := s.HTTPServer()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http server: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		if err := s.LoadIndex(gctx); err != nil {
			if gctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("load the index: %w", err)
		}
		return nil
	})
	for _, a := range s.adapters {
		g.Go(func() error {
			supervise(gctx, s.log, s.metrics, a)
			return nil
		})
	}
	if s.hup != nil {
		g.Go(func() error {
			for {
				select {
				case <-gctx.Done():
					return nil
				case <-s.hup:
					s.log.Info("SIGHUP: reloading the catalogue")
					_, _ = s.reload(gctx)
				}
			}
		})
	}
	g.Go(func() error {
		<-gctx.Done()
		s.log.Info("shutting down: finishing answers in flight", "grace", ShutdownGrace.String())
		s.ready.set("shutdown", false, "shutting down")
		sctx, cancel := context.WithTimeout(context.WithoutCancel(gctx), ShutdownGrace)
		defer cancel()
		err := srv.Shutdown(sctx)
		for _, a := range s.adapters {
			if aerr := a.Shutdown(sctx); aerr != nil {
				err = errors.Join(err, fmt.Errorf("%s: %w", a.Name(), aerr))
			}
		}
		if s.alerts != nil {
			// Answers have finished: the alerts they queued go out now.
			err = errors.Join(err, s.alerts.Close(sctx))
		}
		if err != nil {
			s.log.Warn("shutdown did not finish cleanly", "error", err.Error())
		}
		return nil
	})
	return g.Wait()
}
