package jsonscan

import (
	"unicode"
	"unicode/utf8"
)

// AppendFold appends the folded form of key to dst: two keys have the same folded
// form exactly when a decoder that matches keys case-insensitively could read one
// as the other. That is Unicode simple case folding, as strings.EqualFold applies
// it (so "ſ" (long s) folds with "s" and "K" (Kelvin sign) with "k"), after mapping
// fullwidth ASCII (U+FF01–U+FF5E) to ASCII. ASCII keys fold to their lower case.
func AppendFold(dst []byte, key string) []byte {
	i := 0
	for i < len(key) {
		c := key[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(key[i:])
		i += n
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, key[i-1]) // invalid UTF-8 stays as it is
			continue
		}
		dst = utf8.AppendRune(dst, foldRune(r))
	}
	return dst
}

// foldRune maps r to one representative of its case-folding orbit: fullwidth
// ASCII to ASCII first, then the orbit's smallest member, lower-cased when that is
// an ASCII letter (an orbit holding one has it as its smallest member).
func foldRune(r rune) rune {
	if r >= 0xff01 && r <= 0xff5e {
		r -= 0xfee0
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	if 'A' <= m && m <= 'Z' {
		m += 'a' - 'A'
	}
	return m
}

// EqualFold reports whether a and b have the same folded form (see AppendFold),
// without allocating for keys up to 128 bytes.
func EqualFold(a, b string) bool {
	if a == b {
		return true
	}
	var ba, bb [128]byte
	return string(AppendFold(ba[:0], a)) == string(AppendFold(bb[:0], b))
}

// IsASCIIFolded reports whether key is plain ASCII with no upper-case letter, the
// usual shape of an API's key: its folded form is itself.
func IsASCIIFolded(key string) bool {
	for i := 0; i < len(key); i++ {
		if c := key[i]; c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
