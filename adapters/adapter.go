// Package adapters is where a platform meets the bot: each sub-package
// (slack, discord, teams, httpapi, web) translates between one platform's
// wire format and a bot.Asker, and nothing else.
//
// Adapter is what the serve runtime runs for a platform. Each platform
// package asserts at compile time that its type is one, so the runtime
// (internal/server) and the wiring (package main) can hold any of them.
package adapters

import (
	"context"
	"net/http"
)

// Adapter is one platform, as serve runs it.
//
// An adapter mounts its HTTP routes on serve's one mux (HTTP modes: Slack
// events, Discord interactions, Teams activities, the web page) and keeps
// its connection in Run (Socket Mode, the gateway; in HTTP modes Run checks
// the platform's API at start and waits for ctx to end). Run returns an
// error to be retried with backoff, and reports its state through the
// OnState func its constructor was given, which /readyz shows.
type Adapter interface {
	// Name is the adapter's name in logs, metrics and /readyz ("slack").
	Name() string
	// Routes are the paths the adapter answers on serve's mux.
	Routes() map[string]http.Handler
	// Run keeps the platform's connection until ctx ends.
	Run(ctx context.Context) error
	// Shutdown waits for the answers the adapter acknowledged and is
	// still working on, until ctx ends.
	Shutdown(ctx context.Context) error
}
