// Package benchtext provides the deterministic benchmark inputs and the
// naive regexp baseline shared by the native benchmarks in package inspect
// and the wasm benchmark in bench/inspectwasm.
package benchtext

import (
	_ "embed" // baseline regexp list
	"regexp"
	"strings"
)

// baselineSrc is a copy of testdata/injection/baseline-regexps.txt
// (from /work/shared/reference/baseline-regexps.txt); a test keeps them equal.
//
//go:embed baseline-regexps.txt
var baselineSrc string

// BaselineSource returns the embedded baseline regexp list.
func BaselineSource() string { return baselineSrc }

// Baseline is the naive detector: every non-comment line is one regexp
// compiled with (?i) and matched separately with MatchString.
type Baseline struct{ res []*regexp.Regexp }

// NewBaseline compiles the embedded list.
func NewBaseline() *Baseline {
	b := &Baseline{}
	for _, line := range strings.Split(baselineSrc, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		b.res = append(b.res, regexp.MustCompile("(?i)"+line))
	}
	return b
}

// Match reports whether any regexp matches, testing each separately.
func (b *Baseline) Match(text string) bool {
	hit := false
	for _, re := range b.res {
		if re.MatchString(text) {
			hit = true
		}
	}
	return hit
}

// Len is the number of regexps.
func (b *Baseline) Len() int { return len(b.res) }

var words = strings.Fields(`the a an of to and in for on with as by at from that this it is was are be
	have has had will would can could should may might report system team customer order product service
	data network request response server client update release version change meeting project budget
	schedule review quarter revenue growth market user account payment invoice shipping delivery support
	ticket issue feature design document summary analysis result test build deploy performance latency
	memory storage cluster region weather travel recipe garden school student teacher library history
	science music movie book city river mountain coffee morning evening week month year today tomorrow
	please thanks regards note also however because while after before during between about into over
	new old large small quick simple important available different general local public private final`)

// English returns n bytes of deterministic benign-looking English prose.
func English(n int) string {
	var b strings.Builder
	b.Grow(n + 64)
	x := uint32(2463534242)
	sentence := 0
	for b.Len() < n {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		w := words[x%uint32(len(words))]
		if sentence == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
		sentence++
		switch {
		case sentence > 8 && x%5 == 0:
			b.WriteString(". ")
			sentence = 0
		case x%11 == 0:
			b.WriteString(", ")
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()[:n]
}
