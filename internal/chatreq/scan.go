package chatreq

import (
	"strings"
	"unicode/utf8"

	"github.com/egressguard/egressguard/internal/jsonscan"
)

// scanner walks a JSON text once, validating it with exactly the grammar of
// gjson.Valid (RFC 8259; bytes ≥ 0x80 inside strings are not checked as UTF-8), so
// that Parse accepts and refuses the same bodies as a gjson.ValidBytes check would.
// Callers skip whitespace before values (ws) and the scanner leaves p.i just after
// whatever it consumed; every method reports false on a syntax error.
type scanner struct {
	s   string
	i   int
	buf []byte // scratch for strText, reused from one string to the next
}

// value is the span of one JSON value in scanner.s.
type value struct {
	kind       byte // '{' '[' '"' '0' (number) 't' 'f' 'n'; 0 when absent
	esc        bool // a string holding escape sequences
	start, end int  // s[start:end] is the raw value
}

func (v value) exists() bool { return v.kind != 0 }

// textStop marks the bytes that end strText's ASCII loop: those of strStop and the
// non-ASCII ones.
var textStop = func() (t [256]bool) {
	for c := range t {
		t[c] = c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf
	}
	return t
}()

// strStop marks the bytes that end the fast loop over a string's contents.
var strStop = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

func (p *scanner) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// peek returns the byte at p.i, 0 at the end.
func (p *scanner) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

// str consumes the string at p.i (a '"') and reports whether it holds escapes.
func (p *scanner) str() (esc, ok bool) {
	s, i := p.s, p.i+1
	for {
		for i < len(s) && !strStop[s[i]] {
			i++
		}
		if i >= len(s) {
			return false, false
		}
		switch c := s[i]; {
		case c == '"':
			p.i = i + 1
			return esc, true
		case c < 0x20:
			return false, false
		}
		// backslash
		esc = true
		i++
		if i >= len(s) {
			return false, false
		}
		switch s[i] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i++
		case 'u':
			if i+4 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) || !isHex(s[i+3]) || !isHex(s[i+4]) {
				return false, false
			}
			i += 5
		default:
			return false, false
		}
	}
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *scanner) number() bool {
	s, i := p.s, p.i
	if s[i] == '-' {
		i++
	}
	switch {
	case i >= len(s):
		return false
	case s[i] == '0':
		i++
	case s[i] >= '1' && s[i] <= '9':
		for i++; i < len(s) && isDigit(s[i]); i++ {
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		if i++; i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i++; i < len(s) && isDigit(s[i]); i++ {
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		if i++; i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i++; i < len(s) && isDigit(s[i]); i++ {
		}
	}
	p.i = i
	return true
}

func (p *scanner) literal(lit string) bool {
	if !strings.HasPrefix(p.s[p.i:], lit) {
		return false
	}
	p.i += len(lit)
	return true
}

// value consumes any value at p.i.
func (p *scanner) value() (value, bool) {
	v := value{start: p.i}
	ok := false
	switch c := p.peek(); c {
	case '"':
		v.kind = '"'
		v.esc, ok = p.str()
	case '{':
		v.kind = '{'
		ok = p.skipContainer('}')
	case '[':
		v.kind = '['
		ok = p.skipContainer(']')
	case 't':
		v.kind, ok = 't', p.literal("true")
	case 'f':
		v.kind, ok = 'f', p.literal("false")
	case 'n':
		v.kind, ok = 'n', p.literal("null")
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		v.kind, ok = '0', p.number()
	}
	v.end = p.i
	return v, ok
}

// skipContainer consumes the object or array at p.i.
func (p *scanner) skipContainer(close byte) bool {
	more, ok := p.open(close)
	for more && ok {
		if close == '}' {
			if _, ok = p.key(false); !ok {
				return false
			}
		}
		if _, ok = p.value(); !ok {
			return false
		}
		more, ok = p.next(close)
	}
	return ok
}

// open consumes the '{' or '[' at p.i and reports whether a member or element follows.
func (p *scanner) open(close byte) (more, ok bool) {
	p.i++
	p.ws()
	if p.peek() == close {
		p.i++
		return false, true
	}
	return true, true
}

// key consumes a member key and its colon, leaving p.i at the value. The key is
// unescaped as gjson does when want is set.
func (p *scanner) key(want bool) (string, bool) {
	if p.peek() != '"' {
		return "", false
	}
	start := p.i
	esc, ok := p.str()
	if !ok {
		return "", false
	}
	end := p.i - 1
	p.ws()
	if p.peek() != ':' {
		return "", false
	}
	p.i++
	p.ws()
	if !want {
		return "", true
	}
	if esc {
		return unescape(p.s[start : end+1]), true
	}
	return p.s[start+1 : end], true
}

// next consumes what follows a member or element: a comma (more follows) or close.
func (p *scanner) next(close byte) (more, ok bool) {
	p.ws()
	switch p.peek() {
	case ',':
		p.i++
		p.ws()
		return true, true
	case close:
		p.i++
		return false, true
	}
	return false, false
}

// strText consumes the string at p.i (a '"') like str, and also returns its contents
// unescaped (a substring of s when there is no escape) and the number of code points
// utf8.RuneCountInString would count in them. A string without escapes is read and
// counted in one loop: texts are most of a request, and each extra pass over them
// costs (more in wasm than natively). One with escapes is decoded by jsonscan, the
// repository's JSON string decoder.
func (p *scanner) strText() (v value, text string, runes int, ok bool) {
	s := p.s
	v = value{kind: '"', start: p.i}
	i := p.i + 1
	for {
		j := i
		for i < len(s) && !textStop[s[i]] {
			i++
		}
		runes += i - j
		if i >= len(s) {
			return v, "", 0, false
		}
		c := s[i]
		if c >= utf8.RuneSelf {
			// A sequence cannot run past the closing quote or a backslash (they are
			// not continuation bytes), so decoding here counts as the unescaped text
			// would.
			_, n := utf8.DecodeRuneInString(s[i:])
			i += n
			runes++
			continue
		}
		if c == '"' {
			p.i, v.end = i+1, i+1
			return v, s[v.start+1 : i], runes, true
		}
		if c < 0x20 {
			return v, "", 0, false
		}
		break // a backslash
	}
	esc, ok := p.str()
	if !ok {
		return v, "", 0, false
	}
	v.esc, v.end = esc, p.i
	p.buf, _ = jsonscan.AppendUnquote(p.buf[:0], s[v.start:v.end])
	return v, string(p.buf), utf8.RuneCount(p.buf), true
}

// text returns a string value's contents, unescaped (a substring of s when unescaped).
func (p *scanner) text(v value) string {
	if v.esc {
		return unescape(p.s[v.start:v.end])
	}
	return p.s[v.start+1 : v.end-1]
}

// unescape returns the contents of lit, a valid JSON string literal (quotes
// included), unescaped by jsonscan.
func unescape(lit string) string {
	text, _ := jsonscan.Unquote(lit)
	return text
}
