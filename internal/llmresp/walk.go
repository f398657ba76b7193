package llmresp

import (
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/egressguard/egressguard/internal/jsonscan"
	"github.com/egressguard/egressguard/internal/jsonstr"
	"github.com/egressguard/egressguard/internal/redact"
)

// MaxDepth is the nesting limit of response documents. A deeper document is not
// walked: every string literal in it is redacted on its own (see redactLexical).
const MaxDepth = 512

// inertKey reports whether a member's string value is never redacted: identifiers,
// types, names of models and roles, reasons, statuses and timestamps the provider
// writes (not the model), and opaque blobs a client must send back unchanged
// (a redaction inside them would break the next request, and they carry no
// readable text). Inside a model-written value (tool inputs) no key is inert.
// A switch rather than a map: every string of every response asks, and a string
// hash is dear in wasm (no hardware hash).
func inertKey(k string) bool {
	switch k {
	case "id", "object", "type", "model", "role",
		"created", "created_at", "completed_at", "expires_at",
		"finish_reason", "stop_reason", "status",
		"system_fingerprint", "service_tier",
		"item_id", "call_id", "tool_call_id", "tool_use_id",
		"conversation_id", "agent_id", "response_id", "previous_response_id",
		"encrypted_content", "encrypted_index", "signature", "obfuscation",
		"partial_image_b64":
		return true
	}
	return false
}

// inert reports whether the string at the end of p is an inert value: an inert key,
// or an opaque blob named by its context (the data of a redacted_thinking block,
// base64 audio and images).
func inert(p *path) bool {
	n := &p.t.Nodes[p.leaf()]
	if !n.IsMember() {
		return false
	}
	k := p.t.Key(p.leaf())
	if inertKey(k) {
		return true
	}
	if p.len() < 2 {
		return false
	}
	// The type of the enclosing object is looked up only for the keys that need it.
	switch k {
	case "data":
		return p.typeOf(-2) == "redacted_thinking" || p.keyIs(-2, "audio")
	case "result":
		return p.typeOf(-2) == "image_generation_call"
	case "delta":
		return p.typeOf(-2) == "response.audio.delta"
	}
	return false
}

// plainKey reports whether a member key can hold no entity: lower-case letters,
// underscores and at most five digits (every key of the APIs' schemas). Other keys
// (model-written ones in tool inputs, logprob tokens as keys) are redacted as data.
func plainKey(k string) bool {
	digits := 0
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case c >= 'a' && c <= 'z', c == '_':
		case c >= '0' && c <= '9':
			digits++
		default:
			return false
		}
	}
	return digits < 6
}

// edit replaces src[start:end] with arena[rs:re].
type edit struct{ start, end, rs, re int }

// piece is a string that belongs to a text with other pieces.
type piece struct {
	node int32
	c    class
}

// rewriter redacts one document at a time, reusing its buffers.
type rewriter struct {
	r     *redact.Redactor
	rc    *redact.RequestContext
	m     model
	t     *jsonscan.Tape
	stack []int32
	p     path
	src   string
	edits []edit
	arena []byte
	scr   []byte // scratch for unescaped strings
	group []piece
	rep   redact.Report
	// texts collects the redacted model output, for moderation.
	texts    []textPart
	collect  bool
	docs     int64                     // documents walked
	others   int                       // strings and keys redacted on their own or in groups, in the last walk
	onString func(i int, c class) bool // SSE: takes a streamed piece; false leaves it to the rewriter
}

func newRewriter(r *redact.Redactor, rc *redact.RequestContext, api API) *rewriter {
	return &rewriter{r: r, rc: rc, m: modelFor(api), t: new(jsonscan.Tape)}
}

// spare is the rewriter of the last whole body, kept for the next one. One slot
// rather than a sync.Pool: a wasm VM runs one request at a time, and a Pool's
// per-P bookkeeping costs more there than the walk of a small body; a caller that
// finds the slot empty (native code running bodies in parallel) makes its own.
var spare atomic.Pointer[rewriter]

// getRewriter returns the spare rewriter, whose buffers have grown to earlier
// bodies, or a new one.
func getRewriter(r *redact.Redactor, rc *redact.RequestContext, api API) *rewriter {
	w := spare.Swap(nil)
	if w == nil {
		w = &rewriter{t: new(jsonscan.Tape)}
	}
	w.r, w.rc, w.m = r, rc, modelFor(api)
	return w
}

// maxPooled bounds the buffers a pooled rewriter keeps.
const maxPooled = 1 << 20

// release keeps w as the spare; nothing obtained from it may be used after.
func (w *rewriter) release() {
	*w = rewriter{t: w.t, stack: w.stack[:0], edits: w.edits[:0], arena: w.arena[:0], scr: w.scr[:0], group: w.group[:0]}
	if cap(w.arena) > maxPooled || cap(w.scr) > maxPooled {
		w.arena, w.scr = nil, nil
	}
	if len(w.t.Nodes) > 1<<16 {
		w.t = new(jsonscan.Tape)
	}
	spare.Store(w)
}

// scan reads a document into the tape.
func (w *rewriter) scan(src []byte) *jsonscan.Error {
	w.src = unsafe.String(unsafe.SliceData(src), len(src))
	return w.t.ScanString(w.src, MaxDepth)
}

// walk redacts every string and key of the scanned document (see the package doc),
// recording edits. Pieces of one text are gathered and redacted as one afterwards.
func (w *rewriter) walk() {
	t := w.t
	w.edits, w.arena, w.group = w.edits[:0], w.arena[:0], w.group[:0]
	w.docs++
	w.others = 0
	w.stack = w.stack[:0]
	w.p.t = t
	for i := range t.Nodes {
		n := &t.Nodes[i]
		for len(w.stack) > 0 && w.stack[len(w.stack)-1] != n.Parent {
			w.stack = w.stack[:len(w.stack)-1]
		}
		w.stack = append(w.stack, int32(i))
		w.p.n = w.stack
		if n.IsMember() {
			k := t.KeyRaw(i) // Key without the call when it holds no escape
			if k = k[1 : len(k)-1]; n.Flags&jsonscan.KeyEscaped != 0 {
				k = t.Key(i)
			}
			if !plainKey(k) {
				w.redactKey(i)
				w.others++
			}
		}
		if n.Kind != jsonscan.String {
			continue
		}
		c := w.m.classify(&w.p)
		if c.mode == mInert {
			continue
		}
		if c.key.Kind != "" {
			if w.onString != nil && c.delta && w.onString(i, c) {
				continue
			}
			w.group = append(w.group, piece{int32(i), c})
			w.others++
			continue
		}
		w.standalone(i, c)
		w.others++
	}
	w.groups()
}

// text returns the unescaped contents of string node i (valid until the next call).
func (w *rewriter) text(i int) string {
	n := &w.t.Nodes[i]
	if n.Flags&jsonscan.Escaped == 0 {
		return w.src[n.Start+1 : n.End-1]
	}
	if need := int(n.End - n.Start); cap(w.scr) < need {
		w.scr = make([]byte, 0, need)
	}
	w.scr = w.t.AppendStr(w.scr[:0], i)
	return unsafe.String(unsafe.SliceData(w.scr), len(w.scr))
}

// redactText redacts text in mode m, adding to the report.
func (w *rewriter) redactText(text string, m mode) string {
	if w.r == nil {
		return text
	}
	var out string
	var rep redact.Report
	if m == mData {
		out, rep = w.r.RedactData(text)
	} else {
		out, rep = w.r.Redact(text, w.rc)
	}
	if len(rep.Counts) > 0 || rep.Leak || rep.Unsafe {
		w.rep.Merge(rep)
	}
	return out
}

func (w *rewriter) standalone(i int, c class) {
	text := w.text(i)
	out := w.redactText(text, c.mode)
	if out != text {
		w.replace(i, out)
		if c.token {
			w.tokenBytes(i, out)
		}
	}
	w.addText(c, i, out)
}

// redactKey redacts member i's key as data.
func (w *rewriter) redactKey(i int) {
	k := w.t.Key(i)
	out := w.redactText(k, mData)
	if out != k {
		n := &w.t.Nodes[i]
		rs := len(w.arena)
		w.arena = jsonstr.Append(w.arena, out)
		w.edits = append(w.edits, edit{int(n.KeyStart), int(n.KeyEnd), rs, len(w.arena)})
	}
}

// replace records that string node i becomes the JSON string of s.
func (w *rewriter) replace(i int, s string) {
	n := &w.t.Nodes[i]
	rs := len(w.arena)
	w.arena = slices.Grow(w.arena, len(s)+len(s)/8+2)
	w.arena = jsonstr.Append(w.arena, s)
	w.edits = append(w.edits, edit{int(n.Start), int(n.End), rs, len(w.arena)})
}

// replaceRaw records that node i becomes raw JSON.
func (w *rewriter) replaceRaw(i int, raw string) {
	n := &w.t.Nodes[i]
	rs := len(w.arena)
	w.arena = append(w.arena, raw...)
	w.edits = append(w.edits, edit{int(n.Start), int(n.End), rs, len(w.arena)})
}

// tokenBytes rewrites the "bytes" array beside a rewritten logprob token so that it
// spells the new token (clients rebuild text from it).
func (w *rewriter) tokenBytes(i int, tok string) {
	par := int(w.t.Nodes[i].Parent)
	b := lastMember(w.t, par, "bytes")
	if b < 0 || w.t.Nodes[b].Kind != jsonscan.Array {
		return
	}
	var arr []byte
	arr = append(arr, '[')
	for k := 0; k < len(tok); k++ {
		if k > 0 {
			arr = append(arr, ',')
		}
		arr = strconv.AppendInt(arr, int64(tok[k]), 10)
	}
	w.replaceRaw(b, string(append(arr, ']')))
}

// textPart is a piece of model output: its unit, its place and its redacted text.
type textPart struct {
	unit int32
	pos  int64 // document order: texts of later documents (SSE events) come later
	s    string
}

// addText records the redacted model output s of string node i for moderation.
func (w *rewriter) addText(c class, i int, s string) {
	if !w.collect || !c.out || c.token || s == "" {
		return
	}
	w.texts = append(w.texts, textPart{c.unit, w.docs<<32 | int64(i), strings.Clone(s)})
}

// unitTexts returns the collected texts, one per unit in unit order, the parts of a
// unit in document order joined by '\n' (streamed pieces of one text without
// separator).
func (w *rewriter) unitTexts() []string {
	if len(w.texts) == 0 {
		return nil
	}
	ps := w.texts
	slices.SortStableFunc(ps, func(a, b textPart) int {
		if a.unit != b.unit {
			return int(a.unit - b.unit)
		}
		return cmpInt64(a.pos, b.pos)
	})
	var out []string
	size := 0
	for _, p := range ps {
		size += len(p.s) + 1
	}
	b := make([]byte, 0, size)
	for i, p := range ps {
		if i > 0 && p.unit != ps[i-1].unit {
			out, b = append(out, string(b)), b[:0]
		} else if i > 0 && p.pos>>32 == ps[i-1].pos>>32 {
			b = append(b, '\n')
		}
		b = append(b, p.s...)
	}
	return append(out, string(b))
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// groups redacts the gathered pieces, text by text. A text in one piece is redacted
// on its own. A text in several pieces keeps its pieces unchanged when redacting the
// whole changes nothing (tokens), or when it redacts exactly as its pieces do;
// otherwise the pieces carry what a stream over them releases (the whole's
// redaction, cut at other places).
func (w *rewriter) groups() {
	g := w.group
	if len(g) == 0 {
		return
	}
	slices.SortStableFunc(g, func(a, b piece) int { return compareKeys(a.c.key, b.c.key) })
	for len(g) > 0 {
		n := 1
		for n < len(g) && g[n].c.key == g[0].c.key {
			n++
		}
		w.text1(g[:n])
		g = g[n:]
	}
}

func compareKeys(a, b Key) int {
	switch {
	case a.Kind != b.Kind:
		if a.Kind < b.Kind {
			return -1
		}
		return 1
	case a.A != b.A:
		return int(a.A - b.A)
	case a.B != b.B:
		return int(a.B - b.B)
	}
	return int(a.C - b.C)
}

func (w *rewriter) text1(ps []piece) {
	if len(ps) == 1 || w.r == nil {
		for _, p := range ps {
			w.standalone(int(p.node), p.c)
		}
		return
	}
	c := ps[0].c
	texts := make([]string, len(ps))
	whole := 0
	for k, p := range ps {
		texts[k] = w.t.Str(int(p.node))
		whole += len(texts[k])
	}
	joined := make([]byte, 0, whole)
	for _, s := range texts {
		joined = append(joined, s...)
	}
	all := string(joined)
	var rep redact.Report
	var red string
	if c.mode == mData {
		red, rep = w.r.RedactData(all)
	} else {
		red, rep = w.r.Redact(all, w.rc)
	}
	if red == all {
		for k, s := range texts {
			w.addText(c, int(ps[k].node), s)
		}
		return
	}
	if !c.token {
		// the pieces redacted one by one, if they add up to the whole's redaction
		outs := make([]string, len(ps))
		var reps redact.Report
		sum := make([]byte, 0, len(red))
		for k, s := range texts {
			var r redact.Report
			if c.mode == mData {
				outs[k], r = w.r.RedactData(s)
			} else {
				outs[k], r = w.r.Redact(s, w.rc)
			}
			reps.Merge(r)
			sum = append(sum, outs[k]...)
		}
		if string(sum) == red {
			w.rep.Merge(reps)
			for k, p := range ps {
				if outs[k] != texts[k] {
					w.replace(int(p.node), outs[k])
				}
				w.addText(c, int(p.node), outs[k])
			}
			return
		}
	}
	w.rep.Merge(rep)
	var st *redact.Stream
	if c.mode == mData {
		st = w.r.NewDataStream()
	} else {
		st = w.r.NewStream(w.rc)
	}
	for k, p := range ps {
		out := st.Write(texts[k])
		if k == len(ps)-1 {
			out += st.Flush()
		}
		if out != texts[k] {
			w.replace(int(p.node), out)
			if c.token {
				w.tokenBytes(int(p.node), out)
			}
		}
		w.addText(c, int(p.node), out)
	}
}

// apply appends src with the recorded edits to dst.
func (w *rewriter) apply(dst []byte) []byte {
	e := w.edits
	for i := 1; i < len(e); i++ {
		for j := i; j > 0 && e[j].start < e[j-1].start; j-- {
			e[j], e[j-1] = e[j-1], e[j]
		}
	}
	last := 0
	for _, x := range e {
		if x.start < last { // overlapping edits cannot happen: strings, keys and arrays are disjoint
			continue
		}
		dst = append(dst, w.src[last:x.start]...)
		dst = append(dst, w.arena[x.rs:x.re]...)
		last = x.end
	}
	return append(dst, w.src[last:]...)
}

// redactLexical redacts a text that is not a walkable document (invalid, or nested
// deeper than MaxDepth) without structure: every well-formed JSON string literal is
// unescaped, redacted as text and re-escaped, and every run of bytes between
// literals is redacted as text, so escaped entities are caught as well as bare ones.
// It needs no stack, whatever the nesting.
func (w *rewriter) redactLexical(dst []byte, src string) []byte {
	i, run := 0, 0
	for i < len(src) {
		if src[i] != '"' {
			i++
			continue
		}
		end := literalEnd(src, i)
		if end < 0 {
			break
		}
		dst = w.appendRedacted(dst, src[run:i])
		lit := src[i:end]
		if text, ok := jsonscan.Unquote(lit); ok {
			if out := w.redactText(text, w.lexMode()); out != text {
				dst = jsonstr.Append(dst, out)
			} else {
				dst = append(dst, lit...)
			}
		} else {
			dst = w.appendRedacted(dst, lit) // not a valid literal: its bytes as text
		}
		i, run = end, end
	}
	return w.appendRedacted(dst, src[run:])
}

func (w *rewriter) appendRedacted(dst []byte, s string) []byte {
	if s == "" {
		return dst
	}
	return append(dst, w.redactText(s, w.lexMode())...)
}

// lexMode is the mode of text redacted without structure: data in error bodies.
func (w *rewriter) lexMode() mode {
	if _, ok := w.m.(errorModel); ok {
		return mData
	}
	return mText
}

// literalEnd returns the offset after the string literal starting at s[i] ('"'), or
// -1 when it does not end.
func literalEnd(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}
