package inspect

import (
	"hash/fnv"
	"math"
)

// An optional learned part of the score: a logistic model over hashed
// features of the folded text (word unigrams and bigrams over the same
// alphabet the automaton sees, so folding, leetspeak and pseudo-letters
// apply; every Han or kana character is a word, so the bigrams are
// character bigrams there) and over the rule signals that fired. It runs
// only on text in which at least one signal fired (a second folding pass
// without the automaton); clean text never pays for it. Its output p moves
// the rule score by modelW·(2p−1).
//
// DefaultConfig has no model: trained on the repository corpus by
// internal/inspect/learn, it did not improve leave-one-source-out
// detection or false positives (docs/injection.md, `make eval`), so the
// engine ships with rules only. Config.Model takes a trained model; the
// evaluation uses it to measure each source with a model trained without
// that source.

const (
	// ModelBuckets is the number of hashed feature buckets.
	ModelBuckets = 1 << 16
	modelW       = 0.4
)

// Model is a linear model over hashed features; see model.go. W has
// ModelBuckets weights, or none (the model is off).
type Model struct {
	Bias float32
	W    []float32
}

// Feature is one hashed feature occurrence: bucket and value.
type Feature struct {
	Bucket uint32
	Value  float32
}

// featSink hashes the folded symbols into word unigram and bigram buckets.
type featSink struct {
	h, prev uint32
	inWord  bool
	n       int
	emit    func(uint32)
}

const (
	fnvOffset  = 2166136261
	fnvPrime   = 16777619
	bigramSalt = 0x9e3779b9
)

func (f *featSink) sym(sym byte) {
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

func (f *featSink) end() {
	if !f.inWord {
		return
	}
	f.emit(f.h % ModelBuckets)
	f.emit(((f.prev*31)^f.h^bigramSalt)*fnvPrime%ModelBuckets | 0)
	f.prev, f.h, f.inWord = f.h, fnvOffset, false
	f.n++
}

// sigBucket is the bucket of a rule signal feature.
func sigBucket(name string, fam uint8) uint32 {
	h := fnv.New32a()
	h.Write([]byte{'s', fam})
	h.Write([]byte(name))
	return h.Sum32() % ModelBuckets
}

// tokenFeatures folds text once more and calls emit for every token
// feature; it returns the number of tokens.
func (e *Engine) tokenFeatures(text string, emit func(uint32)) int {
	sink := featSink{h: fnvOffset, emit: emit}
	var s scanner
	s.init(e, text, nil)
	s.sink = &sink
	s.slow = true
	s.f.runFold(&s)
	sink.end()
	return sink.n
}

// Features lists the model features of text: the token features (value
// 1/sqrt(tokens) per occurrence) and one per fired rule signal (value 1),
// and reports whether Scan would run the model on it (a signal fired).
// learn.Train trains on them; Scan computes the same sum without the list.
func (e *Engine) Features(text string) ([]Feature, bool) {
	acc := e.getAcc()
	defer e.accs.Put(acc)
	acc.budget += len(text)
	e.scanInto(text, acc, Span{}, false, 0)
	return e.features(acc, text), acc.nFired > 0
}

func (e *Engine) features(acc *accum, text string) []Feature {
	var out []Feature
	var toks []uint32
	n := e.tokenFeatures(text, func(b uint32) { toks = append(toks, b) })
	v := float32(1 / math.Sqrt(float64(max(n, 1))))
	for _, b := range toks {
		out = append(out, Feature{b, v})
	}
	for _, f := range acc.list {
		out = append(out, Feature{e.sigBuckets[f.sig], 1})
	}
	return out
}

// modelAdjust is modelW·(2p−1) for the text, or 0 when the engine has no
// model. It allocates nothing.
func (e *Engine) modelAdjust(acc *accum, text string) float64 {
	m := e.model
	if m == nil || len(m.W) != ModelBuckets {
		return 0
	}
	var sum float32
	n := e.tokenFeatures(text, func(b uint32) { sum += m.W[b] })
	z := float64(m.Bias) + float64(sum)/math.Sqrt(float64(max(n, 1)))
	for _, f := range acc.list {
		z += float64(m.W[e.sigBuckets[f.sig]])
	}
	p := 1 / (1 + math.Exp(-z))
	return modelW * (2*p - 1)
}
