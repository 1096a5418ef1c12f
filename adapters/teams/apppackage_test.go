package teams

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/careersbot/careersbot/bot"
)

var testPackage = PackageOptions{
	AppID:      "5A0B6C5E-1F0E-4C84-9C2A-3B1C7D2E9F10",
	Developer:  "Careers Hub North",
	WebsiteURL: "https://careers.example.org/",
	PrivacyURL: "https://careers.example.org/privacy",
	TermsURL:   "https://careers.example.org/terms",
}

// manifestSchema compiles testdata's copy of Microsoft's manifest schema.
func manifestSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/MicrosoftTeams.v1.30.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	// JSON Schema patterns are ECMA-262 regular expressions, and the
	// manifest schema uses lookahead, which Go's RE2 lacks.
	c.UseRegexpEngine(ecmaRegexp)
	if err := c.AddResource(ManifestSchema, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(ManifestSchema)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// ecmaRegexp compiles a schema's pattern as ECMAScript (dlclark/regexp2),
// the way the jsonschema package's documentation shows.
func ecmaRegexp(s string) (jsonschema.Regexp, error) {
	re, err := regexp2.Compile(s, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	return (*ecmaRE)(re), nil
}

type ecmaRE regexp2.Regexp

func (re *ecmaRE) MatchString(s string) bool {
	ok, err := (*regexp2.Regexp)(re).MatchString(s)
	return err == nil && ok
}

func (re *ecmaRE) String() string { return (*regexp2.Regexp)(re).String() }

// unzip reads a package's files.
func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return out
}

// The package holds manifest.json and the two icons at its root; the
// manifest validates against the schema of its manifestVersion and names
// the bot in the three scopes with the command list.
func TestPackageValidatesAgainstTheSchema(t *testing.T) {
	var buf bytes.Buffer
	if err := WritePackage(&buf, testPackage); err != nil {
		t.Fatal(err)
	}
	files := unzip(t, buf.Bytes())
	if len(files) != 3 || files["manifest.json"] == nil || files[ColorIcon] == nil || files[OutlineIcon] == nil {
		names := []string{}
		for n := range files {
			names = append(names, n)
		}
		t.Fatalf("package holds %v, want manifest.json, %s, %s", names, ColorIcon, OutlineIcon)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(files["manifest.json"]))
	if err != nil {
		t.Fatal(err)
	}
	if err := manifestSchema(t).Validate(inst); err != nil {
		t.Fatalf("manifest.json does not validate against the v%s schema:\n%v", ManifestVersion, err)
	}

	var m struct {
		Schema          string `json:"$schema"`
		ManifestVersion string `json:"manifestVersion"`
		ID              string `json:"id"`
		Icons           struct{ Color, Outline string }
		Bots            []struct {
			BotID        string   `json:"botId"`
			Scopes       []string `json:"scopes"`
			CommandLists []struct {
				Scopes   []string `json:"scopes"`
				Commands []struct{ Title, Description string }
			} `json:"commandLists"`
		}
	}
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	// The schema pins manifestVersion with "const", which its draft-04
	// dialect does not assert: checked here.
	var schema struct {
		Properties struct {
			ManifestVersion struct {
				Const string `json:"const"`
			} `json:"manifestVersion"`
		} `json:"properties"`
	}
	raw, _ := os.ReadFile("testdata/MicrosoftTeams.v1.30.schema.json")
	_ = json.Unmarshal(raw, &schema)
	if m.ManifestVersion != schema.Properties.ManifestVersion.Const || !strings.Contains(m.Schema, "/v"+m.ManifestVersion+"/") {
		t.Errorf("manifestVersion %q with $schema %q, want the schema's %q", m.ManifestVersion, m.Schema, schema.Properties.ManifestVersion.Const)
	}
	if m.Icons.Color != ColorIcon || m.Icons.Outline != OutlineIcon {
		t.Errorf("icons %+v do not name the package's files", m.Icons)
	}
	if len(m.Bots) != 1 || m.Bots[0].BotID != strings.ToLower(testPackage.AppID) || m.ID != m.Bots[0].BotID {
		t.Fatalf("bots %+v, id %s: want the app id as bot and app", m.Bots, m.ID)
	}
	if got := strings.Join(m.Bots[0].Scopes, ","); got != "personal,team,groupChat" {
		t.Errorf("bot scopes %s", got)
	}
	if len(m.Bots[0].CommandLists) != 1 || len(m.Bots[0].CommandLists[0].Commands) != len(Commands) {
		t.Fatalf("command lists %+v", m.Bots[0].CommandLists)
	}
	for _, c := range m.Bots[0].CommandLists[0].Commands {
		// Older Teams clients cut titles at 32 and descriptions at 128.
		if len([]rune(c.Title)) > 32 || len([]rune(c.Description)) > 128 {
			t.Errorf("command %q: title or description too long for every client", c.Title)
		}
	}

	// The package is the same for the same options.
	var again bytes.Buffer
	_ = WritePackage(&again, testPackage)
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Errorf("two packages of the same options differ")
	}
}

// The schema catches what Teams would refuse: the validation is real.
func TestSchemaRefusesABadManifest(t *testing.T) {
	good, err := Manifest(testPackage)
	if err != nil {
		t.Fatal(err)
	}
	sch := manifestSchema(t)
	for name, breakIt := range map[string]func(m map[string]any){
		"accent colour not hex": func(m map[string]any) { m["accentColor"] = "teal" },
		"bot scope misspelt": func(m map[string]any) {
			m["bots"].([]any)[0].(map[string]any)["scopes"] = []any{"personal", "groupchat"}
		},
		"no developer privacyUrl": func(m map[string]any) { delete(m["developer"].(map[string]any), "privacyUrl") },
		"an unknown property":     func(m map[string]any) { m["botsettings"] = true },
		"id not a GUID":           func(m map[string]any) { m["id"] = "careersbot" },
	} {
		var m map[string]any
		_ = json.Unmarshal(good, &m)
		breakIt(m)
		b, _ := json.Marshal(m)
		inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if sch.Validate(inst) == nil {
			t.Errorf("%s: the schema accepted it", name)
		}
	}
}

// The icons are PNGs of Teams' sizes; the outline is white on transparent.
func TestIcons(t *testing.T) {
	var buf bytes.Buffer
	if err := WritePackage(&buf, testPackage); err != nil {
		t.Fatal(err)
	}
	files := unzip(t, buf.Bytes())
	decode := func(name string) image.Image {
		img, err := png.Decode(bytes.NewReader(files[name]))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return img
	}
	col, out := decode(ColorIcon), decode(OutlineIcon)
	if b := col.Bounds(); b.Dx() != 192 || b.Dy() != 192 {
		t.Errorf("colour icon %v, want 192×192", b)
	}
	if b := out.Bounds(); b.Dx() != 32 || b.Dy() != 32 {
		t.Errorf("outline icon %v, want 32×32", b)
	}
	opaque, transparent := 0, 0
	for y := range 32 {
		for x := range 32 {
			r, g, b, a := out.At(x, y).RGBA()
			if r != a || g != a || b != a {
				t.Fatalf("outline pixel (%d,%d) is not white: %v", x, y, out.At(x, y))
			}
			switch a {
			case 0:
				transparent++
			case 0xFFFF:
				opaque++
			}
		}
	}
	if opaque < 50 || transparent < 500 {
		t.Errorf("outline: %d opaque and %d transparent pixels: want a white shape on transparent", opaque, transparent)
	}
	_, _, _, a := col.At(0, 0).RGBA()
	if a != 0xFFFF {
		t.Errorf("the colour icon is not opaque")
	}
}

// Bad options are named by the flag that sets them.
func TestPackageOptionsChecked(t *testing.T) {
	o := PackageOptions{AppID: "careersbot", Version: "1.0", Developer: "", WebsiteURL: "http://example.org", PrivacyURL: "x", TermsURL: ""}
	err := o.Check()
	if err == nil {
		t.Fatal("bad options accepted")
	}
	for _, want := range []string{"--app-id", "--app-version", "--developer", "--website-url", "--privacy-url", "--terms-url"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v does not name %s", err, want)
		}
	}
	if err := testPackage.Check(); err != nil {
		t.Errorf("good options refused: %v", err)
	}
}

// Each command the manifest offers, other than help, is a question the bot
// answers from the standards.
func TestCommandsAreAnswered(t *testing.T) {
	b := catalogueBot(t)
	for _, c := range Commands {
		if c.Title == "help" {
			if !isHelp(c.Title) {
				t.Errorf("help is not the help")
			}
			continue
		}
		a := ask(t, b, c.Title)
		if !a.Grounded || len(a.Citations) == 0 || a.Outcome != bot.OutcomeGrounded {
			t.Errorf("%q: outcome %s with %d citations, want a grounded answer", c.Title, a.Outcome, len(a.Citations))
		}
	}
}
