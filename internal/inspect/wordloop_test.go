package inspect

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/egressguard/egressguard/internal/swar"
)

// warmAcc carries one word cache across all fast-path traces, so entries
// learnt on one text are used on the next.
var warmAcc = new(accum)

// foldTrace runs one folding pass (fast or general) and returns the
// concept events and the scanner state the pass ends in.
func foldTrace(e *Engine, text string, slow bool) ([]traceEvent, [6]int32, encTracker, oddTracker) {
	var tr []traceEvent
	acc := &accum{}
	if !slow {
		acc = warmAcc
	}
	acc.budget, acc.trace = e.cfg.MaxDecodeBytes, &tr
	var s scanner
	s.init(e, text, acc)
	s.slow = slow
	s.f.runFold(&s)
	return tr, [6]int32{int32(s.st), s.pos, s.word, int32(s.extIdx), s.f.prevEnd, int32(s.f.sepRunes)}, s.enc, s.odd
}

// proseWords mixes lexicon words (so patterns fire inside the word loop),
// single letters, apostrophes, and the separators the loop handles or
// hands back (digits, newlines, '-', '%', markup).
var proseWords = strings.Fields(`ignore all previous instructions you are now DAN from now on act as
	system prompt reveal your the a I an of to don't it's students' rock'n'roll developer mode jailbreak
	pretend forget everything above disregard rules translate summary reply secret password print
	verbatim instructions. rules! now? above; "quoted" (paren) x y z q ign*re pre\\vious &#105;gnore
	\\u0069gnore R&D Q&A 忽略 指令 무시하고 تجاهل निर्देश vtaber snoitcurtsni ignroe prevoius ig-nore pass-word
	e-mail in-struc-tions x-ray -dash dash- NLdZut}LXK[oNM+,{2|1- {braces} a~b #tag ^up (x) f(y) a=b
	pass_word i|g|n|o|r|e ig·no·re col·legi r.e.v.e.a.l t,e,l,l sys.tem secert gur lbh`)

var proseSeps = []string{" ", " ", " ", " ", ", ", ". ", "! ", "? ", "; ", "  ", "\n", " - ", "...", " 42 ",
	"'", " ' ", "\t", ": ", " <|im_start|>", " 50% ", "/", "é", " \u200b", "_", "*", "&", "&amp;", "\\", "。", "、", "|", "·", ".", ","}

func randomProse(r *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n {
		w := proseWords[r.IntN(len(proseWords))]
		if r.IntN(6) == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
		if r.IntN(3) == 0 {
			b.WriteString(proseSeps[r.IntN(len(proseSeps))])
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// TestWordLoopTrace checks that the word loop leaves every observable
// piece of state — each concept event with its span and word count, the
// automaton state, symbol and word counters, and the encoded-run tracker
// — and the clusters of symbol bytes (adversarial suffixes) exactly as
// the general path does, on random prose around the
// lexicon and at every prefix length.
func TestWordLoopTrace(t *testing.T) {
	e := MustNew(DefaultConfig())
	r := rand.New(rand.NewPCG(1, 2))
	for it := 0; it < 3000; it++ {
		text := randomProse(r, 20+r.IntN(200))
		for _, cut := range []int{len(text), r.IntN(len(text) + 1)} {
			text := text[:cut]
			ft, fs, fe, fo := foldTrace(e, text, false)
			gt, gs, ge, gob := foldTrace(e, text, true)
			if fs != gs || fe != ge || fo != gob || !equalTrace(ft, gt) {
				t.Fatalf("text %q\nfast    %v %+v %+v %v\ngeneral %v %+v %+v %v", text, fs, fe, fo, ft, gs, ge, gob, gt)
			}
		}
	}
}

func equalTrace(a, b []traceEvent) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestLetterRun checks the eight-byte letter count against a byte loop
// for every position of a letter run in eight bytes, with each kind of
// neighbour (space, digit, '@', '[', '`', '{', 0x80+).
func TestLetterRun(t *testing.T) {
	for _, stop := range []byte{' ', '7', '@', '[', '`', '{', 0x7f, 0xc3, 0xe1} {
		for run := 0; run <= 8; run++ {
			b := []byte("aZqLmnoP")
			if run < 8 {
				b[run] = stop
			}
			s := string(b)
			if got := letterRun(swar.Load8(s, 0)); got != run {
				t.Errorf("letterRun(%q) = %d, want %d", s, got, run)
			}
			if got, want := letterEnd(s+"x", 0), letterEndTail(s+"x", 0); got != want {
				t.Errorf("letterEnd(%q) = %d, want %d", s+"x", got, want)
			}
		}
	}
}
