package bot

import (
	"slices"
	"strings"
	"testing"
)

func TestRequests(t *testing.T) {
	b := catalogueBot(t)
	t.Run("passage exactly", func(t *testing.T) {
		a := ask(t, b, Question{Text: "/careers ksb ST0127 k12", Occupation: "ST0127", Request: &Request{What: RequestPassage, ID: "k12"}})
		if len(a.Citations) != 1 || a.Citations[0].ID != "K12" || a.Citations[0].Text != "Wireless networks technologies and configurations." {
			t.Fatalf("citations %+v", a.Citations)
		}
		if !strings.Contains(a.Text, "Wireless networks technologies and configurations. [ST0127 K12]") {
			t.Errorf("text %q", a.Text)
		}
	})
	t.Run("missing passage", func(t *testing.T) {
		a := ask(t, b, Question{Text: "ksb", Occupation: "ST0127", Request: &Request{What: RequestPassage, ID: "K99"}})
		if a.Grounded || !strings.Contains(a.Text, "no K99") {
			t.Errorf("K99: %s", a.Text)
		}
	})
	t.Run("list by title", func(t *testing.T) {
		a := ask(t, b, Question{Text: "list", Occupation: "Commis chef", Request: &Request{What: RequestList, List: "skills"}})
		if len(a.Citations) != 38 || a.Citations[0].Reference != "ST0228" || !slices.Equal(ids(a)[:3], []string{"S1", "S2", "S3"}) {
			t.Errorf("%d citations, first %v", len(a.Citations), ids(a)[:min(3, len(a.Citations))])
		}
	})
	t.Run("card", func(t *testing.T) {
		a := ask(t, b, Question{Text: "occupation", Occupation: "ST0127", Request: &Request{What: RequestCard}})
		if a.Card == nil || a.Card.Salary != "£43,692 per year" || a.Card.Knowledge != 21 || a.Card.Duties != 10 || a.Card.SOC != "2137 IT network professionals" {
			t.Errorf("card %+v", a.Card)
		}
	})
	t.Run("unknown occupation", func(t *testing.T) {
		a := ask(t, b, Question{Text: "occupation", Occupation: "astronaut", Request: &Request{What: RequestCard}})
		if a.Grounded || a.Card != nil {
			t.Errorf("unknown occupation answered: %s", a.Text)
		}
	})
}

func TestComplete(t *testing.T) {
	b := catalogueBot(t)
	got := b.Complete("netw", 25)
	if len(got) == 0 || len(got) > 25 || got[0].Reference != "ST0127" {
		t.Fatalf("netw: %+v", got[:min(3, len(got))])
	}
	if got := b.Complete("ST012", 25); len(got) == 0 || !strings.HasPrefix(got[0].Reference, "ST012") {
		t.Errorf("ST012: %+v", got[:min(3, len(got))])
	}
	if got := b.Complete("pastry", 5); len(got) == 0 || got[0].Reference != "ST0929" {
		t.Errorf("pastry: %+v", got)
	}
	if got := b.Complete("", 25); len(got) != 25 {
		t.Errorf("empty: %d completions, want 25", len(got))
	}
	if got := b.Complete("netwrok enginer", 5); len(got) == 0 {
		t.Errorf("typo gives nothing")
	}
}
