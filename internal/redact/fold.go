package redact

import (
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// Folding: the evasions a model (or whoever steers it) can use to slip an
// entity past byte-level detectors — zero-width characters inside it,
// Unicode spaces and dashes as separators, fullwidth or other-script digits,
// fullwidth '@' and '.', look-alike letters — are undone on a copy of the
// text around a trigger, and the detectors run again on that copy. Each
// folded byte remembers the source bytes it came from, so an entity found in
// the copy is redacted over the original bytes.
//
// Folding is lazy: plain ASCII text never builds a copy. A copy is built only
// when a detector read a non-ASCII byte next to its trigger (view.seen), or
// at a non-ASCII trigger (a fullwidth or other-script digit, a fullwidth '@',
// a fullwidth or mathematical letter at a word start).

// Fold results for a rune: an ASCII byte, foldDrop (remove it) or foldOther
// (a placeholder byte that no detector accepts).
const (
	foldDrop  = 0xFF
	foldOther = 0x80
)

// foldRune maps one rune to its folded byte. Letters keep their case
// (secrets are case-sensitive).
func foldRune(r rune) byte {
	if r < 0x80 {
		return byte(r)
	}
	if r < rune(len(foldLow)) {
		return foldLow[r]
	}
	switch {
	case r >= 0xFF01 && r <= 0xFF5E: // fullwidth ASCII
		return byte(r - 0xFEE0)
	case r == 0xFF61 || r == 0x3002 || r == 0x2024 || r == 0xFE52: // ideographic and small full stops
		return '.'
	case r == 0xFE6B: // small commercial at
		return '@'
	case r == 0xFE63 || r == 0x2212 || r >= 0x2010 && r <= 0x2013: // hyphens, figure and en dash, minus
		return '-'
	case r == 0x1680 || r >= 0x2000 && r <= 0x200A || r == 0x202F || r == 0x205F || r == 0x3000:
		return ' '
	case r == 0x2028 || r == 0x2029:
		return '\n'
	case invisible(r):
		return foldDrop
	case r >= 0x1D400 && r <= 0x1D6A3: // mathematical letters: 52 per style
		if n := (r - 0x1D400) % 52; n < 26 {
			return byte('A' + n)
		} else {
			return byte('a' + n - 26)
		}
	case r >= 0x1D7CE && r <= 0x1D7FF: // mathematical digits
		return byte('0' + (r-0x1D7CE)%10)
	}
	if d, ok := otherDigit(r); ok {
		return d
	}
	return foldOther
}

// invisible reports format characters that render as nothing: zero-width
// space/joiners, word joiner and invisible operators, bidi controls,
// variation selectors, tag characters.
func invisible(r rune) bool {
	switch {
	case r == 0xAD, r == 0x34F, r == 0x61C, r == 0x115F, r == 0x1160, r == 0x17B4, r == 0x17B5,
		r >= 0x180B && r <= 0x180F, r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E,
		r >= 0x2060 && r <= 0x206F, r == 0x3164, r == 0xFEFF, r == 0xFFA0, r >= 0xFE00 && r <= 0xFE0F,
		r >= 0xE0000 && r <= 0xE007F, r >= 0xE0100 && r <= 0xE01EF, r >= 0x1D173 && r <= 0x1D17A:
		return true
	}
	return false
}

// otherDigit folds a decimal digit of another script (Unicode Nd) to ASCII.
// Unicode encodes every such digit in a run of ten starting at zero.
func otherDigit(r rune) (byte, bool) {
	if r < 0x660 || !unicode.Is(unicode.Nd, r) {
		return 0, false
	}
	for _, rg := range unicode.Nd.R16 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return byte('0' + (r-rune(rg.Lo))%10), true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return byte('0' + (r-rune(rg.Lo))%10), true
		}
	}
	return 0, false
}

// foldLow is the fold of U+0080..U+052F: Latin-1 and Latin Extended-A
// letters lose their diacritics, NBSP is a space, soft hyphen is dropped,
// Greek and Cyrillic look-alikes become the Latin letter they resemble.
var foldLow = func() (t [0x530]byte) {
	for i := range t {
		t[i] = foldOther
	}
	for i := 0; i < 0x80; i++ {
		t[i] = byte(i)
	}
	t[0xA0], t[0xAD], t[0x85] = ' ', foldDrop, '\n'
	t[0x34F] = foldDrop
	set := func(from rune, letters string) {
		for i := 0; i < len(letters); i++ {
			if letters[i] != '?' {
				t[from+rune(i)] = letters[i]
			}
		}
	}
	set(0xC0, "AAAAAA?CEEEEIIIIDNOOOOO?OUUUUY??aaaaaa?ceeeeiiiidnooooo?ouuuuy?y")
	set(0x100, "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIi??JjKk?LlLlLlLlLlNnNnNn???OoOoOo??RrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs")
	pairs := map[rune]byte{
		// Greek capitals and the lower-case letters that look Latin
		0x391: 'A', 0x392: 'B', 0x395: 'E', 0x396: 'Z', 0x397: 'H', 0x399: 'I', 0x39A: 'K', 0x39C: 'M',
		0x39D: 'N', 0x39F: 'O', 0x3A1: 'P', 0x3A4: 'T', 0x3A5: 'Y', 0x3A7: 'X', 0x3B1: 'a', 0x3B9: 'i',
		0x3BA: 'k', 0x3BD: 'v', 0x3BF: 'o', 0x3C1: 'p', 0x3C5: 'u',
		// Cyrillic
		0x405: 'S', 0x406: 'I', 0x408: 'J', 0x410: 'A', 0x412: 'B', 0x415: 'E', 0x41A: 'K', 0x41C: 'M',
		0x41D: 'H', 0x41E: 'O', 0x420: 'P', 0x421: 'C', 0x422: 'T', 0x423: 'Y', 0x425: 'X', 0x430: 'a',
		0x435: 'e', 0x43E: 'o', 0x440: 'p', 0x441: 'c', 0x443: 'y', 0x445: 'x', 0x455: 's', 0x456: 'i',
		0x458: 'j', 0x4BB: 'h', 0x4C0: 'I', 0x4CF: 'l', 0x501: 'd', 0x51B: 'q', 0x51D: 'w',
		// Latin look-alikes outside Latin-1
		0x251: 'a', 0x261: 'g', 0x269: 'i', 0x26A: 'I', 0x1E9E: 'S',
	}
	for r, b := range pairs {
		if r < rune(len(t)) {
			t[r] = b
		}
	}
	return t
}()

// foldBuf is a folded copy of a source region: s[i] came from the source
// bytes [from[i], to[i]) (offsets relative to the region start).
type foldBuf struct {
	s        []byte
	from, to []int32
}

// fold fills fb with the fold of src. It stops before a rune cut by the end
// of src unless atEnd (then the cut bytes fold to foldOther). It returns the
// folded index of the byte that came from src offset k (k must start a rune
// that does not fold away; -1 if it is not in the copy).
func (fb *foldBuf) fold(src string, k int, atEnd bool) int {
	fb.s, fb.from, fb.to = fb.s[:0], fb.from[:0], fb.to[:0]
	fk := -1
	for i := 0; i < len(src); {
		c := src[i]
		if c < 0x80 {
			if i == k {
				fk = len(fb.s)
			}
			fb.s = append(fb.s, c)
			fb.from, fb.to = append(fb.from, int32(i)), append(fb.to, int32(i+1))
			i++
			continue
		}
		if !atEnd && !utf8.FullRuneInString(src[i:]) {
			break
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		b := byte(foldOther)
		if r != utf8.RuneError || size > 1 {
			b = foldRune(r)
		}
		if b != foldDrop {
			if i == k {
				fk = len(fb.s)
			}
			fb.s = append(fb.s, b)
			fb.from, fb.to = append(fb.from, int32(i)), append(fb.to, int32(i+size))
		}
		i += size
	}
	return fk
}

// str returns the folded bytes as a string sharing fb's memory (valid until
// the next fold).
func (fb *foldBuf) str() string { return unsafe.String(unsafe.SliceData(fb.s), len(fb.s)) }

// index returns the first folded index whose source offset is at least off.
func (fb *foldBuf) index(off int) int {
	lo, hi := 0, len(fb.from)
	for lo < hi {
		m := (lo + hi) / 2
		if int(fb.from[m]) < off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// foldString folds s whole (for hashing and leak detection).
func foldString(s string) string {
	if isASCII(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if c := foldRune(r); c != foldDrop {
			b = append(b, c)
		}
	}
	return string(b)
}

// isASCII reports whether s has no byte >= 0x80.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// decodeAt decodes the rune starting at text[i]; ok is false when the bytes
// at hand end inside it.
func decodeAt(text string, i int) (rune, int, bool) {
	if !utf8.FullRuneInString(text[i:]) {
		return 0, 0, false
	}
	r, size := utf8.DecodeRuneInString(text[i:])
	return r, size, true
}

// foldRelevantAt reports whether the non-ASCII rune starting at text[i] can
// be part of a folded entity: it folds to an ASCII byte or away. A rune cut
// by the end of the bytes at hand may be.
func foldRelevantAt(text string, i int) bool {
	r, _, ok := decodeAt(text, i)
	if !ok {
		return true
	}
	return foldRune(r) != foldOther
}

// skipFold: a non-ASCII trigger (lead byte of a fullwidth form, an
// other-script digit, a mathematical alphanumeric) that cannot start a
// folded entity: anything but a digit at a number start (or after letters:
// IBAN check digits), a fullwidth '@', or a letter at a word start that
// begins a token prefix (sk-, AKIA, ghp_, xoxb-, eyJ, Bearer…).
func skipFold(text string, i int) bool {
	r, size, ok := decodeAt(text, i)
	if !ok {
		return false
	}
	b := foldRune(r)
	switch {
	case isDigit(b):
		p, n := lastFolded(text, i)
		return n > 0 && isDigit(p)
	case b == '@' || b == '+':
		return false
	case isAlpha(b):
		p, n := lastFolded(text, i)
		if n == 0 && i > 0 {
			return false
		}
		if isWord(p) {
			return true
		}
		next, ok := nextFolded(text, i+size)
		return ok && !prefixStart(b, next)
	}
	return true
}

// prefixStart reports whether the two folded letters a, b can begin a token
// prefix that the letter or dash triggers find (see prefixRules, Bearer, eyJ).
func prefixStart(a, b byte) bool {
	for i := range prefixRules {
		if p := prefixRules[i].prefix; p[0] == a && p[1] == b {
			return true
		}
	}
	switch a {
	case 'e':
		return b == 'y'
	case 'B', 'b':
		return b|0x20 == 'e'
	}
	return false
}

// foldedAt returns the byte at i of v, the length of the rune starting
// there and the rune's fold (size 0 at the end of the window). A rune cut
// by the window's end folds to foldOther (the read past the end is
// recorded).
func foldedAt(v *view, i int) (byte, int, byte) {
	c := v.at(i)
	if c < 0x80 {
		if c == 0 && i >= len(v.s) {
			return 0, 0, 0
		}
		return c, 1, c
	}
	var b [4]byte
	n := 1
	b[0] = c
	for n < 4 && !utf8.FullRune(b[:n]) {
		b[n] = v.at(i + n)
		if b[n] == 0 && i+n >= len(v.s) {
			return c, 1, foldOther
		}
		n++
	}
	r, size := utf8.DecodeRune(b[:n])
	if r == utf8.RuneError && size <= 1 {
		return c, 1, foldOther
	}
	return c, size, foldRune(r)
}
