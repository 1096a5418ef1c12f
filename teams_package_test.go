package main

import (
	"archive/zip"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/careersbot/careersbot/adapters/teams"
)

// careersbot teams-package --out FILE writes the app package for the app
// id in TEAMS_APP_ID (or --app-id): manifest.json and the two icons; bad
// flags are usage errors naming the flag, an unwritable file a failure.
func TestTeamsPackageCommand(t *testing.T) {
	const appID = "5a0b6c5e-1f0e-4c84-9c2a-3b1c7d2e9f10"
	out := filepath.Join(t.TempDir(), "careersbot.zip")
	env := map[string]string{"CAREERSBOT_DATA_DIR": t.TempDir(), "TEAMS_APP_ID": appID}
	r := cli(t, env, "", "teams-package", "--out", out, "--developer", "Careers Hub North", "--privacy-url", "https://careers.example.org/privacy")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "wrote "+out) || !strings.Contains(r.stdout, appID) {
		t.Errorf("stdout %q", r.stdout)
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	var m struct {
		ManifestVersion string `json:"manifestVersion"`
		ID              string `json:"id"`
		Developer       struct {
			Name       string `json:"name"`
			PrivacyURL string `json:"privacyUrl"`
		} `json:"developer"`
	}
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name == "manifest.json" {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
		}
	}
	if strings.Join(names, ",") != "manifest.json,color.png,outline.png" {
		t.Errorf("package holds %v", names)
	}
	if m.ID != appID || m.ManifestVersion != teams.ManifestVersion || m.Developer.Name != "Careers Hub North" ||
		m.Developer.PrivacyURL != "https://careers.example.org/privacy" {
		t.Errorf("manifest %+v", m)
	}

	noID := map[string]string{"CAREERSBOT_DATA_DIR": t.TempDir()}
	r = cli(t, noID, "", "teams-package", "--out", out)
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "--app-id or TEAMS_APP_ID") {
		t.Errorf("stderr %q", r.stderr)
	}
	r = cli(t, env, "", "teams-package", "--out", out, "--terms-url", "http://example.org/terms")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "--terms-url must be an https URL") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("stderr %q: want one line naming --terms-url", r.stderr)
	}
	r = cli(t, env, "", "teams-package", "--out", filepath.Join(t.TempDir(), "missing", "x.zip"))
	wantCode(t, r, exitFailure)
}
