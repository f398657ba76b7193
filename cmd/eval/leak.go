package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/egressguard/egressguard/internal/redact"
)

// leakRow is one line of testdata/leak/pairs.jsonl: a system prompt, an
// answer, whether the answer leaks the prompt and how (kind).
type leakRow struct {
	System string `json:"system"`
	Text   string `json:"text"`
	Leak   bool   `json:"leak"`
	Kind   string `json:"kind"`
}

// leakScore counts, per kind, the answers and those reported as a leak.
type leakScore struct{ N, Flagged int }

// readJSONLines decodes one JSON value per line of in into *rows.
// readJSONLines appends one row per JSON line of in to rows.
func readJSONLines[T any](in io.Reader, rows *[]T) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for line := 1; sc.Scan(); line++ {
		var row T
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			return fmt.Errorf("stdin line %d: %v", line, err)
		}
		*rows = append(*rows, row)
	}
	return sc.Err()
}

func runLeak(in io.Reader, out io.Writer, verbose bool) error {
	var rows []leakRow
	if err := readJSONLines(in, &rows); err != nil {
		return err
	}
	r, err := responseRedactor()
	if err != nil {
		return err
	}
	scores, misses := evaluateLeak(r, rows)
	var benign, leaks leakScore
	kinds := make([]string, 0, len(scores))
	for k, s := range scores {
		kinds = append(kinds, k)
		if k == "benign" {
			benign = *s
		} else {
			leaks.N, leaks.Flagged = leaks.N+s.N, leaks.Flagged+s.Flagged
		}
	}
	sort.Strings(kinds)
	fmt.Fprintf(out, "benign answers flagged as leaks: %d of %d (%.1f%%); leaking answers caught: %d of %d (%.1f%%)\n\n",
		benign.Flagged, benign.N, percent(benign.Flagged, benign.N), leaks.Flagged, leaks.N, percent(leaks.Flagged, leaks.N))
	fmt.Fprintln(out, "| kind | answers | reported as leak |")
	fmt.Fprintln(out, "|---|---:|---:|")
	for _, k := range kinds {
		s := scores[k]
		fmt.Fprintf(out, "| %s | %d | %d (%.0f%%) |\n", k, s.N, s.Flagged, percent(s.Flagged, s.N))
	}
	if verbose {
		for _, m := range misses {
			fmt.Fprintln(out, m)
		}
	}
	return nil
}

// evaluateLeak redacts each answer with its system prompt and counts the
// answers reported as leaks, per kind ("benign" for those that leak
// nothing); it also returns the wrong calls.
func evaluateLeak(r *redact.Redactor, rows []leakRow) (map[string]*leakScore, []string) {
	scores := map[string]*leakScore{}
	var wrong []string
	for _, row := range rows {
		kind := row.Kind
		if !row.Leak {
			kind = "benign"
		}
		s := scores[kind]
		if s == nil {
			s = &leakScore{}
			scores[kind] = s
		}
		s.N++
		out, rep := r.Redact(row.Text, &redact.RequestContext{SystemPrompt: row.System})
		if rep.Leak {
			s.Flagged++
		}
		if rep.Leak != row.Leak {
			wrong = append(wrong, fmt.Sprintf("%s (leak=%v): %q", kind, rep.Leak, out))
		}
	}
	return scores, wrong
}
