package main

import (
	"fmt"
	"io"
	"sort"

	"github.com/egressguard/egressguard/internal/inspect"
	"github.com/egressguard/egressguard/internal/inspect/evalset"
	"github.com/egressguard/egressguard/internal/inspect/learn"
)

// losoRow is the leave-one-source-out result for one source family.
type losoRow struct {
	family       string
	rules, model evalset.Counts
}

// leaveOneOut measures each source family with the rules alone and with a
// model trained (learn.Train, tune split) on every other family: the
// figure for data the model has never seen. The rules are the same in
// every row: they were written looking at the tune split of all families.
func leaveOneOut(rows []evalset.Row) ([]losoRow, error) {
	fams := map[string][]evalset.Row{}
	for _, r := range rows {
		fams[r.Family()] = append(fams[r.Family()], r)
	}
	names := make([]string, 0, len(fams))
	for n := range fams {
		names = append(names, n)
	}
	sort.Strings(names)
	rules, err := inspect.New(configWithModel(&inspect.Model{}))
	if err != nil {
		return nil, err
	}
	var out []losoRow
	for _, fam := range names {
		var train []evalset.Row
		for _, r := range rows {
			if r.Family() != fam && r.Split() == 0 {
				train = append(train, r)
			}
		}
		eng, err := inspect.New(configWithModel(learn.Train(rules, train, learn.DefaultOptions())))
		if err != nil {
			return nil, err
		}
		lr := losoRow{family: fam}
		for _, r := range fams[fam] {
			lr.rules.Add(r.Attack(), rules.Scan(r.Text).Flagged)
			lr.model.Add(r.Attack(), eng.Scan(r.Text).Flagged)
		}
		out = append(out, lr)
	}
	return out, nil
}

func configWithModel(m *inspect.Model) inspect.Config {
	cfg := inspect.DefaultConfig()
	cfg.Model = m
	return cfg
}

// losoMarkdown prints the leave-one-source-out table with a pooled row.
func losoMarkdown(w io.Writer, rows []losoRow) {
	fmt.Fprintf(w, "| left-out source | attacks | caught: rules | caught: rules + model | benign | flagged: rules | flagged: rules + model |\n")
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|\n")
	var rs, ms evalset.Counts
	line := func(name string, r, m evalset.Counts) {
		fmt.Fprintf(w, "| %s | %d | %s | %s | %d | %s | %s |\n", name, r.Attacks, pct(r.Caught, r.Attacks),
			pct(m.Caught, m.Attacks), r.Benign, pct(r.Flagged, r.Benign), pct(m.Flagged, m.Benign))
	}
	for _, lr := range rows {
		line(lr.family, lr.rules, lr.model)
		rs.Merge(lr.rules)
		ms.Merge(lr.model)
	}
	line("**pooled over left-out sources**", rs, ms)
}

func pct(a, b int) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%% (%d)", 100*float64(a)/float64(b), a)
}

// businessMarkdown prints the false-positive figures of the hand-written
// business prompts per split (tune: looked at while writing rules and
// trained on; final: never looked at, never trained on).
func businessMarkdown(w io.Writer, eng *inspect.Engine, rows []evalset.Row) {
	var c [2]evalset.Counts
	var mon [2]int
	for _, r := range rows {
		if !r.Business() {
			continue
		}
		res := eng.Scan(r.Text)
		c[r.Split()].Add(false, res.Flagged)
		if res.Monitor {
			mon[r.Split()]++
		}
	}
	fmt.Fprintf(w, "| business prompts | prompts | flagged | monitor band |\n|---|---:|---:|---:|\n")
	for i, name := range []string{"tune split", "final split"} {
		fmt.Fprintf(w, "| %s | %d | %s | %d |\n", name, c[i].Benign, pct(c[i].Flagged, c[i].Benign), mon[i])
	}
}

// splitMarkdown prints, per source family, the shipped engine's figures on
// the tune split (looked at while writing the rules) and on the final
// split (never looked at row by row): the rules' figure for unseen rows.
func splitMarkdown(w io.Writer, eng *inspect.Engine, rows []evalset.Row) {
	by := map[string]*[2]evalset.Counts{}
	var names []string
	for _, r := range rows {
		c := by[r.Family()]
		if c == nil {
			c = &[2]evalset.Counts{}
			by[r.Family()] = c
			names = append(names, r.Family())
		}
		c[r.Split()].Add(r.Attack(), eng.Scan(r.Text).Flagged)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "| source | caught: tune | caught: final | flagged: tune | flagged: final |\n|---|---:|---:|---:|---:|\n")
	var tot [2]evalset.Counts
	line := func(name string, c [2]evalset.Counts) {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", name, frac(c[0].Caught, c[0].Attacks), frac(c[1].Caught, c[1].Attacks),
			frac(c[0].Flagged, c[0].Benign), frac(c[1].Flagged, c[1].Benign))
	}
	for _, n := range names {
		line(n, *by[n])
		tot[0].Merge(by[n][0])
		tot[1].Merge(by[n][1])
	}
	line("**all**", tot)
}

func frac(a, b int) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%d/%d (%.1f%%)", a, b, 100*float64(a)/float64(b))
}
