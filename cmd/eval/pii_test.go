package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestPIIDevSetTargets asserts the per-type targets (exact-match precision
// and recall >= 95%) on the copied dev subset, so regressions fail.
func TestPIIDevSetTargets(t *testing.T) {
	f := testdataReader(t, "../../testdata/pii/dev_subset.jsonl")
	rows, err := readLabelled(f)
	if err != nil {
		t.Fatal(err)
	}
	r, err := newEvalRedactor()
	if err != nil {
		t.Fatal(err)
	}
	scores := evaluate(r, rows)
	for _, typ := range []string{"EMAIL_ADDRESS", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS", "PHONE_NUMBER"} {
		s := scores[typ]
		if s.Gold == 0 {
			t.Errorf("%s: no gold spans in the subset", typ)
			continue
		}
		if s.P() < 0.95 || s.R() < 0.95 {
			t.Errorf("%s: precision %.3f recall %.3f (gold %d, predicted %d), want >= 0.95", typ, s.P(), s.R(), s.Gold, s.Pred)
		}
	}
}

// TestAnnotateContract checks the stable output: one line per input line, in
// order, with code-point offsets.
func TestAnnotateContract(t *testing.T) {
	r, err := newEvalRedactor()
	if err != nil {
		t.Fatal(err)
	}
	in := `{"text":"héllo – mail jo@example.com"}` + "\n" + `{"text":"nothing here"}` + "\n"
	var out bytes.Buffer
	if err := annotate(r, strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2: %q", len(lines), out.String())
	}
	var first, second piiOutput
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatal(err)
	}
	want := piiEntity{Type: "EMAIL_ADDRESS", Start: 13, End: 27}
	if len(first.Entities) != 1 || first.Entities[0] != want || first.Redacted != "héllo – mail [EMAIL_ADDRESS]" {
		t.Errorf("line 1 = %+v, want entity %+v", first, want)
	}
	if len(second.Entities) != 0 || second.Redacted != "nothing here" || !strings.Contains(lines[1], `"entities":[]`) {
		t.Errorf("line 2 = %s, want no entities (an empty array) and the text unchanged", lines[1])
	}
	if err := annotate(r, strings.NewReader(`{"txt":"x"}`), &out); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("missing text field: err = %v, want it to name line 1", err)
	}
}

// testdataReader reads a corpus file whole.
func testdataReader(t *testing.T, path string) *bytes.Reader {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(b)
}
