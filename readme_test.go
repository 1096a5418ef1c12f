package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/careersbot/careersbot/config"
	"github.com/careersbot/careersbot/retrieval"
	"github.com/careersbot/careersbot/seeds"
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

// TestREADMECountsTheFacts keeps the README's table of everyday facts true
// to the built-in corpus: its figures are counted, not typed in.
func TestREADMECountsTheFacts(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := retrieval.OpenSource(seeds.FS, "built-in corpus")
	if err != nil {
		t.Fatal(err)
	}
	c, err := src.Load()
	if err != nil {
		t.Fatal(err)
	}
	fc := retrieval.CountFacts(c.Occupations)
	for _, row := range []struct {
		fact string
		n    int
	}{
		{"pay (a median to quote)", fc.Salary},
		{"pay withheld (ONS suppressed the median)", fc.SalaryWithheld},
		{"SOC 2020 unit group", fc.SOC},
		{"SOC options in different unit groups", fc.SOCOptions},
		{"typical duration", fc.Duration},
		{"maximum funding band", fc.Funding},
		{"professional recognition", fc.Recognition},
		{"regulated or not", fc.Regulated},
		{"degree status", fc.IntegratedDegree},
		{"entry requirements, English and maths or qualifications (" + fc.EntryYear + ")", fc.EntryAny},
	} {
		want := fmt.Sprintf("| %s | %d of %d |", row.fact, row.n, fc.Standards)
		if !strings.Contains(string(b), want) {
			t.Errorf("README.md lacks the row %q", want)
		}
	}
}
