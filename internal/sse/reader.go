// Package sse reads and writes server-sent event streams (text/event-stream) as the
// WHATWG HTML specification defines them ("9.2 Server-sent events"): lines end with
// LF, CR or CRLF; a line starting with ':' is a comment; "event", "data", "id" and
// "retry" are the fields; several data lines join with '\n'; a blank line ends an
// event; one leading byte-order mark is ignored.
//
// The Reader is fed network chunks cut anywhere (inside a line, a CRLF pair or the
// BOM) and reports each event once it is complete, with the exact bytes it came
// from (Event.Raw), so that a caller can pass an event on unchanged byte for byte
// or rewrite it with the writer functions (AppendEvent, AppendRewrite). The bytes
// held for an incomplete event are bounded (Reader.Max): a longer event is an
// error, never passed on in part.
package sse

import (
	"bytes"
	"errors"
	"strconv"
)

// DefaultMax is the largest event (bytes, framing included) a Reader accepts when
// Reader.Max is 0.
const DefaultMax = 4 << 20

// ErrTooLarge reports an event longer than Reader.Max. The reader stops: nothing
// of that event or after it is reported.
var ErrTooLarge = errors.New("sse: event larger than the limit")

// Event is one event: the lines up to and including the blank line that ends it.
// A run of lines without a data field (comments only, or a lone blank line) is an
// event too, with HasData false: clients dispatch nothing for it, but its bytes
// still go to them. Slices alias the reader's buffers or the fed chunk and are valid
// only until the callback returns.
type Event struct {
	// Raw is the event's bytes as received, blank line included. Concatenating the
	// Raw of every event reported gives back the input exactly.
	Raw []byte
	// Data is the values of the data fields joined by '\n' (nil without any).
	Data    []byte
	HasData bool
	// Name is the value of the last "event" field (nil without one: "message").
	Name []byte
	// ID is the value of the last "id" field without a NUL byte.
	ID    []byte
	HasID bool
	// Retry is the last "retry" field made of ASCII digits only (-1 without one).
	Retry int
	// Comments, Unknown and Fields count the comment lines, the lines with a field
	// name other than event, data, id and retry, and all non-blank lines.
	Comments, Unknown, Fields int
	// DataLines is the number of data fields; when it is 1 the value is
	// Raw[DataStart:DataEnd], which a rewrite can replace in place.
	DataLines          int
	DataStart, DataEnd int
	// Ended is false for an event cut off by the end of the stream (Close).
	Ended bool
	// BOM is set when Raw starts with the stream's byte-order mark (not part of
	// any line).
	BOM bool
}

// Reader splits a stream into events. The zero Reader is ready to use; it is not
// safe for concurrent use.
type Reader struct {
	// Max bounds the bytes of one event (0: DefaultMax).
	Max int

	buf     []byte // bytes of the pending event, when it spans chunks
	data    []byte // scratch for joined data lines
	inLine  bool   // the current line has content
	afterCR bool   // the last byte was a CR ending a line
	blankCR bool   // the pending event ended with a CR at the end of a chunk: an LF may follow
	sawCR   bool   // the pending event's bytes may hold a CR
	bom     int    // BOM bytes matched at the start of the stream; -1 when done
	bomIn   bool   // a whole BOM was matched and the event holding it is not parsed yet
	err     error
	ev      Event
}

var bom = [3]byte{0xEF, 0xBB, 0xBF}

// Err returns ErrTooLarge once an event overflowed, else nil.
func (r *Reader) Err() error { return r.err }

// Pending returns the number of bytes held for an incomplete event.
func (r *Reader) Pending() int { return len(r.buf) }

func (r *Reader) max() int {
	if r.Max > 0 {
		return r.Max
	}
	return DefaultMax
}

// Feed consumes a chunk and calls emit for every event it completes, in order.
// After an error it does nothing and returns the error again.
func (r *Reader) Feed(chunk []byte, emit func(*Event)) error {
	if r.err != nil {
		return r.err
	}
	if r.blankCR && len(chunk) > 0 {
		// the event ended with a CR at the end of the last chunk; an LF completes it
		r.blankCR, r.afterCR = false, false
		end := 0
		if chunk[0] == '\n' {
			end = 1
		}
		r.buf = append(r.buf, chunk[:end]...)
		if r.done(r.buf, emit, true) != nil {
			return r.err
		}
		chunk = chunk[end:]
	}
	cr := bytes.IndexByte(chunk, '\r') >= 0 // else lines end at LF only: the fast path
	for len(chunk) > 0 {
		end := r.scan(chunk, cr)
		if end < 0 {
			if len(r.buf)+len(chunk) > r.max() {
				r.fail()
				return r.err
			}
			r.buf = append(r.buf, chunk...)
			r.sawCR = r.sawCR || cr
			return nil
		}
		// the event ends at chunk[end-1]; a CRLF completes it when the LF is here
		if chunk[end-1] == '\r' {
			if end == len(chunk) {
				r.blankCR = true // wait for the next byte
				if len(r.buf)+len(chunk) > r.max() {
					r.fail()
					return r.err
				}
				r.buf = append(r.buf, chunk...)
				r.sawCR = true
				return nil
			}
			if chunk[end] == '\n' {
				end++
				r.afterCR = false
			}
		}
		raw := chunk[:end]
		if len(r.buf) > 0 {
			r.buf = append(r.buf, raw...)
			raw = r.buf
		}
		if r.done(raw, emit, cr || r.sawCR) != nil {
			return r.err
		}
		r.sawCR = false
		chunk = chunk[end:]
	}
	return nil
}

// done reports the complete event raw; cr says it may hold a CR.
func (r *Reader) done(raw []byte, emit func(*Event), cr bool) error {
	if len(raw) > r.max() {
		r.fail()
		return r.err
	}
	r.parseLines(raw, true, cr)
	emit(&r.ev)
	r.buf = r.buf[:0]
	return nil
}

func (r *Reader) fail() {
	r.err = ErrTooLarge
	r.buf = nil
}

// Close ends the stream: an event cut off without its blank line is reported with
// Ended false (clients differ on whether they use it; its bytes are reported so the
// caller can decide what to pass on).
func (r *Reader) Close(emit func(*Event)) error {
	if r.err != nil {
		return r.err
	}
	if len(r.buf) > 0 {
		r.parseLines(r.buf, r.blankCR, true)
		emit(&r.ev)
		r.buf = r.buf[:0]
	}
	r.inLine, r.afterCR, r.blankCR = false, false, false
	return nil
}

// scan advances the line state over chunk and returns the offset just past the
// terminator of the blank line that ends the pending event, or -1.
func (r *Reader) scan(chunk []byte, cr bool) int {
	i := 0
	if r.bom >= 0 && r.bom < 3 {
		for i < len(chunk) && r.bom < 3 {
			if chunk[i] != bom[r.bom] {
				if r.bom > 0 {
					r.inLine = true // a partial BOM is content
				}
				r.bom = -1
				break
			}
			r.bom++
			i++
		}
		if r.bom == 3 {
			r.bom, r.bomIn = -1, true
		}
		if i == len(chunk) {
			return -1
		}
	}
	if !r.afterCR && !cr {
		// LF-only fast path: find "\n" ending an empty line
		for {
			j := bytes.IndexByte(chunk[i:], '\n')
			if j < 0 {
				if i < len(chunk) {
					r.inLine = true
				}
				return -1
			}
			if j > 0 {
				r.inLine = true
			}
			if !r.inLine {
				return i + j + 1
			}
			r.inLine = false
			i += j + 1
		}
	}
	for ; i < len(chunk); i++ {
		switch c := chunk[i]; c {
		case '\n', '\r':
			if c == '\n' && r.afterCR {
				r.afterCR = false
				continue
			}
			r.afterCR = c == '\r'
			if !r.inLine {
				return i + 1
			}
			r.inLine = false
		default:
			r.inLine, r.afterCR = true, false
		}
	}
	return -1
}

// parseLines fills r.ev from the complete event raw; without cr, lines end at LF only.
func (r *Reader) parseLines(raw []byte, ended, cr bool) {
	r.ev = Event{Raw: raw, Retry: -1, Ended: ended, DataStart: -1, DataEnd: -1}
	ev := &r.ev
	s := raw
	off := 0
	if r.bomIn {
		r.bomIn, off, ev.BOM = false, 3, true
	}
	r.data = r.data[:0]
	for off < len(s) {
		var line []byte
		var next int
		if cr {
			line, next = lineAt(s, off)
		} else if j := bytes.IndexByte(s[off:], '\n'); j >= 0 {
			line, next = s[off:off+j], off+j+1
		} else {
			line, next = s[off:], len(s)
		}
		if len(line) > 0 {
			r.field(line, off)
		}
		off = next
	}
	if ev.DataLines > 1 {
		ev.Data = r.data
	}
}

// lineAt returns the line starting at off (without its terminator) and the offset
// of the next line.
func lineAt(s []byte, off int) (line []byte, next int) {
	rest := s[off:]
	j := bytes.IndexByte(rest, '\n')
	if j < 0 {
		j = len(rest)
	}
	if k := bytes.IndexByte(rest[:j], '\r'); k >= 0 {
		j = k
	}
	j += off
	line = s[off:j]
	if j < len(s) {
		if s[j] == '\r' && j+1 < len(s) && s[j+1] == '\n' {
			j++
		}
		j++
	}
	return line, j
}

// field records one non-blank line that starts at offset off of the event.
func (r *Reader) field(line []byte, off int) {
	ev := &r.ev
	ev.Fields++
	if line[0] == ':' {
		ev.Comments++
		return
	}
	name, value, vs := SplitField(line)
	switch string(name) {
	case "data":
		ev.DataLines++
		if ev.DataLines == 1 {
			ev.Data, ev.HasData = value, true
			ev.DataStart, ev.DataEnd = off+vs, off+vs+len(value)
			return
		}
		if ev.DataLines == 2 {
			r.data = append(r.data[:0], ev.Data...)
			ev.DataStart, ev.DataEnd = -1, -1
		}
		r.data = append(append(r.data, '\n'), value...)
	case "event":
		ev.Name = value
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			ev.ID, ev.HasID = value, true
		}
	case "retry":
		if n, err := strconv.Atoi(string(value)); err == nil && n >= 0 && allDigits(value) {
			ev.Retry = n
		}
	default:
		ev.Unknown++
	}
}

// SplitField splits a non-comment line into its field name and value (one space
// after the colon removed); vs is the value's offset in line.
func SplitField(line []byte) (name, value []byte, vs int) {
	i := bytes.IndexByte(line, ':')
	if i < 0 {
		return line, nil, len(line)
	}
	vs = i + 1
	if vs < len(line) && line[vs] == ' ' {
		vs++
	}
	return line[:i], line[vs:], vs
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// Lines calls f for each line of raw with its terminator ("" for a last line
// without one), in order; blank lines included.
func Lines(raw []byte, f func(line, eol []byte)) {
	for off := 0; off < len(raw); {
		line, next := lineAt(raw, off)
		f(line, raw[off+len(line):next])
		off = next
	}
}
