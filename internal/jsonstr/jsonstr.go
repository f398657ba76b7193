// Package jsonstr appends Go strings as JSON string literals without reflection: the
// guard builds small JSON documents (audit lines, moderation requests) on hot paths.
package jsonstr

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// Append appends s to b as a JSON string literal. Control characters and DEL are
// escaped, invalid UTF-8 becomes \ufffd, and U+2028/U+2029 are escaped so the result
// is also safe inside JavaScript and on one log line.
func Append(b []byte, s string) []byte {
	b = append(b, '"')
	b = AppendContent(b, s)
	return append(b, '"')
}

// special marks the bytes AppendContent cannot copy as they are: '"', '\\',
// control bytes, DEL and non-ASCII bytes.
var special = func() (t [256]uint8) {
	for c := range t {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			t[c] = 1
		}
	}
	return t
}()

// AppendContent is Append without the surrounding quotes. Runs of plain
// ASCII are copied at once, testing eight bytes per step without branches
// (it is on the redactor's per-event path, where per-byte branches are what
// cost in wasm).
func AppendContent(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		st := i
		for ; i+8 <= len(s); i += 8 {
			w := s[i : i+8]
			if special[w[0]]|special[w[1]]|special[w[2]]|special[w[3]]|special[w[4]]|special[w[5]]|special[w[6]]|special[w[7]] != 0 {
				break
			}
		}
		for i < len(s) && special[s[i]] == 0 {
			i++
		}
		b = append(b, s[st:i]...)
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default: // control byte or DEL: every other ASCII byte was copied above
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}
