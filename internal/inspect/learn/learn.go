// Package learn trains the linear model of the inspect engine (see
// internal/inspect/model.go) from labelled rows. Training is deterministic:
// a fixed seed, a fixed number of epochs and a fixed row order before
// shuffling, so the same rows give the same weights on every machine.
package learn

import (
	"math"
	"math/rand/v2"

	"github.com/egressguard/egressguard/internal/inspect"
	"github.com/egressguard/egressguard/internal/inspect/evalset"
)

// Options are the training hyper-parameters.
type Options struct {
	Epochs int
	Rate   float64 // AdaGrad learning rate
	L2     float64 // L2 penalty per update of a touched weight
	Seed   uint64
}

// DefaultOptions are the settings of the leave-one-source-out evaluation.
func DefaultOptions() Options { return Options{Epochs: 12, Rate: 0.3, L2: 1e-4, Seed: 20} }

type example struct {
	feats []inspect.Feature
	y     float64
	w     float64
}

// Train fits the model on rows. Only rows in which at least one rule
// signal fires are used, because the engine runs the model only on those.
// Classes are weighted to equal total weight. eng provides the features;
// its own model does not matter.
func Train(eng *inspect.Engine, rows []evalset.Row, opt Options) *inspect.Model {
	var ex []example
	var nPos, nNeg float64
	for _, r := range rows {
		f, gated := eng.Features(r.Text)
		if !gated {
			continue
		}
		y := 0.0
		if r.Attack() {
			y, nPos = 1, nPos+1
		} else {
			nNeg++
		}
		ex = append(ex, example{feats: f, y: y})
	}
	m := &inspect.Model{W: make([]float32, inspect.ModelBuckets)}
	if nPos == 0 || nNeg == 0 {
		return m
	}
	for i := range ex {
		if ex[i].y == 1 {
			ex[i].w = (nPos + nNeg) / (2 * nPos)
		} else {
			ex[i].w = (nPos + nNeg) / (2 * nNeg)
		}
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
