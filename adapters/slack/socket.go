package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// ackTimeout bounds the wait to queue an acknowledgement on the WebSocket.
const ackTimeout = 3 * time.Second

// runSocket keeps one Socket Mode session. slack-go redials at once when
// the connection drops or Slack asks it to (Slack refreshes connections
// every few hours); when dialling fails, or the token is refused, runSocket
// returns the error so that serve retries with backoff.
func (a *Adapter) runSocket(ctx context.Context) error {
	a.o.OnState(false, "connecting")
	id, err := a.authTest(ctx)
	if err != nil {
		a.o.OnState(false, "auth.test failed: "+err.Error())
		return err
	}
	opts := []socketmode.Option{socketmode.OptionLog(slogOutput{a.log})}
	if a.o.PingInterval > 0 {
		opts = append(opts, socketmode.OptionPingInterval(a.o.PingInterval))
	}
	smc := socketmode.New(a.api, opts...)

	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- smc.RunContext(rctx) }()
	stop := func(err error) error {
		cancel()
		<-done
		if ctx.Err() != nil {
			a.o.OnState(false, "stopped")
			return nil
		}
		a.o.OnState(false, err.Error())
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return stop(ctx.Err())
		case err := <-done:
			done <- err // for stop
			if err == nil {
				err = errors.New("slack socket mode: the connection ended")
			}
			return stop(fmt.Errorf("slack socket mode: %w", err))
		case ev := <-smc.Events:
			switch ev.Type {
			case socketmode.EventTypeConnecting:
				if c, ok := ev.Data.(*slackgo.ConnectingEvent); ok && c.ConnectionCount > 0 && c.Attempt == 1 {
					a.o.OnState(false, "reconnecting")
					a.log.Info("socket mode connection lost; reconnecting")
				}
			case socketmode.EventTypeConnected:
				a.o.OnState(true, fmt.Sprintf("socket mode connected: team %s, bot user %s", id.TeamID, id.UserID))
			case socketmode.EventTypeConnectionError:
				msg := "could not connect"
				if c, ok := ev.Data.(*slackgo.ConnectionErrorEvent); ok && c.ErrorObj != nil {
					msg = c.ErrorObj.Error()
				}
				return stop(fmt.Errorf("slack socket mode: %s", msg))
			case socketmode.EventTypeInvalidAuth:
				return stop(errors.New("slack socket mode: the app-level token was refused (invalid_auth)"))
			case socketmode.EventTypeEventsAPI, socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive:
				a.onEnvelope(ctx, smc, ev)
			case socketmode.EventTypeErrorBadMessage:
				// An envelope slack-go could not parse (an event type it does
				// not know): acknowledged, so Slack does not resend it.
				if bad, ok := ev.Data.(*socketmode.ErrorBadMessage); ok {
					var env struct {
						EnvelopeID string `json:"envelope_id"`
					}
					if json.Unmarshal(bad.Message, &env) == nil && env.EnvelopeID != "" {
						a.ack(smc, env.EnvelopeID, nil)
					}
					a.log.Debug("ignored a socket mode message", "error", bad.Cause.Error())
				}
			case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
				a.log.Warn("socket mode error", "type", string(ev.Type), "detail", fmt.Sprint(ev.Data))
			}
		}
	}
}

// onEnvelope acknowledges an envelope at once and starts the work.
func (a *Adapter) onEnvelope(ctx context.Context, smc *socketmode.Client, ev socketmode.Event) {
	if ev.Request == nil {
		return
	}
	req := ev.Request
	switch ev.Type {
	case socketmode.EventTypeEventsAPI:
		e, ok := ev.Data.(slackevents.EventsAPIEvent)
		if !ok {
			a.ack(smc, req.EnvelopeID, nil)
			return
		}
		// An event not taken (shutting down, or too busy even to say so)
		// is not acknowledged: Slack sends it again later.
		if !a.onEvent(ctx, e, req.RetryAttempt) {
			a.log.Warn("an event was not taken (busy or shutting down); Slack will send it again", "envelope_id", req.EnvelopeID)
			return
		}
		a.ack(smc, req.EnvelopeID, nil)
	case socketmode.EventTypeSlashCommand:
		cmd, ok := ev.Data.(slackgo.SlashCommand)
		if !ok {
			a.ack(smc, req.EnvelopeID, nil)
			return
		}
		reply, start := a.takeCommand(ctx, cmd, "envelope:"+req.EnvelopeID)
		if reply != nil {
			a.ack(smc, req.EnvelopeID, reply)
		} else {
			a.ack(smc, req.EnvelopeID, nil)
		}
		if start != nil {
			start()
		}
	case socketmode.EventTypeInteractive:
		cb, ok := ev.Data.(slackgo.InteractionCallback)
		if !ok {
			a.ack(smc, req.EnvelopeID, nil)
			return
		}
		ack, start := a.takeInteraction(ctx, cb, "envelope:"+req.EnvelopeID)
		if !ack {
			return // not acknowledged: Slack shows the user the button failed
		}
		a.ack(smc, req.EnvelopeID, nil)
		if start != nil {
			start()
		}
	}
}

// ack acknowledges an envelope, with an optional payload (a command's
// immediate reply).
func (a *Adapter) ack(smc *socketmode.Client, envelopeID string, payload any) {
	ctx, cancel := context.WithTimeout(context.Background(), ackTimeout)
	defer cancel()
	if err := smc.AckCtx(ctx, envelopeID, payload); err != nil {
		a.log.Warn("socket mode ack failed", "envelope_id", envelopeID, "error", err.Error())
	}
}
