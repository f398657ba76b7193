package inspect

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
)

// Config is built once at plugin start.
type Config struct {
	// Threshold flags a segment when Score >= Threshold. DefaultConfig sets
	// the tuned default; it must be positive and finite.
	Threshold float64
	// MonitorThreshold sets Result.Monitor for segments scoring at least
	// this much but below Threshold (0 selects DefaultMonitorThreshold; a
	// value above Threshold is lowered to it).
	MonitorThreshold float64
	// Deny lists custom phrases, folded like scanned text (case, width,
	// look-alikes, leetspeak, spacing). A hit adds rule "custom_deny" and a
	// weight equal to Threshold, so the segment is flagged. A trailing '*'
	// matches any word continuation ("exfiltr*").
	Deny []string
	// Allow lists custom phrases, folded the same way. A segment containing
	// one is never flagged; its Score, Rules and Spans are still reported
	// (Result.Allowed is set) so that logs show what was suppressed.
	Allow []string
	// Model is an optional learned part of the score (see model.go); nil,
	// the default, scores with the rules alone.
	Model *Model
	// MaxDecodeBytes bounds the base64/base32/hex/%-encoded bytes decoded
	// per Scan beyond the length of the text itself (0 selects
	// DefaultMaxDecodeBytes): every encoded run of a text is decoded, and
	// the budget only runs out for payloads nested in payloads. A run left
	// undecoded fires encoded_payload with a weight that flags alone.
	MaxDecodeBytes int
}

// DefaultThreshold is the tuned score threshold of DefaultConfig.
const DefaultThreshold = 0.6

// DefaultMonitorThreshold is the default lower edge of the middle band.
const DefaultMonitorThreshold = 0.3

// DefaultMaxDecodeBytes is the decode budget used when
// Config.MaxDecodeBytes is 0.
const DefaultMaxDecodeBytes = 64 << 10

// maxPhraseSyms bounds a folded custom phrase so spans map back exactly.
const maxPhraseSyms = ringSize - 8

// DefaultConfig returns the tuned configuration without custom phrases.
func DefaultConfig() Config {
	return Config{Threshold: DefaultThreshold, MonitorThreshold: DefaultMonitorThreshold, MaxDecodeBytes: DefaultMaxDecodeBytes}
}

// Engine is a compiled inspection engine; it is immutable after New and
// safe for concurrent use.
type Engine struct {
	cfg      Config
	a        *automaton
	concepts []conceptInfo
	sigs     []signal
	builtinSignals
	model      *Model
	sigBuckets []uint32
	famNames   [1 << numFamilies][]string
	accs       sync.Pool // *accum, see getAcc
	spare      atomic.Pointer[accum]
}

// New validates cfg and compiles the phrase automaton once.
func New(cfg Config) (*Engine, error) {
	if err := validate(&cfg); err != nil {
		return nil, err
	}
	c := newCompiler()
	if err := c.addBuiltin(); err != nil {
		return nil, err
	}
	if err := c.addCustom(cfg); err != nil {
		return nil, err
	}
	a, err := build(c.syms, c.pats)
	if err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, a: a, concepts: c.concepts, sigs: c.sigs, builtinSignals: c.builtinSignals}
	e.fillFamilyNames()
	e.model = cfg.Model
	for _, sg := range e.sigs {
		e.sigBuckets = append(e.sigBuckets, sigBucket(sg.name, sg.fam))
	}
	return e, nil
}

// MustNew is New for static configurations; it panics on error.
func MustNew(cfg Config) *Engine {
	e, err := New(cfg)
	if err != nil {
		panic(err)
	}
	return e
}

// Config returns the validated configuration of the engine.
func (e *Engine) Config() Config { return e.cfg }

func validate(cfg *Config) error {
	if math.IsNaN(cfg.Threshold) || math.IsInf(cfg.Threshold, 0) || cfg.Threshold <= 0 {
		return fmt.Errorf("inspect: Config.Threshold must be a positive finite number, got %v", cfg.Threshold)
	}
	if math.IsNaN(cfg.MonitorThreshold) || cfg.MonitorThreshold < 0 {
		return fmt.Errorf("inspect: Config.MonitorThreshold must be >= 0, got %v", cfg.MonitorThreshold)
	}
	if cfg.MonitorThreshold == 0 {
		cfg.MonitorThreshold = DefaultMonitorThreshold
	}
	cfg.MonitorThreshold = min(cfg.MonitorThreshold, cfg.Threshold)
	if cfg.MaxDecodeBytes < 0 {
		return fmt.Errorf("inspect: Config.MaxDecodeBytes must be >= 0, got %d", cfg.MaxDecodeBytes)
	}
	if cfg.MaxDecodeBytes == 0 {
		cfg.MaxDecodeBytes = DefaultMaxDecodeBytes
	}
	for field, list := range map[string][]string{"Deny": cfg.Deny, "Allow": cfg.Allow} {
		for i, p := range list {
			if err := checkPhrase(p); err != nil {
				return fmt.Errorf("inspect: Config.%s[%d] %q: %v", field, i, p, err)
			}
		}
	}
	return nil
}

func checkPhrase(p string) error {
	n := strings.TrimSpace(Normalize(strings.TrimSuffix(p, "*")))
	switch {
	case n == "":
		return fmt.Errorf("phrase folds to nothing")
	case len(n) > maxPhraseSyms:
		return fmt.Errorf("phrase folds to %d symbols, limit %d", len(n), maxPhraseSyms)
	}
	return nil
}

func (e *Engine) fillFamilyNames() {
	for m := range e.famNames {
		var names []string
		for f := 0; f < numFamilies; f++ {
			if m&(1<<f) != 0 {
				names = append(names, familyNames[f])
			}
		}
		e.famNames[m] = names
	}
}
