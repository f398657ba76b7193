// Package learn trains the linear model of the inspect engine (see
// internal/inspect/model.go) from labelled rows and measures it
// leave-one-source-out. Training is deterministic: a fixed seed, a fixed
// number of epochs and a fixed row order before shuffling, so the same
// rows give the same weights on every machine.
package learn

import (
	"math"
	"math/rand/v2"
	"sort"

	"github.com/egressguard/egressguard/internal/inspect"
	"github.com/egressguard/egressguard/internal/inspect/evalset"
)

// Options are the training hyper-parameters.
type Options struct {
	Epochs int
	Rate   float64 // AdaGrad learning rate
	L2     float64 // L2 penalty per update of a touched weight
	Seed   uint64
	// BySource weights rows so that every source family has the same total
	// weight within its class (instead of every row): the model then learns
	// what the families share rather than the style of the largest.
	BySource bool
	// Kinds selects the feature kinds used (bit 1<<inspect.FeatureKind);
	// zero means all.
	Kinds uint8
}

// DefaultOptions are the settings of the shipped model and of the
// leave-one-source-out evaluation.
func DefaultOptions() Options {
	return Options{Epochs: 12, Rate: 0.3, L2: 1e-4, Seed: 20, BySource: true}
}

type example struct {
	feats []inspect.Feature
	y     float64
	w     float64
}

// Train fits the model on rows. Only rows in which at least one rule
// signal fires are used, because the engine runs the model only on those.
// The two classes get equal total weight. eng provides the features; its
// own model does not matter.
func Train(eng *inspect.Engine, rows []evalset.Row, opt Options) *inspect.Model {
	var ex []example
	var fams []string
	for _, r := range rows {
		f, gated := eng.Features(r.Text)
		if !gated {
			continue
		}
		f = opt.filter(f)
		y := 0.0
		if r.Attack() {
			y = 1
		}
		ex = append(ex, example{feats: f, y: y})
		fams = append(fams, r.Family())
	}
	m := &inspect.Model{W: make([]float32, inspect.ModelBuckets), Up: 0.4, Down: 0.4}
	if !weigh(ex, fams, opt.BySource) {
		return m
	}
	w := make([]float64, inspect.ModelBuckets)
	g2 := make([]float64, inspect.ModelBuckets)
	var bias, bg2 float64
	rng := rand.New(rand.NewPCG(opt.Seed, 1))
	order := make([]int, len(ex))
	for i := range order {
		order[i] = i
	}
	for epoch := 0; epoch < opt.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			e := &ex[i]
			z := bias
			for _, f := range e.feats {
				z += w[f.Bucket] * float64(f.Value)
			}
			p := 1 / (1 + math.Exp(-z))
			g := (p - e.y) * e.w
			bg2 += g * g
			bias -= opt.Rate * g / math.Sqrt(bg2+1e-8)
			for _, f := range e.feats {
				gi := g*float64(f.Value) + opt.L2*w[f.Bucket]
				g2[f.Bucket] += gi * gi
				w[f.Bucket] -= opt.Rate * gi / math.Sqrt(g2[f.Bucket]+1e-8)
			}
		}
	}
	m.Bias = float32(bias)
	for i, x := range w {
		m.W[i] = float32(x)
	}
	return m
}

// filter keeps the features of the kinds opt selects.
func (opt Options) filter(f []inspect.Feature) []inspect.Feature {
	if opt.Kinds == 0 {
		return f
	}
	out := f[:0:0]
	for _, x := range f {
		if opt.Kinds&(1<<x.Kind) != 0 {
			out = append(out, x)
		}
	}
	return out
}

// weigh sets the example weights: each class has half the total weight,
// spread evenly over its rows, or over its source families and then their
// rows (bySource). It reports false when a class has no rows.
func weigh(ex []example, fams []string, bySource bool) bool {
	var n [2]float64
	famN := map[[2]string]float64{}
	famsIn := [2]map[string]bool{{}, {}}
	for i, e := range ex {
		c := int(e.y)
		n[c]++
		famN[[2]string{fams[i], string(rune('0' + c))}]++
		famsIn[c][fams[i]] = true
	}
	if n[0] == 0 || n[1] == 0 {
		return false
	}
	total := n[0] + n[1]
	for i := range ex {
		c := int(ex[i].y)
		if bySource {
			k := float64(len(famsIn[c]))
			ex[i].w = total / 2 / k / famN[[2]string{fams[i], string(rune('0' + c))}]
		} else {
			ex[i].w = total / 2 / n[c]
		}
	}
	return true
}

// Prob is the model's probability for features f (the engine computes
// the same sum in float32).
func Prob(m *inspect.Model, f []inspect.Feature) float64 {
	z := float64(m.Bias)
	for _, x := range f {
		z += float64(m.W[x.Bucket]) * float64(x.Value)
	}
	return 1 / (1 + math.Exp(-z))
}

// Pred is one row measured leave-one-source-out: its rule score and the
// probability of a model trained without its family (-1 when the engine
// would not run the model on it).
type Pred struct {
	Row  evalset.Row
	Rule float64
	P    float64
}

// LeaveOneOut trains, for every source family, a model on the tune split
// of all the other families and predicts the rows of that family.
func LeaveOneOut(eng *inspect.Engine, rows []evalset.Row, opt Options) []Pred {
	fams := map[string]bool{}
	for _, r := range rows {
		fams[r.Family()] = true
	}
	names := make([]string, 0, len(fams))
	for f := range fams {
		names = append(names, f)
	}
	sort.Strings(names)
	var out []Pred
	for _, fam := range names {
		var train []evalset.Row
		for _, r := range rows {
			if r.Family() != fam && r.Split() == 0 {
				train = append(train, r)
			}
		}
		m := Train(eng, train, opt)
		for _, r := range rows {
			if r.Family() != fam {
				continue
			}
			f, gated := eng.Features(r.Text)
			p := -1.0
			if gated {
				p = Prob(m, opt.filter(f))
			}
			out = append(out, Pred{Row: r, Rule: eng.RuleScore(r.Text), P: p})
		}
	}
	return out
}
