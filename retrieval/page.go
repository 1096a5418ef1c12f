package retrieval

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// ParseError says which file and line of a seed document is malformed and
// why, so that whoever maintains the corpus can go straight to it.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// The page format is the text of a standard's page on the Skills England
// site: a legend, the title, its facts as "Label: value" lines, the summary,
// lists under headings, K/S/B lines and "Duty Dn" blocks.
var (
	reLevel      = regexp.MustCompile(`^Level\s+(\d)\b`)
	reStdRef     = regexp.MustCompile(`^((?:ST|FA)\d{4}):?$`)
	reStdLevel   = regexp.MustCompile(`^\(Level\s+(\d)\)$`)
	reKSB        = regexp.MustCompile(`^([KSB])0*(\d+)\s*[:.)-]\s*(.*)$`)
	reDuty       = regexp.MustCompile(`^Duty\s+D0*(\d+)\s*:?\s*(.*)$`)
	reKSBLabels  = regexp.MustCompile(`\b([KSB])0*(\d+)\b`)
	reDigits     = regexp.MustCompile(`[\d,]+`)
	reSOC        = regexp.MustCompile(`^(\d{4})\s*(.*)$`)
	reMaterialID = regexp.MustCompile(`^[a-z_]+(?:_[a-z]+)+`)
)

// pageSection is where the parser is in the page.
type pageSection int

const (
	secHead pageSection = iota
	secSOCGroups
	secProducts
	secSummary
	secJobTitles
	secKeywords
	secKSBs
	secDuties
	secEnd
)

// pageLegend is the key of card types that opens every page; it is not
// content and must not be mistaken for the title.
var pageLegend = map[string]bool{
	"potential occupational standard": true, "occupational standard in development": true,
	"approved occupational standard": true, "occupational standard without apprenticeship": true,
	"custom occupational card": true, "apprenticeship": true, "t level": true,
	"technical qualification": true, "higher technical qualification": true,
	"foundation apprenticeship": true, "career starter apprenticeship": true,
	"royal apprenticeship": true, "occupational progression": true,
	"technical education progression": true, "mid green occupation": true,
	"dark green occupation": true, "favourite occupation": true,
}

// parsePage reads one standard in the page format. name is used in errors.
func parsePage(name string, r io.Reader) (*Occupation, error) {
	o := &Occupation{Source: name, FromPage: true}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)

	var (
		lineNo     int
		sec        = secHead
		titleLine  int // line where the title was expected
		awaitTitle = true
		para       strings.Builder
		duty       *Duty
		dutyLine   int
		ksbHeading int
		seen       = map[string]int{}
	)
	flushPara := func() {
		if t := cleanSpace(para.String()); t != "" {
			o.Summary = append(o.Summary, t)
		}
		para.Reset()
	}
	flushDuty := func() error {
		if duty == nil {
			return nil
		}
		duty.Text = cleanSpace(duty.Text)
		if duty.Text == "" {
			return &ParseError{name, dutyLine, fmt.Sprintf("duty %s has no text under it", duty.ID)}
		}
		o.Duties = append(o.Duties, *duty)
		duty = nil
		return nil
	}
	addKSB := func(letter, num, text string) error {
		id := letter + num
		text = cleanSpace(text)
		if text == "" {
			return &ParseError{name, lineNo, fmt.Sprintf("%s has no text; write it as \"%s: <what the standard says>\"", id, id)}
		}
		if prev, dup := seen[id]; dup {
			return &ParseError{name, lineNo, fmt.Sprintf("%s appears twice (first on line %d)", id, prev)}
		}
		seen[id] = lineNo
		st := Statement{ID: id, Text: text}
		switch letter {
		case "K":
			o.Knowledge = append(o.Knowledge, st)
		case "S":
			o.Skills = append(o.Skills, st)
		case "B":
			o.Behaviours = append(o.Behaviours, st)
		}
		return nil
	}

	for sc.Scan() {
		lineNo++
		raw := strings.TrimRight(sc.Text(), "\r")
		if lineNo == 1 {
			raw = strings.TrimPrefix(raw, "\ufeff")
		}
		line := cleanSpace(raw)
		lower := strings.ToLower(line)

		// Headings that switch section wherever they appear.
		switch {
		case lower == "summary" && sec < secSummary:
			sec = secSummary
			continue
		case strings.HasPrefix(lower, "typical job titles"):
			flushPara()
			sec = secJobTitles
			continue
		case lower == "keywords:" || lower == "keywords":
			sec = secKeywords
			continue
		case strings.HasPrefix(lower, "knowledge, skills and behaviours"):
			flushPara()
			sec = secKSBs
			ksbHeading = lineNo
			continue
		case lower == "duties" && sec >= secKSBs:
			sec = secDuties
			continue
		case lower == "occupational progression" && !awaitTitle:
			if err := flushDuty(); err != nil {
				return nil, err
			}
			sec = secEnd
			continue
		}
		if sec == secEnd {
			continue
		}
		if line == "" {
			if sec == secSummary {
				flushPara()
			}
			continue
		}

		switch sec {
		case secHead, secSOCGroups, secProducts:
			if awaitTitle {
				if titleLine == 0 {
					titleLine = lineNo
				}
				if after, ok := strings.CutPrefix(line, "home "); ok {
					o.Route = after
					titleLine = lineNo + 1
					continue
				}
				if pageLegend[lower] {
					continue
				}
				o.Title = line
				awaitTitle = false
				continue
			}
			if sec == secSOCGroups {
				if g, ok := cutBullet(line); ok {
					o.SOCSubGroups = append(o.SOCSubGroups, g)
					continue
				}
				sec = secHead
			}
			if err := parsePageFact(o, name, lineNo, line, &sec); err != nil {
				return nil, err
			}
		case secSummary:
			if para.Len() > 0 {
				para.WriteByte(' ')
			}
			para.WriteString(line)
		case secJobTitles:
			o.JobTitles = append(o.JobTitles, line)
		case secKeywords:
			o.Keywords = append(o.Keywords, line)
		case secKSBs:
			m := reKSB.FindStringSubmatch(line)
			if m == nil {
				return nil, &ParseError{name, lineNo, fmt.Sprintf("expected a K, S or B line such as \"K1: text\" under the KSB heading, got %q", clip(line, 60))}
			}
			if err := addKSB(m[1], m[2], m[3]); err != nil {
				return nil, err
			}
		case secDuties:
			if m := reDuty.FindStringSubmatch(line); m != nil {
				if err := flushDuty(); err != nil {
					return nil, err
				}
				id := "D" + m[1]
				if prev, dup := seen[id]; dup {
					return nil, &ParseError{name, lineNo, fmt.Sprintf("%s appears twice (first on line %d)", id, prev)}
				}
				seen[id] = lineNo
				duty, dutyLine = &Duty{ID: id, Text: m[2]}, lineNo
				continue
			}
			if duty == nil {
				return nil, &ParseError{name, lineNo, fmt.Sprintf("expected \"Duty D1\" under the Duties heading, got %q", clip(line, 60))}
			}
			if labels, ok := ksbLabelLine(line); ok {
				duty.KSBs = append(duty.KSBs, labels...)
				continue
			}
			duty.Text += " " + line
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{name, lineNo + 1, fmt.Sprintf("cannot read: %v", err)}
	}
	if err := flushDuty(); err != nil {
		return nil, err
	}
	flushPara()
	if o.Title == "" {
		if titleLine == 0 {
			titleLine = 1
		}
		return nil, &ParseError{name, titleLine, "no title: the page should start with the occupation's name"}
	}
	if !o.HasKSBs() {
		at := ksbHeading
		msg := "no knowledge, skills or behaviours under the \"Knowledge, skills and behaviours (KSBs)\" heading"
		if at == 0 {
			at = lineNo
			msg = "no \"Knowledge, skills and behaviours (KSBs)\" section with K1:, S1:, B1: lines"
		}
		return nil, &ParseError{name, at, msg}
	}
	if o.Reference == "" {
		return nil, &ParseError{name, lineNo, "no standard reference: expected a line such as \"ST0127:\" under Technical Education Products"}
	}
	// The page is undated: its figures are the page's, as read.
	prov := Provenance{Source: PageSource, Origin: name}
	if o.SalaryMedian > 0 {
		o.setProv(FieldSalary, prov)
	}
	if o.SOCCode != "" {
		o.setProv(FieldSOC, prov)
	}
	return o, nil
}

// PageSource names a page document's own figures in provenance notes.
const PageSource = "Skills England's page for the standard"

// parsePageFact reads one "Label: value" line of the page's head.
// labelled cuts "Label: value" lines, matching the label without regard to
// case on the line itself (lower-casing can change a line's byte length).
var (
	reRefLine    = regexp.MustCompile(`(?i)^reference:\s*(.*)$`)
	reStatusLine = regexp.MustCompile(`(?i)^status:\s*(.*)$`)
	reSalaryLine = regexp.MustCompile(`(?i)salary:\s*(.*)$`)
	reSOCLine    = regexp.MustCompile(`(?i)^soc(?: 2020)? code:\s*(.*)$`)
)

func parsePageFact(o *Occupation, name string, lineNo int, line string, sec *pageSection) error {
	lower := strings.ToLower(line)
	switch {
	case reLevel.MatchString(line) && o.Level == 0:
		o.Level, _ = strconv.Atoi(reLevel.FindStringSubmatch(line)[1])
	case strings.HasPrefix(lower, "the broad purpose") && o.Purpose == "":
		o.Purpose = line
	case reRefLine.MatchString(line):
		o.OccReference = strings.TrimSpace(reRefLine.FindStringSubmatch(line)[1])
	case reStatusLine.MatchString(line):
		v := strings.TrimSpace(reStatusLine.FindStringSubmatch(line)[1])
		// The page prefixes the status with the name of its icon.
		if m := reMaterialID.FindString(v); m != "" && len(m) < len(v) {
			v = strings.TrimSpace(v[len(m):])
		}
		if o.Status == "" {
			o.Status = v
		}
	case reSalaryLine.MatchString(line):
		v := reSalaryLine.FindStringSubmatch(line)[1]
		d := strings.ReplaceAll(reDigits.FindString(v), ",", "")
		n, err := strconv.Atoi(d)
		if err != nil || n <= 0 {
			return &ParseError{name, lineNo, fmt.Sprintf("salary %q is not an amount in pounds such as \"£43,692 per year\"", strings.TrimSpace(v))}
		}
		o.SalaryMedian = n
	case reSOCLine.MatchString(line):
		v := strings.TrimSpace(reSOCLine.FindStringSubmatch(line)[1])
		m := reSOC.FindStringSubmatch(v)
		if m == nil {
			return &ParseError{name, lineNo, fmt.Sprintf("SOC code %q should start with four digits, such as \"2137 IT network professionals\"", v)}
		}
		o.SOCCode, o.SOCTitle = m[1], strings.TrimSpace(m[2])
	case strings.HasPrefix(lower, "soc 2020 sub unit groups"):
		*sec = secSOCGroups
	case lower == "technical education products":
		*sec = secProducts
	case reStdRef.MatchString(line):
		if o.Reference == "" {
			o.Reference = reStdRef.FindStringSubmatch(line)[1]
		}
	case reStdLevel.MatchString(line):
		if o.Level == 0 {
			o.Level, _ = strconv.Atoi(reStdLevel.FindStringSubmatch(line)[1])
		}
	case *sec == secProducts && o.Reference != "" && isDeliveryStatus(lower):
		// The standard's own status is more precise than the occupation's.
		o.Status = line
	case o.Route == "" && *sec == secHead && o.Level == 0 && line != o.Title:
		o.Route = line
	}
	return nil
}

func isDeliveryStatus(lower string) bool {
	for _, s := range []string{"approved for delivery", "retired", "in development", "withdrawn", "proposal"} {
		if strings.HasPrefix(lower, s) {
			return true
		}
	}
	return false
}

// ksbLabelLine recognises a line under a duty that lists its mapped KSBs,
// such as "KSBs: K1, K2, S3" or "K1 K2 S3".
func ksbLabelLine(line string) ([]string, bool) {
	rest := line
	if i := strings.Index(line, ":"); i >= 0 && strings.Contains(strings.ToLower(line[:i]), "ksb") {
		rest = line[i+1:]
	}
	ms := reKSBLabels.FindAllStringSubmatch(rest, -1)
	if len(ms) == 0 {
		return nil, false
	}
	// Only a line made of labels and separators is a label line.
	stripped := reKSBLabels.ReplaceAllString(rest, "")
	if strings.Trim(stripped, " ,;/and") != "" {
		return nil, false
	}
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m[1] + m[2]
	}
	return out, true
}

// cutBullet returns the item of a bulleted line ("• 2137/00 ...").
func cutBullet(line string) (string, bool) {
	for _, b := range []string{"•", "·", "*", "-"} {
		if rest, ok := strings.CutPrefix(line, b); ok {
			return strings.TrimSpace(rest), strings.TrimSpace(rest) != ""
		}
	}
	return "", false
}

// cleanSpace collapses runs of white space (the pages carry non-breaking and
// doubled spaces) and trims the ends.
func cleanSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
