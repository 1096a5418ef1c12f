package teams

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// The Teams app manifest this package writes: the version of Microsoft's
// schema it follows (the newest in Microsoft's own @microsoft/app-manifest
// package, whose copy of the schema the tests validate against).
const (
	ManifestVersion = "1.30"
	ManifestSchema  = "https://developer.microsoft.com/json-schemas/teams/v1.30/MicrosoftTeams.schema.json"
)

// Icon files in the package, and their sizes (Teams': 192×192 full colour,
// 32×32 white on transparent).
const (
	ColorIcon   = "color.png"
	OutlineIcon = "outline.png"
	colorSize   = 192
	outlineSize = 32
)

// accent is the colour of the icon and the app's accent in Teams.
var accent = color.RGBA{0x00, 0x85, 0x7C, 0xFF}

// PackageOptions describe the Teams app: who publishes it and its version.
type PackageOptions struct {
	AppID      string // the Azure Bot's Microsoft App ID: the bot, and the app's id
	Version    string // the app's version, x.y.z; "": 1.0.0
	Developer  string // the publisher's name (at most 32 characters)
	WebsiteURL string // https pages the app's details link to
	PrivacyURL string
	TermsURL   string
}

// Commands is the bot's command list in Teams: what the compose box offers
// when someone types @careersbot, each title a question the bot answers.
var Commands = []struct{ Title, Description string }{
	{"help", "What careersbot can do, with example questions"},
	{"Skills of a network engineer", "An occupation's skills, each quoted from its standard (try knowledge, behaviours or duties)"},
	{"What does a commis chef earn?", "Pay for the jobs in an occupation, with its source and date"},
	{"What does a data analyst do?", "What an occupation involves day to day, from its standard's duties"},
	{"Which jobs involve routing?", "Occupations whose standards cover a topic"},
	{"What level is a dental nurse?", "An occupation's level, route and typical job titles"},
}

var (
	reGUID   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	reSemver = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)
)

// Check says what is wrong with the options, one problem a line, naming
// the flag that sets each.
func (o PackageOptions) Check() error {
	var errs []error
	if !reGUID.MatchString(o.AppID) {
		errs = append(errs, fmt.Errorf("--app-id (or TEAMS_APP_ID) must be the Azure Bot's Microsoft App ID, a GUID, got %q", o.AppID))
	}
	if o.Version != "" && !reSemver.MatchString(o.Version) {
		errs = append(errs, fmt.Errorf("--app-version must be x.y.z such as 1.0.0, got %q", o.Version))
	}
	if n := len([]rune(o.Developer)); n == 0 || n > 32 {
		errs = append(errs, fmt.Errorf("--developer must be the publisher's name, 1 to 32 characters, got %q", o.Developer))
	}
	for _, u := range []struct{ flag, v string }{{"--website-url", o.WebsiteURL}, {"--privacy-url", o.PrivacyURL}, {"--terms-url", o.TermsURL}} {
		p, err := url.Parse(u.v)
		if err != nil || p.Scheme != "https" || p.Host == "" || len(u.v) > 2048 {
			errs = append(errs, fmt.Errorf("%s must be an https URL, got %q", u.flag, u.v))
		}
	}
	return errors.Join(errs...)
}

// Manifest is the app's manifest.json.
func Manifest(o PackageOptions) ([]byte, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	version := o.Version
	if version == "" {
		version = "1.0.0"
	}
	type command struct {
		Title       string `json:"title"`
		Description string `json:"description"`
	}
	var cmds []command
	for _, c := range Commands {
		cmds = append(cmds, command{c.Title, c.Description})
	}
	scopes := []string{"personal", "team", "groupChat"}
	m := map[string]any{
		"$schema":         ManifestSchema,
		"manifestVersion": ManifestVersion,
		"version":         version,
		"id":              strings.ToLower(o.AppID),
		"developer": map[string]any{
			"name": o.Developer, "websiteUrl": o.WebsiteURL, "privacyUrl": o.PrivacyURL, "termsOfUseUrl": o.TermsURL,
		},
		"name": map[string]any{"short": "careersbot", "full": "careersbot: careers answers from England's occupational standards"},
		"description": map[string]any{
			"short": "Careers answers quoted from England's occupational standards",
			"full": "Ask careersbot about any occupation with an apprenticeship standard in England: its skills, knowledge, " +
				"behaviours and duties, level, typical job titles and, where the data has them, pay, duration, funding and " +
				"entry requirements. Every answer quotes the standard it relies on, with its reference, version and date " +
				"(Skills England occupational standards, Open Government Licence v3.0). Chat with it, or mention it in a " +
				"channel or group chat: it answers in the thread. A message that shows distress gets a kind pointer to " +
				"people who can help.",
		},
		"icons":       map[string]any{"color": ColorIcon, "outline": OutlineIcon},
		"accentColor": fmt.Sprintf("#%02X%02X%02X", accent.R, accent.G, accent.B),
		"bots": []any{map[string]any{
			"botId":              strings.ToLower(o.AppID),
			"scopes":             scopes,
			"isNotificationOnly": false,
			"supportsFiles":      false,
			"commandLists":       []any{map[string]any{"scopes": scopes, "commands": cmds}},
		}},
		"permissions":  []string{"identity", "messageTeamMembers"},
		"validDomains": []string{},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WritePackage writes the app package, a zip of manifest.json and the two
// icons at its root, for sideloading or the Teams admin centre.
func WritePackage(w io.Writer, o PackageOptions) error {
	manifest, err := Manifest(o)
	if err != nil {
		return err
	}
	colorPNG, err := encodePNG(colorIcon(colorSize))
	if err != nil {
		return err
	}
	outlinePNG, err := encodePNG(outlineIcon(outlineSize))
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	// A fixed time keeps the package the same for the same options.
	when := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range []struct {
		name string
		data []byte
	}{{"manifest.json", manifest}, {ColorIcon, colorPNG}, {OutlineIcon, outlinePNG}} {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: when})
		if err != nil {
			return fmt.Errorf("write %s: %w", f.name, err)
		}
		if _, err := fw.Write(f.data); err != nil {
			return fmt.Errorf("write %s: %w", f.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("finish the zip: %w", err)
	}
	return nil
}

func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode an icon: %w", err)
	}
	return buf.Bytes(), nil
}

// The icon is a speech bubble with three lines of text in it: a question
// answered in words. Shapes are in a unit square and drawn with 4×4
// supersampling, so edges are smooth at both sizes.

// pt is a point in the unit square.
type pt struct{ x, y float64 }

// inBubble reports whether p is in the bubble: a rounded rectangle with a
// tail at its lower left.
func inBubble(x, y float64) bool {
	p := pt{x, y}
	if inRoundRect(p, pt{0.14, 0.18}, pt{0.86, 0.70}, 0.12) {
		return true
	}
	// The tail: a triangle below the body.
	return inTriangle(p, pt{0.26, 0.66}, pt{0.44, 0.66}, pt{0.22, 0.86})
}

// inLines reports whether (x, y) is on one of the three text lines.
func inLines(x, y float64) bool {
	for i, w := range []float64{0.50, 0.42, 0.30} {
		top := 0.30 + float64(i)*0.12
		if inRoundRect(pt{x, y}, pt{0.26, top}, pt{0.26 + w, top + 0.06}, 0.03) {
			return true
		}
	}
	return false
}

// inRoundRect reports whether p is in the rectangle from lo to hi with
// corners rounded to radius r.
func inRoundRect(p, lo, hi pt, r float64) bool {
	if p.x < lo.x || p.x > hi.x || p.y < lo.y || p.y > hi.y {
		return false
	}
	cx := math.Max(lo.x+r, math.Min(p.x, hi.x-r))
	cy := math.Max(lo.y+r, math.Min(p.y, hi.y-r))
	return (p.x-cx)*(p.x-cx)+(p.y-cy)*(p.y-cy) <= r*r
}

// inTriangle reports whether p is in the triangle abc: on the same side of
// all three edges.
func inTriangle(p, a, b, c pt) bool {
	side := func(u, v pt) float64 { return (p.x-v.x)*(u.y-v.y) - (u.x-v.x)*(p.y-v.y) }
	d1, d2, d3 := side(a, b), side(b, c), side(c, a)
	neg := d1 < 0 || d2 < 0 || d3 < 0
	pos := d1 > 0 || d2 > 0 || d3 > 0
	return !(neg && pos)
}

// coverage is the share of a pixel's 16 samples for which in holds.
func coverage(px, py, size int, in func(x, y float64) bool) float64 {
	n := 0
	for i := range 4 {
		for j := range 4 {
			x := (float64(px) + (float64(i)+0.5)/4) / float64(size)
			y := (float64(py) + (float64(j)+0.5)/4) / float64(size)
			if in(x, y) {
				n++
			}
		}
	}
	return float64(n) / 16
}

// colorIcon is the full-colour icon: a white bubble with accent lines on the
// accent colour.
func colorIcon(size int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			white := coverage(x, y, size, func(fx, fy float64) bool { return inBubble(fx, fy) && !inLines(fx, fy) })
			img.SetRGBA(x, y, blend(accent, color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}, white))
		}
	}
	return img
}

// outlineIcon is the outline icon: the bubble's outline and lines in white
// on transparent, as Teams wants it.
func outlineIcon(size int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	stroke := 2.0 / float64(size)
	inner := func(x, y float64) bool {
		return inRoundRect(pt{x, y}, pt{0.14 + stroke, 0.18 + stroke}, pt{0.86 - stroke, 0.70 - stroke}, 0.12-stroke)
	}
	for y := range size {
		for x := range size {
			a := coverage(x, y, size, func(fx, fy float64) bool {
				return (inBubble(fx, fy) && !inner(fx, fy)) || inLines(fx, fy)
			})
			v := uint8(math.Round(a * 255))
			// Premultiplied white at alpha a.
			img.SetRGBA(x, y, color.RGBA{v, v, v, v})
		}
	}
	return img
}

// blend is from at weight 1-t and to at t, opaque.
func blend(from, to color.RGBA, t float64) color.RGBA {
	mix := func(a, b uint8) uint8 { return uint8(math.Round(float64(a)*(1-t) + float64(b)*t)) }
	return color.RGBA{mix(from.R, to.R), mix(from.G, to.G), mix(from.B, to.B), 0xFF}
}
