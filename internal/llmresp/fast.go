package llmresp

import (
	"bytes"
	"unsafe"

	"github.com/egressguard/egressguard/internal/jsonscan"
	"github.com/egressguard/egressguard/internal/jsonstr"
	"github.com/egressguard/egressguard/internal/sse"
)

// fastEvent is the shape of the last event that carried one streamed piece and
// nothing else to redact: the usual delta of every API's stream. Upstreams repeat
// the same envelope in every delta, changing only the piece and a few values that
// do not decide anything (a sequence number, a timestamp, random padding), so the
// next event is usually the same bytes apart from those values: then it has the
// same structure, the same texts and the same inert strings, and the walk's result
// carries over. Checking that compares the constant bytes and lexes the varying
// values, where a scan and a walk cost several microseconds per event in wasm.
//
// Values that decide how strings are read never vary in a shape: "type" and the
// other discriminators, and the indices that name texts (index, output_index,
// content_index, summary_index), are constant bytes.
type fastEvent struct {
	ok         bool
	data, name []byte
	vars       []fastVar  // the varying values, in order, in data's coordinates
	piece      int        // index of the piece in vars
	edits      []fastEdit // other edits (a "usage":null removal), within constant bytes
	lp         fastEdit   // the event's logprobs array (n -1: none), for built events
	node       int        // set by onStream: the piece of the event being walked
	st         *streamState
	c          class
	seg        []int    // scratch: where each run of constant bytes starts in the new event
	span       [][2]int // scratch: the new event's varying values
}

// fastVar is a varying value: a number or a string literal.
type fastVar struct {
	start, end int
	num        bool
}

// fastEdit replaces n bytes at offset off of constant run seg.
type fastEdit struct {
	seg, off, n int
	raw         []byte
}

// constString reports whether a member's string value stays constant bytes in a
// shape: the values the model's reading depends on.
func constString(k string) bool {
	switch k {
	case "type", "object", "role", "finish_reason", "stop_reason", "status":
		return true
	}
	return false
}

// constNumber reports whether a member's number stays constant bytes: the indices
// that name texts.
func constNumber(k string) bool {
	switch k {
	case "index", "output_index", "content_index", "summary_index":
		return true
	}
	return false
}

// learn records the event just walked as the shape to match, when it qualifies.
func (x *transformer) learn(ev *sse.Event) {
	f := &x.fast
	f.ok = false
	w := x.w
	t := w.t
	if x.fastOff || x.pieces != 1 || w.others != 0 || f.c.token || x.closedAny ||
		ev.DataLines != 1 || ev.Comments+ev.Unknown != 0 || x.cl.all {
		return
	}
	if u := lastMember(t, 0, "usage"); u >= 0 && t.Nodes[u].Kind != jsonscan.Null {
		return
	}
	f.vars, f.piece = f.vars[:0], -1
	for i := range t.Nodes {
		n := &t.Nodes[i]
		switch {
		case i == f.node:
			f.piece = len(f.vars)
		case n.Kind == jsonscan.String && n.IsMember() && !constString(t.Key(i)):
		case n.Kind == jsonscan.Number && n.IsMember() && !constNumber(t.Key(i)):
			f.vars = append(f.vars, fastVar{int(n.Start), int(n.End), true})
			continue
		default:
			continue
		}
		f.vars = append(f.vars, fastVar{int(n.Start), int(n.End), false})
	}
	f.edits = f.edits[:0]
	for _, e := range w.edits {
		if e.start == f.vars[f.piece].start {
			continue
		}
		k, ok := f.segOf(e.start, e.end)
		if !ok {
			return
		}
		start := 0
		if k > 0 {
			start = f.vars[k-1].end
		}
		f.edits = append(f.edits, fastEdit{k, e.start - start, e.end - e.start, bytes.Clone(w.arena[e.rs:e.re])})
	}
	f.lp.n = -1
	if st := f.st; st.lpStart >= 0 && st.tmpl != nil {
		k, ok := f.segOf(st.lpStart, st.lpEnd)
		if !ok {
			return
		}
		start := 0
		if k > 0 {
			start = f.vars[k-1].end
		}
		f.lp = fastEdit{k, st.lpStart - start, st.lpEnd - st.lpStart, nil}
	}
	f.data = append(f.data[:0], ev.Data...)
	f.name = append(f.name[:0], ev.Name...)
	f.ok = true
}

// segOf returns the run of constant bytes holding [start, end).
func (f *fastEvent) segOf(start, end int) (int, bool) {
	lo := 0
	for k, v := range f.vars {
		if end <= v.start {
			return k, start >= lo
		}
		lo = v.end
	}
	return len(f.vars), start >= lo
}

// fastPath handles an event of the learnt shape; false, having done nothing, for
// any other event.
func (x *transformer) fastPath(ev *sse.Event) bool {
	f := &x.fast
	if !f.ok || ev.DataLines != 1 || ev.Comments+ev.Unknown != 0 || !bytes.Equal(ev.Name, f.name) {
		return false
	}
	d := ev.Data
	if !f.match(d) {
		return false
	}
	ps := f.span[f.piece]
	lit := d[ps[0]:ps[1]]
	if len(lit) < 2 || lit[0] != '"' || lit[len(lit)-1] != '"' {
		return false
	}
	w := x.w
	var text string
	if inner := lit[1 : len(lit)-1]; bytes.IndexByte(inner, '\\') < 0 {
		if bytes.IndexByte(inner, '"') >= 0 {
			return false // another structure
		}
		text = unsafe.String(unsafe.SliceData(inner), len(inner))
	} else {
		if cap(w.scr) < len(lit) {
			w.scr = make([]byte, 0, len(lit))
		}
		var ok bool
		if w.scr, ok = jsonscan.AppendUnquote(w.scr[:0], unsafe.String(unsafe.SliceData(lit), len(lit))); !ok {
			return false
		}
		text = unsafe.String(unsafe.SliceData(w.scr), len(w.scr))
	}
	out := text
	if f.st.s != nil {
		out = f.st.s.Write(text)
	}
	if st := f.st; x.api != Chat && x.api != Completions { // the event to copy for held-back text
		st.tmpl = append(st.tmpl[:0], d...)
		st.start, st.end, st.dStart, st.lpStart = ps[0], ps[1], -1, -1
		if f.lp.n >= 0 {
			st.lpStart = f.seg[f.lp.seg] + f.lp.off
			st.lpEnd = st.lpStart + f.lp.n
		}
	}
	w.docs++
	w.addText(f.c, 0, out)
	x.fastN++
	if out == text && len(f.edits) == 0 {
		x.emit(ev, d)
		return true
	}
	// the edits are in constant runs, in order; the piece is between runs
	p := x.payload[:0]
	last := 0
	put := func(start, end int, raw []byte) {
		p = append(append(p, d[last:start]...), raw...)
		last = end
	}
	pieceDone := out == text
	for _, e := range f.edits {
		if !pieceDone && e.seg > f.piece {
			p = append(p, d[last:ps[0]]...)
			p, last, pieceDone = jsonstr.Append(p, out), ps[1], true
		}
		start := f.seg[e.seg] + e.off
		put(start, start+e.n, e.raw)
	}
	if !pieceDone {
		p = append(p, d[last:ps[0]]...)
		p, last = jsonstr.Append(p, out), ps[1]
	}
	p = append(p, d[last:]...)
	x.payload = p
	x.emit(ev, p)
	return true
}

// match reports whether d has the shape, filling f.seg and f.span. Usually only
// the piece differs: two compares around it settle that (calls cost in wasm).
func (f *fastEvent) match(d []byte) bool {
	f.seg, f.span = f.seg[:0], f.span[:0]
	pv := f.vars[f.piece]
	if suf := len(f.data) - pv.end; len(d) >= pv.start+2+suf && bytes.Equal(d[:pv.start], f.data[:pv.start]) &&
		bytes.Equal(d[len(d)-suf:], f.data[pv.end:]) {
		shift := len(d) - len(f.data)
		tstart := 0
		for k, v := range f.vars {
			f.seg = append(f.seg, tstart)
			if k > f.piece {
				f.seg[k] += shift
			}
			s, e := v.start, v.end
			switch {
			case k == f.piece:
				e += shift
			case k > f.piece:
				s, e = s+shift, e+shift
			}
			f.span = append(f.span, [2]int{s, e})
			tstart = v.end
		}
		f.seg = append(f.seg, tstart+shift)
		return true
	}
	pos, tpos := 0, 0
	for _, v := range f.vars {
		c := f.data[tpos:v.start]
		if !bytes.HasPrefix(d[pos:], c) {
			return false
		}
		f.seg = append(f.seg, pos)
		pos += len(c)
		var end int
		if v.num {
			end = numberEnd(d, pos)
		} else {
			end = stringEnd(d, pos)
		}
		if end <= pos {
			return false
		}
		f.span = append(f.span, [2]int{pos, end})
		pos, tpos = end, v.end
	}
	if !bytes.Equal(d[pos:], f.data[tpos:]) {
		return false
	}
	f.seg = append(f.seg, pos)
	return true
}

// numberEnd returns the end of the number lexed at d[i] (i when there is none); the
// constant bytes after it decide whether it was one.
func numberEnd(d []byte, i int) int {
	for i < len(d) {
		switch c := d[i]; {
		case c >= '0' && c <= '9', c == '-', c == '+', c == '.', c == 'e', c == 'E':
			i++
		default:
			return i
		}
	}
	return i
}

// stringEnd returns the offset after the string literal at d[i] (i when there is
// none). A literal with a control byte is no JSON: the event takes the full path.
func stringEnd(d []byte, i int) int {
	if i >= len(d) || d[i] != '"' {
		return i
	}
	for j := i + 1; j < len(d); j++ {
		switch c := d[j]; {
		case c == '\\':
			j++
		case c == '"':
			return j + 1
		case c < 0x20:
			return i
		}
	}
	return i
}
