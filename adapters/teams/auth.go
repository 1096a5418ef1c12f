package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"
)

// Issuer is the issuer of every token the Bot Connector sends to a bot.
const Issuer = "https://api.botframework.com"

// ClockSkew is how far a token's times may be off: the Bot Framework's
// five minutes.
const ClockSkew = 5 * time.Minute

// Errors of request authentication. Each is answered 401, except
// errAuthNotReady (503: the keys are not loaded yet).
var (
	errNoBearer          = errors.New("no Authorization: Bearer token")
	errServiceURL        = errors.New("the token's serviceurl claim does not match the activity's serviceUrl")
	errNoServiceURLClaim = errors.New("the token has no serviceurl claim")
	errNotEndorsed       = errors.New("the signing key is not endorsed for the activity's channel")
	errAuthNotReady      = errors.New("the Bot Framework's signing keys are not loaded yet")
)

// openIDMetadata is the part of the Bot Framework's OpenID metadata this
// adapter reads.
type openIDMetadata struct {
	Issuer  string   `json:"issuer"`
	JWKSURI string   `json:"jwks_uri"`
	Algs    []string `json:"id_token_signing_alg_values_supported"`
}

// claims are a Bot Connector token's claims: the registered ones, and the
// serviceurl the token was issued for.
type claims struct {
	jwt.RegisteredClaims
	ServiceURL string `json:"serviceurl"`
}

// verifier checks the bearer token of a request from the Bot Connector:
// signed with RS256 by a key from the OpenID metadata's JWKS, issuer
// https://api.botframework.com, audience the app id, within its times (five
// minutes of skew), its key endorsed for the activity's channel when the
// key lists endorsements, and its serviceurl claim the activity's.
type verifier struct {
	appID  string
	keys   keyfunc.Keyfunc
	endors *endorsements
	parser *jwt.Parser
	nKeys  func() int
}

// loadVerifier fetches the OpenID metadata, then the JWKS it names, and
// returns a verifier whose keys are refreshed every refreshEvery (until ctx
// ends) and, at most once every unknownEvery, when a token names a key id
// it does not hold.
func loadVerifier(ctx context.Context, o *Options, client *http.Client) (*verifier, error) {
	md, err := fetchOpenID(ctx, client, o.OpenIDURL)
	if err != nil {
		return nil, err
	}
	endors := &endorsements{}
	jwksClient := &http.Client{Timeout: client.Timeout, Transport: endorsementRecorder{next: transportOf(client), into: endors}}
	noErrorFirst := false
	kf, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{md.JWKSURI}, keyfunc.Override{
		Client:                    jwksClient,
		HTTPTimeout:               o.HTTPTimeout,
		NoErrorReturnFirstHTTPReq: &noErrorFirst,
		RefreshInterval:           o.KeyRefresh,
		RefreshUnknownKID:         rate.NewLimiter(rate.Every(o.UnknownKeyRefresh), 1),
		// Long enough for the refresh itself (it shares this deadline),
		// short enough that a token naming keys that do not exist never
		// holds a request until the next refresh is allowed: the limiter
		// then fails at once.
		RateLimitWaitMax: o.HTTPTimeout,
		RefreshErrorHandlerFunc: func(u string) func(context.Context, error) {
			return func(_ context.Context, err error) {
				o.Logger.Warn("teams: refreshing the Bot Framework's signing keys failed; the keys held stay", "jwks_uri", u, "error", err.Error())
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("fetch the signing keys at %s (the OpenID metadata's jwks_uri): %w", md.JWKSURI, err)
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(o.AppID),
		jwt.WithLeeway(ClockSkew),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(o.Now),
	)
	v := &verifier{appID: o.AppID, keys: kf, endors: endors, parser: parser}
	v.nKeys = func() int {
		all, err := kf.Storage().KeyReadAll(context.WithoutCancel(ctx))
		if err != nil {
			return 0
		}
		return len(all)
	}
	return v, nil
}

// fetchOpenID reads the OpenID metadata document.
func fetchOpenID(ctx context.Context, client *http.Client, openIDURL string) (*openIDMetadata, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, openIDURL, nil)
	if err != nil {
		return nil, fmt.Errorf("the OpenID metadata URL %q: %w", openIDURL, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch the OpenID metadata: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read the OpenID metadata: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch the OpenID metadata at %s: HTTP %d", openIDURL, resp.StatusCode)
	}
	var md openIDMetadata
	if err := json.Unmarshal(body, &md); err != nil {
		return nil, fmt.Errorf("the OpenID metadata at %s is not JSON: %w", openIDURL, err)
	}
	u, err := url.Parse(md.JWKSURI)
	if err != nil || u.Host == "" || !(u.Scheme == "https" || u.Scheme == "http" && isLoopback(u.Hostname())) {
		return nil, fmt.Errorf("the OpenID metadata at %s names no https jwks_uri (got %q)", openIDURL, md.JWKSURI)
	}
	if len(md.Algs) > 0 && !slices.Contains(md.Algs, "RS256") {
		return nil, fmt.Errorf("the OpenID metadata at %s does not offer RS256 (it offers %s)", openIDURL, strings.Join(md.Algs, ", "))
	}
	return &md, nil
}

// verify checks a request's Authorization header for the activity it
// carries (its channelId and serviceUrl).
func (v *verifier) verify(ctx context.Context, header, channelID, serviceURL string) (*claims, error) {
	raw, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || strings.TrimSpace(raw) == "" {
		return nil, errNoBearer
	}
	keyf := v.keys.KeyfuncCtx(ctx)
	var c claims
	_, err := v.parser.ParseWithClaims(strings.TrimSpace(raw), &c, func(t *jwt.Token) (any, error) {
		key, err := keyf(t)
		if err != nil {
			return nil, err
		}
		kid, _ := t.Header["kid"].(string)
		if !v.endors.allows(kid, channelID) {
			return nil, errNotEndorsed
		}
		return key, nil
	})
	if err != nil {
		return nil, err
	}
	if c.ServiceURL == "" {
		return nil, errNoServiceURLClaim
	}
	if c.ServiceURL != serviceURL {
		return nil, errServiceURL
	}
	return &c, nil
}

// endorsements are the channels each signing key is endorsed for, as the
// Bot Framework's JWKS lists them beside each key ("endorsements":
// ["msteams", ...]). jwkset keeps only the standard fields, so the JWKS
// responses are read on their way to it.
type endorsements struct {
	byKID atomic.Pointer[map[string][]string]
}

// allows reports whether the key kid may sign an activity of channelID: a
// key that lists endorsements must list the channel; a key that lists none
// is not restricted.
func (e *endorsements) allows(kid, channelID string) bool {
	m := e.byKID.Load()
	if m == nil {
		return true
	}
	list, ok := (*m)[kid]
	if !ok || len(list) == 0 {
		return true
	}
	return slices.Contains(list, channelID)
}

// endorsementRecorder is the JWKS client's transport: it records each key's
// endorsements from a JWKS response and hands the body on unchanged.
type endorsementRecorder struct {
	next http.RoundTripper
	into *endorsements
}

func (t endorsementRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read the JWKS: %w", err)
	}
	var set struct {
		Keys []struct {
			KID          string   `json:"kid"`
			Endorsements []string `json:"endorsements"`
		} `json:"keys"`
	}
	if json.Unmarshal(body, &set) == nil {
		m := make(map[string][]string, len(set.Keys))
		for _, k := range set.Keys {
			m[k.KID] = k.Endorsements
		}
		t.into.byKID.Store(&m)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func transportOf(c *http.Client) http.RoundTripper {
	if c.Transport != nil {
		return c.Transport
	}
	return http.DefaultTransport
}
