package redact

import (
	"math/bits"
	"strings"
	"sync"
)

// RequestContext carries what the redactor needs to know about the request a
// response answers: its system prompt, for leak detection. Build one per
// request; it is not safe for concurrent use.
type RequestContext struct {
	// SystemPrompt is the concatenated text of the request's system messages.
	SystemPrompt string

	idx     *leakIndex
	idxFor  *Redactor
	idxDone bool
	// ls is the leak pass of one-shot redactions (Redact, AppendRedact), reused
	// from call to call: a response redacts each of its strings with the same
	// context, and a RequestContext serves one request at a time (like idx).
	ls leakScan
}

// System-prompt leaks are found on normalised words rather than bytes, so
// that case, spacing, punctuation, hyphens or line breaks between words,
// zero-width characters and look-alike letters do not hide a copy: both the
// prompt and the response are folded (fold.go), lower-cased and cut into
// words of letters and digits (apostrophes inside a word are dropped, and a
// final "s" of a word of four or more letters). The prompt's word trigrams
// ("shingles") are indexed, also those of the prompt read backwards — its
// word order reversed, and its characters reversed — so reversed copies
// match too.
//
// The response is read once, word by word, next to the entity scan
// (leakScan): a run of words that starts with a prompt shingle and goes on
// with at most leakMisses non-matching shingles in a row (a changed,
// inserted or dropped word costs up to three) is a leak once the prompt
// words it covers reach MinPromptOverlap folded bytes. A token of
// leakB64Min+ base64 characters is decoded and its words are counted the
// same way, anywhere in it. A run longer than the window is cut there (the
// rest is the next run).
const (
	leakMisses   = 3   // consecutive non-matching shingles a leak run tolerates
	leakB64Min   = 24  // shortest base64 token decoded
	leakMaxWord  = 64  // longer words are hashed on their first 64 letters
	leakMaxToken = 256 // a word that long is cut (a stream holds back at most this for a word)
	leakB64Limit = 3072
)

// leakIndex holds the shingles of one system prompt in an open-addressing
// table: linear probing, at most half full, 0 marks an empty slot (a
// shingle is stored with its lowest bit set, so none is 0). A miss, the
// common case for a response word, usually ends at the first or second slot.
type leakIndex struct {
	minLen int
	shift  uint // 64 - log2(len(slots))
	slots  []uint64
}

// has reports whether the shingle h is the prompt's.
func (li *leakIndex) has(h uint64) bool {
	h |= 1
	mask := uint64(len(li.slots) - 1)
	for i := (h * 0x9E3779B97F4A7C15) >> li.shift; ; i = (i + 1) & mask {
		switch li.slots[i] {
		case h:
			return true
		case 0:
			return false
		}
	}
}

// put adds the shingle h (the table has room: see newLeakIndex).
func (li *leakIndex) put(h uint64) {
	h |= 1
	mask := uint64(len(li.slots) - 1)
	for i := (h * 0x9E3779B97F4A7C15) >> li.shift; ; i = (i + 1) & mask {
		switch li.slots[i] {
		case h:
			return
		case 0:
			li.slots[i] = h
			return
		}
	}
}

func (rc *RequestContext) index(r *Redactor) *leakIndex {
	if rc == nil || r.minOverlap <= 0 || len(rc.SystemPrompt) < r.minOverlap {
		return nil
	}
	if rc.idxDone && rc.idxFor == r {
		return rc.idx
	}
	rc.idx, rc.idxFor, rc.idxDone = r.leaks.get(rc.SystemPrompt, r.minOverlap), r, true
	return rc.idx
}

// leakCache keeps the indexes of the last few system prompts a Redactor
// saw. An application sends the same system prompt with every request, so
// the index of a prompt is usually built once per VM rather than once per
// request; the response is still scanned word by word against it. Entries
// are matched on the whole prompt, never on a hash of it.
type leakCache struct {
	mu      sync.Mutex
	entries [leakCacheEntries]struct {
		prompt string
		idx    *leakIndex
	}
	next  int
	words []uint64 // scratch for newLeakIndex
	bytes []byte
}

const (
	leakCacheEntries = 8
	leakCacheMax     = 16 << 10 // longer prompts are indexed per request, not kept
)

func (c *leakCache) get(prompt string, minLen int) *leakIndex {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.entries {
		if e := &c.entries[i]; e.idx != nil && e.prompt == prompt {
			return e.idx
		}
	}
	li := c.build(prompt, minLen)
	if li != nil && len(prompt) <= leakCacheMax {
		e := &c.entries[c.next]
		e.prompt, e.idx = strings.Clone(prompt), li
		c.next = (c.next + 1) % leakCacheEntries
	}
	return li
}

// newLeakIndex indexes the prompt's shingles, forwards and backwards; nil
// when the prompt has fewer than three words.
func newLeakIndex(prompt string, minLen int) *leakIndex {
	var c leakCache
	return c.build(prompt, minLen)
}

func (c *leakCache) build(prompt string, minLen int) *leakIndex {
	folded := append(c.bytes[:0], foldString(prompt)...)
	fwd := appendWordHashes(c.words[:0], folded)
	nf := len(fwd)
	if nf < 3 {
		c.words, c.bytes = fwd, folded
		return nil
	}
	for i, j := 0, len(folded)-1; i < j; i, j = i+1, j-1 {
		folded[i], folded[j] = folded[j], folded[i]
	}
	all := appendWordHashes(fwd, folded) // then the words of the characters reversed
	c.words, c.bytes = all, folded
	back := all[nf:]
	n := 2*(nf-2) + max(len(back)-2, 0) // shingles
	size := 16
	for size < 2*n {
		size <<= 1
	}
	li := &leakIndex{minLen: minLen, shift: uint(64 - bits.TrailingZeros(uint(size))), slots: make([]uint64, size)}
	for i := 0; i+2 < nf; i++ {
		li.put(shingle(fwd[i], fwd[i+1], fwd[i+2]))
		li.put(shingle(fwd[i+2], fwd[i+1], fwd[i])) // word order reversed
	}
	for i := 0; i+2 < len(back); i++ {
		li.put(shingle(back[i], back[i+1], back[i+2])) // characters reversed
	}
	return li
}

// shingle combines three word hashes, in order.
func shingle(a, b, c uint64) uint64 {
	const k = 0x100000001B3
	return ((a*k)^b)*k ^ c
}

// wordHashes cuts folded text into words and returns their hashes and lengths.
func wordHashes(s []byte) ([]uint64, []int) {
	var out []uint64
	var lens []int
	eachWord(s, func(h uint64, n int) { out, lens = append(out, h), append(lens, n) })
	return out, lens
}

// appendWordHashes appends the hashes of the words of folded text to dst.
func appendWordHashes(dst []uint64, s []byte) []uint64 {
	eachWord(s, func(h uint64, _ int) { dst = append(dst, h) })
	return dst
}

// eachWord calls f with the hash and folded length of every word of s.
func eachWord(s []byte, f func(h uint64, n int)) {
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
			f(w.sum(), w.n)
		}
	}
}

// wordHash hashes a folded, lower-cased word (FNV-1a) without a final "s"
// of a word of four or more letters, so that plurals match.
type wordHash struct {
	h, prev uint64 // hash so far, and before the last byte
	n       int
	last    byte
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func (w *wordHash) add(c byte) {
	if w.n >= leakMaxWord {
		return
	}
	if w.n == 0 {
		w.h = fnvOffset
	}
	w.prev, w.h = w.h, (w.h^uint64(c))*fnvPrime
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

// leakScan reads a response once, word by word, and decides the leak runs
// in it. It keeps only word hashes and offsets, so it can be fed a stream:
// feed reads the complete words of the bytes at hand and decides what they
// allow; hold says where the entity scan must wait. Fed the same bytes in
// any pieces it decides the same runs.
type leakScan struct {
	li     *leakIndex
	window int
	pos    int // absolute offset of the next byte to read
	// the last two words, older first: hash, start, folded length
	lastH     [2]uint64
	lastStart [2]int
	lastN     [2]int
	nlast     int
	count     int // words read
	run       struct {
		active          bool
		start, end      int // first word's start, last hit word's end
		covered, misses int
		lastCovered     int // number of the last covered word
	}
	out []match // decided leaks the scanner has not emitted yet
}

func newLeakScan(li *leakIndex, window int) *leakScan { return &leakScan{li: li, window: window} }

// hold returns the first offset a leak decided later may start at.
func (ls *leakScan) hold() int {
	h := ls.pos
	if ls.nlast > 0 {
		h = min(h, ls.lastStart[0])
	}
	if ls.run.active {
		h = min(h, ls.run.start)
	}
	return h
}

// feed reads the words of text (whose first byte is at absolute offset base)
// from ls.pos on. Unless final, a word or base64 token that reaches the end
// of text is left for the next call.
func (ls *leakScan) feed(text string, base int, final bool) {
	n := base + len(text)
	for ls.pos < n {
		i := ls.pos - base
		c := text[i]
		l := lowerAlnum[c]
		if l == 0 && c < 0x80 {
			ls.pos++ // an ASCII separator
			continue
		}
		var w leakWord
		ascii := l != 0
		if ascii {
			// a word of ASCII letters, digits and apostrophes: the hash of
			// wordHash, computed in locals
			h, prev, cnt, last := uint64(fnvOffset), uint64(0), 0, byte(0)
			j, lim := i, min(len(text), i+leakMaxToken)
			for ; j < lim; j++ {
				c := text[j]
				l := lowerAlnum[c]
				if l == 0 {
					if c == '\'' {
						continue
					}
					ascii = c < 0x80
					break
				}
				prev, h, last = h, (h^uint64(l))*fnvPrime, l
				cnt++
			}
			if ascii && cnt <= leakMaxWord {
				if j == len(text) && !final && j-i < leakMaxToken {
					return // the word may go on
				}
				if last == 's' && cnt >= 4 {
					h = prev
				}
				w = leakWord{start: i + base, end: j + base, h: h, n: cnt}
			} else {
				ascii = false
			}
		}
		if !ascii { // the general path, which folds
			s, ok := ls.wordStart(text, base, ls.pos, final)
			if !ok {
				return // a rune cut at the end: wait
			}
			if s >= n {
				ls.pos = n
				break
			}
			if w, ok = ls.wordFolded(text, base, s, final); !ok {
				ls.pos = s
				return
			}
		}
		if e := w.end - base; w.end-w.start >= leakB64Min || e < len(text) && b64Punct[text[e]] {
			// a long word, or one that goes on with base64 punctuation
			if e, ok, wait := ls.base64At(text, base, w.start, final); wait {
				ls.pos = w.start
				return
			} else if ok {
				ls.finish()
				ls.out = append(ls.out, match{w.start, e, kLeak})
				ls.nlast, ls.pos = 0, e
				continue
			}
		}
		ls.add(w.h, w.start, w.end, w.n)
		ls.pos = w.end
	}
	if final {
		ls.finish()
	}
}

// wordStart returns the first offset from i whose rune folds to a letter or
// digit (n when none); ok is false when a rune is cut by the end of text.
func (ls *leakScan) wordStart(text string, base, i int, final bool) (int, bool) {
	t := text[i-base:]
	for j := 0; j < len(t); {
		c := t[j]
		if c < 0x80 {
			if lowerAlnum[c] != 0 {
				return i + j, true
			}
			j++
			continue
		}
		r, size, ok := decodeAt(t, j)
		if !ok && !final {
			return i + j, false
		}
		if ok && isAlnum(foldRune(r)) {
			return i + j, true
		}
		j += max(size, 1)
	}
	return base + len(text), true
}

// wordFolded reads the word starting at s, folding every rune: letters
// and digits after folding, with apostrophes and invisible characters
// inside. ok is false when it reaches the end of text and more may follow.
func (ls *leakScan) wordFolded(text string, base, s int, final bool) (leakWord, bool) {
	n := base + len(text)
	var wh wordHash
	i := s
	for i < n && i-s < leakMaxToken {
		c := text[i-base]
		if c < 0x80 {
			if l := lowerAlnum[c]; l != 0 {
				wh.add(l)
			} else if c != '\'' {
				break
			}
			i++
			continue
		}
		r, size, ok := decodeAt(text, i-base)
		if !ok {
			if !final {
				return leakWord{}, false
			}
			break
		}
		f := foldRune(r)
		if isAlnum(f) {
			wh.add(lower(f))
		} else if f != foldDrop && r != 0x2019 {
			break
		}
		i += size
	}
	if i == n && !final && i-s < leakMaxToken {
		return leakWord{}, false
	}
	return leakWord{start: s, end: i, h: wh.sum(), n: wh.n}, true
}

// add takes the next word (hash h, source span [start, end), folded
// length n): it extends, ends or starts a leak run.
func (ls *leakScan) add(h uint64, start, end, n int) {
	ls.count++
	if ls.nlast < 2 {
		ls.lastH[ls.nlast], ls.lastStart[ls.nlast], ls.lastN[ls.nlast] = h, start, n
		ls.nlast++
		return
	}
	hit := ls.li.has(shingle(ls.lastH[0], ls.lastH[1], h))
	if hit || ls.run.active {
		ls.extend(hit, end, n)
	}
	ls.lastH[0], ls.lastStart[0], ls.lastN[0] = ls.lastH[1], ls.lastStart[1], ls.lastN[1]
	ls.lastH[1], ls.lastStart[1], ls.lastN[1] = h, start, n
}

// extend updates the leak run with the word that ends at end (folded length
// n) and the two before it, whose shingle hit or not.
func (ls *leakScan) extend(hit bool, end, n int) {
	r := &ls.run
	switch {
	case r.active && hit:
		for x, wn := range [3]int{ls.lastN[0], ls.lastN[1], n} {
			if ls.count-2+x > r.lastCovered {
				r.covered += wn + 1
			}
		}
		r.end, r.misses, r.lastCovered = end, 0, ls.count
	case r.active:
		if r.misses++; r.misses > leakMisses {
			ls.finish()
		}
	default:
		r.active, r.start, r.end = true, ls.lastStart[0], end
		r.covered, r.misses, r.lastCovered = ls.lastN[0]+ls.lastN[1]+n+2, 0, ls.count
	}
	if r.active && end-r.start > ls.window {
		ls.finish() // cut at the window: the rest is the next run
	}
}

// finish ends the current run; it is a leak when it covers enough.
func (ls *leakScan) finish() {
	r := &ls.run
	if r.active && r.covered >= ls.li.minLen {
		ls.out = append(ls.out, match{r.start, r.end, kLeak})
	}
	r.active = false
}

// b64Punct marks the base64 and base64url bytes that are not letters or digits.
var b64Punct = [256]bool{'+': true, '/': true, '=': true, '-': true, '_': true}

// lowerAlnum maps ASCII letters and digits to their lower case, other bytes to 0.
var lowerAlnum = func() (t [256]byte) {
	for c := 0; c < 0x80; c++ {
		if isAlnum(byte(c)) {
			t[c] = lower(byte(c))
		}
	}
	return t
}()

// base64At checks for a base64 token of leakB64Min+ bytes at s whose
// decoded text covers enough prompt shingles. wait is set when the token
// may go on past the end of text.
func (ls *leakScan) base64At(text string, base, s int, final bool) (int, bool, bool) {
	n := base + len(text)
	e := s
	for e < n && e-s <= leakB64Limit && b64val(text[e-base]) >= 0 {
		e++
	}
	if e-s < leakB64Min {
		if e == n && !final {
			return 0, false, true
		}
		return 0, false, false
	}
	for e < n && text[e-base] == '=' && e-s <= leakB64Limit+2 {
		e++
	}
	if e == n && !final {
		return 0, false, true
	}
	if e-s > leakB64Limit || e < n && isWord(text[e-base]) {
		return 0, false, false
	}
	tok := text[s-base : e-base]
	var buf [leakB64Limit * 3 / 4]byte
	m, acc, bits := 0, 0, 0
	for i := 0; i < len(tok) && tok[i] != '='; i++ {
		acc, bits = acc<<6|b64val(tok[i]), bits+6
		if bits >= 8 {
			bits -= 8
			buf[m] = byte(acc >> bits)
			acc &= 1<<bits - 1
			m++
		}
	}
	if !printableText(buf[:m]) {
		return 0, false, false
	}
	words, lens := wordHashes([]byte(foldString(string(buf[:m]))))
	covered, lastCovered := 0, -1
	for i := 2; i < len(words); i++ {
		if ls.li.has(shingle(words[i-2], words[i-1], words[i])) {
			for x := max(lastCovered+1, i-2); x <= i; x++ {
				covered += lens[x] + 1
			}
			lastCovered = i
		}
	}
	return e, covered >= ls.li.minLen, false
}
