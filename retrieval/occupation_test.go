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
		"Typical duration: 18 months. Maximum funding band: £9,000. Version 1.1. Last updated 2024-01-02."
	if got != want {
		t.Errorf("ProfileText =\n%s\nwant\n%s", got, want)
	}
	bare := (&Occupation{Reference: "ST0002", Title: "T"}).ProfileText()
	if bare != "T (ST0002)." || strings.Contains(bare, "£") {
		t.Errorf("bare ProfileText = %q", bare)
	}
}

// Each everyday fact in the profile carries its source and date, and a
// withheld median says why.
func TestProfileTextFacts(t *testing.T) {
	ifate := Provenance{Source: "IfATE CSV export", AsOf: "2025-05-25", Version: "1.1"}
	ons := Provenance{Source: "ONS ASHE 2024 (provisional)", AsOf: "2024"}
	o := &Occupation{Reference: "ST0152", Title: "Installation electrician", SalaryMedian: 38077,
		SalaryGroup: "5241 Electricians and electrical fitters", SalaryQuality: "precise (CV 3.2%)",
		SOCCode: "5241", SOCTitle: "Electricians and electrical fitters", TypicalDuration: "48 months", MaxFunding: 20000,
		Recognition: []string{"IET", "JIB"}, Regulated: "no", EntryRequirements: "Five GCSEs.",
		Provenance: map[FactField]Provenance{FieldSalary: ons, FieldSOC: {Source: "Skills England's occupational maps", AsOf: "2026-09-11"},
			FieldDuration: ifate, FieldFunding: ifate, FieldRecognition: ifate, FieldRegulated: ifate,
			FieldEntry: {Source: "IfATE API", AsOf: "2023-01-19", Version: "1.0"}}}
	got := o.ProfileText()
	for _, want := range []string{
		"Pay: £38,077 a year, the UK median for all employees in SOC 2020 unit group 5241 Electricians and electrical fitters, precise (CV 3.2%), experienced workers' pay, not apprentice pay (ONS ASHE 2024 (provisional)).",
		"SOC 2020 code: 5241 Electricians and electrical fitters (Skills England's occupational maps, as of 2026-09-11).",
		"Typical duration: 48 months (IfATE CSV export, v1.1, as of 2025-05-25).",
		"Maximum funding band: £20,000 (IfATE CSV export, v1.1, as of 2025-05-25).",
		"Professional recognition: IET; JIB (IfATE CSV export, v1.1, as of 2025-05-25).",
		"Regulation: not a regulated standard (IfATE CSV export, v1.1, as of 2025-05-25).",
		"Entry requirements: Five GCSEs (IfATE API, v1.0, as of 2023-01-19).",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("profile lacks %q:\n%s", want, got)
		}
	}
	o.SalaryMedian, o.SalaryQuality, o.SalaryWithheld = 0, "", "ONS suppressed it as unreliable (CV > 20%)"
	if got := o.ProfileText(); !strings.Contains(got, "Pay: no UK median for SOC 2020 unit group 5241 Electricians and electrical fitters: ONS suppressed it as unreliable (CV > 20%) (ONS ASHE 2024 (provisional)).") || strings.Contains(got, "£38,077") {
		t.Errorf("withheld pay:\n%s", got)
	}
}
