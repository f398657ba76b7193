package jsonscan

import (
	"unicode/utf16"
	"unicode/utf8"
)

// AppendUnquote appends the contents of the JSON string literal lit (quotes
// included) to dst, unescaped, and reports whether lit was a valid literal (on
// false, dst holds what was decoded before the fault).
//
// Escapes decode as encoding/json decodes them: a \u escape of a high surrogate
// followed by a \u escape of a low surrogate is one code point; any other surrogate
// escape becomes U+FFFD on its own and the escape after it is decoded separately.
// (gjson instead swallows the escape after a lone high surrogate, so "\ud800\u0069"
// would read as "\ufffd" where a provider reads "\ufffdi": a decoder that sees less
// than the provider would let text past inspection.) Raw bytes, including invalid
// UTF-8, are copied as they are.
func AppendUnquote(dst []byte, lit string) ([]byte, bool) {
	if len(lit) < 2 || lit[0] != '"' || lit[len(lit)-1] != '"' {
		return dst, false
	}
	s := lit[1 : len(lit)-1]
	i := 0
	for {
		run := i
		for i < len(s) && s[i] != '\\' && s[i] >= 0x20 && s[i] != '"' {
			i++
		}
		dst = append(dst, s[run:i]...)
		if i >= len(s) {
			return dst, true
		}
		if s[i] != '\\' || i+1 >= len(s) { // a control byte, an inner quote or a trailing backslash
			return dst, false
		}
		e := s[i+1]
		i += 2
		switch e {
		case '"', '\\', '/':
			dst = append(dst, e)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(s, i)
			if !ok {
				return dst, false
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if r < 0xdc00 && i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if r2, ok := hex4(s, i+2); ok && r2 >= 0xdc00 && r2 <= 0xdfff {
						r = utf16.DecodeRune(r, r2)
						i += 6
						dst = utf8.AppendRune(dst, r)
						continue
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return dst, false
		}
	}
}

// Unquote returns the contents of the JSON string literal lit (quotes included),
// unescaped as AppendUnquote does: a substring of lit, without allocating, when it
// holds no escape.
func Unquote(lit string) (string, bool) {
	if len(lit) < 2 || lit[0] != '"' || lit[len(lit)-1] != '"' {
		return "", false
	}
	s := lit[1 : len(lit)-1]
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\\' || c < 0x20 || c == '"' {
			out, ok := AppendUnquote(make([]byte, 0, len(s)), lit)
			return string(out), ok
		}
	}
	return s, true
}

// unquotedEquals reports whether the valid literal lit decodes to name, without
// allocating for names up to 256 bytes.
func unquotedEquals(lit, name string) bool {
	if len(name) > len(lit)*3 { // an escape of 6 bytes decodes to at most 4; a raw byte to 1
		return false
	}
	var buf [256]byte
	out, _ := AppendUnquote(buf[:0], lit)
	return string(out) == name
}

// hex4 decodes the four hex digits at s[i:].
func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
