package inspect

import (
	"unicode/utf8"

	"github.com/egressguard/egressguard/internal/percent"
)

// Character references and escapes are folded as the character they
// stand for, so "&#105;&#103;nore", "&#x69;gnore" and "\u0069gnore" read
// as "ignore" (HTML numeric and common named entities, JavaScript/JSON
// \uXXXX and \xHH escapes). The span of the character is the whole
// reference. '&' and '\\' leave the fast paths, so prose pays nothing.

// namedEntities are the named references worth folding: the ones used to
// hide markup and quotes.
var namedEntities = map[string]rune{
	"lt": '<', "gt": '>', "amp": '&', "quot": '"', "apos": '\'', "nbsp": ' ',
	"lsqb": '[', "rsqb": ']', "verbar": '|', "colon": ':', "vert": '|', "num": '#',
}

// decodeEscape decodes the reference or escape at text[i] ('&' or '\\')
// and returns the rune and the reference's length, or n == 0.
func decodeEscape(text string, i int) (r rune, n int) {
	rest := text[i:]
	if len(rest) < 3 {
		return 0, 0
	}
	if rest[0] == '\\' {
		switch rest[1] {
		case 'u', 'U':
			return hexRune(rest, 2, 4, 4)
		case 'x':
			return hexRune(rest, 2, 2, 2)
		}
		return 0, 0
	}
	if rest[1] == '#' {
		if rest[2] == 'x' || rest[2] == 'X' {
			r, n = hexRune(rest, 3, 1, 6)
		} else {
			r, n = decRune(rest, 2, 7)
		}
		if n == 0 || n >= len(rest) || rest[n] != ';' {
			return 0, 0
		}
		return r, n + 1
	}
	for j := 1; j < len(rest) && j <= 8; j++ {
		if rest[j] == ';' {
			if r, ok := namedEntities[rest[1:j]]; ok {
				return r, j + 1
			}
			return 0, 0
		}
	}
	return 0, 0
}

// hexRune reads between lo and hi hex digits from rest[at:].
func hexRune(rest string, at, lo, hi int) (rune, int) {
	v, j := 0, at
	for ; j < len(rest) && j-at < hi; j++ {
		d, ok := percent.Digit(rest[j])
		if !ok {
			break
		}
		v = v<<4 | int(d)
	}
	if j-at < lo || !validRune(v) {
		return 0, 0
	}
	return rune(v), j
}

// decRune reads up to hi decimal digits from rest[at:].
func decRune(rest string, at, hi int) (rune, int) {
	v, j := 0, at
	for ; j < len(rest) && j-at < hi && rest[j] >= '0' && rest[j] <= '9'; j++ {
		v = v*10 + int(rest[j]-'0')
	}
	if j == at || !validRune(v) {
		return 0, 0
	}
	return rune(v), j
}

func validRune(v int) bool {
	return v > 0 && v <= utf8.MaxRune && !(v >= 0xD800 && v <= 0xDFFF)
}
