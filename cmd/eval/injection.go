package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/egressguard/egressguard/internal/inspect"
	"github.com/egressguard/egressguard/internal/inspect/evalset"
)

func init() { register("injection", runInjection) }

// injectionOut is the stable per-line output contract.
type injectionOut struct {
	Flagged bool     `json:"flagged"`
	Score   float64  `json:"score"`
	Rules   []string `json:"rules"`
}

// runInjection scores JSON lines from stdin with DefaultConfig.
//
//	eval injection            # {"text"} lines -> {"flagged","score","rules"} lines
//	eval injection -report    # labelled lines -> markdown tables
//	eval injection -errors N  # with -report: print up to N tune-split errors
func runInjection(args []string) error {
	fs := flag.NewFlagSet("injection", flag.ContinueOnError)
	report := fs.Bool("report", false, "read labelled lines (text, label, source) and print markdown tables")
	errs := fs.Int("errors", 0, "with -report: print up to N misclassified rows of the tune split to stderr")
	noPerturb := fs.Bool("no-perturb", false, "with -report: skip the perturbation table")
	untrusted := fs.Bool("untrusted", false, "with -report: scan rows as inspect.OriginUntrusted (tool results, documents) instead of as user turns")
	loso := fs.Bool("loso", false, "with -report: add the leave-one-source-out table (a model trained without each source family) and the business-prompt figures")
	if err := fs.Parse(args); err != nil {
		return err
	}
	eng, err := inspect.New(inspect.DefaultConfig())
	if err != nil {
		return err
	}
	if *report {
		origin := inspect.OriginUser
		if *untrusted {
			origin = inspect.OriginUntrusted
		}
		return injectionReport(eng, os.Stdin, os.Stdout, *errs, !*noPerturb, origin, *loso)
	}
	return injectionLines(eng, os.Stdin, os.Stdout)
}

// injectionLines writes one verdict per input line, in order.
func injectionLines(eng *inspect.Engine, r io.Reader, w io.Writer) error {
	out := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(out)
	n := 0
	err := evalset.ReadLines(r, func(line []byte) error {
		n++
		var in struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(line, &in); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		res := eng.Scan(in.Text)
		rules := res.Rules
		if rules == nil {
			rules = []string{}
		}
		return enc.Encode(injectionOut{Flagged: res.Flagged, Score: res.Score, Rules: rules})
	})
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	return err
}

// injectionReport prints the markdown evaluation of labelled rows.
func injectionReport(eng *inspect.Engine, r io.Reader, w io.Writer, nErr int, perturb bool, origin inspect.Origin, loso bool) error {
	rows, err := evalset.Load(r)
	if err != nil {
		return err
	}
	rep := evalset.EvaluateOrigin(eng, rows, perturb, origin)
	name := "user turns (Scan)"
	if origin == inspect.OriginUntrusted {
		name = "untrusted content (ScanOrigin OriginUntrusted)"
	}
	fmt.Fprintf(w, "Threshold %.2f, %d rows scanned as %s.\n\n", eng.Config().Threshold, len(rows), name)
	rep.Markdown(w)
	if loso {
		fmt.Fprintf(w, "\nPer source family, tune split (used to write the rules) and final split (never looked at):\n\n")
		splitMarkdown(w, eng, rows)
		fmt.Fprintf(w, "\nBusiness prompts (hand-written, ordinary work requests), shipped engine:\n\n")
		businessMarkdown(w, eng, rows)
		lr, err := leaveOneOut(rows)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "\nLeave-one-source-out: each source family is measured with a model trained on the tune split of all the others.\n\n")
		losoMarkdown(w, lr)
	}
	printErrors(eng, rep, nErr, origin)
	return nil
}

// printErrors shows tune-split errors only, so the held-out split stays unseen.
func printErrors(eng *inspect.Engine, rep *evalset.Report, n int, origin inspect.Origin) {
	show := func(kind string, rows []evalset.Row) {
		k := 0
		for _, r := range rows {
			if r.Split() != 0 || k >= n {
				continue
			}
			k++
			lines, res := eng.Explain(r.Text, origin)
			t := r.Text
			if len(t) > 300 {
				t = t[:300]
			}
			fmt.Fprintf(os.Stderr, "%s [%s] score=%.2f %v: %q\n", kind, r.Source, res.Score, lines, t)
		}
	}
	show("MISS", rep.Misses)
	show("FP", rep.FalsePos)
}
