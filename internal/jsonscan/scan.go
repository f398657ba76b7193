// Package jsonscan validates JSON and records its structure on a tape, in one
// iterative pass with no recursion, so that untrusted bodies of any nesting cost
// bounded stack and callers can walk objects and arrays, look members up and
// splice edits at known byte offsets without scanning again.
//
// The grammar is RFC 8259's, exactly as encoding/json.Valid and gjson.Valid accept
// it: bytes ≥ 0x80 inside strings are not checked as UTF-8 (both accept them).
//
// The package also holds the repository's JSON string decoder (AppendUnquote,
// Unquote) and the key folding used to find keys that a case-insensitive decoder
// would read as the same (AppendFold, EqualFold).
package jsonscan

import (
	"math/bits"
	"strconv"
	"sync"
	"unsafe"

	"github.com/egressguard/egressguard/internal/swar"
)

// Kind is the type of a JSON value.
type Kind uint8

// Kinds of values. The zero Kind is no value.
const (
	Object Kind = iota + 1
	Array
	String
	Number
	True
	False
	Null
)

// String names the kind as error messages do ("an object", "a string", …).
func (k Kind) String() string {
	switch k {
	case Object:
		return "an object"
	case Array:
		return "an array"
	case String:
		return "a string"
	case Number:
		return "a number"
	case True, False:
		return "a boolean"
	case Null:
		return "null"
	}
	return "nothing"
}

// Node flags.
const (
	// Escaped marks a string value that holds escape sequences: its contents differ
	// from its raw bytes.
	Escaped uint8 = 1 << iota
	// KeyEscaped marks an object member whose key holds escape sequences.
	KeyEscaped
)

// Node is one value on the tape. Nodes are in document order, so a container's
// descendants follow it, up to Skip.
type Node struct {
	Start, End       int32 // the value's bytes: src[Start:End] (quotes and brackets included)
	KeyStart, KeyEnd int32 // an object member's key literal, quotes included; -1 otherwise
	Parent           int32 // the enclosing container's index; -1 for the root
	Skip             int32 // the index just past this node's subtree (the next sibling, if any)
	Depth            int32 // containers enclosing the value: 0 for the root
	Index            int32 // position among the parent's members or elements
	Kind             Kind
	Flags            uint8
}

// IsMember reports whether the node is the value of an object member.
func (n *Node) IsMember() bool { return n.KeyStart >= 0 }

// ErrorKind says what made a scan fail.
type ErrorKind uint8

// Error kinds.
const (
	ErrSyntax  ErrorKind = iota + 1 // not valid JSON
	ErrTooDeep                      // valid so far, but nested deeper than the limit
	ErrTooLong                      // the input is too large for a tape's 32-bit offsets
)

// Error is a scan failure and the byte offset where it was detected.
type Error struct {
	Kind   ErrorKind
	Offset int    // byte offset in the input
	Detail string // what was wrong, e.g. "unterminated string"
	Limit  int    // the depth limit, for ErrTooDeep
}

func (e *Error) Error() string {
	if e.Kind == ErrTooDeep {
		return "JSON nested deeper than " + strconv.Itoa(e.Limit) + " levels at byte " + strconv.Itoa(e.Offset)
	}
	return "invalid JSON at byte " + strconv.Itoa(e.Offset) + ": " + e.Detail
}

// MaxInput is the largest input a tape can describe.
const MaxInput = 1<<31 - 1

// Tape is the structure of one JSON text. The zero Tape is ready to use; Scan
// resets it, so one Tape serves request after request without allocating once its
// node slice has grown to the documents' size.
type Tape struct {
	Nodes []Node
	src   string
	err   Error
}

var pool = sync.Pool{New: func() any { return new(Tape) }}

// Get returns a Tape from a pool shared by the process; Release gives it back.
func Get() *Tape { return pool.Get().(*Tape) }

// maxPooledNodes bounds what a pooled tape keeps: one huge document must not pin
// its tape's memory for the life of the process.
const maxPooledNodes = 1 << 16

// Release returns the tape to the pool. Nothing obtained from it may be used after.
func (t *Tape) Release() {
	if cap(t.Nodes) > maxPooledNodes {
		t.Nodes = nil
	}
	t.Nodes, t.src = t.Nodes[:0], ""
	pool.Put(t)
}

// Src returns the scanned text.
func (t *Tape) Src() string { return t.src }

// ScanString scans src; see Scan.
func (t *Tape) ScanString(src string, maxDepth int) *Error {
	t.Nodes, t.src = t.Nodes[:0], src
	if len(src) > MaxInput {
		return t.fail(ErrTooLong, 0, "input larger than 2 GiB")
	}
	return t.scan(maxDepth)
}

// Scan validates src and fills the tape with its values. maxDepth > 0 bounds the
// nesting of containers (the root object or array is level 1); a deeper container
// fails the scan with ErrTooDeep at its opening byte. On failure the tape's nodes
// describe nothing useful and the *Error, which stays valid until the next scan,
// names the offset.
//
// The tape refers to src without copying it: src must not be modified while the
// tape, or any string obtained from it, is in use.
func (t *Tape) Scan(src []byte, maxDepth int) *Error {
	return t.ScanString(unsafe.String(unsafe.SliceData(src), len(src)), maxDepth)
}

func (t *Tape) fail(k ErrorKind, off int, detail string) *Error {
	t.err = Error{Kind: k, Offset: off, Detail: detail}
	return &t.err
}

// strStop marks the bytes that end the fast loop over a string's contents (1): a
// quote, a backslash or a control byte.
var strStop = func() (s [256]uint8) {
	for c := 0; c < 0x20; c++ {
		s[c] = 1
	}
	s['"'], s['\\'] = 1, 1
	return s
}()

// Eight-byte masks (SWAR) for strRun: for eight bytes x, stopMask(x) has bit 7 set in
// the first byte that is a quote, a backslash or below 0x20 (bytes after it may be
// marked too, by a borrow, but never a byte before it).
const (
	swarQuote = '"' * swar.Ones
	swarBack  = '\\' * swar.Ones
	swarCtl   = 0x20 * swar.Ones
)

func stopMask(x uint64) uint64 {
	q, b := x^swarQuote, x^swarBack
	return ((x-swarCtl)&^x | (q-swar.Ones)&^q | (b-swar.Ones)&^b) & swar.High
}

// strRun returns the offset of the first byte at or after i that ends a string's
// plain run (a quote, a backslash or a control byte), or len(s). It tests eight
// bytes per step with one load and a few word operations: in Go's wasm output a
// byte load and a table lookup per byte cost several times more.
func strRun(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		if m := stopMask(swar.Load8(s, i)); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < len(s) && strStop[s[i]] == 0 {
		i++
	}
	return i
}

// wsTab marks JSON whitespace.
var wsTab = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

func skipWS(s string, i int) int {
	for i < len(s) && wsTab[s[i]] {
		i++
	}
	return i
}

// scan is the state machine: a value is expected at i; after each value the
// enclosing container (cur) decides what may follow. Open containers are linked by
// their Parent indices, so no stack is needed beyond the tape itself. While a
// container is open its Skip counts its children (the next child's Index).
func (t *Tape) scan(maxDepth int) *Error {
	s := t.src
	i := skipWS(s, 0)
	cur := int32(-1)
	depth := int32(0)
	keyStart, keyEnd := int32(-1), int32(-1)
	keyEsc := false
	for {
		// a value at i
		if i >= len(s) {
			return t.fail(ErrSyntax, i, "unexpected end of input, expected a value")
		}
		n := Node{Start: int32(i), KeyStart: keyStart, KeyEnd: keyEnd, Parent: cur, Depth: depth}
		if keyEsc {
			n.Flags = KeyEscaped
		}
		if cur >= 0 {
			n.Index = t.Nodes[cur].Skip
			t.Nodes[cur].Skip++
		}
		c := s[i]
		switch {
		case c == '{' || c == '[':
			if maxDepth > 0 && int(depth) >= maxDepth {
				t.err = Error{Kind: ErrTooDeep, Offset: i, Limit: maxDepth, Detail: "nested too deep"}
				return &t.err
			}
			n.Kind = Object
			closer := byte('}')
			if c == '[' {
				n.Kind, closer = Array, ']'
			}
			t.Nodes = append(t.Nodes, n)
			cur, depth = int32(len(t.Nodes)-1), depth+1
			t.Nodes[cur].Skip = 0
			i = skipWS(s, i+1)
			if i < len(s) && s[i] == closer {
				i = t.close(cur, i)
				cur, depth = t.Nodes[cur].Parent, depth-1
				break // to what follows a value
			}
			if n.Kind == Object {
				var err *Error
				if i, keyStart, keyEnd, keyEsc, err = t.key(i); err != nil {
					return err
				}
			} else {
				keyStart, keyEnd, keyEsc = -1, -1, false
			}
			continue
		case c == '"':
			end, esc, err := t.str(i)
			if err != nil {
				return err
			}
			n.Kind, n.End, i = String, int32(end), end
			if esc {
				n.Flags |= Escaped
			}
		case c == '-' || (c >= '0' && c <= '9'):
			end, err := t.number(i)
			if err != nil {
				return err
			}
			n.Kind, n.End, i = Number, int32(end), end
		case c == 't':
			n.Kind, i = True, i+4
			if len(s) < i || s[i-4:i] != "true" {
				return t.fail(ErrSyntax, int(n.Start), "invalid literal, expected true")
			}
			n.End = int32(i)
		case c == 'f':
			n.Kind, i = False, i+5
			if len(s) < i || s[i-5:i] != "false" {
				return t.fail(ErrSyntax, int(n.Start), "invalid literal, expected false")
			}
			n.End = int32(i)
		case c == 'n':
			n.Kind, i = Null, i+4
			if len(s) < i || s[i-4:i] != "null" {
				return t.fail(ErrSyntax, int(n.Start), "invalid literal, expected null")
			}
			n.End = int32(i)
		default:
			return t.fail(ErrSyntax, i, "unexpected "+quoteByte(c)+", expected a value")
		}
		if n.Kind != Object && n.Kind != Array {
			n.Skip = int32(len(t.Nodes) + 1)
			t.Nodes = append(t.Nodes, n)
		}
		// what follows a value: a comma, the closer of cur, or the end
		for {
			i = skipWS(s, i)
			if cur < 0 {
				if i != len(s) {
					return t.fail(ErrSyntax, i, "unexpected "+quoteByte(s[i])+" after the top-level value")
				}
				return nil
			}
			if i >= len(s) {
				return t.fail(ErrSyntax, i, "unexpected end of input, expected ',' or a closing bracket")
			}
			obj := t.Nodes[cur].Kind == Object
			closer := byte(']')
			if obj {
				closer = '}'
			}
			if s[i] == closer {
				i = t.close(cur, i)
				cur, depth = t.Nodes[cur].Parent, depth-1
				continue
			}
			if s[i] != ',' {
				return t.fail(ErrSyntax, i, "unexpected "+quoteByte(s[i])+", expected ',' or "+quoteByte(closer))
			}
			i = skipWS(s, i+1)
			if obj {
				var err *Error
				if i, keyStart, keyEnd, keyEsc, err = t.key(i); err != nil {
					return err
				}
			} else {
				keyStart, keyEnd, keyEsc = -1, -1, false
			}
			break
		}
	}
}

// close ends container c at its closing byte i and returns the offset after it.
func (t *Tape) close(c int32, i int) int {
	t.Nodes[c].End = int32(i + 1)
	t.Nodes[c].Skip = int32(len(t.Nodes))
	return i + 1
}

// key reads a member key and its colon at i, returning the offset of the value.
func (t *Tape) key(i int) (next int, start, end int32, esc bool, err *Error) {
	s := t.src
	if i >= len(s) {
		return 0, 0, 0, false, t.fail(ErrSyntax, i, "unexpected end of input, expected a member key")
	}
	if s[i] != '"' {
		return 0, 0, 0, false, t.fail(ErrSyntax, i, "unexpected "+quoteByte(s[i])+", expected a member key")
	}
	e, esc, err := t.str(i)
	if err != nil {
		return 0, 0, 0, false, err
	}
	j := skipWS(s, e)
	if j >= len(s) || s[j] != ':' {
		if j >= len(s) {
			return 0, 0, 0, false, t.fail(ErrSyntax, j, "unexpected end of input, expected ':'")
		}
		return 0, 0, 0, false, t.fail(ErrSyntax, j, "unexpected "+quoteByte(s[j])+", expected ':'")
	}
	return skipWS(s, j+1), int32(i), int32(e), esc, nil
}

// str validates the string literal at i (a '"') and returns the offset after it.
func (t *Tape) str(i int) (end int, esc bool, err *Error) {
	s := t.src
	start := i
	i++
	for {
		// strRun, inlined: a call per string costs more than a short key's bytes
		for ; i+8 <= len(s); i += 8 {
			if m := stopMask(swar.Load8(s, i)); m != 0 {
				i += bits.TrailingZeros64(m) >> 3 // a stop byte: the loop below ends at once
				break
			}
		}
		for i < len(s) && strStop[s[i]] == 0 {
			i++
		}
		if i >= len(s) {
			return 0, false, t.fail(ErrSyntax, start, "unterminated string")
		}
		switch c := s[i]; {
		case c == '"':
			return i + 1, esc, nil
		case c < 0x20:
			return 0, false, t.fail(ErrSyntax, i, "control character "+quoteByte(c)+" in string")
		}
		esc = true
		if i+1 >= len(s) {
			return 0, false, t.fail(ErrSyntax, i, "unterminated escape sequence")
		}
		switch s[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i += 2
		case 'u':
			if i+6 > len(s) || !isHex(s[i+2]) || !isHex(s[i+3]) || !isHex(s[i+4]) || !isHex(s[i+5]) {
				return 0, false, t.fail(ErrSyntax, i, "invalid \\u escape")
			}
			i += 6
		default:
			return 0, false, t.fail(ErrSyntax, i, "invalid escape "+quoteByte(s[i+1]))
		}
	}
}

// number validates the number at i and returns the offset after it.
func (t *Tape) number(i int) (int, *Error) {
	s, start := t.src, i
	if s[i] == '-' {
		i++
	}
	switch {
	case i >= len(s):
		return 0, t.fail(ErrSyntax, start, "invalid number")
	case s[i] == '0':
		i++
	case s[i] >= '1' && s[i] <= '9':
		for i++; i < len(s) && isDigit(s[i]); i++ {
		}
	default:
		return 0, t.fail(ErrSyntax, start, "invalid number")
	}
	if i < len(s) && s[i] == '.' {
		if i++; i >= len(s) || !isDigit(s[i]) {
			return 0, t.fail(ErrSyntax, start, "invalid number")
		}
		for i++; i < len(s) && isDigit(s[i]); i++ {
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		if i++; i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return 0, t.fail(ErrSyntax, start, "invalid number")
		}
		for i++; i < len(s) && isDigit(s[i]); i++ {
		}
	}
	return i, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(rune(c)) + "'"
	}
	return "byte 0x" + strconv.FormatUint(uint64(c), 16)
}
