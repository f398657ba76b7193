package inspect

import (
	"math/bits"

	"github.com/egressguard/egressguard/internal/swar"
)

// Separator bytes the word loop handles itself (loopSep): plain
// separators that are neither base64/hex alphabet nor '%', so they never
// touch the encoded-run tracker, split by how they end a sentence.
const (
	lsNone  = iota // not handled by the word loop
	lsPlain        // ' ', ',', '"', '(', …
	lsHard         // '!', '?', ';': always a sentence end
	lsDot          // '.': a sentence end unless a word byte follows
)

var (
	loopSep [256]uint8
	// isLetter is asciiClass[b]>>8 == kLetter as one byte load.
	isLetter [256]bool
	// letterSym is the folded symbol (0–25) of an ASCII letter, 0xff for
	// any other byte.
	letterSym [256]uint8
)

func init() {
	for b := 0; b < 256; b++ {
		letterSym[b] = 0xff
		if isLetter[b] = asciiClass[b]>>8 == kLetter; isLetter[b] {
			letterSym[b] = uint8(asciiClass[b])
		}
		if b >= 128 {
			continue
		}
		if asciiClass[b]>>8 != kSep || b64Tab[b] != 0 || oddTab[b] {
			continue
		}
		switch b {
		case '!', '?', ';':
			loopSep[b] = lsHard
		case '.':
			loopSep[b] = lsDot
		default:
			loopSep[b] = lsPlain
		}
	}
}

// Eight-byte letter masks (SWAR): for eight text bytes x, with
// y = (x | swarCase) & swarLow7 (each byte lower-cased, bit 7 cleared, so
// the additions cannot carry into the next byte),
// (y + swarAdd1) &^ (y + swarAdd2) &^ x & swar.High has bit 7 set in every
// byte that is an ASCII letter.
const (
	swarLow7 = 0x7f7f7f7f7f7f7f7f
	swarCase = 0x2020202020202020
	swarAdd1 = 0x1f1f1f1f1f1f1f1f // 'a'+0x1f = 0x80
	swarAdd2 = 0x0505050505050505 // 'z'+0x06 = 0x80
)

// letterRun returns how many of the eight bytes in x, from the first on,
// are ASCII letters (8 when all are), using the mask described above.
func letterRun(x uint64) int {
	y := (x | swarCase) & swarLow7
	m := (y + swarAdd1) &^ (y + swarAdd2) &^ x & swar.High
	return bits.TrailingZeros64(^m&swar.High) >> 3 // 64>>3 = 8 when all are
}

// letterEnd returns the index of the first byte at or after i that is not
// an ASCII letter, testing eight bytes per step. skim calls it only for
// words of 16 letters or more and near the end of the text.
func letterEnd(text string, i int) int {
	for i+8 <= len(text) {
		if wl := letterRun(swar.Load8(text, i)); wl < 8 {
			return i + wl
		}
		i += 8
	}
	return letterEndTail(text, i)
}

// letterEndTail is letterEnd for the last bytes of the text.
func letterEndTail(text string, i int) int {
	for i < len(text) && isLetter[text[i]] {
		i++
	}
	return i
}

// wordCache memoises, for words of two to fifteen ASCII letters, the
// automaton state after "boundary space + word" from a given start state,
// or that a pattern ends during the word (patternEnds). That is a pure function of the
// automaton, so a hit is exact; prose repeats its words, so most words
// cost one probe instead of a transition per letter. Keys are the
// lower-cased word bytes in two zero-padded words (never zero for a real
// word) and the start state; vals hold start<<16 | end. A common word is
// cached once per state it can follow (after "the", "you", "all", … the
// automaton is inside a phrase), so a vocabulary of a hundred words takes
// about a thousand entries. 4096 entries (80 KB per pooled accumulator)
// hold those of ordinary prose: with 2048, collisions cost the engine in
// the VM an eighth of its speed (BenchmarkInspectWasmAB).
type wordCache struct {
	owner *automaton // the automaton the entries belong to
	keys  [wordCacheSize][2]uint64
	vals  [wordCacheSize]uint64 // start state<<32 | end state
}

const (
	wordCacheBits = 12
	wordCacheSize = 1 << wordCacheBits
	// noKey is the key of a word skim cannot cache (too long, or too near the
	// end of the text); it matches no entry, since a key's bytes are letters or
	// zero padding and an empty entry is all zero.
	noKey = ^uint64(0)
	// patternEnds is the end state cached for a word in which a pattern
	// ends: wordLoop feeds such a word itself, and skim need not walk it
	// through the automaton each time to find that out. The automaton has
	// fewer than maxStates states, so none is numbered maxStates-1.
	patternEnds = maxStates - 1
)

// forAutomaton empties the cache when it was filled for another automaton
// (a safety net: accumulators are pooled per engine).
func (c *wordCache) forAutomaton(a *automaton) *wordCache {
	if c.owner != a {
		c.owner = a
		c.keys = [wordCacheSize][2]uint64{}
	}
	return c
}

// wordLoop is the fast path for plain prose: words of ASCII letters (with
// inner apostrophes) separated by runs of plain separators, plus single
// letters between such words ("a", "I"). It is entered at the first letter
// of a word of at least two letters, with no token buffered, no single
// letters pending, no stem span open and no encoded run or %-escape run
// in progress. Stretches of words that match nothing go through skim;
// wordLoop feeds the words where a pattern ends (and the first word) with
// the scanner's own feed and streamLetters, and handles the single
// letters. The folder's state is kept in locals and written back when the
// loop meets anything else, in exactly the state the general path would
// have left (TestFastPathMatchesGeneral, TestWordLoopTrace). It returns
// the index where the caller continues.
func (f *folder) wordLoop(s *scanner, i int) int {
	text := f.text
	n := len(text)
	needSpace := f.prevKind == prevStruct || (f.prevKind == prevWord && f.pendSpace)
	hard, seps, sepLine := f.sepHard, f.sepRunes, f.sepLine
	prevEnd := f.prevEnd
	lineStart := f.pendLine
	atWord := true // i starts a word of two letters; else i follows separators
	wc := s.acc.words.forAutomaton(s.e.a)
	for {
		if !atWord && (i+1 >= n || !isLetter[text[i]] || !isLetter[text[i+1]]) {
			if i = f.singleLetter(s, i, &prevEnd, &seps, &hard); i < 0 {
				return -i - 1
			}
		}
		if needSpace && !lineStart {
			i0 := i
			i, s.st, s.pos, s.word, prevEnd, hard, atWord = skim(s.e.a.delta, s.e.a.firstOut, text, &s.ring, wc,
				i, s.st, s.pos, s.word, prevEnd, hard)
			if i != i0 {
				seps, sepLine = i-int(prevEnd), false
			}
			if !atWord {
				continue
			}
		}
		// i is the first letter of a word of two or more letters.
		if needSpace {
			s.feed(symSpace, prevEnd, prevEnd, false)
			if hard {
				s.word += sentenceGap
			}
		}
		p := s.pos & ringMask
		s.ring[p] = ringVal(int32(i), lineStart)
		lineStart = false
		seg := i // start of the current letter run (after an apostrophe)
		for {
			i = s.streamLetters(text, i)
			if i+1 < n && (text[i] == '\'' || text[i] == '`') && isLetter[text[i+1]] {
				i++
				seg = i
				continue
			}
			break
		}
		prevEnd = int32(i)
		k := i
		if k < n && (text[k] == '\'' || text[k] == '`') {
			k++ // a trailing apostrophe is ignored like an inner one
		}
		if k >= n || loopSep[text[k]] == lsNone {
			// Inside the word: the general path continues it.
			f.direct, f.pendSpace = true, false
			f.sepRunes, f.sepHard, f.sepLine = seps, hard, sepLine
			s.enc.runStart = seg
			f.loopExit(prevEnd)
			return i
		}
		if s.extIdx >= 0 {
			s.wordEnd(prevEnd)
		}
		i, seps, hard = sepRun(text, k)
		sepLine, needSpace, atWord = false, true, false
	}
}

// singleLetter handles what follows a separator run at k when it is not a
// word of two letters. A single letter between words ("a", "I") is held
// by the general path (f.single) until the next token shows whether it
// starts a spaced-out word; when a word of two letters follows, the held
// letter is emitted with the boundary and sentence flag of the separators
// after it, as f.flushPending does. singleLetter then returns the index
// of that word. Otherwise it writes the state back (after separators)
// and returns -k-1: the word loop ends at k.
func (f *folder) singleLetter(s *scanner, k int, prevEnd *int32, seps *int, hard *bool) int {
	text := f.text
	n := len(text)
	k2, seps2, hard2 := 0, 0, false
	if k+1 < n && isLetter[text[k]] && loopSep[text[k+1]] != lsNone {
		k2, seps2, hard2 = sepRun(text, k+1)
	}
	if k2 == 0 || k2+1 >= n || !isLetter[text[k2]] || !isLetter[text[k2+1]] {
		f.direct, f.pendSpace = false, true
		f.sepRunes, f.sepHard, f.sepLine = *seps, *hard, false
		s.enc.runStart = -1
		f.loopExit(*prevEnd)
		return -k - 1
	}
	s.feed(symSpace, *prevEnd, *prevEnd, false)
	if hard2 {
		s.word += sentenceGap
	}
	s.feed(byte(asciiClass[text[k]]), int32(k), int32(k+1), false)
	*prevEnd, *seps, *hard = int32(k+1), seps2, hard2
	return k2
}

// skim is the inner loop of wordLoop: from the first letter of a word of
// two letters at i, with the boundary space before it still to be fed, it
// runs through words and plain separator runs as long as no pattern ends,
// every word is followed by separators and every separator run by a word
// of two letters. It makes no calls and keeps its state in locals (calls
// and spilled state cost more than the scanning itself in Go's wasm
// output), and the common word — boundary, two letters, the automaton back
// at the root, one space — runs straight through without a loop
// iteration per letter. It returns either at the start of a word that
// needs wordLoop (a pattern ends in it, or something other than a
// separator follows it; the state is as before the word, atWord true) or
// after a separator run that is not followed by a word of two letters
// (atWord false).
//
// Every letter-first pattern starts with a boundary, so the root has no
// letter transitions (checked when the automaton is built): once at the
// root, a word matches nothing more.
func skim(delta []int32, firstOut int, text string, ring *[ringSize]int32, wc *wordCache,
	i int, st32 int32, pos, word, prevEnd int32, hard bool) (int, int32, int32, int32, int32, bool, bool) {
	n := len(text)
	st := int(st32) // a machine word: no 32-bit masking in the loop
	for {
		// i and i+1 are letters: find the word's end e and its cache key.
		ws, st0 := i, st
		e, k1, k2 := 0, uint64(noKey), uint64(0)
		if i+16 <= n {
			x := swar.Load8(text, i)
			if wl := letterRun(x); wl < 8 {
				e, k1 = i+wl, (x|swarCase)&(1<<(uint(wl)*8)-1)
			} else {
				x2 := swar.Load8(text, i+8)
				if wl := letterRun(x2); wl < 8 {
					e, k1, k2 = i+8+wl, x|swarCase, (x2|swarCase)&(1<<(uint(wl)*8)-1)
				} else {
					e = letterEnd(text, i+16)
				}
			}
		} else {
			e = letterEnd(text, i)
		}
		h := ((k1 ^ k2*0xff51afd7ed558ccd ^ uint64(st0)<<40) * 0x9E3779B97F4A7C15) >> (64 - wordCacheBits)
		// One comparison for the whole probe: in Go's wasm code every branch is a
		// jump through the function's dispatch table.
		if kh := &wc.keys[h]; (kh[0]^k1)|(kh[1]^k2)|wc.vals[h]>>32^uint64(st0) == 0 {
			if st = int(uint32(wc.vals[h])); st == patternEnds {
				return ws, int32(st0), pos, word, prevEnd, hard, true
			}
		} else {
			st = int(delta[st<<alphaBits|symSpace])
			top := st // the highest state met: at or above firstOut, a pattern ended
			for _, c := range []byte(text[i:e]) {
				if st == 0 {
					break
				}
				st = int(delta[st<<alphaBits|int(letterSym[c])])
				top = max(top, st)
			}
			if top >= firstOut {
				if k1 != noKey {
					wc.keys[h], wc.vals[h] = [2]uint64{k1, k2}, uint64(st0)<<32|patternEnds
				}
				return ws, int32(st0), pos, word, prevEnd, hard, true
			}
			if k1 != noKey {
				wc.keys[h], wc.vals[h] = [2]uint64{k1, k2}, uint64(st0)<<32|uint64(st)
			}
		}
		i = e
		if i >= n || loopSep[text[i]] == lsNone {
			return ws, int32(st0), pos, word, prevEnd, hard, true
		}
		p := pos & ringMask
		ring[p] = prevEnd
		p = (pos + 1) & ringMask
		ring[p] = int32(ws)
		pos += 1 + int32(i-ws)
		word++
		if hard {
			word += sentenceGap
		}
		prevEnd = int32(i)
		hard = false
		if text[i] == ' ' && i+2 < n && letterSym[text[i+1]]|letterSym[text[i+2]] < alphaSize {
			i++ // one space, then a word: the common case
			continue
		}
		for ; i < n; i++ {
			c := loopSep[text[i]]
			if c == lsNone {
				break
			}
			if c == lsHard || (c == lsDot && (i+1 >= n || !wordByte(text[i+1]))) {
				hard = true
			}
		}
		if i+1 >= n || letterSym[text[i]]|letterSym[text[i+1]] >= alphaSize {
			return i, int32(st), pos, word, prevEnd, hard, false
		}
	}
}

// sepRun reads the run of loop separators from k (at least one) and
// returns its end, its length and whether it ends a sentence.
func sepRun(text string, k int) (end, n int, hard bool) {
	for ; k < len(text); k++ {
		c := loopSep[text[k]]
		if c == lsNone {
			break
		}
		n++
		if c == lsHard || (c == lsDot && (k+1 >= len(text) || !wordByte(text[k+1]))) {
			hard = true
		}
	}
	return k, n, hard
}

// loopExit writes the rest of the word loop's state back; in the loop the
// folder is always after a word, with nothing buffered or pending.
func (f *folder) loopExit(prevEnd int32) {
	f.prevEnd, f.prevKind = prevEnd, prevWord
	f.joining, f.prevMixed, f.pendLine = false, false, false
}
