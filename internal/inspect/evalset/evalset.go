// Package evalset loads labelled prompt-injection data and measures an
// inspect.Engine on it: detection rate, false-positive rate, per-source
// figures, a deterministic tune/held-out split and perturbation retention.
// It backs `go run ./cmd/eval injection -report` and the dev-set test.
package evalset

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Row is one labelled example.
type Row struct {
	Text   string `json:"text"`
	Label  string `json:"label"` // "injection" or "benign"
	Source string `json:"source"`
}

// Attack reports whether the row is labelled as an injection.
func (r Row) Attack() bool { return r.Label == "injection" }

// Group is the source with sub-categories dropped ("a/b/c" -> "a/b").
func (r Row) Group() string {
	parts := strings.SplitN(r.Source, "/", 3)
	if len(parts) > 2 {
		return parts[0] + "/" + parts[1]
	}
	return r.Source
}

// Family is the first component of the source ("xsafety/goal_hijacking/zh"
// -> "xsafety"): the unit left out in leave-one-source-out evaluation.
func (r Row) Family() string {
	f, _, _ := strings.Cut(r.Source, "/")
	return f
}

// Business reports whether the row is one of the hand-written ordinary
// business prompts (the false-positive check).
func (r Row) Business() bool { return r.Family() == "business" }

// CorpusFiles are the labelled files of testdata/injection that make up
// the evaluation corpus (SOURCES.md describes each).
var CorpusFiles = []string{"prompts.dev.jsonl", "public.jsonl", "extra.jsonl", "handwritten.jsonl", "families.jsonl", "harm.jsonl", "evasion.jsonl", "context.jsonl", "encoded.jsonl", "business.jsonl", "businessblind.jsonl"}

// LoadCorpus reads CorpusFiles from dir.
func LoadCorpus(dir string) ([]Row, error) {
	var all []Row
	for _, name := range CorpusFiles {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		rows, err := Load(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		all = append(all, rows...)
	}
	return all, nil
}

// Split returns 0 (tune half) or 1 (held-out half) from a hash of the text,
// so the assignment is stable across runs and machines.
func (r Row) Split() int {
	h := fnv.New32a()
	h.Write([]byte(r.Text))
	return int(h.Sum32() & 1)
}

// ReadLines calls fn for every non-empty line of r; lines may be many MB.
func ReadLines(r io.Reader, fn func(line []byte) error) error {
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		line, err := br.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			if ferr := fn(line); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Load reads JSON lines of Rows.
func Load(r io.Reader) ([]Row, error) {
	var rows []Row
	n := 0
	err := ReadLines(r, func(line []byte) error {
		n++
		var row Row
		if err := json.Unmarshal(line, &row); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		rows = append(rows, row)
		return nil
	})
	return rows, err
}
