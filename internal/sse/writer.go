package sse

import "strings"

// AppendEvent appends a new event: an "event" line when name is not empty, data as
// one data line per line of data (split at LF, CR or CRLF), and the blank line.
func AppendEvent(dst []byte, name, data string) []byte {
	if name != "" {
		dst = append(append(append(dst, "event: "...), name...), '\n')
	}
	dst = appendDataLines(dst, data, "\n")
	return append(dst, '\n')
}

// appendDataLines appends "data: " lines for data, each ended by eol.
func appendDataLines(dst []byte, data, eol string) []byte {
	for {
		i, next := lineEnd(data)
		dst = append(append(append(dst, "data: "...), data[:i]...), eol...)
		if next < 0 {
			return dst
		}
		data = data[next:]
	}
}

// lineEnd returns the end of the first line of s and the start of the next (-1 when
// the first line is the last).
func lineEnd(s string) (end, next int) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			return i, i + 1
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				return i, i + 2
			}
			return i, i + 1
		}
	}
	return len(s), -1
}

// AppendReplaced appends ev, which has one data line, with that line's value
// replaced by data, a single line (the caller guarantees it holds no LF or CR).
func AppendReplaced(dst []byte, ev *Event, data []byte) []byte {
	dst = append(dst, ev.Raw[:ev.DataStart]...)
	dst = append(dst, data...)
	return append(dst, ev.Raw[ev.DataEnd:]...)
}

// LineFunc rewrites a comment line or a line with an unknown field (given without
// its terminator) by appending its replacement to dst; the replacement must not
// contain a line terminator.
type LineFunc func(dst, line []byte) []byte

// AppendRewrite appends ev with its data replaced by data and its comment and
// unknown-field lines passed through fn (nil: unchanged). Every other byte is
// kept: field order, the event and id lines, line terminators, the BOM and the
// blank line (or its absence for an event cut off by the end of the stream). When
// ev has one data line and data is a single line, only the value is replaced;
// otherwise the data lines are written at the place of the first one, with its
// terminator. An event without data gets its data lines before the blank line.
func AppendRewrite(dst []byte, ev *Event, data string, fn LineFunc) []byte {
	if ev.DataLines == 1 && (fn == nil || ev.Comments+ev.Unknown == 0) && !hasEOL(data) {
		dst = append(dst, ev.Raw[:ev.DataStart]...)
		dst = append(dst, data...)
		return append(dst, ev.Raw[ev.DataEnd:]...)
	}
	same := data == string(ev.Data) && (ev.HasData || data == "")
	if same && fn == nil {
		return append(dst, ev.Raw...)
	}
	raw := ev.Raw
	wrote := false
	off := 0
	if ev.BOM {
		dst, off = append(dst, raw[:3]...), 3
	}
	for off < len(raw) {
		line, next := lineAt(raw, off)
		eol := raw[off+len(line) : next]
		off = next
		switch {
		case len(line) == 0:
			if !wrote && ev.DataLines == 0 && data != "" {
				dst = appendDataLines(dst, data, eolOr(eol))
				wrote = true
			}
			dst = append(dst, eol...)
			continue
		case isDataLine(line):
			if same {
				dst = append(dst, line...)
				break
			}
			if !wrote {
				dst = appendDataLines(dst, data, eolOr(eol))
				wrote = true
			}
			continue
		case fn != nil && (line[0] == ':' || !knownField(line)):
			dst = fn(dst, line)
		default:
			dst = append(dst, line...)
		}
		dst = append(dst, eol...)
	}
	if !wrote && ev.DataLines == 0 && data != "" {
		dst = appendDataLines(dst, data, "\n")
	}
	return dst
}

func eolOr(eol []byte) string {
	if len(eol) == 0 {
		return "\n"
	}
	return string(eol)
}

func hasEOL(s string) bool {
	return strings.IndexByte(s, '\n') >= 0 || strings.IndexByte(s, '\r') >= 0
}

func isDataLine(line []byte) bool {
	name, _, _ := SplitField(line)
	return line[0] != ':' && string(name) == "data"
}

func knownField(line []byte) bool {
	name, _, _ := SplitField(line)
	switch string(name) {
	case "data", "event", "id", "retry":
		return true
	}
	return false
}
