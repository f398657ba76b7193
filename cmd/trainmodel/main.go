// Command trainmodel measures the learned part of the injection engine
// (internal/inspect/model.go) leave-one-source-out on the corpus of
// testdata/injection: for every source family a model is trained
// (learn.Train, tune split) on all the other families and that family is
// scored with the rules plus that model, for every setting of how far the
// model may move the score. It prints the rules alone and the best
// setting whose pooled false-positive rate stays within -maxfpr; the
// engine ships a model only when that setting catches more than the
// rules alone (docs/injection.md).
//
//	go run ./cmd/trainmodel              # summary
//	go run ./cmd/trainmodel -grid        # every setting
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/egressguard/egressguard/internal/inspect"
	"github.com/egressguard/egressguard/internal/inspect/evalset"
	"github.com/egressguard/egressguard/internal/inspect/learn"
)

func main() {
	dir := flag.String("corpus", "testdata/injection", "corpus directory")
	grid := flag.Bool("grid", false, "print every setting")
	maxFPR := flag.Float64("maxfpr", 0.005, "largest pooled false-positive rate a setting may have")
	opt := learn.DefaultOptions()
	flag.IntVar(&opt.Epochs, "epochs", opt.Epochs, "training epochs")
	flag.Float64Var(&opt.Rate, "rate", opt.Rate, "AdaGrad rate")
	flag.Float64Var(&opt.L2, "l2", opt.L2, "L2 penalty")
	flag.Uint64Var(&opt.Seed, "seed", opt.Seed, "shuffle seed")
	flag.BoolVar(&opt.BySource, "bysource", opt.BySource, "give every source family the same weight within its class")
	kinds := flag.Uint("kinds", 0, "feature kinds: 1 words, 2 character n-grams, 4 rule signals (sum; 0 = all)")
	flag.Parse()
	opt.Kinds = uint8(*kinds)
	rows, err := evalset.LoadCorpus(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	th := inspect.DefaultThreshold
	preds := learn.LeaveOneOut(inspect.MustNew(inspect.DefaultConfig()), rows, opt)
	base := measure(preds, nil, th)
	fmt.Printf("rules alone:                       %s\n", base)
	var best *inspect.Model
	var bestR result
	for _, up := range []float32{0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6} {
		for _, down := range []float32{0, 0.1, 0.2, 0.3, 0.4} {
			for _, alone := range []float32{0, 0.9, 0.95, 0.98, 0.99} {
				m := &inspect.Model{Up: up, Down: down, Alone: alone}
				r := measure(preds, m, th)
				if *grid {
					fmt.Printf("up %.2f down %.1f alone %.2f: %s\n", up, down, alone, r)
				}
				if r.fpr() <= *maxFPR && (best == nil || r.caught > bestR.caught) {
					best, bestR = m, r
				}
			}
		}
	}
	if best == nil || bestR.caught <= base.caught {
		fmt.Printf("no setting within %.2f%% false positives catches more than the rules alone\n", 100**maxFPR)
		return
	}
	fmt.Printf("best within %.2f%% (up %.2f down %.1f alone %.2f): %s\n", 100**maxFPR, best.Up, best.Down, best.Alone, bestR)
}

type result struct {
	caught, attacks, flagged, benign, bizF, biz int
}

func (r result) fpr() float64 { return float64(r.flagged) / float64(max(r.benign, 1)) }

func (r result) String() string {
	return fmt.Sprintf("caught %.1f%% (%d/%d), benign flagged %.2f%% (%d/%d), business %d/%d",
		100*float64(r.caught)/float64(max(r.attacks, 1)), r.caught, r.attacks, 100*r.fpr(), r.flagged, r.benign, r.bizF, r.biz)
}

// measure scores the leave-one-source-out predictions with model settings
// m (nil: the rules alone).
func measure(preds []learn.Pred, m *inspect.Model, th float64) result {
	var r result
	for _, p := range preds {
		s := p.Rule
		if m != nil && p.P >= 0 {
			s = m.Combine(p.Rule, p.P, th)
		}
		f := s >= th
		if p.Row.Attack() {
			r.attacks++
			r.caught += btoi(f)
			continue
		}
		r.benign++
		r.flagged += btoi(f)
		if p.Row.Business() {
			r.biz++
			r.bizF += btoi(f)
		}
	}
	return r
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
