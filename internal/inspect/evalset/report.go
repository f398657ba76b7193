package evalset

import (
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/egressguard/egressguard/internal/inspect"
)

// Counts is a confusion summary for one slice of rows.
type Counts struct {
	Attacks, Caught int
	Benign, Flagged int
}

// TPR is the detection rate (0 when there are no attacks).
func (c Counts) TPR() float64 { return ratio(c.Caught, c.Attacks) }

// FPR is the benign flag rate (0 when there are no benign rows).
func (c Counts) FPR() float64 { return ratio(c.Flagged, c.Benign) }

// Add counts one row.
func (c *Counts) Add(attack, flagged bool) { c.add(attack, flagged) }

// Merge adds o's counts.
func (c *Counts) Merge(o Counts) {
	c.Attacks += o.Attacks
	c.Caught += o.Caught
	c.Benign += o.Benign
	c.Flagged += o.Flagged
}

func (c *Counts) add(attack, flagged bool) {
	switch {
	case attack:
		c.Attacks++
		if flagged {
			c.Caught++
		}
	default:
		c.Benign++
		if flagged {
			c.Flagged++
		}
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Retention is the detection kept under one perturbation.
type Retention struct {
	Name     string
	Base     int // attacks caught unperturbed (the denominator)
	Kept     int // of those, still caught after perturbation
	Caught   int // perturbed attacks caught, over all attacks
	Attacks  int
	Retained float64 // perturbed detection rate / unperturbed detection rate
}

// Report is the evaluation of one engine over labelled rows.
type Report struct {
	Overall   Counts
	BySource  map[string]*Counts
	BySplit   [2]Counts
	Perturbed []Retention
	Misses    []Row // attacks not caught (tune split first)
	FalsePos  []Row
	Elapsed   time.Duration
}

// Evaluate scans every row (as inspect.OriginUser, like Engine.Scan), and
// every attack under each perturbation.
func Evaluate(e *inspect.Engine, rows []Row, perturb bool) *Report {
	return EvaluateOrigin(e, rows, perturb, inspect.OriginUser)
}

// EvaluateOrigin is Evaluate with every row scanned as origin.
func EvaluateOrigin(e *inspect.Engine, rows []Row, perturb bool, origin inspect.Origin) *Report {
	start := time.Now()
	rep := &Report{BySource: map[string]*Counts{}}
	caught := make([]bool, len(rows))
	for i, r := range rows {
		f := e.ScanOrigin(r.Text, origin).Flagged
		caught[i] = f && r.Attack()
		rep.Overall.add(r.Attack(), f)
		rep.BySplit[r.Split()].add(r.Attack(), f)
		g := rep.BySource[r.Group()]
		if g == nil {
			g = &Counts{}
			rep.BySource[r.Group()] = g
		}
		g.add(r.Attack(), f)
		switch {
		case r.Attack() && !f:
			rep.Misses = append(rep.Misses, r)
		case !r.Attack() && f:
			rep.FalsePos = append(rep.FalsePos, r)
		}
	}
	if perturb {
		for _, p := range Perturbations {
			rep.Perturbed = append(rep.Perturbed, retention(e, rows, caught, p, origin))
		}
	}
	rep.Elapsed = time.Since(start)
	return rep
}

func retention(e *inspect.Engine, rows []Row, caught []bool, p Perturbation, origin inspect.Origin) Retention {
	ret := Retention{Name: p.Name}
	for i, r := range rows {
		if !r.Attack() {
			continue
		}
		ret.Attacks++
		f := e.ScanOrigin(p.Apply(r.Text, uint64(i)), origin).Flagged
		if f {
			ret.Caught++
		}
		if caught[i] {
			ret.Base++
			if f {
				ret.Kept++
			}
		}
	}
	ret.Retained = ratio(ret.Caught, ret.Base)
	return ret
}

// Markdown writes the report tables.
func (rep *Report) Markdown(w io.Writer) {
	fmt.Fprintf(w, "| slice | attacks | detected | detection | benign | flagged | FPR |\n|---|---:|---:|---:|---:|---:|---:|\n")
	row := func(name string, c Counts) {
		fmt.Fprintf(w, "| %s | %d | %d | %.1f%% | %d | %d | %.2f%% |\n", name, c.Attacks, c.Caught,
			100*c.TPR(), c.Benign, c.Flagged, 100*c.FPR())
	}
	row("**all**", rep.Overall)
	row("tune split (hash even)", rep.BySplit[0])
	row("final split (hash odd)", rep.BySplit[1])
	names := make([]string, 0, len(rep.BySource))
	for n := range rep.BySource {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		row(n, *rep.BySource[n])
	}
	if len(rep.Perturbed) == 0 {
		return
	}
	fmt.Fprintf(w, "\n| perturbation | perturbed detected | detection | retained (vs %d unperturbed) | still caught of those |\n|---|---:|---:|---:|---:|\n", rep.Overall.Caught)
	for _, p := range rep.Perturbed {
		fmt.Fprintf(w, "| %s | %d / %d | %.1f%% | %.1f%% | %d |\n", p.Name, p.Caught, p.Attacks,
			100*ratio(p.Caught, p.Attacks), 100*p.Retained, p.Kept)
	}
}
