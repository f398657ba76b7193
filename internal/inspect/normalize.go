package inspect

import "unicode/utf8"

// ringSize bounds the symbols remembered for span mapping; it must exceed
// the longest folded pattern.
const (
	ringSize = 256
	ringMask = ringSize - 1
	tokMax   = 64
	// sentenceGap is added to the word counter at '.', '!', '?', ';' and
	// line breaks so that pair rules rarely reach across sentences.
	sentenceGap = 3
)

// tokSym is one folded rune of the current token.
type tokSym struct {
	cls        uint16
	start, end int32
	r          rune // the rune of a kScriptIn letter
}

// folder turns text into folded symbols and feeds them to a scanner.
type folder struct {
	text string
	tok  [tokMax]tokSym
	tokN int

	prevKind  uint8 // 0 none, 1 word, 2 struct
	prevSym   byte
	prevEnd   int32
	pendSpace bool
	pendLine  bool
	sepRunes  int  // separator runes since the last token
	sepHard   bool // the separator run had a sentence or line break
	sepLine   bool // the separator run had a line break
	direct    bool // the current word is being streamed, not buffered
	joining   bool // inside a spaced-out word ("i g n o r e")
	joinCh    byte // the separator between the letters of a spaced-out word
	joinN     int  // and its length
	pend      [2]tokSym
	pendN     int
	prevMixed bool // previous token mixed letters and leet digits
	cur       rune // the rune being classified (for script letters)
}

// hasLeet reports whether a token contains leet digits or symbols.
func hasLeet(t []tokSym) bool {
	for _, c := range t {
		if k := c.cls >> 8; k == kDigit || k == kSym {
			return true
		}
	}
	return false
}

const (
	prevNone = iota
	prevWord
	prevStruct
)

// runFold folds f.text and feeds every symbol to s. Tokens that start with
// two ASCII letters are emitted directly (the tight letters loop); other
// tokens are buffered so that leetspeak and spaced-out letters can be
// resolved once the whole token is known.
func (f *folder) runFold(s *scanner) {
	text := f.text
	f.pendLine = true
	s.feed(symSpace, 0, 0, false)
	for i := 0; i < len(text); {
		if s.collect == nil && !s.slow {
			if i = f.fastRun(s, i); i >= len(text) {
				break
			}
		}
		b := text[i]
		if b < utf8.RuneSelf {
			i = f.ascii(s, b, i)
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		if inWordDot(r) && dotInWord(text, i, n) {
			// a middle dot inside a word ("ig·no·re", Catalan "col·lecció")
			// is dropped like a hyphen
			s.observe(0x80, i)
			i += n
			continue
		}
		cls := classify(r)
		f.cur = r
		if f.direct && f.directRune(s, cls, int32(i), int32(i+n)) {
			s.observe(0x80, i)
			i += n
			continue
		}
		s.observe(0x80, i)
		f.rune(s, cls, int32(i), int32(i+n))
		i += n
	}
	s.observe(' ', len(text))
	f.endDirect(s)
	f.flushToken(s)
	f.flushPending(s)
	s.feed(symSpace, f.prevEnd, f.prevEnd, false)
}

// ascii handles the byte at i and returns the next index.
func (f *folder) ascii(s *scanner, b byte, i int) int {
	if oddTab[b] {
		s.odd.note(i)
	}
	if b == '&' || b == '\\' {
		if r, n := decodeEscape(f.text, i); n > 0 {
			return f.escaped(s, r, i, i+n)
		}
	}
	if (b == '*' || b == '\\' || b == '-' || b == '_' || b == '|') && i > 0 && i+1 < len(f.text) && isLetter[f.text[i-1]] && isLetter[f.text[i+1]] {
		// a mark inside a word ("ign*re", "pre\\vious", "ig-nore", "pass_word",
		// "i|g|n|o|r|e") is dropped: a hyphenated compound or a snake_case
		// identifier reads as one word ("e-mail", "pass-word", "user_password")
		s.observe(b, i)
		return i + 1
	}
	cls := asciiClass[b]
	k := cls >> 8
	switch {
	case k == kLetter && f.tokN == 0 && (f.direct || f.startsWord(i)):
		return f.letters(s, i)
	case f.direct && (k == kDigit || k == kSym):
		f.prevMixed = true
		s.observe(b, i)
		f.wordSym(s, byte(cls), int32(i), int32(i+1))
		return i + 1
	}
	s.observe(b, i)
	if k != kIgnore {
		f.endDirect(s)
	}
	f.rune(s, cls, int32(i), int32(i+1))
	return i + 1
}

// escaped handles a character reference or escape text[st:en] for r.
func (f *folder) escaped(s *scanner, r rune, st, en int) int {
	cls := classify(r)
	f.cur = r
	s.observe(0x80, st)
	if f.direct && f.directRune(s, cls, int32(st), int32(en)) {
		return en
	}
	if r < utf8.RuneSelf && cls>>8 == kLetter && f.tokN == 0 && !f.direct {
		// a letter starts a buffered token (the streaming path needs text bytes)
		f.rune(s, cls, int32(st), int32(en))
		return en
	}
	if k := cls >> 8; k != kIgnore && k != kLetter && k != kDigit && k != kSym && k != kExpand && k != kXWord && k != kScriptIn {
		f.endDirect(s)
	}
	f.rune(s, cls, int32(st), int32(en))
	return en
}

// startsWord reports whether the letter at i is followed by another ASCII
// letter, i.e. the token is a multi-letter word that can be streamed.
func (f *folder) startsWord(i int) bool {
	return i+1 < len(f.text) && f.text[i+1] < utf8.RuneSelf && asciiClass[f.text[i+1]]>>8 == kLetter
}

// directRune continues a streamed word with a non-ASCII rune; it reports
// false when the rune ends the word.
func (f *folder) directRune(s *scanner, cls uint16, st, en int32) bool {
	switch cls >> 8 {
	case kIgnore:
		return true
	case kLetter, kDigit, kSym, kXWord, kExpand, kScriptIn:
		f.emitTok(s, tokSym{cls, st, en, f.cur})
		return true
	}
	f.endDirect(s)
	return false
}

// endDirect finishes a streamed word.
func (f *folder) endDirect(s *scanner) {
	if !f.direct {
		return
	}
	f.direct = false
	f.sepRunes, f.sepHard, f.sepLine = 0, false, false
	s.wordEnd(f.prevEnd)
}

// letters streams a run of ASCII letters straight into the automaton.
func (f *folder) letters(s *scanner, i int) int {
	if !f.direct {
		f.flushPending(s)
		f.joining = false
		f.direct = true
		f.prevMixed = false
		f.wordSym(s, byte(asciiClass[f.text[i]]), int32(i), int32(i+1))
		s.observe(f.text[i], i)
		i++
	}
	if s.collect != nil {
		for ; i < len(f.text) && f.text[i] < utf8.RuneSelf && asciiClass[f.text[i]]>>8 == kLetter; i++ {
			f.wordSym(s, byte(asciiClass[f.text[i]]), int32(i), int32(i+1))
		}
		return i
	}
	i = s.streamLetters(f.text, i)
	f.prevEnd = int32(i)
	return i
}

var asciiClass [256]uint16

func init() {
	for b := 0; b < 256; b++ {
		asciiClass[b] = foldASCII(byte(b))
		if b >= utf8.RuneSelf {
			asciiClass[b] = mk(kNonASCII, 0) // never a letter or separator
		}
	}
}

// rune handles one classified rune.
func (f *folder) rune(s *scanner, cls uint16, st, en int32) {
	switch cls >> 8 {
	case kLetter, kDigit, kSym, kXWord, kExpand, kScriptIn:
		if f.tokN == tokMax {
			f.flushToken(s)
		}
		f.tok[f.tokN] = tokSym{cls, st, en, f.cur}
		f.tokN++
	case kScriptOwn:
		f.scriptWord(s, f.cur, st, en)
	case kIgnore:
	case kSep:
		f.endToken(s)
		f.sepRunes++
		f.pendSpace = true
		if st < int32(len(f.text)) && (isSentenceEnd(f.text, int(st)) || f.text[st] >= utf8.RuneSelf && sentenceRune(f.text, int(st))) {
			f.sepHard = true
		}
	case kNewline:
		f.endToken(s)
		f.sepRunes++
		f.sepHard, f.sepLine = true, true
		f.pendLine = true
		f.pendSpace = true
	case kStruct:
		f.endToken(s)
		f.flushPending(s)
		f.joining = false
		f.structSym(s, byte(cls&0xff), st, en)
	}
}

// isSentenceEnd reports whether the byte at i ends a sentence: '!', '?',
// ';', or a '.' not followed by a letter or digit (a dot inside
// "www.example.com", "v1.2" or "e.g" is not a sentence end).
func isSentenceEnd(text string, i int) bool {
	switch text[i] {
	case '!', '?', ';':
		return true
	case '.':
		return i+1 >= len(text) || !wordByte(text[i+1])
	}
	return false
}

// wordByte reports whether b is an ASCII letter or digit.
func wordByte(b byte) bool {
	k := asciiClass[b] >> 8
	return k == kLetter || k == kDigit
}

// endToken flushes the token at a separator and starts counting the gap.
func (f *folder) endToken(s *scanner) {
	if f.tokN > 0 {
		f.flushToken(s)
		f.sepRunes, f.sepHard, f.sepLine = 0, false, false
	}
}

// flushToken resolves leetspeak for the buffered token and emits it,
// joining runs of single letters separated by short gaps.
func (f *folder) flushToken(s *scanner) {
	n := f.tokN
	if n == 0 {
		return
	}
	f.tokN = 0
	hasLetter := false
	for i := 0; i < n; i++ {
		if k := f.tok[i].cls >> 8; k == kLetter || k == kExpand || k == kScriptIn {
			hasLetter = true
			break
		}
	}
	if !hasLetter && !f.prevMixed {
		f.emitNumber(s, n)
		return
	}
	f.prevMixed = hasLetter && hasLeet(f.tok[:n])
	if !hasLetter {
		f.prevMixed = true
	}
	if k := f.tok[0].cls >> 8; n == 1 && k != kExpand && k != kScriptIn {
		f.single(s, f.tok[0])
		return
	}
	f.flushPending(s)
	f.joining = false
	for i := 0; i < n; i++ {
		f.emitTok(s, f.tok[i])
	}
	s.wordEnd(f.tok[n-1].end)
}

// emitNumber emits a token without letters (a number) as one xword symbol.
func (f *folder) emitNumber(s *scanner, n int) {
	f.prevMixed = false
	for i := 0; i < n; i++ {
		if f.tok[i].cls>>8 != kSym {
			f.flushPending(s)
			f.joining = false
			f.wordSym(s, symXWord, f.tok[0].start, f.tok[n-1].end)
			return
		}
	}
}

// inWordDot reports whether r is a middle dot that can stand inside a
// word.
func inWordDot(r rune) bool {
	return r == 0xB7 || r == 0x2027 || r == 0x2219 || r == 0x22C5 || r == 0x2022
}

// dotInWord reports whether the dot text[i:i+n] stands between two
// letters or leet digits, at least one of them a letter (ignored runes
// such as zero-width spaces in between do not count).
func dotInWord(text string, i, n int) bool {
	kb, ka := uint16(kIgnore), uint16(kIgnore)
	for j := i; j > 0 && kb == kIgnore; {
		r, size := utf8.DecodeLastRuneInString(text[:j])
		kb, j = classify(r)>>8, j-size
	}
	for j := i + n; j < len(text) && ka == kIgnore; {
		r, size := utf8.DecodeRuneInString(text[j:])
		ka, j = classify(r)>>8, j+size
	}
	word := func(k uint16) bool { return k == kLetter || k == kDigit }
	return word(kb) && word(ka) && (kb == kLetter || ka == kLetter)
}

// gapBefore describes the separator bytes between the letter at i and the
// letter or digit before it: the byte (a line break for "\n" or "\r\n"),
// its count, and whether the gap is that byte repeated. A letter spelt
// out with one separator ("r.e.v.e.a.l", "P\nA\nS\nS") is joined to the
// previous one only across a gap like the first in the word, so the word
// breaks of a spaced-out phrase ("r.e.v.e.a.l y.o.u.r", "t,e,l,l m,e")
// still break it.
func gapBefore(text string, i int) (ch byte, n int, uniform bool) {
	uniform = true
	for j := i - 1; j >= 0 && n < 8; j-- {
		b := text[j]
		if b >= utf8.RuneSelf {
			r, size := utf8.DecodeLastRuneInString(text[:j+1])
			if classify(r)>>8 == kIgnore {
				j -= size - 1 // zero-width and other ignored runes are transparent
				continue
			}
			if k := classify(r) >> 8; k != kLetter && k != kDigit && k != kSym && k != kExpand && k != kScriptIn {
				uniform = false // a separator of another script
			}
			break
		}
		if wordByte(b) {
			break
		}
		if b == '\r' && ch == '\n' {
			continue
		}
		if n > 0 && b != ch {
			uniform = false
		}
		ch = b
		n++
	}
	return ch, n, uniform
}

// single handles a one-letter token for spaced-out word detection.
func (f *folder) single(s *scanner, t tokSym) {
	ch, gn, uniform := gapBefore(f.text, int(t.start))
	lineOK := !f.sepLine || (ch == '\n' && gn == 1)
	short := lineOK && f.sepRunes <= 2
	if (f.joining || f.pendN == 2) && short && (!uniform || ch != f.joinCh || gn != f.joinN) {
		short = false // a gap unlike the word's own: a word break
	}
	if f.pendN == 1 && short {
		f.joinCh, f.joinN = ch, gn
		if !uniform {
			short = false
		}
	}
	if short && f.sepLine {
		f.pendLine = false
	}
	switch {
	case f.joining && short:
		f.pendSpace = false
		f.emitTok(s, t)
	case f.joining && (!f.sepLine || f.joinCh == '\n') && f.sepRunes <= 6:
		// a wider or different gap inside a spaced-out phrase: a word break,
		// not a sentence end ("i.g.n.o.r.e. y.o.u.r. r.u.l.e.s")
		f.sepHard, f.pendLine = false, false
		f.emitTok(s, t)
	case f.pendN > 0 && short:
		if f.pendN == 2 {
			f.pendSpace = true
			f.emitTok(s, f.pend[0])
			f.pendSpace = false
			f.emitTok(s, f.pend[1])
			f.pendSpace = false
			f.emitTok(s, t)
			f.pendN, f.joining = 0, true
			return
		}
		f.pend[f.pendN] = t
		f.pendN++
	default:
		f.flushPending(s)
		f.joining = false
		f.pend[0], f.pendN = t, 1
	}
}

// flushPending emits held single letters as separate words.
func (f *folder) flushPending(s *scanner) {
	for i := 0; i < f.pendN; i++ {
		f.pendSpace = true
		f.emitTok(s, f.pend[i])
	}
	if f.pendN > 0 {
		f.pendSpace = true
	}
	f.pendN = 0
}

// emitTok emits one token rune, resolving leet digits to letters.
func (f *folder) emitTok(s *scanner, t tokSym) {
	switch t.cls >> 8 {
	case kExpand:
		for _, c := range []byte(expansions[t.cls&0xff]) {
			f.wordSym(s, byte(foldASCII(c)&0xff), t.start, t.end)
		}
	case kXWord:
		f.wordSym(s, symXWord, t.start, t.end)
	case kScriptIn:
		f.emitScript(s, t.r, t.start, t.end)
	default:
		f.wordSym(s, byte(t.cls&0xff), t.start, t.end)
	}
}

// wordSym emits a word symbol, inserting a boundary space when needed.
func (f *folder) wordSym(s *scanner, sym byte, st, en int32) {
	if f.prevKind == prevStruct || (f.prevKind == prevWord && f.pendSpace) {
		s.feed(symSpace, f.prevEnd, f.prevEnd, false)
		if f.sepHard {
			s.word += sentenceGap
		}
	}
	f.pendSpace = false
	s.feed(sym, st, en, f.pendLine)
	f.pendLine = false
	f.prevKind, f.prevSym, f.prevEnd = prevWord, sym, en
}

// structSym emits a structural symbol, collapsing repeats.
func (f *folder) structSym(s *scanner, sym byte, st, en int32) {
	if f.prevKind == prevStruct && f.prevSym == sym {
		f.prevEnd = en
		return
	}
	if f.prevKind == prevWord {
		s.feed(symSpace, f.prevEnd, f.prevEnd, false)
	}
	s.feed(sym, st, en, f.pendLine)
	f.pendLine = false
	f.pendSpace = false
	f.prevKind, f.prevSym, f.prevEnd = prevStruct, sym, en
	f.sepRunes, f.sepHard, f.sepLine = 0, false, false
}

// fastRun handles runs of plain words and plain separators from i on:
// prose goes to wordLoop; a word it cannot take (one continuing an encoded
// run, after a stem match) and the separators are handled here. It
// returns the index of the first byte that needs the general path
// (ascii / rune), which leaves the state exactly as the general path
// would (TestFastPathMatchesGeneral).
func (f *folder) fastRun(s *scanner, i int) int {
	text := f.text
	for i < len(text) {
		b := text[i]
		k := asciiClass[b] >> 8
		if k == kLetter {
			if !f.direct {
				if f.tokN != 0 || f.pendN != 0 || i+1 >= len(text) || asciiClass[text[i+1]]>>8 != kLetter {
					return i
				}
				if s.enc.runStart < 0 && s.enc.pctStart < 0 && s.extIdx < 0 {
					i = f.wordLoop(s, i)
					continue
				}
				f.joining, f.direct, f.prevMixed = false, true, false
				if f.prevKind == prevStruct || (f.prevKind == prevWord && f.pendSpace) {
					s.feed(symSpace, f.prevEnd, f.prevEnd, false)
					if f.sepHard {
						s.word += sentenceGap
					}
				}
				f.pendSpace, f.prevKind = false, prevWord
				p := s.pos & ringMask
				s.ring[p] = ringVal(int32(i), f.pendLine)
				f.pendLine = false
			}
			i = s.streamLetters(text, i)
			f.prevEnd = int32(i)
			continue
		}
		if k != kSep || b64Tab[b] != 0 || oddTab[b] || f.tokN != 0 {
			return i
		}
		if f.direct {
			f.direct = false
			f.sepRunes, f.sepHard, f.sepLine = 0, false, false
			if s.extIdx >= 0 {
				s.wordEnd(f.prevEnd)
			}
		}
		f.sepRunes++
		f.pendSpace = true
		if b == '!' || b == '?' || b == ';' || (b == '.' && (i+1 >= len(text) || !wordByte(text[i+1]))) {
			f.sepHard = true
		}
		// inline observe: a run too short to be an encoding just ends
		if t := &s.enc; t.runStart >= 0 && i-t.runStart < minB64Run {
			t.runStart = -1
		}
		if t := &s.enc; t.runStart >= 0 || (b <= ' ' && t.pctStart >= 0) {
			s.observe(b, i)
		}
		i++
	}
	return i
}
