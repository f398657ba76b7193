package redact

import (
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Stream redacts one text that arrives in pieces (one choice of a streamed
// completion). The concatenation of everything Write and Flush return equals
// Redact of the concatenated input exactly. It holds back at most about
// Config.Window bytes (usually only the current word): text is released once
// no entity can start in it any more.
//
// Allocation: the source text lives in an append-only arena (see buf) and
// the output of a Write that replaces nothing is a substring of it, so a
// Write allocates only when the arena fills up (once per few KiB) or when
// it emits a replacement. Returned strings may share the arena's memory; it
// is never modified once written, so they stay valid.
type Stream struct {
	r  *Redactor
	sc scanner
	// arena holds the source text from absolute offset base. Bytes below
	// len(arena) are never modified (buf and the returned strings alias
	// them): new text is appended into spare capacity, and when there is
	// none the kept bytes are copied into a fresh arena.
	arena   []byte
	base    int
	emitted int // absolute offset up to which output was produced
	pending []match
	rep     Report
}

// buf returns the held source text (from absolute offset base) as a string
// sharing the arena's memory.
func (s *Stream) buf() string { return unsafe.String(unsafe.SliceData(s.arena), len(s.arena)) }

// appendSource adds delta to the arena, moving the kept bytes to a new
// arena when the current one is full.
func (s *Stream) appendSource(delta string) {
	if cap(s.arena)-len(s.arena) < len(delta) {
		a := make([]byte, len(s.arena), max(4096, 2*(len(s.arena)+len(delta))))
		copy(a, s.arena)
		s.arena = a
	}
	s.arena = append(s.arena, delta...)
}

// NewStream starts a stream; rc may be nil (see Redact).
func (r *Redactor) NewStream(rc *RequestContext) *Stream {
	return &Stream{r: r, sc: r.newScanner(rc, false)}
}

// newRequestStream streams PII/secret redaction only (tool-call arguments).
func (r *Redactor) newRequestStream() *Stream {
	return &Stream{r: r, sc: r.newScanner(nil, true)}
}

// Write adds delta and returns the output that is now safe to release.
func (s *Stream) Write(delta string) string {
	if delta == "" {
		return ""
	}
	s.appendSource(delta)
	s.pending, _ = s.sc.run(s.buf(), s.base, false, s.pending[:0])
	return s.release(s.safePoint(), false)
}

// Flush ends the text and returns everything still held back.
func (s *Stream) Flush() string {
	s.pending, _ = s.sc.run(s.buf(), s.base, true, s.pending[:0])
	return s.release(s.base+len(s.arena), true)
}

// Held returns the number of source bytes received but not yet released.
func (s *Stream) Held() int { return s.base + len(s.arena) - s.emitted }

// Report returns what the stream has replaced so far.
func (s *Stream) Report() Report { return s.rep }

// safePoint is the first byte an entity found later could still cover:
// entities start at or after the scan position, except those found from a
// trigger inside them (e-mail local parts, IBAN country codes, token and URL
// scheme prefixes, bare keys before their first digit, known secrets before
// their anchor, entities found on a folded copy), which start at most
// maxBack bytes earlier in the same run of non-space bytes. The scan
// position itself waits for a prompt-leak run that is still open
// (leakScan.hold).
func (s *Stream) safePoint() int {
	pos := s.sc.pos
	safe := pos
	for safe > pos-maxBack && safe > s.emitted && !isSpace(s.arena[safe-1-s.base]) {
		safe--
	}
	if safe < s.sc.lastEnd {
		safe = s.sc.lastEnd
	}
	return safe
}

// release emits decided matches and plain text up to safe, keeping UTF-8
// sequences whole unless final, then trims the buffer to what later
// decisions may read. Without matches the result is a substring of the
// arena (no allocation).
func (s *Stream) release(safe int, final bool) string {
	buf := s.buf()
	var out strings.Builder
	for _, m := range s.pending {
		if out.Cap() == 0 {
			out.Grow(max(64, safe-s.emitted+32))
		}
		out.WriteString(buf[s.emitted-s.base : m.start-s.base])
		out.WriteString(s.r.replacement(m.kind, buf[m.start-s.base:m.end-s.base]))
		s.rep.add(s.r, m.kind)
		s.emitted = m.end
	}
	s.pending = s.pending[:0]
	from := s.emitted
	if safe > s.emitted {
		if !final && buf[safe-1-s.base] >= 0x80 { // an ASCII byte ends a sequence
			safe = runeBoundary(buf, s.base, s.emitted, safe)
		}
		s.emitted = max(s.emitted, safe)
	}
	res := buf[from-s.base : s.emitted-s.base]
	if out.Cap() > 0 {
		out.WriteString(res)
		res = out.String()
	}
	keep := min(s.emitted, s.sc.pos-lookBehind)
	if keep > s.base {
		s.arena = s.arena[keep-s.base:]
		s.base = keep
	}
	return res
}

// runeBoundary moves safe back so it does not split a UTF-8 sequence.
func runeBoundary(buf string, base, emitted, safe int) int {
	i := safe - 1
	for i > emitted && safe-i < 4 && buf[i-base]&0xC0 == 0x80 {
		i--
	}
	if !utf8.FullRuneInString(buf[i-base : safe-base]) {
		return i
	}
	return safe
}
