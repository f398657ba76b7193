package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/egressguard/egressguard/internal/redact"
)

// benignRow is one line of testdata/benign/answers.jsonl.
type benignRow struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	Text     string `json:"text"`
}

// benignResult is what the response redactor did to a benign corpus:
// every redaction in it is a false positive.
type benignResult struct {
	Answers, Flagged int            // answers, and answers with at least one redaction
	ByType           map[string]int // redactions by entity type
	FlaggedByType    map[string]int // answers with a redaction of that type
	Examples         []string       // "id type: matched text"
}

// responseRedactor is the redactor the plugin uses for responses when a
// tenant configures nothing (all detectors, markdown and XSS rules on).
func responseRedactor() (*redact.Redactor, error) { return redact.New(redact.DefaultConfig()) }

// evaluateBenign runs the response redactor over benign answers.
func evaluateBenign(r *redact.Redactor, rows []benignRow) benignResult {
	res := benignResult{ByType: map[string]int{}, FlaggedByType: map[string]int{}}
	for _, row := range rows {
		res.Answers++
		es := r.Find(row.Text)
		if len(es) > 0 {
			res.Flagged++
		}
		seen := map[string]bool{}
		for _, e := range es {
			res.ByType[e.Type]++
			if !seen[e.Type] {
				seen[e.Type] = true
				res.FlaggedByType[e.Type]++
			}
			res.Examples = append(res.Examples, fmt.Sprintf("%s %s: %q", row.ID, e.Type, row.Text[e.Start:e.End]))
		}
	}
	return res
}

func readBenign(in io.Reader) ([]benignRow, error) {
	var rows []benignRow
	err := readJSONLines(in, &rows)
	return rows, err
}

func runBenign(in io.Reader, out io.Writer, verbose bool) error {
	rows, err := readBenign(in)
	if err != nil {
		return err
	}
	r, err := responseRedactor()
	if err != nil {
		return err
	}
	res := evaluateBenign(r, rows)
	total := 0
	for _, n := range res.ByType {
		total += n
	}
	fmt.Fprintf(out, "benign answers: %d; with any redaction: %d (%.1f%%); redactions: %d (%.3f per answer)\n\n",
		res.Answers, res.Flagged, percent(res.Flagged, res.Answers), total, float64(total)/float64(max(1, res.Answers)))
	fmt.Fprintln(out, "| type | redactions | answers affected | per answer |")
	fmt.Fprintln(out, "|---|---:|---:|---:|")
	types := make([]string, 0, len(res.ByType))
	for t := range res.ByType {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		fmt.Fprintf(out, "| %s | %d | %d (%.1f%%) | %.3f |\n", t, res.ByType[t], res.FlaggedByType[t],
			percent(res.FlaggedByType[t], res.Answers), float64(res.ByType[t])/float64(max(1, res.Answers)))
	}
	if verbose {
		fmt.Fprintln(out)
		fmt.Fprintln(out, strings.Join(res.Examples, "\n"))
	}
	return nil
}

func percent(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}
