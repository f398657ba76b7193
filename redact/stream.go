package redact

import (
	"strings"
	"unicode/utf8"
)

// Stream redacts one text that arrives in pieces (one choice of a streamed
// completion). The concatenation of everything Write and Flush return equals
// Redact of the concatenated input exactly. It holds back at most about
// Config.Window bytes (usually only the current word): text is released once
// no entity can start in it any more.
type Stream struct {
	r       *Redactor
	sc      scanner
	buf     string // source text from absolute offset base
	base    int
	emitted int // absolute offset up to which output was produced
	pending []match
	rep     Report
	out     strings.Builder
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
	s.buf += delta
	s.pending, _ = s.sc.run(s.buf, s.base, false, s.pending[:0])
	return s.release(s.safePoint(), false)
}

// Flush ends the text and returns everything still held back.
func (s *Stream) Flush() string {
	s.pending, _ = s.sc.run(s.buf, s.base, true, s.pending[:0])
	return s.release(s.base+len(s.buf), true)
}

// Held returns the number of source bytes received but not yet released.
func (s *Stream) Held() int { return s.base + len(s.buf) - s.emitted }

// Report returns what the stream has replaced so far.
func (s *Stream) Report() Report { return s.rep }

// safePoint is the first byte an entity found later could still cover:
// entities start at or after the scan position, except e-mail addresses,
// IBANs and script schemes, which start at most maxBack bytes earlier in the
// same run of non-space bytes.
func (s *Stream) safePoint() int {
	pos := s.sc.pos
	safe := pos
	for safe > pos-maxBack && safe > s.emitted && !isSpace(s.buf[safe-1-s.base]) {
		safe--
	}
	if safe < s.sc.lastEnd {
		safe = s.sc.lastEnd
	}
	return safe
}

// release emits decided matches and plain text up to safe, keeping UTF-8
// sequences whole unless final, then trims the buffer to what later
// decisions may read.
func (s *Stream) release(safe int, final bool) string {
	s.out.Reset()
	for _, m := range s.pending {
		s.out.WriteString(s.buf[s.emitted-s.base : m.start-s.base])
		s.out.WriteString(s.r.replacement(m.kind, s.buf[m.start-s.base:m.end-s.base]))
		s.rep.add(s.r, m.kind)
		s.emitted = m.end
	}
	s.pending = s.pending[:0]
	if safe > s.emitted {
		if !final {
			safe = runeBoundary(s.buf, s.base, s.emitted, safe)
		}
		s.out.WriteString(s.buf[s.emitted-s.base : safe-s.base])
		s.emitted = safe
	}
	keep := min(s.emitted, s.sc.pos-lookBehind)
	if keep > s.base {
		s.buf = s.buf[keep-s.base:]
		s.base = keep
	}
	return s.out.String()
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
