package jsonscan

import (
	"strconv"
	"strings"
	"unsafe"
)

// Raw returns node i's bytes as they are in the source.
func (t *Tape) Raw(i int) string { n := &t.Nodes[i]; return t.src[n.Start:n.End] }

// KeyRaw returns the key literal of member i, quotes included ("" when i is not a
// member).
func (t *Tape) KeyRaw(i int) string {
	n := &t.Nodes[i]
	if n.KeyStart < 0 {
		return ""
	}
	return t.src[n.KeyStart:n.KeyEnd]
}

// Key returns the unescaped key of member i ("" when i is not a member). It is a
// substring of the source, without allocating, when the key holds no escape.
func (t *Tape) Key(i int) string {
	n := &t.Nodes[i]
	if n.KeyStart < 0 {
		return ""
	}
	lit := t.src[n.KeyStart:n.KeyEnd]
	if n.Flags&KeyEscaped == 0 {
		return lit[1 : len(lit)-1]
	}
	return unquoteNew(lit)
}

// KeyIs reports whether member i's unescaped key is name, without allocating.
func (t *Tape) KeyIs(i int, name string) bool {
	n := &t.Nodes[i]
	if n.KeyStart < 0 {
		return false
	}
	lit := t.src[n.KeyStart:n.KeyEnd]
	if n.Flags&KeyEscaped == 0 {
		return len(lit) == len(name)+2 && lit[1:len(lit)-1] == name
	}
	return unquotedEquals(lit, name)
}

// Str returns the contents of string node i, unescaped: a substring of the source
// (no allocation) when it holds no escape. For other kinds it returns "".
func (t *Tape) Str(i int) string {
	n := &t.Nodes[i]
	if n.Kind != String {
		return ""
	}
	lit := t.src[n.Start:n.End]
	if n.Flags&Escaped == 0 {
		return lit[1 : len(lit)-1]
	}
	return unquoteNew(lit)
}

// unquoteNew decodes a valid literal into one new allocation (decoding never
// lengthens a literal), handed out as a string without a copy.
func unquoteNew(lit string) string {
	b := mustUnquote(make([]byte, 0, len(lit)), lit)
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// AppendStr appends the unescaped contents of string node i to dst.
func (t *Tape) AppendStr(dst []byte, i int) []byte {
	n := &t.Nodes[i]
	if n.Kind != String {
		return dst
	}
	lit := t.src[n.Start:n.End]
	if n.Flags&Escaped == 0 {
		return append(dst, lit[1:len(lit)-1]...)
	}
	return mustUnquote(dst, lit)
}

func mustUnquote(dst []byte, lit string) []byte {
	out, _ := AppendUnquote(dst, lit) // the scan validated lit
	return out
}

// First returns the index of container i's first member or element, or -1.
func (t *Tape) First(i int) int {
	if n := &t.Nodes[i]; (n.Kind == Object || n.Kind == Array) && int(n.Skip) > i+1 {
		return i + 1
	}
	return -1
}

// Next returns the index of the sibling after node i, or -1 after the last one.
func (t *Tape) Next(i int) int {
	n := &t.Nodes[i]
	if n.Parent < 0 {
		return -1
	}
	if next := n.Skip; next < t.Nodes[n.Parent].Skip {
		return int(next)
	}
	return -1
}

// Len returns the number of members or elements of container i (0 for scalars).
func (t *Tape) Len(i int) int {
	c := 0
	for j := t.First(i); j >= 0; j = t.Next(j) {
		c++
	}
	return c
}

// Member returns the index of the first member of object i whose unescaped key is
// name, or -1 (also when i is not an object).
func (t *Tape) Member(i int, name string) int {
	if t.Nodes[i].Kind != Object {
		return -1
	}
	// KeyIs inlined with its length test first: most keys of an object differ from
	// name in length, and in the VM every call and string comparison is dear.
	want := int32(len(name) + 2)
	for j := t.First(i); j >= 0; j = t.Next(j) {
		n := &t.Nodes[j]
		if n.Flags&KeyEscaped != 0 {
			if t.KeyIs(j, name) {
				return j
			}
			continue
		}
		if n.KeyEnd-n.KeyStart == want && t.src[n.KeyStart+1:n.KeyEnd-1] == name {
			return j
		}
	}
	return -1
}

// Elem returns the index of element k of array i, or -1.
func (t *Tape) Elem(i, k int) int {
	if t.Nodes[i].Kind != Array {
		return -1
	}
	for j := t.First(i); j >= 0; j = t.Next(j) {
		if int(t.Nodes[j].Index) == k {
			return j
		}
	}
	return -1
}

// Int returns number node i as an int64 when it is an integer that fits (also
// "100.0" or "1e3", integral values written as floats); ok is false otherwise.
func (t *Tape) Int(i int) (v int64, ok bool) {
	n := &t.Nodes[i]
	if n.Kind != Number {
		return 0, false
	}
	raw := t.src[n.Start:n.End]
	if v, err := strconv.ParseInt(raw, 10, 64); err == nil {
		return v, true
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || f != float64(int64(f)) || f >= 1<<63 || f < -(1<<63) {
		return 0, false
	}
	return int64(f), true
}

// Float returns number node i as a float64 (±Inf when out of range).
func (t *Tape) Float(i int) float64 {
	f, _ := strconv.ParseFloat(t.Raw(i), 64)
	return f
}

// Path names node i for error messages as sjson/gjson paths do: member keys and
// array indices joined by '.', e.g. "messages.2.content.0.text" ("" for the root).
// Dots, '*', '?' and '\' in keys are escaped with '\'.
func (t *Tape) Path(i int) string {
	var parts []string
	for j := i; j >= 0 && t.Nodes[j].Parent >= 0; j = int(t.Nodes[j].Parent) {
		n := &t.Nodes[j]
		if n.KeyStart >= 0 {
			parts = append(parts, escapePathKey(t.Key(j)))
		} else {
			parts = append(parts, strconv.Itoa(int(n.Index)))
		}
	}
	var b strings.Builder
	for k := len(parts) - 1; k >= 0; k-- {
		b.WriteString(parts[k])
		if k > 0 {
			b.WriteByte('.')
		}
	}
	return b.String()
}

func escapePathKey(k string) string {
	if !strings.ContainsAny(k, `.*?\`) {
		return k
	}
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		if c := k[i]; c == '.' || c == '*' || c == '?' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(k[i])
	}
	return b.String()
}
