package inspect

import (
	"hash/fnv"
	"math"
)

// An optional learned part of the score: a logistic model over hashed
// features of the folded text — word unigrams and bigrams and character
// 3-, 4- and 5-grams over the same alphabet the automaton sees, so
// folding, leetspeak, misspellings and pseudo-letters apply (every Han or
// kana character is a word, so the word bigrams are character bigrams
// there) — and over the rule signals that fired. It runs only on text in
// which at least one signal fired (a second folding pass without the
// automaton); clean text never pays for it.
//
// Its output p moves the rule score by Model.Up·(2p−1) when p > ½ and by
// Model.Down·(2p−1) when p < ½. Without rule evidence (a rule score below
// modelEvidence: weak cues only) the model alone never blocks: the score
// stays below the threshold unless p reaches Model.Alone.
//
// DefaultConfig has no model: measured leave-one-source-out (cmd/trainmodel,
// figures in docs/injection.md), no setting catches enough more attacks to
// pay for the ordinary prompts it flags, so the engine ships with rules
// only. Config.Model takes a trained model; the evaluation uses it
// to measure each source with a model trained without that source.

const (
	// ModelBuckets is the number of hashed feature buckets.
	ModelBuckets = 1 << 16
	// modelEvidence is the rule score from which the model may lift a text
	// over the threshold: below it only weak cues fired.
	modelEvidence = 0.3
)

// Model is a linear model over hashed features; see model.go. W has
// ModelBuckets weights, or none (the model is off).
type Model struct {
	Bias float32
	W    []float32
	// Up and Down bound how far the model moves the rule score up (p > ½)
	// and down (p < ½).
	Up, Down float32
	// Alone is the probability from which the model may flag a text that
	// has no rule evidence beyond weak cues; zero (or anything above 1)
	// means never.
	Alone float32
}

// Feature is one hashed feature occurrence: bucket, value and kind.
type Feature struct {
	Bucket uint32
	Value  float32
	Kind   FeatureKind
}

// FeatureKind says where a feature comes from.
type FeatureKind uint8

// Feature kinds.
const (
	FeatWord   FeatureKind = iota // word unigram or bigram
	FeatChar                      // character n-gram
	FeatSignal                    // a fired rule signal
)

// featSink hashes the folded symbols into word unigram and bigram buckets
// and character n-gram buckets. With w set it sums their weights (Scan);
// otherwise it appends the buckets to words and chars (Features).
type featSink struct {
	h, prev uint32
	inWord  bool
	nWords  int
	grams   uint32 // the last four symbols, five bits each, newest lowest
	nSyms   int
	nChars  int
	lastSp  bool

	w            []float32
	sumW, sumC   float32
	words, chars []uint32
}

const (
	fnvOffset  = 2166136261
	fnvPrime   = 16777619
	bigramSalt = 0x9e3779b9
	gramMul    = 0x9E3779B1
)

func (f *featSink) sym(sym byte) {
	f.gram(sym)
	if sym < symSpace || sym == symXWord {
		f.h = (f.h ^ uint32(sym+1)) * fnvPrime
		f.inWord = true
		return
	}
	f.end()
	if sym != symSpace { // structure symbols are words of their own
		f.h = (fnvOffset ^ uint32(sym+1)) * fnvPrime
		f.inWord = true
		f.end()
	}
}

// gram emits the character 3-, 4- and 5-grams that end at sym (a run of
// boundaries counts as one).
func (f *featSink) gram(sym byte) {
	if sym == symSpace {
		if f.lastSp {
			return
		}
		f.lastSp = true
	} else {
		f.lastSp = false
	}
	g := f.grams<<5 | uint32(sym)
	f.nSyms++
	for n := 3; n <= 5 && n <= f.nSyms; n++ {
		key := (g&(1<<(5*n)-1) | uint32(n)<<25) * gramMul
		f.add(key>>16, false)
	}
	f.grams = g & (1<<20 - 1)
}

func (f *featSink) end() {
	if !f.inWord {
		return
	}
	f.add(f.h%ModelBuckets, true)
	f.add(((f.prev*31)^f.h^bigramSalt)*fnvPrime%ModelBuckets, true)
	f.prev, f.h, f.inWord = f.h, fnvOffset, false
	f.nWords++
}

func (f *featSink) add(b uint32, word bool) {
	switch {
	case f.w != nil && word:
		f.sumW += f.w[b]
	case f.w != nil:
		f.sumC += f.w[b]
		f.nChars++
	case word:
		f.words = append(f.words, b)
	default:
		f.chars = append(f.chars, b)
		f.nChars++
	}
}

// sigBucket is the bucket of a rule signal feature.
func sigBucket(name string, fam uint8) uint32 {
	h := fnv.New32a()
	h.Write([]byte{'s', fam})
	h.Write([]byte(name))
	return h.Sum32() % ModelBuckets
}

// tokenFeatures folds text once more into sink.
func (e *Engine) tokenFeatures(text string, sink *featSink) {
	sink.h = fnvOffset
	var s scanner
	s.init(e, text, nil)
	s.sink = sink
	s.slow = true
	s.f.runFold(&s)
	sink.end()
}

// Features lists the model features of text: the word features (value
// 1/sqrt(words) per occurrence), the character n-gram features (value
// 1/sqrt(n-grams)) and one per fired rule signal (value 1), and reports
// whether Scan would run the model on it (a signal fired). learn.Train
// trains on them; Scan computes the same sum without the list.
func (e *Engine) Features(text string) ([]Feature, bool) {
	acc := e.getAcc()
	defer e.putAcc(acc)
	acc.budget += len(text)
	e.scanInto(text, acc, Span{}, false, 0)
	return e.features(acc, text), acc.nFired > 0
}

// RuleScore is the score of text without the model (OriginUser), for
// training and calibration.
func (e *Engine) RuleScore(text string) float64 {
	acc := e.getAcc()
	defer e.putAcc(acc)
	acc.budget += len(text)
	e.scanInto(text, acc, Span{}, false, 0)
	if acc.nFired == 0 {
		return 0
	}
	return e.ruleScore(acc, OriginUser, text, nil).score
}

func (e *Engine) features(acc *accum, text string) []Feature {
	var sink featSink
	e.tokenFeatures(text, &sink)
	out := make([]Feature, 0, len(sink.words)+len(sink.chars)+len(acc.list))
	vw := float32(1 / math.Sqrt(float64(max(sink.nWords, 1))))
	for _, b := range sink.words {
		out = append(out, Feature{b, vw, FeatWord})
	}
	vc := float32(1 / math.Sqrt(float64(max(sink.nChars, 1))))
	for _, b := range sink.chars {
		out = append(out, Feature{b, vc, FeatChar})
	}
	for _, f := range acc.list {
		out = append(out, Feature{e.sigBuckets[f.sig], 1, FeatSignal})
	}
	return out
}

// modelProb is the model's probability that text is an attack, or -1
// when the engine has no model. It allocates nothing.
func (e *Engine) modelProb(acc *accum, text string) float64 {
	m := e.model
	if m == nil || len(m.W) != ModelBuckets {
		return -1
	}
	sink := featSink{w: m.W}
	e.tokenFeatures(text, &sink)
	z := float64(m.Bias) + float64(sink.sumW)/math.Sqrt(float64(max(sink.nWords, 1))) +
		float64(sink.sumC)/math.Sqrt(float64(max(sink.nChars, 1)))
	for _, f := range acc.list {
		z += float64(m.W[e.sigBuckets[f.sig]])
	}
	return 1 / (1 + math.Exp(-z))
}

// withModel combines the rule score with the model's probability p, or
// returns the rule score when p < 0 (no model).
func (e *Engine) withModel(rule, p float64) float64 {
	if p < 0 {
		return rule
	}
	return e.model.Combine(rule, p, e.cfg.Threshold)
}

// Combine is the score of a text with rule score rule and model
// probability p at the given threshold (see the top of model.go).
func (m *Model) Combine(rule, p, threshold float64) float64 {
	up, down := float64(m.Up), float64(m.Down)
	s := rule + up*max(2*p-1, 0) + down*min(2*p-1, 0)
	if rule < modelEvidence && (m.Alone <= 0 || p < float64(m.Alone)) {
		s = min(s, max(rule, math.Nextafter(threshold, 0)))
	}
	return max(s, 0)
}
