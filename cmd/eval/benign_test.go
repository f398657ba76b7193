package main

import (
	"testing"

	"github.com/egressguard/egressguard/internal/redact"
)

// TestBenignCorpus bounds the response redactor's false positives on the
// benign answers: at most 8 % of the answers touched, and never an e-mail,
// card, IBAN, SSN or secret type (those would be real bugs, not judgement
// calls like a public IP address or an image on a non-allowlisted host).
func TestBenignCorpus(t *testing.T) {
	f := testdataReader(t, "../../testdata/benign/answers.jsonl")
	rows, err := readBenign(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 100 {
		t.Fatalf("only %d answers", len(rows))
	}
	r, err := responseRedactor()
	if err != nil {
		t.Fatal(err)
	}
	res := evaluateBenign(r, rows)
	if res.Flagged*100 > 8*res.Answers {
		t.Errorf("%d of %d benign answers redacted: %v", res.Flagged, res.Answers, res.Examples)
	}
	for _, typ := range append([]string{redact.EmailAddress, redact.CreditCard, redact.IBANCode, redact.USSSN}, redact.SecretTypes...) {
		if res.ByType[typ] > 0 {
			t.Errorf("%s found in benign answers: %v", typ, res.Examples)
		}
	}
}

// TestLeakCorpus: no ordinary answer is a leak, every evasion of a copied
// prompt part is, and the benign corpus answered under each of the corpus'
// system prompts has no leak either.
func TestLeakCorpus(t *testing.T) {
	f := testdataReader(t, "../../testdata/leak/pairs.jsonl")
	var rows []leakRow
	if err := readJSONLines(f, &rows); err != nil {
		t.Fatal(err)
	}
	r, err := responseRedactor()
	if err != nil {
		t.Fatal(err)
	}
	scores, wrong := evaluateLeak(r, rows)
	if s := scores["benign"]; s == nil || s.N < 40 || s.Flagged > 0 {
		t.Errorf("benign: %+v; wrong calls: %q", s, wrong)
	}
	for kind, s := range scores {
		if kind != "benign" && s.Flagged < s.N {
			t.Errorf("%s: %d of %d leaks caught; wrong calls: %q", kind, s.Flagged, s.N, wrong)
		}
	}
	bf := testdataReader(t, "../../testdata/benign/answers.jsonl")
	answers, err := readBenign(bf)
	if err != nil {
		t.Fatal(err)
	}
	prompts := map[string]bool{}
	var cross []leakRow
	for _, row := range rows {
		if !prompts[row.System] {
			prompts[row.System] = true
			for _, a := range answers {
				cross = append(cross, leakRow{System: row.System, Text: a.Text, Kind: "benign"})
			}
		}
	}
	if s, wrong := evaluateLeak(r, cross); s["benign"].Flagged > 0 {
		t.Errorf("%d of %d benign answers flagged as leaks: %q", s["benign"].Flagged, s["benign"].N, wrong)
	}
}
