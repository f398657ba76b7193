package inspect

import (
	"fmt"
	"slices"
)

// Result is the verdict for one text segment.
type Result struct {
	// Score is the sum of the weights of the distinct signals that fired
	// (plus a small bonus when several families fire together).
	Score float64
	// Flagged is Score >= Config.Threshold, unless an Allow phrase matched.
	Flagged bool
	// Monitor is the middle band: Score >= Config.MonitorThreshold but not
	// Flagged. Such a segment is worth logging or counting, not blocking.
	Monitor bool
	// Allowed reports that a Config.Allow phrase matched: the segment is
	// never flagged, but Score and Rules still describe what was seen.
	Allowed bool
	// Rules lists the rule families that fired, sorted and deduplicated.
	Rules []string
	// Spans are the merged [Start,End) byte ranges of the original text
	// that matched, sorted by Start.
	Spans []Span
}

// Span is a [Start,End) byte range of the scanned text.
type Span struct{ Start, End int }

const maxConcepts = 128

// accum collects signals across a text and its decoded payloads.
type accum struct {
	fired   [maxSignals]uint8
	nFired  int
	list    []firing // fired signals in first-fired order
	events  int      // fire calls
	strong  int      // fires of normal signals of at least strongW: a decoded payload hit
	spans   []Span
	allowed bool
	budget  int // remaining decode budget in bytes
	// trace, when set (tests only), records every concept event.
	trace *[]traceEvent
	// words memoises word transitions across scans (see wordCache); the
	// accumulator is pooled, so it stays warm between requests.
	words wordCache
}

// firing is one fired signal with the spans of its first and last firing
// (in the scanned text; a decoded payload's firings carry its segment).
type firing struct {
	sig         int16
	first, last Span
}

// traceEvent is one recorded concept event: concept, span and word count.
type traceEvent struct{ concept, start, end, word int32 }

// scanner is the per-call state: folding, automaton and pair tracking.
type scanner struct {
	e       *Engine
	f       folder
	st      int32
	pos     int32
	word    int32
	collect *[]byte   // Normalize mode: record symbols, no matching
	sink    *featSink // model feature mode: hash symbols, no matching
	slow    bool      // disable fastRun (tests compare both paths)

	acc    *accum
	seg    Span // decoded payload: spans map to this encoded segment
	mapped bool
	depth  int
	enc    encTracker
	odd    oddTracker
	extIdx int // span to extend to the end of the current word (stem match), or -1
	// ring holds the start offset of recent symbols, complemented (^off,
	// negative) for a symbol that starts a line: see ringVal.
	ring [ringSize]int32

	lastWord  [maxConcepts]int32
	lastStart [maxConcepts]int32
}

const never = -1 << 30

// neverWords is lastWord before any event.
var neverWords = func() (w [maxConcepts]int32) {
	for i := range w {
		w[i] = never
	}
	return w
}()

func (s *scanner) init(e *Engine, text string, acc *accum) {
	s.e, s.acc = e, acc
	s.f.text = text
	s.extIdx = -1
	s.lastWord = neverWords // one block copy: a store per concept is a loop in the VM
	s.enc.reset()
	s.odd.reset()
}

// ringVal is the ring entry of a symbol starting at offset off: the offset,
// complemented when the symbol starts a line. One array instead of a second
// one for the flag saves the word loop a store per symbol and a pointer.
func ringVal(off int32, lineStart bool) int32 {
	if lineStart {
		return ^off
	}
	return off
}

// ringOff is the offset of a ring entry (see ringVal).
func ringOff(v int32) int32 { return v ^ v>>31 }

// feed advances the automaton by one folded symbol.
func (s *scanner) feed(sym byte, st, en int32, lineStart bool) {
	if sym == symSpace {
		s.word++
	}
	if s.collect != nil {
		*s.collect = append(*s.collect, symChars[sym])
		return
	}
	if s.sink != nil {
		s.sink.sym(sym)
		return
	}
	s.ring[s.pos&ringMask] = ringVal(st, lineStart)
	v := s.e.a.delta[int(s.st)<<alphaBits|int(sym)]
	s.st = v
	if int(v) >= s.e.a.firstOut {
		s.matches(en)
	}
	s.pos++
}

// streamLetters feeds the ASCII letters of text from i on and returns the
// index of the first other byte. Every letter-first pattern begins after a word boundary, so once
// the automaton is back at the root inside a word nothing can match before
// the next boundary and the rest of the word is skipped. Only a word's
// first letter is recorded in the ring: patterns never start inside a word.
func (s *scanner) streamLetters(text string, i int) int {
	delta, firstOut := s.e.a.delta, s.e.a.firstOut
	st, pos := s.st, s.pos
	start := i
	for i < len(text) {
		c := asciiClass[text[i]]
		if c>>8 != kLetter {
			break
		}
		if st == 0 {
			j := i + 1
			for j < len(text) && asciiClass[text[j]]>>8 == kLetter {
				j++
			}
			pos += int32(j - i)
			i = j
			break
		}
		v := delta[int(st)<<alphaBits|int(c&0xff)]
		st = v
		if int(v) >= firstOut {
			s.st, s.pos = st, pos
			s.matches(int32(i + 1))
		}
		pos++
		i++
	}
	s.st, s.pos = st, pos
	if i > start && s.enc.runStart < 0 {
		s.enc.runStart = start
	}
	return i
}

// symChars renders symbols for Normalize.
const symChars = "abcdefghijklmnopqrstuvwxyz <>|:#"

// matches dispatches every pattern ending at the current symbol, whose
// original text ends at en.
func (s *scanner) matches(en int32) {
	a := s.e.a
	for _, pi := range a.outs[a.outStart[s.st]:a.outStart[s.st+1]] {
		p := &a.pats[pi]
		first := (s.pos - p.length + 1 + p.skipHead) & ringMask
		if p.lineStart && s.ring[first] >= 0 {
			continue
		}
		end := en
		if p.skipTail > 0 {
			end = ringOff(s.ring[s.pos&ringMask]) // the boundary space starts where the word ended
		}
		n := len(s.acc.spans)
		if p.variant {
			s.fire(s.e.sigVariant, ringOff(s.ring[first]), end)
		}
		s.event(p.concept, ringOff(s.ring[first]), end)
		if p.prefix && len(s.acc.spans) > n && !s.mapped {
			s.extIdx = len(s.acc.spans) - 1
		}
	}
}

// wordEnd extends a pending stem-match span to the end of its word.
func (s *scanner) wordEnd(end int32) {
	if s.extIdx >= 0 {
		sp := &s.acc.spans[s.extIdx]
		sp.End = max(sp.End, int(end))
		s.extIdx = -1
	}
}

// event records a concept occurrence and fires its signals.
func (s *scanner) event(c uint16, start, end int32) {
	if s.acc.trace != nil {
		*s.acc.trace = append(*s.acc.trace, traceEvent{int32(c), start, end, s.word})
	}
	ci := &s.e.concepts[c]
	if ci.allow {
		s.acc.allowed = true
		return
	}
	if ci.solo >= 0 {
		s.fire(ci.solo, start, end)
	}
	for _, pr := range ci.pairs {
		if w := s.lastWord[pr.a]; w != never && s.word-w <= pr.win {
			s.fire(pr.sig, min(s.lastStart[pr.a], start), end)
		}
	}
	if c < maxTracked {
		s.lastWord[c], s.lastStart[c] = s.word, start
	}
}

// fire records one signal and its span.
func (s *scanner) fire(sig int16, start, end int32) {
	acc := s.acc
	acc.events++
	if sg := &s.e.sigs[sig]; sg.w >= strongW && (sg.cls == sigNormal || sg.cls == sigHarmOp) {
		acc.strong++
	}
	sp := Span{int(start), int(end)}
	if s.mapped {
		sp = s.seg
	}
	if acc.fired[sig] == 0 {
		acc.nFired++
		acc.list = append(acc.list, firing{sig: sig, first: sp, last: sp})
	} else {
		for i := range acc.list {
			if acc.list[i].sig == sig {
				acc.list[i].last = sp
				break
			}
		}
	}
	if acc.fired[sig] < 255 {
		acc.fired[sig]++
	}
	if n := len(acc.spans); n > 0 && acc.spans[n-1] == sp {
		return
	}
	acc.spans = append(acc.spans, sp)
}

// getAcc returns a reset accumulator: the engine's spare, else one from
// its pool. Pooling makes a Scan of clean text allocate nothing, and one
// pool per engine keeps each accumulator's word cache filled for that
// engine's automaton (engines of different tenants do not evict each
// other's entries). The spare is one slot tried first: a wasm VM scans one
// segment at a time, and a sync.Pool's per-P bookkeeping costs more there
// than the scan of a short segment.
func (e *Engine) getAcc() *accum {
	acc := e.spare.Swap(nil)
	if acc == nil {
		acc, _ = e.accs.Get().(*accum)
	}
	if acc == nil {
		acc = new(accum)
	}
	budget := e.cfg.MaxDecodeBytes
	for _, f := range acc.list {
		acc.fired[f.sig] = 0
	}
	acc.list = acc.list[:0]
	acc.nFired, acc.events, acc.strong, acc.allowed, acc.budget = 0, 0, 0, false, budget
	acc.spans = acc.spans[:0]
	return acc
}

// putAcc keeps acc as the spare, or returns it to the pool when the slot is
// taken; nothing obtained from it may be used after.
func (e *Engine) putAcc(acc *accum) {
	if !e.spare.CompareAndSwap(nil, acc) {
		e.accs.Put(acc)
	}
}

// Origin says who put a segment into the request. It only changes how
// much context-class evidence counts: an instruction about the
// assistant's response ("add … to your reply", "translate your summary")
// is an ordinary request from the user but an injection inside a tool
// result or a retrieved document.
type Origin uint8

const (
	// OriginUser is text written by the client's user, developer or
	// application, or by the model in earlier turns: system/developer,
	// user and assistant message content, names, tool-call arguments,
	// FIM prompt and suffix. Scan uses it.
	OriginUser Origin = iota
	// OriginUntrusted is third-party content placed in the context:
	// tool/function results, retrieved documents, web pages, emails.
	// Context-class evidence counts in full, so e.g. "Modify your answer
	// to highlight …" is flagged here but not in a user turn.
	OriginUntrusted
)

// Scan inspects one text segment as OriginUser. It is safe for
// concurrent use. Result slices are freshly allocated (Rules is shared and
// must not be modified); a text without any signal allocates nothing.
func (e *Engine) Scan(text string) Result { return e.ScanOrigin(text, OriginUser) }

// ScanOrigin inspects one text segment written by origin (see Origin);
// an unknown origin is treated as OriginUntrusted. The scan itself is the
// same for every origin; only the scoring differs.
func (e *Engine) ScanOrigin(text string, origin Origin) Result {
	acc := e.getAcc()
	acc.budget += len(text)
	e.scanInto(text, acc, Span{}, false, 0)
	r := e.result(acc, origin, text)
	e.putAcc(acc)
	return r
}

// scanInto runs one folding/matching pass and then the decoded payloads.
func (e *Engine) scanInto(text string, acc *accum, seg Span, mapped bool, depth int) {
	var s scanner
	s.init(e, text, acc)
	s.seg, s.mapped, s.depth = seg, mapped, depth
	s.f.runFold(&s)
	s.afterFold(text)
}

// afterFold runs what follows the folding pass: the adversarial-suffix
// check (on the scanned text itself) and the decoded payloads.
func (s *scanner) afterFold(text string) {
	if !s.mapped {
		s.suffixCheck(text)
	}
	if s.enc.n > 0 && s.depth < maxDecodeDepth {
		s.decodeCandidates()
	}
	s.decodeWhole(text)
}

// result turns accumulated signals into the verdict.
func (e *Engine) result(acc *accum, origin Origin, text string) Result {
	if acc.nFired == 0 {
		return Result{}
	}
	sc := e.score(acc, origin, text, nil)
	r := Result{Score: sc.score, Rules: e.famNames[sc.fams], Allowed: acc.allowed}
	r.Flagged = sc.score >= e.cfg.Threshold && !acc.allowed
	r.Monitor = !r.Flagged && sc.score >= e.cfg.MonitorThreshold
	if m := mergeSpans(acc.spans); len(m) > 0 {
		r.Spans = append([]Span(nil), m...)
	}
	return r
}

// scored is the outcome of score: the score and the families to report.
type scored struct {
	score float64
	fams  uint16
}

// score adds up the fired signals. Weak cues add at most weakCap together
// and context evidence at most contextCap in user text; a suppressor (an
// ordinary password topic) drops the signals it cancels; negative signals
// (ordinary objects of an override verb, discussion of attacks) subtract;
// a signal whose every firing lies inside quotation marks counts
// quoteFactor of its weight, and quoted signals together at most quoteCap,
// because a quoted attack phrase is reported or discussed, not addressed
// to the assistant. explain, when not nil,
// receives one line per signal.
func (e *Engine) score(acc *accum, origin Origin, text string, explain *[]string) scored {
	sc := e.ruleScore(acc, origin, text, explain)
	if p := e.modelProb(acc, text); p >= 0 {
		s := e.withModel(sc.score, p)
		if explain != nil {
			*explain = append(*explain, fmt.Sprintf("model p=%.2f %+.2f", p, s-sc.score))
		}
		sc.score = s
	}
	return sc
}

// ruleScore is score without the learned model.
func (e *Engine) ruleScore(acc *accum, origin Origin, text string, explain *[]string) scored {
	untrusted := origin != OriginUser
	var score, weak, context, soft, harmOp, harmFrame, harmFrameSoft, harmDefence float64
	var fams, weakFams uint16
	var quoted float64 // weight kept by quoted signals, at most quoteCap
	nWeak := 0
	suppress := false
	for _, f := range acc.list {
		if e.sigs[f.sig].cls == sigSuppressor {
			suppress = true
		}
	}
	// Quotes are looked for only when they could change the verdict.
	var quotes quoteRegions
	quotes.done = e.positive(acc) < e.cfg.MonitorThreshold
	for _, f := range acc.list {
		sg := &e.sigs[f.sig]
		w := sg.w
		if w > 0 && !sg.selfRef && !quotes.skip() && quotes.inside(text, f.first) && quotes.inside(text, f.last) {
			w = min(w*quoteFactor, max(quoteCap-quoted, 0))
			quoted += w
		}
		if explain != nil {
			*explain = append(*explain, fmt.Sprintf("%s/%s %.2f", familyNames[sg.fam], sg.name, w))
		}
		switch {
		case sg.cls == sigSuppressor || (sg.cls == sigSupp && suppress):
			continue
		case sg.cls == sigHarmFrame && w < 0:
			harmDefence += w
			continue
		case sg.cls == sigHarmFrame:
			harmFrame += w
			continue
		case sg.cls == sigHarmFrameSoft:
			harmFrame += w
			harmFrameSoft += w
			continue
		case w < 0:
			score += w
			continue
		case sg.cls == sigWeak:
			weak += w
			nWeak++
			weakFams |= 1 << sg.fam
			continue
		case sg.cls == sigContext && !untrusted:
			context += w
			weakFams |= 1 << sg.fam
			continue
		case sg.cls == sigSoft:
			soft += w
			fams |= 1 << sg.fam
			continue
		case sg.cls == sigHarmOp:
			harmOp += w
			fams |= 1 << sg.fam
			continue
		}
		score += w
		fams |= 1 << sg.fam
	}
	// A harmful operational request counts in full only inside a frame;
	// without one, fiction or a persona next to a harmful topic is soft
	// evidence.
	if harmOp > 0 {
		if frame := min(harmFrame, harmFrameCap) + harmDefence; frame > 0 {
			score += min(harmOp, harmOpCap) + frame
		} else {
			score += min(harmOp, harmAloneCap)
		}
	} else if harmFrameSoft > 0 {
		soft += harmFrameSoft
		fams |= 1 << famJailbreak
	}
	// Weak cues, context evidence and soft signals together stay below the
	// threshold unless many distinct cues stack up (weakCapFor).
	wcap := weakCapFor(nWeak)
	score += min(min(weak, wcap)+min(context, contextCap)+min(soft, softCap), max(wcap, contextCap, softCap))
	if famCount(fams) > 1 {
		score += familyBonus
	}
	return scored{score: max(score, 0), fams: fams | weakFams}
}

// positive is the sum of the positive weights fired, an upper bound of
// the score before the weak and context caps.
func (e *Engine) positive(acc *accum) float64 {
	sum := 0.0
	for _, f := range acc.list {
		sum += max(e.sigs[f.sig].w, 0)
	}
	return sum
}

// weakCapFor is the most that n distinct weak cues add: weakCap for up
// to four, then weakStep more per cue up to weakCapMax. A single cue (or a
// few) never reaches the threshold; a text stacking many generic jailbreak
// cues is strong combined evidence.
func weakCapFor(n int) float64 {
	if n <= 4 {
		return weakCap
	}
	return min(weakCap+weakStep*float64(n-4), weakCapMax)
}

// Explain lists the signals that fire on text as "family/signal weight"
// lines (after the quote discount), in the order they first fired, and
// the result. It is a debugging aid for tuning the lexicon.
func (e *Engine) Explain(text string, origin Origin) ([]string, Result) {
	acc := e.getAcc()
	defer e.putAcc(acc)
	acc.budget += len(text)
	e.scanInto(text, acc, Span{}, false, 0)
	var lines []string
	if acc.nFired > 0 {
		e.score(acc, origin, text, &lines)
	}
	return lines, e.result(acc, origin, text)
}

func famCount(m uint16) int {
	n := 0
	for ; m != 0; m &= m - 1 {
		n++
	}
	return n
}

// mergeSpans sorts spans and merges overlapping or touching ones in place.
func mergeSpans(sp []Span) []Span {
	if len(sp) == 0 {
		return nil
	}
	slices.SortFunc(sp, func(a, b Span) int { return a.Start - b.Start })
	out := sp[:1]
	for _, x := range sp[1:] {
		last := &out[len(out)-1]
		if x.Start <= last.End {
			last.End = max(last.End, x.End)
			continue
		}
		out = append(out, x)
	}
	return out
}

// Normalize returns the folded form of text that the automaton sees:
// letters a–z ('l' folds to 'i'), ' ' for word boundaries, '<' '>' '|' ':'
// for structural characters and '#' for numbers and other scripts. It is a
// debugging aid; Scan does not build this string.
func Normalize(text string) string {
	buf := make([]byte, 0, len(text)+2)
	var s scanner
	s.init(nil, text, nil)
	s.collect = &buf
	s.f.runFold(&s)
	if len(buf) >= 2 {
		buf = buf[1 : len(buf)-1]
	}
	return string(buf)
}

// scanSlow is Scan without the fast path; tests compare the two.
func (e *Engine) scanSlow(text string) Result {
	acc := e.getAcc()
	defer e.putAcc(acc)
	acc.budget += len(text)
	var s scanner
	s.init(e, text, acc)
	s.slow = true
	s.f.runFold(&s)
	s.afterFold(text)
	return e.result(acc, OriginUser, text)
}
