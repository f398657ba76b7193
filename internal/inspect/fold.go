package inspect

import (
	"strconv"
	"strings"
	"unicode"
)

// Symbols of the folded alphabet fed to the automaton. Letters are 0..25.
const (
	symSpace  = 26 // collapsed separator run / word boundary
	symOpen   = 27 // '<' or '['
	symClose  = 28 // '>' or ']'
	symPipe   = 29 // '|'
	symColon  = 30 // ':'
	symXWord  = 31 // a word character that matches nothing (number, other script)
	alphaBits = 5
	alphaSize = 1 << alphaBits
)

// Rune classes produced by classify, stored as kind<<8 | value.
const (
	kSep       = iota // separator: collapses into one symSpace
	kLetter           // value: folded letter 0..25
	kDigit            // value: leet letter; a digit that is a number on its own
	kSym              // value: leet letter for '@', '$' (inside words only)
	kStruct           // value: structural symbol
	kNewline          // separator that also starts a line
	kIgnore           // zero-width, bidi, soft hyphen, combining mark, apostrophe
	kExpand           // value: index into expansions
	kXWord            // letter or digit of another script
	kNonASCII         // asciiClass only: a UTF-8 lead or continuation byte
	kScriptIn         // letter of a script folded to pseudo-letters inside its word (script.go)
	kScriptOwn        // Han or kana character: a pseudo-letter word of its own
)

const foldTableSize = 0x2500

var (
	foldTable  [foldTableSize]uint16
	expansions []string // multi-letter foldings (ß→ss, ﬁ→fi, …)
	expandIdx  = map[string]uint16{}
)

func init() {
	for r := rune(0); r < foldTableSize; r++ {
		foldTable[r] = classifySlow(r)
	}
}

func mk(kind, val int) uint16 { return uint16(kind<<8 | val) }

// letterClass folds a letter string: one letter or an expansion.
func letterClass(s string) uint16 {
	switch s {
	case ".":
		return mk(kSep, 0)
	case "_":
		return mk(kIgnore, 0)
	}
	if len(s) == 1 {
		return foldASCII(s[0])
	}
	if i, ok := expandIdx[s]; ok {
		return mk(kExpand, int(i))
	}
	expandIdx[s] = uint16(len(expansions))
	expansions = append(expansions, s)
	return mk(kExpand, len(expansions)-1)
}

// foldASCII classifies an ASCII byte. 'l' folds to 'i' so that l, I, 1 and |
// look-alikes meet in one letter; patterns are folded the same way.
func foldASCII(b byte) uint16 {
	switch {
	case b >= 'a' && b <= 'z':
		b -= 'a'
	case b >= 'A' && b <= 'Z':
		b -= 'A'
	case b >= '0' && b <= '9':
		return mk(kDigit, int("oizeasgtbg"[b-'0']-'a'))
	default:
		return foldASCIIOther(b)
	}
	if b == 'l'-'a' {
		b = 'i' - 'a'
	}
	return mk(kLetter, int(b))
}

func foldASCIIOther(b byte) uint16 {
	switch b {
	case '@':
		return mk(kSym, 0) // 'a'
	case '$':
		return mk(kSym, 's'-'a')
	case '<', '[':
		return mk(kStruct, symOpen)
	case '>', ']':
		return mk(kStruct, symClose)
	case '|':
		return mk(kStruct, symPipe)
	case ':':
		return mk(kStruct, symColon)
	case '\n', '\r', '\v', '\f':
		return mk(kNewline, 0)
	case '\'', '`':
		return mk(kIgnore, 0)
	}
	return mk(kSep, 0)
}

// foldRuns maps consecutive runes from start using a spec of tokens
// "<letters><count>", e.g. "a2 b6" (letters "." = separator, "_" = ignore).
func foldRuns(m map[rune]uint16, start rune, spec string) {
	r := start
	for _, tok := range strings.Fields(spec) {
		i := strings.IndexAny(tok, "0123456789")
		n, _ := strconv.Atoi(tok[i:])
		for ; n > 0; n-- {
			m[r] = letterClass(tok[:i])
			r++
		}
	}
}

// foldPairs maps "hex:letters" tokens, e.g. "1D00:a".
func foldPairs(m map[rune]uint16, spec string) {
	for _, tok := range strings.Fields(spec) {
		hexPart, letters, _ := strings.Cut(tok, ":")
		r, _ := strconv.ParseUint(hexPart, 16, 32)
		m[rune(r)] = letterClass(letters)
	}
}

// foldList maps consecutive runes from start to space-separated tokens.
func foldList(m map[rune]uint16, start rune, spec string) {
	for i, tok := range strings.Fields(spec) {
		m[start+rune(i)] = letterClass(tok)
	}
}

var special = buildSpecial()

func buildSpecial() map[rune]uint16 {
	m := map[rune]uint16{}
	// Latin-1 supplement and Latin Extended-A: strip diacritics.
	foldList(m, 0xC0, "a a a a a a ae c e e e e i i i i d n o o o o o . o u u u u y th ss "+
		"a a a a a a ae c e e e e i i i i d n o o o o o . o u u u u y th y")
	foldRuns(m, 0x100, "a6 c8 d4 e10 g8 h4 i8 i2 ij2 j2 k3 l10 n9 o6 oe2 r6 s8 t6 u12 w2 y3 z6 s1")
	foldList(m, 0xAA, "a")
	foldList(m, 0xB5, "u")
	foldList(m, 0xBA, "o")
	// Latin Extended-B (partial) and IPA / small capitals.
	foldPairs(m, `180:b 188:c 18C:d 192:f 199:k 19A:l 1A5:p 1AB:t 1AD:t 1B4:y 1B6:z 218:s 219:s 21A:t 21B:t 226:a
		227:a 228:e 229:e 22E:o 22F:o 232:y 233:y 251:a 254:o 25B:e 261:g 262:g 269:i 26A:i 274:n 275:o
		280:r 28B:u 28F:y 299:b 29C:h 29F:l 1D00:a 1D04:c 1D05:d 1D07:e 1D0A:j 1D0B:k 1D0D:m 1D0F:o
		1D18:p 1D1B:t 1D1C:u 1D20:v 1D21:w 1D22:z 3F2:c 3F3:j 3F9:c 4AE:y 4AF:y 4BB:h 4C0:i 4CF:i 501:d
		51B:q 51D:w 54D:u 57D:u 585:o 2071:i 207F:n 2102:c 210A:g 210B:h 210C:h 210D:h 210E:h 2110:i
		2111:i 2112:l 2113:l 2115:n 2119:p 211A:q 211B:r 211C:r 211D:r 2124:z 212A:k 212B:a 212C:b
		212D:c 212F:e 2130:e 2131:f 2133:m 2134:o 2139:i 2160:i 2164:v 2169:x 216C:l 216D:c 216E:d
		216F:m 2170:i 2174:v 2179:x 217C:l 217D:c 217E:d 217F:m`)
	foldList(m, 0x1C4, "dz dz dz lj lj lj nj nj nj a a i i o o u u")
	foldList(m, 0x1F1, "dz dz dz")
	foldRuns(m, 0x200, "a4 e4 i4 o4 r4 u4")
	// Greek: look-alikes fold to the Latin letter they resemble.
	foldList(m, 0x386, "a . e h i . o . y o i a b g d e z h th i k l m n x o p p . s t y f x ps o i y "+
		"a e n i u a b y d e z n th i k l u v x o n p s s t u f x ps w i u o u w")
	// Cyrillic: look-alikes by shape, the rest transliterated.
	foldList(m, 0x400, "e e d g e s i i j l n c k i y d "+
		"a b b g d e z z i i k l m h o p p c t y f x c c s s _ y b e u a "+
		"a b v g d e z z i i k l m n o p p c t y f x c c s s _ y _ e u a "+
		"e e d g e s i i j l n c k i y d")
	foldRuns(m, 0x1E00, "a2 b6 c2 d10 e10 f2 g2 h10 i4 k6 l8 m6 n8 o8 p4 r8 s10 t8 u10 v4 w10 x4 y2 z6 "+
		"h1 t1 w1 y1 a1 s3 ss1 d1 a24 e16 i4 o24 u14 y8 l2 v2 y2")
	foldList(m, 0xFB00, "ff fi fl ffi ffl st st")
	for _, r := range []rune{0x2028, 0x2029, 0x85} {
		m[r] = mk(kNewline, 0)
	}
	for _, r := range []rune{0x2018, 0x2019, 0x201B, 0x2032, 0xB4, 0x2BC} {
		m[r] = mk(kIgnore, 0) // apostrophes
	}
	for r, d := range map[rune]byte{0xB9: '1', 0xB2: '2', 0xB3: '3', 0x2070: '0'} {
		m[r] = foldASCII(d)
	}
	return m
}

// isInvisible reports zero-width, bidi and other format characters that
// are dropped entirely.
func isInvisible(r rune) bool {
	switch {
	case r == 0xAD, r == 0x34F, r == 0x61C, r == 0x640, r == 0x115F, r == 0x1160, r == 0x17B4, r == 0x17B5,
		r >= 0x180B && r <= 0x180F, r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E,
		r >= 0x2060 && r <= 0x206F, r == 0x3164, r == 0xFEFF, r == 0xFFA0, r >= 0xFE00 && r <= 0xFE0F,
		r >= 0xE0100 && r <= 0xE01EF, r == 0xE0001, r == 0xE007F, r >= 0x1D173 && r <= 0x1D17A:
		return true
	}
	return false
}

// classifySlow folds one rune; foldTable caches it for small code points.
func classifySlow(r rune) uint16 {
	if r < 0x80 {
		return foldASCII(byte(r))
	}
	if isInvisible(r) {
		return mk(kIgnore, 0)
	}
	if c, ok := special[r]; ok {
		return c
	}
	if c, ok := foldShifted(r); ok {
		return c
	}
	if k := scriptKind(r); k != 0 {
		return mk(k, 0)
	}
	switch {
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return mk(kIgnore, 0)
	case unicode.IsSpace(r):
		return mk(kSep, 0)
	case unicode.IsLetter(r), unicode.IsDigit(r):
		return mk(kXWord, 0)
	}
	return mk(kSep, 0)
}

// foldShifted handles blocks that are the ASCII alphabet at an offset:
// fullwidth forms, mathematical alphanumerics, enclosed letters, regional
// indicators, tag characters and superscript/subscript digits.
func foldShifted(r rune) (uint16, bool) {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return foldASCII(byte(r - 0xFEE0)), true
	case r >= 0xE0020 && r <= 0xE007E: // tag characters ("ASCII smuggling")
		return foldASCII(byte(r - 0xE0000)), true
	case r >= 0x1D400 && r <= 0x1D6A3:
		return letterN(int(r-0x1D400) % 52 % 26), true
	case r >= 0x1D7CE && r <= 0x1D7FF:
		return foldASCII(byte('0' + (r-0x1D7CE)%10)), true
	case r >= 0x2074 && r <= 0x2079, r >= 0x2080 && r <= 0x2089:
		return foldASCII(byte('0' + (r-0x2070)%16)), true
	case r >= 0x2460 && r <= 0x2468:
		return foldASCII(byte('1' + r - 0x2460)), true
	}
	for _, blk := range letterBlocks {
		if r >= blk && r < blk+26 {
			return letterN(int(r - blk)), true
		}
	}
	return 0, false
}

// letterBlocks are the first code points of 26-letter enclosed alphabets.
var letterBlocks = [...]rune{0x249C, 0x24B6, 0x24D0, 0x1F110, 0x1F130, 0x1F150, 0x1F170, 0x1F1E6}

func letterN(n int) uint16 { return foldASCII(byte('a' + n)) }

// classify folds one rune using the table when possible.
func classify(r rune) uint16 {
	if uint32(r) < foldTableSize {
		return foldTable[r]
	}
	if k := scriptKind(r); k != 0 {
		return mk(k, 0)
	}
	return classifySlow(r)
}
