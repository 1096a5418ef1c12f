package retrieval

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// PayEdition is an edition of ONS's Annual Survey of Hours and Earnings:
// its year, and whether the figures are provisional or revised (ONS revises
// each year's figures a year later).
type PayEdition struct {
	Year  int
	Stage string // "provisional" or "revised"
}

func (e PayEdition) String() string { return fmt.Sprintf("%d (%s)", e.Year, e.Stage) }

// Source names the edition in provenance notes: "ONS ASHE 2024
// (provisional)".
func (e PayEdition) Source() string { return "ONS ASHE " + e.String() }

// Compare orders editions: a later year, then revised over provisional.
func (e PayEdition) Compare(f PayEdition) int {
	if e.Year != f.Year {
		return e.Year - f.Year
	}
	rank := func(s string) int {
		if s == "revised" {
			return 1
		}
		return 0
	}
	return rank(e.Stage) - rank(f.Stage)
}

// FileName is the name the data dir keeps a table of this edition under.
func (e PayEdition) FileName() string {
	return fmt.Sprintf("%s%d-%s-soc2020-median%s", payTablePrefix, e.Year, e.Stage, payTableSuffix)
}

var (
	reEdition     = regexp.MustCompile(`(?i)^\s*(\d{4})(?:[\s_-]*\(?\s*(provisional|revised)\s*\)?)?\s*$`)
	reEditionName = regexp.MustCompile(`(?i)ashe[_-]?(\d{4})(?:[_-](provisional|revised))?`)
)

// ParsePayEdition reads an edition as people write it: "2025", "2025
// provisional", "2025 (revised)". A year alone is provisional, the first
// figures ONS publishes.
func ParsePayEdition(s string) (PayEdition, error) {
	m := reEdition.FindStringSubmatch(s)
	if m == nil {
		return PayEdition{}, fmt.Errorf("%q is not an ASHE edition: give the year and, optionally, provisional or revised, such as \"2025 provisional\"", s)
	}
	return edition(m[1], m[2]), nil
}

// PayEditionFromName reads the edition from a table's file name, such as
// ashe-2024-soc2020-median.csv or ashe-2025-revised-....csv.
func PayEditionFromName(name string) (PayEdition, bool) {
	m := reEditionName.FindStringSubmatch(name)
	if m == nil {
		return PayEdition{}, false
	}
	return edition(m[1], m[2]), true
}

func edition(year, stage string) PayEdition {
	y, _ := strconv.Atoi(year)
	stage = strings.ToLower(stage)
	if stage == "" {
		stage = "provisional"
	}
	return PayEdition{Year: y, Stage: stage}
}

// PayRow is one SOC 2020 unit group's median gross annual pay for all
// employees, with ONS's quality marking.
type PayRow struct {
	SOC     string
	Title   string
	Median  int    // pounds a year; 0 when the cell is empty
	Quality string // ONS's key: "precise (CV <= 5%)", "unreliable (CV > 20%)", or ""
	CV      string // the coefficient of variation, percent: "3.2"
	Note    string // why the cell is empty
}

// PayTable is an ASHE table of median pay by SOC 2020 unit group.
type PayTable struct {
	Edition PayEdition
	Name    string // the file it was read from
	Rows    map[string]PayRow
	// Raw is the file as read, so that the data dir keeps the format.
	Raw []byte
}

// payColumns are the columns a pay table must have.
var payColumns = []string{"soc2020", "title", "median_annual_gbp", "quality", "cv_median_pct", "note"}

// ParsePayTable reads an ASHE table in the format of
// ashe-2024-soc2020-median.csv (seeds/FACTS.md). name is used in errors.
func ParsePayTable(name string, data []byte, ed PayEdition) (*PayTable, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, &ParseError{name, 1, fmt.Sprintf("not a CSV table with a header line: %v", err)}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var missing []string
	for _, c := range payColumns {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, &ParseError{name, 1, fmt.Sprintf("the header lacks %s: expected the columns %s (the ASHE median table's format)",
			strings.Join(missing, ", "), strings.Join(payColumns, ","))}
	}
	t := &PayTable{Edition: ed, Name: name, Rows: map[string]PayRow{}, Raw: data}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return nil, &ParseError{name, line, fmt.Sprintf("not a CSV row: %v", err)}
		}
		get := func(c string) string {
			if i := col[c]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		row := PayRow{SOC: get("soc2020"), Title: cleanSpace(get("title")), Quality: get("quality"), CV: get("cv_median_pct"), Note: get("note")}
		if !isSOCCode(row.SOC) {
			return nil, &ParseError{name, line, fmt.Sprintf("soc2020 %q is not a four-digit SOC 2020 unit group such as \"5241\"", row.SOC)}
		}
		if v := strings.ReplaceAll(get("median_annual_gbp"), ",", ""); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return nil, &ParseError{name, line, fmt.Sprintf("%s: median_annual_gbp %q is not a whole number of pounds (leave it empty for a suppressed cell)", row.SOC, v)}
			}
			row.Median = n
		}
		if row.CV != "" {
			if _, err := strconv.ParseFloat(row.CV, 64); err != nil {
				return nil, &ParseError{name, line, fmt.Sprintf("%s: cv_median_pct %q is not a number", row.SOC, row.CV)}
			}
		}
		if _, dup := t.Rows[row.SOC]; dup {
			return nil, &ParseError{name, line, fmt.Sprintf("unit group %s appears twice", row.SOC)}
		}
		t.Rows[row.SOC] = row
	}
	if len(t.Rows) == 0 {
		return nil, &ParseError{name, 2, "no rows: the table has a header and nothing else"}
	}
	return t, nil
}

// Published counts the unit groups with a median fit to quote.
func (t *PayTable) Published() int {
	n := 0
	for _, r := range t.Rows {
		if r.quotable() {
			n++
		}
	}
	return n
}

func (r PayRow) qualityWord() string {
	q, _, _ := strings.Cut(r.Quality, "(")
	return strings.TrimSpace(q)
}

// quotable reports whether the row's median may be quoted: published, and
// not marked unreliable.
func (r PayRow) quotable() bool { return r.Median > 0 && r.qualityWord() != "unreliable" }

// withheld says why no median is quoted for the row.
func (r PayRow) withheld() string {
	cv := ""
	if r.CV != "" {
		cv = " (CV " + r.CV + "%)"
	} else if _, key, ok := strings.Cut(r.Quality, "("); ok {
		cv = " (" + key // ONS's key: "(CV > 20%)"
	}
	note := strings.ToLower(r.Note)
	switch {
	case r.qualityWord() == "unreliable" || strings.Contains(note, "unreliable"):
		return "ONS suppressed it as unreliable" + cv
	case strings.Contains(note, "disclosive"):
		return "ONS suppressed it as disclosive (it could identify the people or employers surveyed)"
	case strings.Contains(note, "not applicable"):
		return "ONS marks it not applicable"
	}
	return "ONS published none"
}

// join sets an occupation's salary from its unit group's row, unless the
// occupation's own figure is a page's or as new.
func (t *PayTable) join(o *Occupation) {
	if o.SOCCode == "" {
		return
	}
	prov := Provenance{Source: t.Edition.Source(), AsOf: strconv.Itoa(t.Edition.Year), Origin: t.Name}
	if o.Has(FieldSalary) && (o.Prov(FieldSalary).Source == PageSource || o.Prov(FieldSalary).AsOf >= prov.AsOf) {
		return
	}
	r, ok := t.Rows[o.SOCCode]
	if !ok {
		return
	}
	o.SalaryGroup = strings.TrimSpace(r.SOC + " " + r.Title)
	o.SalaryMedian, o.SalaryQuality, o.SalaryWithheld = 0, "", ""
	if r.quotable() {
		o.SalaryMedian = r.Median
		switch q := r.qualityWord(); {
		case q != "" && r.CV != "":
			o.SalaryQuality = q + " (CV " + r.CV + "%)"
		case q != "":
			o.SalaryQuality = q
		}
	} else {
		o.SalaryWithheld = r.withheld()
	}
	o.setProv(FieldSalary, prov)
}
