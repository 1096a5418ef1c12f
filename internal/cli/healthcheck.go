package cli

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// healthcheckTimeout bounds the probe: a health check that hangs is a
// failure the container runtime should see.
const healthcheckTimeout = 3 * time.Second

// cmdHealthcheck asks the local serve for /healthz on CAREERSBOT_HTTP_ADDR
// and exits 0 when it answers 200, 1 otherwise: the image's HEALTHCHECK, as
// distroless has no curl.
func cmdHealthcheck(ctx context.Context, e Env, args []string) error {
	fs, cfg, err := Flags(e, "healthcheck", "healthcheck [--http-addr ADDR]")
	if err != nil {
		return err
	}
	if err := ParseFlags(fs, args); err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(cfg.HTTPAddr)
	if err != nil {
		return Usagef("CAREERSBOT_HTTP_ADDR %q is not a listen address: use host:port or :port", cfg.HTTPAddr)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	url := "http://" + net.JoinHostPort(host, port) + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("serve does not answer at %s: %w", url, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", url, resp.Status)
	}
	fmt.Fprintf(e.Stdout, "ok: %s answered %s\n", url, resp.Status)
	return nil
}
