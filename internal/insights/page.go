package insights

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/careersbot/careersbot/internal/httpauth"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

//go:embed static
var static embed.FS

// Reporter is what the page needs of the store.
type Reporter interface {
	Report(ctx context.Context, p Period) (*Report, error)
}

// ErrNoStore is the store not open yet (or down at start).
var ErrNoStore = errors.New("the insights store is not open yet")

// PageOptions configure the insights page.
type PageOptions struct {
	// Token is CAREERSBOT_ADMIN_TOKEN: the page's only key. Required.
	Token string
	// CSP is the Content-Security-Policy, the chat page's: the page needs
	// nothing more (no script at all, its own stylesheet).
	CSP string
	// Reporter returns the store, or ErrNoStore while it is not open.
	Reporter func() (Reporter, error)
	Log      *slog.Logger
	Now      func() time.Time // nil: time.Now
}

// Page serves /insights: the report drawn as SVG, its JSON and CSV, and a
// login form that keeps a session cookie (or an Authorization: Bearer
// header) for the people who run the bot.
type Page struct {
	o   PageOptions
	css []byte
	// cssVersion names the stylesheet's content in its URL.
	cssVersion string
}

// Page routes, for mounting on the serve mux.
const (
	PagePath   = "/insights"
	apiPath    = "/insights/api.json"
	csvPath    = "/insights/report.csv"
	loginPath  = "/insights/login"
	logoutPath = "/insights/logout"
	cssPath    = "/insights/insights.css"
)

// cookieName holds the session: a time and an HMAC of it under the token,
// never the token itself. Changing the token ends every session.
const (
	cookieName = "careersbot_insights"
	sessionFor = 12 * time.Hour
)

// periods are the periods the page offers.
var periods = []struct{ Value, Label string }{
	{"1d", "last day"}, {"7d", "last 7 days"}, {"30d", "last 30 days"}, {"90d", "last 90 days"},
}

// NewPage returns the page.
func NewPage(o PageOptions) *Page {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	css, err := static.ReadFile("static/insights.css")
	if err != nil {
		panic("insights: embedded stylesheet: " + err.Error())
	}
	sum := sha256.Sum256(css)
	return &Page{o: o, css: css, cssVersion: hex.EncodeToString(sum[:6])}
}

// Routes maps each pattern the page serves to its handler.
func (p *Page) Routes() map[string]http.Handler {
	return map[string]http.Handler{
		"GET " + PagePath:    p.headers(p.servePage),
		"GET " + apiPath:     p.headers(p.serveAPI),
		"GET " + csvPath:     p.headers(p.serveCSV),
		"POST " + loginPath:  p.headers(p.login),
		"POST " + logoutPath: p.headers(p.logout),
		"GET " + cssPath:     http.HandlerFunc(p.serveCSS),
		"HEAD " + cssPath:    http.HandlerFunc(p.serveCSS),
	}
}

// headers sets what every response of the page carries: the chat page's
// policy, no framing, no caching of figures, no referrer.
func (p *Page) headers(f http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", p.o.CSP)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		f(w, r)
	})
}

// authorised reports whether a request holds the token (Bearer) or a
// session the login gave.
func (p *Page) authorised(r *http.Request) bool {
	if token, ok := httpauth.BearerToken(r.Header.Get("Authorization")); ok {
		return subtle.ConstantTimeCompare([]byte(token), []byte(p.o.Token)) == 1
	}
	c, err := r.Cookie(cookieName)
	if err != nil {
		return false
	}
	at, mac, ok := strings.Cut(c.Value, ".")
	if !ok {
		return false
	}
	secs, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return false
	}
	age := p.o.Now().Sub(time.Unix(secs, 0))
	if age < -time.Minute || age > sessionFor {
		return false
	}
	return hmac.Equal([]byte(mac), []byte(p.sessionMAC(at)))
}

func (p *Page) sessionMAC(at string) string {
	m := hmac.New(sha256.New, []byte(p.o.Token))
	m.Write([]byte("careersbot insights session " + at))
	return hex.EncodeToString(m.Sum(nil))
}

func secureRequest(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func (p *Page) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	token := strings.TrimSpace(r.PostFormValue("token"))
	since := r.PostFormValue("since")
	if subtle.ConstantTimeCompare([]byte(token), []byte(p.o.Token)) != 1 {
		p.o.Log.Warn("insights: a login with a wrong token", "remote", r.RemoteAddr)
		p.render(w, http.StatusOK, loginTmpl, loginData{p.cssURL(), "That token is not the admin token (CAREERSBOT_ADMIN_TOKEN). Try again.", since})
		return
	}
	at := strconv.FormatInt(p.o.Now().Unix(), 10)
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: at + "." + p.sessionMAC(at), Path: PagePath,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secureRequest(r),
	})
	http.Redirect(w, r, pageURL(since), http.StatusSeeOther)
}

func (p *Page) logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: PagePath, MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secureRequest(r)})
	http.Redirect(w, r, PagePath, http.StatusSeeOther)
}

func pageURL(since string) string {
	if _, err := ParseSince(since); err != nil {
		return PagePath
	}
	return PagePath + "?since=" + since
}

// period reads ?since= (default 7d) and ?top=.
func (p *Page) period(r *http.Request) (Period, string, error) {
	since := r.URL.Query().Get("since")
	if since == "" {
		since = "7d"
	}
	d, err := ParseSince(since)
	if err != nil {
		return Period{}, since, fmt.Errorf("since: %w", err)
	}
	per := Period{From: p.o.Now().Add(-d), To: p.o.Now()}
	if top := r.URL.Query().Get("top"); top != "" {
		n, err := strconv.Atoi(top)
		if err != nil || n < 1 || n > 100 {
			return Period{}, since, fmt.Errorf("top must be a number from 1 to 100, got %q", top)
		}
		per.Top = n
	}
	return per, since, nil
}

// report reads the report of a request's period; it writes the error
// reply itself and returns nil.
func (p *Page) report(w http.ResponseWriter, r *http.Request, asJSON bool) (*Report, string) {
	per, since, err := p.period(r)
	if err != nil {
		p.fail(w, http.StatusBadRequest, strings.TrimPrefix(err.Error(), "since: "), asJSON)
		return nil, since
	}
	src, err := p.o.Reporter()
	if err != nil {
		p.fail(w, http.StatusServiceUnavailable, err.Error()+": try again in a moment", asJSON)
		return nil, since
	}
	rep, err := src.Report(r.Context(), per)
	if err != nil {
		p.o.Log.Error("insights: the report failed", "error", err.Error())
		p.fail(w, http.StatusServiceUnavailable, "the insights store did not answer: try again in a moment", asJSON)
		return nil, since
	}
	return rep, since
}

func (p *Page) fail(w http.ResponseWriter, code int, msg string, asJSON bool) {
	if asJSON {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]string{"error": msg})
		return
	}
	http.Error(w, msg, code)
}

func (p *Page) unauthorised(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="careersbot insights"`)
	p.fail(w, http.StatusUnauthorized, "log in at /insights, or send Authorization: Bearer <CAREERSBOT_ADMIN_TOKEN>", true)
}

func (p *Page) serveAPI(w http.ResponseWriter, r *http.Request) {
	if !p.authorised(r) {
		p.unauthorised(w)
		return
	}
	rep, _ := p.report(w, r, true)
	if rep == nil {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	rep.WriteJSON(w)
}

func (p *Page) serveCSV(w http.ResponseWriter, r *http.Request) {
	if !p.authorised(r) {
		p.unauthorised(w)
		return
	}
	rep, since := p.report(w, r, false)
	if rep == nil {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="careersbot-insights-%s.csv"`, since))
	rep.WriteCSV(w)
}

func (p *Page) serveCSS(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") == p.cssVersion {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, "insights.css", time.Time{}, bytes.NewReader(p.css))
}

func (p *Page) cssURL() string { return cssPath + "?v=" + p.cssVersion }

type loginData struct {
	CSS, Error, Since string
}

type choice struct {
	Value, Label string
	Selected     bool
}

type pageData struct {
	CSS       string
	R         *Report
	Since     string
	CSV, JSON string
	Periods   []choice
	Days      template.HTML
	Outcomes  template.HTML
	Occs      template.HTML
	Terms     template.HTML
	Routes    template.HTML
}

func (p *Page) servePage(w http.ResponseWriter, r *http.Request) {
	if !p.authorised(r) {
		since := r.URL.Query().Get("since")
		p.render(w, http.StatusOK, loginTmpl, loginData{CSS: p.cssURL(), Since: since})
		return
	}
	rep, since := p.report(w, r, false)
	if rep == nil {
		return
	}
	d := pageData{CSS: p.cssURL(), R: rep, Since: since,
		CSV: csvPath + "?since=" + since, JSON: apiPath + "?since=" + since, Days: dayColumns(rep.Days)}
	for _, c := range periods {
		d.Periods = append(d.Periods, choice{c.Value, c.Label, c.Value == since})
	}
	if !isChoice(since) {
		d.Periods = append(d.Periods, choice{since, "last " + since, true})
	}
	var bars []bar
	for _, o := range rep.Outcomes {
		bars = append(bars, bar{Label: o.Label, Key: string(o.Outcome), Value: o.Count, Class: string(o.Outcome),
			Note: fmt.Sprintf("%.1f%%", 100*o.Share)})
	}
	d.Outcomes = hbars("outcomes", bars)
	bars = nil
	for _, oc := range rep.Occupations {
		bars = append(bars, bar{Label: oc.Title + " (" + oc.Reference + ")", Key: oc.Reference, Value: oc.Questions})
	}
	d.Occs = hbars("top occupations", bars)
	bars = nil
	for _, c := range rep.UnansweredTerms {
		bars = append(bars, bar{Label: c.Key, Key: c.Key, Value: c.Count, Class: string(NotCovered)})
	}
	d.Terms = hbars("top unanswered terms", bars)
	bars = nil
	for _, c := range rep.Routes {
		bars = append(bars, bar{Label: c.Key, Key: c.Key, Value: c.Count})
	}
	d.Routes = hbars("top routes", bars)
	p.render(w, http.StatusOK, pageTmpl, d)
}

func isChoice(since string) bool {
	for _, c := range periods {
		if c.Value == since {
			return true
		}
	}
	return false
}

func (p *Page) render(w http.ResponseWriter, code int, t *template.Template, data any) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		p.o.Log.Error("insights: the page failed", "error", err.Error())
		http.Error(w, "the insights page failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write(b.Bytes())
}

var funcs = template.FuncMap{
	"pct": func(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) },
	"ms": func(x float64) string {
		if x < 10 {
			return fmt.Sprintf("%.1f ms", x)
		}
		return fmt.Sprintf("%.0f ms", x)
	},
	"when":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") },
	"date":   func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04") },
	"label":  func(o Outcome) string { return o.Label() },
	"orDash": orDash,
	"level":  levelName,
	"plural": plural,
	"helpful": func(up, down int) string {
		if up+down == 0 {
			return "-"
		}
		return fmt.Sprintf("%.0f%%", 100*float64(up)/float64(up+down))
	},
}

var (
	pageTmpl  = template.Must(template.New("page.html").Funcs(funcs).ParseFS(static, "static/page.html"))
	loginTmpl = template.Must(template.New("login.html").Funcs(funcs).ParseFS(static, "static/login.html"))
)
