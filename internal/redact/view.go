package redact

// view is the bounded window a detector sees when it decides whether an entity
// is triggered at position k.
//
// Every detector reads forward bytes only through at (or hasPrefixAt), which
// returns 0 past the end of the window and records that it looked there. When
// the window is not final (a stream that may still receive text) a detector
// that looked past the end is re-run later with more text; when the window is
// final the end reads as a 0 byte, which no detector accepts. Because the
// window is cut at k+Window in the non-streamed path too, a decision depends
// on exactly the same bytes in both paths: that is what makes streamed output
// equal to non-streamed output.
type view struct {
	s      string // text[lo:hi]
	k      int    // trigger position, relative to s
	floor  int    // first byte an entity may start at (end of previous entity), relative
	fin    bool   // the end of s is final: decide now
	hitEnd bool   // a read went past the end of s
	seen   bool   // a non-ASCII byte was read through at or hasPrefixAt
	base   int    // absolute offset of s[0] (-1 for a folded copy)
}

// at returns the byte at i, or 0 outside the window (recording a read past the end).
func (v *view) at(i int) byte {
	if uint(i) < uint(len(v.s)) {
		c := v.s[i]
		if c >= 0x80 {
			v.seen = true
		}
		return c
	}
	if i >= len(v.s) {
		v.hitEnd = true
	}
	return 0
}

// hasPrefixAt reports whether s[i:] starts with p, reading at most len(p) bytes.
func (v *view) hasPrefixAt(i int, p string) bool {
	if i < 0 {
		return false
	}
	if i+len(p) <= len(v.s) {
		if v.s[i:i+len(p)] == p {
			return true
		}
		for j := 0; j < len(p); j++ {
			if v.s[i+j] != p[j] {
				v.seen = v.seen || v.s[i+j] >= 0x80 // a non-ASCII byte here may fold to the prefix
				break
			}
		}
		return false
	}
	for j := 0; j < len(p); j++ {
		if v.at(i+j) != p[j] {
			return false
		}
	}
	return true
}

// hasPrefixFoldAt is hasPrefixAt ignoring ASCII case; p must be lower case.
func (v *view) hasPrefixFoldAt(i int, p string) bool {
	if i < 0 {
		return false
	}
	for j := 0; j < len(p); j++ {
		if lower(v.at(i+j)) != p[j] {
			return false
		}
	}
	return true
}

// sub returns s[a:b], clamped to the window.
func (v *view) sub(a, b int) string {
	if a < 0 {
		a = 0
	}
	if b > len(v.s) {
		b = len(v.s)
	}
	if a >= b {
		return ""
	}
	return v.s[a:b]
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 32
	}
	return c
}

// Byte classes used by the detectors.
const (
	bDigit = 1 << iota
	bUpper
	bLower
	bHexLetter
	bLocal  // e-mail local-part punctuation: . _ % + -
	bSpace  // ASCII whitespace
	bB64URL // - and _ (base64url)
	bB64    // + / = (base64)
)

var byteBits = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] |= bDigit
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] |= bUpper
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= bLower
	}
	for _, c := range "abcdefABCDEF" {
		t[c] |= bHexLetter
	}
	for _, c := range "._%+-" {
		t[c] |= bLocal
	}
	for _, c := range " \t\n\r\f\v" {
		t[c] |= bSpace
	}
	for _, c := range "-_" {
		t[c] |= bB64URL
	}
	for _, c := range "+/=" {
		t[c] |= bB64
	}
	return t
}()

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return byteBits[c]&(bUpper|bLower) != 0 }
func isAlnum(c byte) bool { return byteBits[c]&(bUpper|bLower|bDigit) != 0 }
func isHex(c byte) bool   { return byteBits[c]&(bDigit|bHexLetter) != 0 }
func isSpace(c byte) bool { return byteBits[c]&bSpace != 0 }

// isWord reports whether c continues a word (letters, digits, underscore);
// entities must not start or end inside a word.
func isWord(c byte) bool { return isAlnum(c) || c == '_' }
