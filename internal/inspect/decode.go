package inspect

import (
	"encoding/base64"
	"encoding/hex"
	"unicode/utf8"
)

const (
	maxCands       = 8
	maxDecodeDepth = 2
	minB64Run      = 16 // shortest base64/hex run worth decoding
	minPctEscapes  = 3  // %xx escapes needed in one whitespace-free run
)

// Flags of b64Tab.
const (
	bB64    = 1 << iota // base64 / base64url alphabet (incl. '=')
	bNonHex             // not a hex digit
	bUpper
	bDigit
	bURL // '-' or '_'
	bSym // '+', '/' or '='
)

var b64Tab [256]uint8

func init() {
	for c := 0; c < 256; c++ {
		b := byte(c)
		var f uint8
		switch {
		case b >= '0' && b <= '9':
			f = bB64 | bDigit
		case b >= 'a' && b <= 'f':
			f = bB64
		case b >= 'A' && b <= 'F':
			f = bB64 | bUpper
		case b >= 'g' && b <= 'z':
			f = bB64 | bNonHex
		case b >= 'G' && b <= 'Z':
			f = bB64 | bNonHex | bUpper
		case b == '+' || b == '/' || b == '=':
			f = bB64 | bNonHex | bSym
		case b == '-' || b == '_':
			f = bB64 | bNonHex | bURL
		}
		b64Tab[c] = f
	}
}

type candKind uint8

const (
	candB64 candKind = iota
	candHex
	candPct
)

type candidate struct {
	start, end int
	kind       candKind
}

// encTracker finds encoded-looking runs while the folder reads the text.
type encTracker struct {
	runStart int
	pctStart int
	pctCount int
	c        [maxCands]candidate
	n        int
}

func (t *encTracker) reset() { t.runStart, t.pctStart = -1, -1 }

// observe sees every byte (0x80 for non-ASCII) at offset i.
func (s *scanner) observe(b byte, i int) {
	t := &s.enc
	if b64Tab[b] != 0 && !(b == '=' && i+1 < len(s.f.text) && b64Tab[s.f.text[i+1]]&bSym == 0 && b64Tab[s.f.text[i+1]] != 0) {
		if t.runStart < 0 {
			t.runStart = i
		}
		return
	}
	if t.runStart >= 0 {
		t.endRun(s.f.text, i)
	}
	switch {
	case b == '%':
		if t.pctStart < 0 {
			t.pctStart = i
		}
		t.pctCount++
	case b <= ' ' || b == 0x80:
		if t.pctCount >= minPctEscapes {
			t.add(candidate{t.pctStart, i, candPct})
		}
		t.pctStart, t.pctCount = -1, 0
	}
}

// endRun turns a finished base64/hex run into a candidate when it is long
// and mixed enough to be an encoding rather than a word.
func (t *encTracker) endRun(text string, i int) {
	start := t.runStart
	t.runStart = -1
	if i-start < minB64Run {
		return
	}
	var f uint8
	for _, c := range []byte(text[start:i]) {
		f |= b64Tab[c]
	}
	switch {
	case f&bNonHex == 0 && f&bDigit != 0:
		t.add(candidate{start, i, candHex})
	case f&bUpper != 0 && f&(bDigit|bSym) != 0:
		t.add(candidate{start, i, candB64})
	}
}

func (t *encTracker) add(c candidate) {
	if t.n < maxCands {
		t.c[t.n] = c
		t.n++
	}
}

// decodeCandidates decodes the recorded runs within the byte budget and
// scans the decoded text; hits there also fire encoded_payload.
func (s *scanner) decodeCandidates() {
	acc := s.acc
	for _, c := range s.enc.c[:s.enc.n] {
		raw := s.f.text[c.start:c.end]
		if len(raw) > acc.budget {
			raw = raw[:acc.budget]
		}
		if len(raw) < minB64Run {
			return
		}
		acc.budget -= len(raw)
		dec, ok := decodeRun(raw, c.kind)
		if !ok || !printable(dec) {
			continue
		}
		seg := Span{c.start, c.end}
		if s.mapped {
			seg = s.seg
		}
		before := acc.events
		s.e.scanInto(string(dec), acc, seg, true, s.depth+1)
		if acc.events > before {
			s.fireEncoded(seg)
		}
	}
}

// fireEncoded records the encoded_payload signal on the segment.
func (s *scanner) fireEncoded(seg Span) {
	saved, savedMapped := s.seg, s.mapped
	s.seg, s.mapped = seg, true
	s.fire(s.e.sigEncoded, 0, 0)
	s.seg, s.mapped = saved, savedMapped
}

// decodeRun decodes one candidate run.
func decodeRun(raw string, kind candKind) ([]byte, bool) {
	switch kind {
	case candHex:
		raw = raw[:len(raw)&^1]
		b, err := hex.DecodeString(raw)
		return b, err == nil
	case candPct:
		return pctDecode(raw), true
	}
	return b64Decode(raw)
}

// b64Decode accepts standard or URL alphabets, with or without padding,
// ignoring a trailing partial quantum.
func b64Decode(raw string) ([]byte, bool) {
	for len(raw) > 0 && raw[len(raw)-1] == '=' {
		raw = raw[:len(raw)-1]
	}
	if len(raw)%4 == 1 {
		raw = raw[:len(raw)-1]
	}
	enc := base64.RawStdEncoding
	for i := 0; i < len(raw); i++ {
		if raw[i] == '-' || raw[i] == '_' {
			enc = base64.RawURLEncoding
			break
		}
	}
	b, err := enc.DecodeString(raw)
	return b, err == nil
}

// pctDecode decodes %xx escapes and '+' as space; bad escapes stay.
func pctDecode(raw string) []byte {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '%' && i+2 < len(raw) && isHex(raw[i+1]) && isHex(raw[i+2]) {
			out = append(out, unhex(raw[i+1])<<4|unhex(raw[i+2]))
			i += 2
			continue
		}
		if c == '+' {
			c = ' '
		}
		out = append(out, c)
	}
	return out
}

func isHex(c byte) bool { return b64Tab[c]&bB64 != 0 && b64Tab[c]&bNonHex == 0 }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// printable accepts decoded bytes that look like text: valid UTF-8 with at
// least 85% letters, digits, spaces or punctuation and some letters.
func printable(b []byte) bool {
	if len(b) < 8 || !utf8.Valid(b) {
		return false
	}
	good, letters := 0, 0
	for _, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= 0x80:
			letters++
			good++
		case c >= ' ' && c < 0x7f, c == '\n', c == '\r', c == '\t':
			good++
		}
	}
	return good*100 >= len(b)*85 && letters*3 >= len(b)
}
