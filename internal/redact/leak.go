package redact

import "unicode/utf8"

// RequestContext carries what the redactor needs to know about the request a
// response answers: its system prompt, for leak detection. Build one per
// request; it is not safe for concurrent use.
type RequestContext struct {
	// SystemPrompt is the concatenated text of the request's system messages.
	SystemPrompt string

	idx     *leakIndex
	idxFor  *Redactor
	idxDone bool
}

// System-prompt leaks are found on normalised words rather than bytes, so
// that case, spacing, punctuation, hyphens or line breaks between words,
// zero-width characters and look-alike letters do not hide a copy: both the
// prompt and the response are folded (fold.go), lower-cased and cut into
// words of letters and digits (apostrophes inside a word are dropped). The
// prompt's word trigrams ("shingles") are indexed, also those of the prompt
// read backwards — its word order reversed, and its characters reversed —
// so reversed copies match too.
//
// At each word start of the response, the words that follow are compared
// shingle by shingle: a run that starts with a prompt shingle and continues
// with at most leakMisses consecutive misses (a changed, inserted or dropped
// word costs up to three; a final "s" is ignored) is a leak once the prompt words it covers reach
// MinPromptOverlap folded bytes. A token of 24+ base64 characters is decoded
// and its words are counted the same way, anywhere in it.
const (
	leakMisses   = 3  // consecutive non-matching shingles a leak run tolerates
	leakB64Min   = 24 // shortest base64 token decoded
	leakMaxWord  = 64 // longer words are cut (their hash covers the first 64 bytes)
	leakMaxLead  = 4  // punctuation bytes skipped before the first word ("**Never")
	leakB64Limit = 3072
)

// leakIndex holds the shingles of one system prompt.
type leakIndex struct {
	minLen   int
	starts   [1024]uint64 // 64 Kibit filter of words that start a shingle
	shingles map[uint64]struct{}
}

func (rc *RequestContext) index(r *Redactor) *leakIndex {
	if rc == nil || r.minOverlap <= 0 || len(rc.SystemPrompt) < r.minOverlap {
		return nil
	}
	if rc.idxDone && rc.idxFor == r {
		return rc.idx
	}
	rc.idx, rc.idxFor, rc.idxDone = newLeakIndex(rc.SystemPrompt, r.minOverlap), r, true
	return rc.idx
}

// newLeakIndex indexes the prompt's shingles, forwards and backwards; nil
// when the prompt has fewer than three words.
func newLeakIndex(prompt string, minLen int) *leakIndex {
	folded := []byte(foldString(prompt))
	fwd, _ := wordHashes(folded)
	if len(fwd) < 3 {
		return nil
	}
	for i, j := 0, len(folded)-1; i < j; i, j = i+1, j-1 {
		folded[i], folded[j] = folded[j], folded[i]
	}
	back, _ := wordHashes(folded)
	li := &leakIndex{minLen: minLen, shingles: make(map[uint64]struct{}, 3*len(fwd))}
	add := func(a, b, c uint64) {
		li.shingles[shingle(a, b, c)] = struct{}{}
		h := bloomHash(a)
		li.starts[h>>6] |= 1 << (h & 63)
	}
	for i := 0; i+2 < len(fwd); i++ {
		add(fwd[i], fwd[i+1], fwd[i+2])
		add(fwd[i+2], fwd[i+1], fwd[i]) // word order reversed
	}
	for i := 0; i+2 < len(back); i++ {
		add(back[i], back[i+1], back[i+2]) // characters reversed
	}
	return li
}

func bloomHash(key uint64) uint64 { return (key * 0x9E3779B97F4A7C15) >> 48 }

// shingle combines three word hashes, in order.
func shingle(a, b, c uint64) uint64 {
	const k = 0x100000001B3
	return ((a*k)^b)*k ^ c
}

// wordHashes cuts folded text into words and returns their hashes and lengths.
func wordHashes(s []byte) ([]uint64, []int) {
	var out []uint64
	var lens []int
	for i := 0; i < len(s); {
		for i < len(s) && !isAlnum(s[i]) {
			i++
		}
		var w wordHash
		for i < len(s) && (isAlnum(s[i]) || s[i] == '\'') {
			if s[i] != '\'' {
				w.add(lower(s[i]))
			}
			i++
		}
		if w.n > 0 {
			out, lens = append(out, w.sum()), append(lens, w.n)
		}
	}
	return out, lens
}

// wordHash hashes a folded, lower-cased word (FNV-1a) without a final "s"
// of a word of four or more letters, so that plurals match.
type wordHash struct {
	h, prev uint64 // hash so far, and before the last byte
	n       int
	last    byte
}

func (w *wordHash) add(c byte) {
	if w.n >= leakMaxWord {
		return
	}
	if w.n == 0 {
		w.h = 14695981039346656037
	}
	w.prev, w.h = w.h, (w.h^uint64(c))*1099511628211
	w.n, w.last = w.n+1, c
}

func (w *wordHash) sum() uint64 {
	if w.last == 's' && w.n >= 4 {
		return w.prev
	}
	return w.h
}

// leakWord is one word of the response: source span, hash, folded length.
type leakWord struct {
	start, end int
	h          uint64
	n          int
}

// wordFrom reads the word that starts at or after i in v (skipping at most
// maxLead separator bytes, none of them whitespace, or any number when
// maxLead < 0). ok is false at the end of the window or when no word
// starts there.
func wordFrom(v *view, i, maxLead int) (leakWord, bool) {
	var w leakWord
	for lead := 0; ; lead++ {
		c, size, f := foldedAt(v, i)
		if size == 0 {
			return w, false
		}
		if isAlnum(f) {
			break
		}
		if maxLead >= 0 && (lead >= maxLead || isSpace(c)) {
			return w, false
		}
		i += size
	}
	w.start = i
	var wh wordHash
	for {
		_, size, f := foldedAt(v, i)
		if size == 0 {
			break
		}
		if isAlnum(f) {
			wh.add(lower(f))
		} else if f != foldDrop && f != '\'' && !(f == foldOther && isApostrophe(v, i)) {
			break
		}
		i += size
	}
	w.end, w.h, w.n = i, wh.sum(), wh.n
	return w, true
}

// foldedAt returns the byte at i, the length of its rune and the rune's
// fold (size 0 at the end of the window).
func foldedAt(v *view, i int) (byte, int, byte) {
	c := v.at(i)
	if c < 0x80 {
		if c == 0 && i >= len(v.s) {
			return 0, 0, 0
		}
		return c, 1, c
	}
	var b [4]byte
	n := 1
	b[0] = c
	for n < 4 && n < utf8.UTFMax && !utf8.FullRune(b[:n]) {
		b[n] = v.at(i + n)
		if b[n] == 0 && i+n >= len(v.s) {
			return c, 1, foldOther // cut: hitEnd is recorded
		}
		n++
	}
	r, size := utf8.DecodeRune(b[:n])
	if r == utf8.RuneError && size <= 1 {
		return c, 1, foldOther
	}
	return c, size, foldRune(r)
}

// isApostrophe reports a right single quotation mark at i (inside "don’t").
func isApostrophe(v *view, i int) bool {
	return v.at(i) == 0xE2 && v.at(i+1) == 0x80 && v.at(i+2) == 0x99
}

// detect checks the word start j; it returns the span of a leak run.
func (li *leakIndex) detect(v *view, j int) (int, int, bool) {
	if s, e, ok := li.detectBase64(v, j); ok {
		return s, e, true
	}
	w0, ok := wordFrom(v, j, leakMaxLead)
	if !ok {
		return 0, 0, false
	}
	if h := bloomHash(w0.h); li.starts[h>>6]&(1<<(h&63)) == 0 {
		return 0, 0, false
	}
	w1, ok := wordFrom(v, w0.end, -1)
	if !ok {
		return 0, 0, false
	}
	w2, ok := wordFrom(v, w1.end, -1)
	if !ok {
		return 0, 0, false
	}
	if _, hit := li.shingles[shingle(w0.h, w1.h, w2.h)]; !hit {
		return 0, 0, false
	}
	covered, end := w0.n+w1.n+w2.n+2, w2.end
	last := [3]leakWord{w0, w1, w2} // the last three words, oldest first
	lastCovered, idx, misses := 2, 2, 0
	for {
		w, ok := wordFrom(v, last[2].end, -1)
		if !ok {
			break
		}
		idx++
		last[0], last[1], last[2] = last[1], last[2], w
		if _, hit := li.shingles[shingle(last[0].h, last[1].h, w.h)]; !hit {
			if misses++; misses > leakMisses {
				break
			}
			continue
		}
		for x := max(lastCovered+1, idx-2); x <= idx; x++ {
			covered += last[2-(idx-x)].n + 1
		}
		lastCovered, end, misses = idx, w.end, 0
	}
	if covered < li.minLen {
		return 0, 0, false
	}
	return w0.start, end, true
}

// detectBase64 decodes a base64 token of leakB64Min+ bytes at j and counts
// the prompt shingles in its text.
func (li *leakIndex) detectBase64(v *view, j int) (int, int, bool) {
	e := j
	for b64val(v.at(e)) >= 0 && e-j < leakB64Limit {
		e++
	}
	for v.at(e) == '=' && e-j < leakB64Limit+2 {
		e++
	}
	if e-j < leakB64Min || isWord(v.at(e)) {
		return 0, 0, false
	}
	var buf [leakB64Limit * 3 / 4]byte
	n, acc, bits := 0, 0, 0
	for i := j; i < e && v.s[i] != '='; i++ {
		acc, bits = acc<<6|b64val(v.s[i]), bits+6
		if bits >= 8 {
			bits -= 8
			buf[n] = byte(acc >> bits)
			acc &= 1<<bits - 1
			n++
		}
	}
	if !printableText(buf[:n]) {
		return 0, 0, false
	}
	words, lens := wordHashes([]byte(foldString(string(buf[:n]))))
	covered, lastCovered := 0, -1
	for i := 2; i < len(words); i++ {
		if _, hit := li.shingles[shingle(words[i-2], words[i-1], words[i])]; hit {
			for x := max(lastCovered+1, i-2); x <= i; x++ {
				covered += lens[x] + 1
			}
			lastCovered = i
		}
	}
	if covered < li.minLen {
		return 0, 0, false
	}
	return j, e, true
}
