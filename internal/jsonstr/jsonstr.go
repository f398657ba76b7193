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

// AppendContent is Append without the surrounding quotes.
func AppendContent(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
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
