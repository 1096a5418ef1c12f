package main

import (
	"os"
	"strings"
	"testing"

	"github.com/careersbot/careersbot/config"
)

// TestREADMEDocumentsEverySetting keeps the README's settings table true.
func TestREADMEDocumentsEverySetting(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range config.Variables() {
		if !strings.Contains(string(b), "`"+v+"`") {
			t.Errorf("README.md does not document %s", v)
		}
	}
}
