// Package percent reads the hex digits of percent-escapes (RFC 3986 §2.1) and other
// hex escapes in untrusted text.
package percent

// Digit returns the value of the hex digit c; ok is false for any other byte.
func Digit(c byte) (v byte, ok bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Decode returns the byte that the escape %XX at s[i:] encodes; ok is false when s[i:]
// does not start with one.
func Decode(s string, i int) (b byte, ok bool) {
	if i < 0 || i+2 >= len(s) || s[i] != '%' {
		return 0, false
	}
	hi, ok1 := Digit(s[i+1])
	lo, ok2 := Digit(s[i+2])
	return hi<<4 | lo, ok1 && ok2
}
