package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/careersbot/careersbot/adapters/teams"
	cmdline "github.com/careersbot/careersbot/internal/cli"
)

// The developer pages the Teams app links to unless told otherwise: the
// project's. An organisation that installs it sets its own.
const (
	defaultWebsiteURL = "https://github.com/careersbot/careersbot"
	defaultPrivacyURL = "https://github.com/careersbot/careersbot#privacy-and-terms-in-teams"
	defaultTermsURL   = "https://github.com/careersbot/careersbot#data-and-licence"
)

// cmdTeamsPackage writes the Teams app package: manifest.json and the two
// icons in a zip, for sideloading or the Teams admin centre.
func cmdTeamsPackage(ctx context.Context, e cmdline.Env, args []string) error {
	fs, cfg, err := cmdline.Flags(e, "teams-package", "teams-package [--out FILE] [--app-id GUID] [--developer NAME] [--website-url URL] [--privacy-url URL] [--terms-url URL] [--app-version X.Y.Z]")
	if err != nil {
		return err
	}
	out := fs.String("out", "careersbot.zip", "the package to write")
	appID := fs.String("app-id", "", "the Azure Bot's Microsoft App ID (default TEAMS_APP_ID)")
	developer := fs.String("developer", "careersbot", "the publisher's name shown in Teams (at most 32 characters)")
	website := fs.String("website-url", defaultWebsiteURL, "https page about the app")
	privacy := fs.String("privacy-url", defaultPrivacyURL, "https page of the privacy notice")
	terms := fs.String("terms-url", defaultTermsURL, "https page of the terms of use")
	version := fs.String("app-version", "1.0.0", "the app's version: raise it for each new package of the same app")
	if err := cmdline.ParseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return cmdline.Usagef("teams-package takes no arguments, got %q (see careersbot teams-package -h)", strings.Join(fs.Args(), " "))
	}
	o := teams.PackageOptions{AppID: *appID, Version: *version, Developer: *developer,
		WebsiteURL: *website, PrivacyURL: *privacy, TermsURL: *terms}
	if o.AppID == "" {
		o.AppID = cfg.TeamsAppID
	}
	if o.AppID == "" {
		return cmdline.Usagef("set --app-id or TEAMS_APP_ID to the Azure Bot's Microsoft App ID (a GUID)")
	}
	if err := o.Check(); err != nil {
		return cmdline.Usagef("%s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	var buf bytes.Buffer
	if err := teams.WritePackage(&buf, o); err != nil {
		return err
	}
	if err := writeFileAtomic(*out, buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "wrote %s: manifest.json (manifest version %s, bot %s in personal, team and groupChat scopes, %d commands), %s, %s\n",
		*out, teams.ManifestVersion, strings.ToLower(o.AppID), len(teams.Commands), teams.ColorIcon, teams.OutlineIcon)
	return nil
}

// writeFileAtomic writes data to path through a temporary file in the same
// folder, so that a failed write leaves no half a package.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".careersbot-*.zip")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
