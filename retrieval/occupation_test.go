package retrieval

import (
	"slices"
	"strings"
	"testing"
)

func TestFormatSalary(t *testing.T) {
	tests := []struct {
		in   int
		want string
	}{
		{0, "£0"}, {999, "£999"}, {1000, "£1,000"}, {43692, "£43,692"}, {1234567, "£1,234,567"},
	}
	for _, tt := range tests {
		if got := FormatSalary(tt.in); got != tt.want {
			t.Errorf("FormatSalary(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestOccupationHelpers(t *testing.T) {
	tests := []struct {
		status  string
		retired bool
	}{
		{"Approved for delivery", false},
		{"Retired", true},
		{"retired on 1 May 2024", true},
		{"Withdrawn", true},
		{"", false},
	}
	for _, tt := range tests {
		o := &Occupation{Status: tt.status}
		if o.Retired() != tt.retired {
			t.Errorf("Retired() for status %q = %v", tt.status, o.Retired())
		}
	}

	o := &Occupation{Purpose: "P", Summary: []string{"A", "P", "B"}}
	if got := o.Overview(); !slices.Equal(got, []string{"P", "A", "B"}) {
		t.Errorf("Overview = %q, want the purpose once, then the rest", got)
	}
	if o.HasKSBs() {
		t.Error("HasKSBs without statements")
	}
	o.Behaviours = []Statement{{"B1", "x"}}
	if !o.HasKSBs() || len(o.Statements(KindBehaviour)) != 1 || o.Statements(KindDuty) != nil {
		t.Error("Statements/HasKSBs wrong")
	}
}

func TestProfileText(t *testing.T) {
	o := &Occupation{Reference: "ST0001", Title: "Pastry chef", Level: 3, Route: "Catering", SalaryMedian: 25000,
		MaxFunding: 9000, TypicalDuration: "18 months", Version: "1.1", LastUpdated: "2024-01-02"}
	got := o.ProfileText()
	want := "Pastry chef (ST0001). Level 3. Route: Catering. Average (median) salary: £25,000 per year. " +
		"Typical duration: 18 months. Maximum funding: £9,000. Version 1.1. Last updated 2024-01-02."
	if got != want {
		t.Errorf("ProfileText =\n%s\nwant\n%s", got, want)
	}
	bare := (&Occupation{Reference: "ST0002", Title: "T"}).ProfileText()
	if bare != "T (ST0002)." || strings.Contains(bare, "£") {
		t.Errorf("bare ProfileText = %q", bare)
	}
}
