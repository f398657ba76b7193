package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"unicode/utf8"

	"github.com/egressguard/egressguard/internal/redact"
)

func init() { register("pii", runPII) }

// piiEntity is one detected span in the stable output contract; offsets are
// Unicode code points.
type piiEntity struct {
	Type  string `json:"type"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// piiOutput is the per-line output of `eval pii`.
type piiOutput struct {
	Entities []piiEntity `json:"entities"`
	Redacted string      `json:"redacted"`
}

// runPII implements `eval pii [-report | -benign [-v] | -leak [-v]]`.
func runPII(args []string) error {
	fs := flag.NewFlagSet("pii", flag.ContinueOnError)
	report := fs.Bool("report", false, "read labelled lines (text + spans) and print per-type precision/recall")
	benign := fs.Bool("benign", false, "read benign answers ({\"text\"}) and print what the response redactor changes in them")
	leak := fs.Bool("leak", false, "read {\"system\",\"text\",\"leak\"} lines and print system-prompt leak precision/recall")
	verbose := fs.Bool("v", false, "with -benign or -leak: list every redaction or miss")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *benign {
		return runBenign(os.Stdin, os.Stdout, *verbose)
	}
	if *leak {
		return runLeak(os.Stdin, os.Stdout, *verbose)
	}
	r, err := newEvalRedactor()
	if err != nil {
		return err
	}
	if *report {
		rows, err := readLabelled(os.Stdin)
		if err != nil {
			return err
		}
		writeReport(os.Stdout, evaluate(r, rows))
		return nil
	}
	return annotate(r, os.Stdin, os.Stdout)
}

// newEvalRedactor is the plugin's detector set with output-safety rules off,
// so that only PII and secrets are reported.
func newEvalRedactor() (*redact.Redactor, error) {
	cfg := redact.DefaultConfig()
	cfg.XSS = redact.XSSOff
	cfg.Disabled = []string{redact.MarkdownExfil}
	return redact.New(cfg)
}

// annotate reads {"text": ...} lines and writes {"entities","redacted"} lines in order.
func annotate(r *redact.Redactor, in io.Reader, out io.Writer) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for line := 1; sc.Scan(); line++ {
		var row struct {
			Text *string `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			return fmt.Errorf("stdin line %d: %v", line, err)
		}
		if row.Text == nil {
			return fmt.Errorf("stdin line %d: no \"text\" field", line)
		}
		red, _ := r.Redact(*row.Text, nil)
		if err := enc.Encode(piiOutput{Entities: codePointEntities(*row.Text, r.Find(*row.Text)), Redacted: red}); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return w.Flush()
}

// codePointEntities converts byte offsets to code-point offsets.
func codePointEntities(text string, es []redact.Entity) []piiEntity {
	out := make([]piiEntity, 0, len(es))
	for _, e := range es {
		out = append(out, piiEntity{Type: e.Type, Start: runeOffset(text, e.Start), End: runeOffset(text, e.End)})
	}
	return out
}

func runeOffset(s string, b int) int { return utf8.RuneCountInString(s[:b]) }

// labelledRow is one line of pii.dev.jsonl.
type labelledRow struct {
	Text  string      `json:"text"`
	Spans []piiEntity `json:"spans"`
}

func readLabelled(in io.Reader) ([]labelledRow, error) {
	var rows []labelledRow
	err := readJSONLines(in, &rows)
	return rows, err
}

// typeScore counts matches for one entity type.
type typeScore struct {
	Gold, Pred                   int
	ExactTP                      int // predicted spans equal to a gold span
	OverlapPredTP, OverlapGoldTP int // predicted spans overlapping a gold span; gold spans overlapped
}

// P and R return exact-match precision and recall (1 when undefined).
func (s typeScore) P() float64 { return ratio(s.ExactTP, s.Pred) }
func (s typeScore) R() float64 { return ratio(s.ExactTP, s.Gold) }

// OP and OR are the overlap-match variants.
func (s typeScore) OP() float64 { return ratio(s.OverlapPredTP, s.Pred) }
func (s typeScore) OR() float64 { return ratio(s.OverlapGoldTP, s.Gold) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// evaluate scores the redactor on rows for every type it can emit; gold
// spans of other types (PERSON, ...) are ignored.
func evaluate(r *redact.Redactor, rows []labelledRow) map[string]*typeScore {
	scores := map[string]*typeScore{}
	ours := map[string]bool{}
	for _, t := range append(append([]string{}, redact.PIITypes...), redact.SecretTypes...) {
		ours[t], scores[t] = true, &typeScore{}
	}
	for _, row := range rows {
		pred := codePointEntities(row.Text, r.Find(row.Text))
		var gold []piiEntity
		for _, g := range row.Spans {
			if ours[g.Type] {
				gold = append(gold, g)
				scores[g.Type].Gold++
			}
		}
		scoreRow(scores, pred, gold)
	}
	return scores
}

func scoreRow(scores map[string]*typeScore, pred, gold []piiEntity) {
	for _, p := range pred {
		s := scores[p.Type]
		if s == nil {
			s = &typeScore{}
			scores[p.Type] = s
		}
		s.Pred++
		exact, overlap := false, false
		for _, g := range gold {
			if g.Type == p.Type {
				exact = exact || g.Start == p.Start && g.End == p.End
				overlap = overlap || g.Start < p.End && p.Start < g.End
			}
		}
		if exact {
			s.ExactTP++
		}
		if overlap {
			s.OverlapPredTP++
		}
	}
	for _, g := range gold {
		for _, p := range pred {
			if g.Type == p.Type && g.Start < p.End && p.Start < g.End {
				scores[g.Type].OverlapGoldTP++
				break
			}
		}
	}
}

// writeReport prints a markdown table; exact match is the headline.
func writeReport(w io.Writer, scores map[string]*typeScore) {
	names := make([]string, 0, len(scores))
	for t := range scores {
		names = append(names, t)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "| type | gold | predicted | exact P | exact R | overlap P | overlap R |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|")
	for _, t := range names {
		s := scores[t]
		if s.Gold == 0 && s.Pred == 0 {
			continue
		}
		fmt.Fprintf(w, "| %s | %d | %d | %.1f%% | %.1f%% | %.1f%% | %.1f%% |\n", t, s.Gold, s.Pred,
			100*s.P(), 100*s.R(), 100*s.OP(), 100*s.OR())
	}
}
