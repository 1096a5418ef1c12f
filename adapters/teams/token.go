package teams

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// ConnectorScope is the scope of the token a bot calls the Bot Connector
// with.
const ConnectorScope = "https://api.botframework.com/.default"

// DefaultTokenURL is Microsoft Entra's token endpoint of a tenant, for a
// single-tenant bot: the tenant replaces {tenant}.
const DefaultTokenURL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"

// tokenSource hands out the bot's client-credentials token for the Bot
// Connector, fetched from Microsoft Entra (golang.org/x/oauth2's
// clientcredentials) and kept until earlyExpiry before it expires.
type tokenSource struct {
	src     oauth2.TokenSource
	fetches atomic.Int64
}

func newTokenSource(o *Options, client *http.Client) *tokenSource {
	cc := &clientcredentials.Config{
		ClientID:     o.AppID,
		ClientSecret: o.AppPassword,
		TokenURL:     o.TokenURL,
		Scopes:       []string{ConnectorScope},
		// Entra takes the secret in the form; no round trip to find out.
		AuthStyle: oauth2.AuthStyleInParams,
	}
	ts := &tokenSource{}
	fetch := fetcher{cc: cc, client: client, timeout: o.HTTPTimeout, count: &ts.fetches}
	ts.src = oauth2.ReuseTokenSourceWithExpiry(nil, fetch, o.TokenEarlyExpiry)
	return ts
}

// token returns a valid access token, fetching a new one when the one held
// is within its early expiry.
func (t *tokenSource) token() (string, error) {
	tok, err := t.src.Token()
	if err != nil {
		return "", fmt.Errorf("get a token for the Bot Connector: %w", err)
	}
	return tok.AccessToken, nil
}

// fetcher fetches a new token on every call; ReuseTokenSourceWithExpiry
// in front of it decides when one is needed.
type fetcher struct {
	cc      *clientcredentials.Config
	client  *http.Client
	timeout time.Duration
	count   *atomic.Int64
}

func (f fetcher) Token() (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), oauth2.HTTPClient, f.client), f.timeout)
	defer cancel()
	f.count.Add(1)
	return f.cc.Token(ctx)
}
