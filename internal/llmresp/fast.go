package llmresp

import (
	"bytes"
	"unsafe"

	"github.com/egressguard/egressguard/internal/jsonscan"
	"github.com/egressguard/egressguard/internal/jsonstr"
	"github.com/egressguard/egressguard/internal/sse"
)

// fastEvent is the shape of the last event that carried one streamed piece and
// nothing else to redact (the usual delta of chat, Messages and Conversations
// streams). Upstreams repeat the same envelope in every delta, so the next event is
// usually the same bytes with another piece: then it has the same structure, and
// the walk's result carries over. Checking that takes two compares and the decoding
// of the piece, where a scan and a walk cost a few microseconds per event in wasm.
type fastEvent struct {
	ok         bool
	data       []byte // the event's data
	name       []byte
	start, end int // the piece's literal in data
	edits      []fastEdit
	node       int // set by onStream: the piece of the event being walked
	st         *streamState
	c          class
}

// fastEdit is an edit of the event other than the piece (a "usage":null removal),
// at an offset from the start (before the piece) or from the end (after it).
type fastEdit struct {
	start, end int // before: from the start; after: from the end (end <= start)
	after      bool
	raw        []byte
}

// learn records the event just walked as the shape to match, when it qualifies.
func (x *transformer) learn(ev *sse.Event) {
	f := &x.fast
	f.ok = false
	w := x.w
	if x.fastOff || x.pieces != 1 || w.others != 0 || f.c.token || f.st.s == nil || x.closedAny ||
		ev.DataLines != 1 || ev.Comments+ev.Unknown != 0 || x.cl.all {
		return
	}
	if u := lastMember(w.t, 0, "usage"); u >= 0 && w.t.Nodes[u].Kind != jsonscan.Null {
		return
	}
	n := &w.t.Nodes[f.node]
	f.start, f.end = int(n.Start), int(n.End)
	f.data = append(f.data[:0], ev.Data...)
	f.name = append(f.name[:0], ev.Name...)
	f.edits = f.edits[:0]
	for _, e := range w.edits {
		switch {
		case e.start == f.start && e.end == f.end:
		case e.end <= f.start:
			f.edits = append(f.edits, fastEdit{e.start, e.end, false, w.arena[e.rs:e.re]})
		case e.start >= f.end:
			f.edits = append(f.edits, fastEdit{len(ev.Data) - e.start, len(ev.Data) - e.end, true, w.arena[e.rs:e.re]})
		default:
			return
		}
	}
	for i := range f.edits { // own the bytes: the arena is reused
		f.edits[i].raw = bytes.Clone(f.edits[i].raw)
	}
	f.ok = true
}

// fastPath handles an event of the learnt shape; false, having done nothing, for
// any other event.
func (x *transformer) fastPath(ev *sse.Event) bool {
	f := &x.fast
	d := ev.Data
	suf := len(f.data) - f.end
	if !f.ok || ev.DataLines != 1 || ev.Comments+ev.Unknown != 0 || !bytes.Equal(ev.Name, f.name) ||
		len(d) < f.start+2+suf || !bytes.Equal(d[:f.start], f.data[:f.start]) || !bytes.Equal(d[len(d)-suf:], f.data[f.end:]) {
		return false
	}
	lit := d[f.start : len(d)-suf]
	if lit[0] != '"' || lit[len(lit)-1] != '"' {
		return false
	}
	w := x.w
	if cap(w.scr) < len(lit) {
		w.scr = make([]byte, 0, len(lit))
	}
	var ok bool
	if w.scr, ok = jsonscan.AppendUnquote(w.scr[:0], unsafe.String(unsafe.SliceData(lit), len(lit))); !ok {
		return false
	}
	text := unsafe.String(unsafe.SliceData(w.scr), len(w.scr))
	out := f.st.s.Write(text)
	w.docs++
	w.addText(f.c, 0, out)
	x.fastN++
	if out == text && len(f.edits) == 0 {
		x.emit(ev, d)
		return true
	}
	p := x.payload[:0]
	last := 0
	for _, e := range f.edits {
		if !e.after {
			p = append(append(p, d[last:e.start]...), e.raw...)
			last = e.end
		}
	}
	p = append(p, d[last:f.start]...)
	if out == text {
		p = append(p, lit...)
	} else {
		p = jsonstr.Append(p, out)
	}
	last = len(d) - suf
	for _, e := range f.edits {
		if e.after {
			p = append(append(p, d[last:len(d)-e.start]...), e.raw...)
			last = len(d) - e.end
		}
	}
	p = append(p, d[last:]...)
	x.payload = p
	x.emit(ev, p)
	return true
}
