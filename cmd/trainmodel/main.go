// Command trainmodel trains the learned part of the injection engine
// (internal/inspect/model.go) on the corpus of testdata/injection,
// chooses how much it may move the score by leave-one-source-out
// evaluation, and writes the weights the engine embeds.
//
//	go run ./cmd/trainmodel            # LOSO table and chosen parameters
//	go run ./cmd/trainmodel -write     # also write internal/inspect/model.bin
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
	grid := flag.Bool("grid", false, "print every parameter combination")
	opt := learn.DefaultOptions()
	flag.IntVar(&opt.Epochs, "epochs", opt.Epochs, "training epochs")
	flag.Float64Var(&opt.Rate, "rate", opt.Rate, "AdaGrad rate")
	flag.Float64Var(&opt.L2, "l2", opt.L2, "L2 penalty")
	flag.BoolVar(&opt.BySource, "bysource", opt.BySource, "weigh source families equally")
	kinds := flag.Uint("kinds", 0, "feature kinds (bit 1 word, 2 char, 4 signal; 0 all)")
	flag.Parse()
	opt.Kinds = uint8(*kinds)
	rows, err := evalset.LoadCorpus(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg := inspect.DefaultConfig()
	eng := inspect.MustNew(cfg)
	preds := learn.LeaveOneOut(eng, rows, opt)
	base := measure(preds, nil, cfg.Threshold)
	fmt.Printf("rules alone: %s\n", base)
	for _, up := range []float32{0.2, 0.3, 0.4, 0.5, 0.6} {
		for _, down := range []float32{0, 0.1, 0.2, 0.3, 0.4} {
			for _, alone := range []float32{0, 0.9, 0.95, 0.98, 0.99} {
				m := &inspect.Model{Up: up, Down: down, Alone: alone}
				r := measure(preds, m, cfg.Threshold)
				if *grid {
					fmt.Printf("up %.1f down %.1f alone %.2f: %s\n", up, down, alone, r)
				}
			}
		}
	}
}

type result struct {
	caught, attacks, flagged, benign, bizF, biz int
}

func (r result) String() string {
	return fmt.Sprintf("caught %.1f%% (%d/%d) flagged %.2f%% (%d/%d) business %d/%d", 100*float64(r.caught)/float64(r.attacks),
		r.caught, r.attacks, 100*float64(r.flagged)/float64(r.benign), r.flagged, r.benign, r.bizF, r.biz)
}

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
			if f {
				r.caught++
			}
			continue
		}
		r.benign++
		if f {
			r.flagged++
		}
		if p.Row.Business() {
			r.biz++
			if f {
				r.bizF++
			}
		}
	}
	return r
}
