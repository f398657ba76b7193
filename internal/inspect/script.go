package inspect

import (
	"unicode"
	"unicode/utf8"
)

// Scripts outside the Latin/Greek/Cyrillic folding are matched through
// pseudo-letters: every letter of Hangul, Arabic, Hebrew and the Indic
// scripts becomes four symbols inside its word, and every Han or kana
// character (scripts written without spaces) becomes a word of four
// symbols of its own. The first symbol of each group is 'l', which folded
// Latin text never produces ('l' folds to 'i'), so a pseudo-letter group
// can never match inside ordinary Latin text; the other three encode the
// character in base 26. Phrases in these scripts are folded the same way
// when the lexicon is compiled, so they are written in plain spelling.
//
// Because every Han or kana character is a word, pair windows over such
// text count characters; the lexicon gives those pairs wider windows.

const (
	scriptCodes = 26 * 26 * 26
	symL        = 'l' - 'a' // the marker symbol of a pseudo-letter group
)

// scriptKind reports whether r is an in-word script letter (kScriptIn), a
// character that is a word of its own (kScriptOwn), or neither (0).
func scriptKind(r rune) int {
	switch {
	case r >= 0x4E00 && r <= 0x9FFF, r >= 0x3400 && r <= 0x4DBF, r >= 0xF900 && r <= 0xFAFF,
		r >= 0x3041 && r <= 0x30FA, r == 0x30FC, r == 0x3005:
		return kScriptOwn
	case r >= 0xAC00 && r <= 0xD7A3, r >= 0x1100 && r <= 0x11FF, r >= 0x3131 && r <= 0x318E:
		return kScriptIn
	case r >= 0x0620 && r <= 0x064A, r >= 0x066E && r <= 0x06D3, r >= 0x06D5 && r <= 0x06FF && unicode.IsLetter(r),
		r >= 0x05D0 && r <= 0x05EA:
		return kScriptIn
	case r >= 0x0900 && r <= 0x0DFF:
		// Indic scripts: letters and spacing vowel signs stay in the word;
		// non-spacing marks (virama, nukta, anusvara) are dropped like other
		// combining marks; dandas and digits are handled by the caller.
		if unicode.IsLetter(r) || unicode.Is(unicode.Mc, r) {
			return kScriptIn
		}
	}
	return 0
}

// scriptCode maps a script letter to its group index; Han characters
// beyond the code space share codes (a rare character may then match a
// common one, never Latin text).
func scriptCode(r rune) int {
	if r >= 0x0620 && r <= 0x06D3 {
		if f, ok := arabicFold[r]; ok {
			r = f
		}
	}
	switch {
	case r >= 0xAC00 && r <= 0xD7A3:
		return int(r - 0xAC00) // 11172 Hangul syllables
	case r < 0x0E00:
		return 11172 + int(r-0x0590) // Hebrew, Arabic, Indic: up to 13331
	case r >= 0x4E00 && r <= 0x9FFF:
		return int(r-0x4E00) % scriptCodes
	}
	return 13332 + int(r)%(scriptCodes-13332) // kana, Jamo, other Han blocks
}

// emitScript emits the four symbols of script letter r.
func (f *folder) emitScript(s *scanner, r rune, st, en int32) {
	c := scriptCode(r)
	f.wordSym(s, symL, st, en)
	f.wordSym(s, byte(c/676), st, en)
	f.wordSym(s, byte(c/26%26), st, en)
	f.wordSym(s, byte(c%26), st, en)
}

// scriptWord emits a character that is a word of its own.
func (f *folder) scriptWord(s *scanner, r rune, st, en int32) {
	f.endToken(s)
	f.flushPending(s)
	f.joining = false
	f.pendSpace = true
	f.emitScript(s, r, st, en)
	f.pendSpace = true
	f.sepRunes, f.sepHard, f.sepLine = 0, false, false
	s.wordEnd(en)
}

// sentenceRune reports the sentence-ending punctuation of other scripts:
// ideographic and fullwidth stops, Arabic question mark and full stop,
// Devanagari dandas.
func sentenceRune(text string, i int) bool {
	r, _ := utf8.DecodeRuneInString(text[i:])
	switch r {
	case 0x3002, 0xFF01, 0xFF1F, 0xFF0E, 0xFF1B, 0x061F, 0x06D4, 0x0964, 0x0965:
		return true
	}
	return false
}

// arabicFold merges Arabic letter variants that writers use
// interchangeably (hamza forms of alef, alef maksura and Persian yeh, keheh,
// teh marbuta) so that phrases match however they are spelled.
var arabicFold = map[rune]rune{
	0x0623: 0x0627, 0x0625: 0x0627, 0x0622: 0x0627, 0x0671: 0x0627,
	0x0649: 0x064A, 0x06CC: 0x064A, 0x06A9: 0x0643, 0x0629: 0x0647, 0x06C1: 0x0647,
}
