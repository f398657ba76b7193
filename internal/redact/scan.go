package redact

import (
	"math/bits"
	"sort"
	"strings"
	"unicode/utf8"
)

// Trigger classes: a byte whose class is 0 can start no entity and is skipped.
const (
	tDigit uint16 = 1 << iota
	tAt
	tPlus
	tParen
	tColon
	tEq
	tLt
	tMarkdown
	tLetter
	tDash
	tCanary
	tFold // lead byte of a non-ASCII rune that folds to a digit, '@' or letter
)

const (
	lookBehind = 320 // the furthest any decision reads before its trigger
	// maxBack is the furthest an entity starts before its trigger: an e-mail
	// local part of 64 characters, each followed by a zero-width character
	// in the source bytes, or a key 128 bytes before its first digit.
	maxBack = 256
)

// match is an entity in absolute byte offsets.
type match struct {
	start, end int
	kind       kind
}

// scanner is the incremental left-to-right detection state machine. Its
// state is only (pos, lastEnd, custom-pattern queue, queued match), and every
// decision at pos reads text[pos-lookBehind : pos+Window] at most, so feeding
// the text in pieces yields the same matches as feeding it whole.
type scanner struct {
	r       *Redactor
	on      *[numBuiltin]bool
	cls     *[256]uint16
	quiet   *[256]uint8
	ls      *leakScan // the prompt-leak pass (nil without a system prompt)
	pos     int
	lastEnd int
	cq      []match  // custom-pattern matches of the current line
	cqEnd   int      // end of the line cq was computed for
	queued  match    // an entity decided ahead of the scan (an AWS secret after its key id); end 0 for none
	judged  [2]int   // the last markdown link destination judged safe (the bare-URL rule skips it)
	fb      *foldBuf // scratch for folded copies (holds no state between decisions)
}

func (r *Redactor) newScanner(rc *RequestContext, requestSide bool) scanner {
	sc := scanner{r: r, on: &r.on, cls: &r.cls, quiet: &r.quiet[0]}
	if requestSide {
		sc.on, sc.cls, sc.quiet = &r.onReq, &r.clsReq, &r.quiet[1]
		return sc
	}
	if li := rc.index(r); li != nil && r.on[kLeak] {
		sc.ls = newLeakScan(li, r.window)
	}
	return sc
}

// newOneShot is newScanner for a whole text scanned by one call: its leak pass
// reuses rc's, which no call needs once it returned.
func (r *Redactor) newOneShot(rc *RequestContext) scanner {
	sc := scanner{r: r, on: &r.on, cls: &r.cls, quiet: &r.quiet[0]}
	if li := rc.index(r); li != nil && r.on[kLeak] {
		rc.ls = leakScan{li: li, window: r.window, out: rc.ls.out[:0]}
		sc.ls = &rc.ls
	}
	return sc
}

// run advances the scanner over text, whose first byte is at absolute offset
// base, appending matches to out. final says no more text will follow. It
// returns blocked=true when a decision needs bytes that have not arrived yet.
func (sc *scanner) run(text string, base int, final bool, out []match) ([]match, bool) {
	n := base + len(text)
	cls, W := sc.cls, sc.r.window
	if sc.ls != nil {
		sc.ls.feed(text, base, final)
	}
	for sc.pos < n {
		p := sc.pos
		if sc.ls != nil && len(sc.ls.out) > 0 { // a decided prompt leak
			l := &sc.ls.out[0]
			if l.start < sc.lastEnd {
				l.start = sc.lastEnd // an entity found meanwhile overlaps it
			}
			if l.start >= l.end {
				sc.ls.out = sc.ls.out[1:]
				continue
			}
			if p >= l.start {
				out = append(out, *l)
				sc.lastEnd, sc.pos = l.end, l.end
				sc.ls.out = sc.ls.out[1:]
				continue
			}
		}
		if q := sc.queued; q.end > 0 {
			if q.start < sc.lastEnd {
				sc.queued = match{} // overlapped by an entity found meanwhile
				continue
			}
			if p >= q.start {
				out = append(out, q)
				sc.lastEnd, sc.pos, sc.queued = q.end, q.end, match{}
				continue
			}
		}
		limit := n
		if len(sc.r.custom) > 0 {
			if p >= sc.cqEnd {
				if !sc.customLine(text, base, final) {
					return out, true
				}
			}
			for len(sc.cq) > 0 && sc.cq[0].start < p {
				sc.cq = sc.cq[1:]
			}
			limit = min(limit, sc.cqEnd)
			if len(sc.cq) > 0 {
				limit = min(limit, max(p, sc.cq[0].start))
			}
		}
		if sc.queued.end > 0 {
			limit = min(limit, sc.queued.start)
		}
		if sc.ls != nil {
			if len(sc.ls.out) > 0 {
				limit = min(limit, sc.ls.out[0].start)
			}
			if !final && sc.ls.hold() < limit {
				if limit = max(p, sc.ls.hold()); p >= limit {
					return out, true // a leak run may still start here
				}
			}
		}
		if p != 0 {
			rel := nextTrigger(text, p-base, limit-base, sc.quiet, cls)
			p = rel + base
			if p >= n {
				sc.pos = p
				break
			}
			if p == limit && (cls[text[rel]] == 0 && !sc.customAt(p) || sc.queued.end > 0 && p >= sc.queued.start ||
				sc.ls != nil && (len(sc.ls.out) > 0 && p >= sc.ls.out[0].start || !final && p >= sc.ls.hold())) {
				sc.pos = p
				continue
			}
		}
		if p >= sc.judged[0] && p < sc.judged[1] && text[p-base] == ':' && p+1 < n && text[p+1-base] == '/' {
			sc.pos = p + 1 // the scheme of a link destination the markdown rule judged safe
			continue
		}
		// decide, with its common case (no match, nothing to fold) inline
		hi, lo := min(n, p+W), max(0, p-lookBehind)
		v := view{s: text[lo-base : hi-base], k: p - lo, floor: sc.lastEnd - lo, fin: final || hi == p+W, base: lo}
		bits := cls[text[p-base]]
		m, ok := sc.dispatch(&v, bits)
		blocked := false
		if ok || v.hitEnd || v.seen || bits&tFold != 0 {
			m, ok, blocked = sc.settle(&v, m, ok, text, base, p, n, final, bits)
		}
		if blocked {
			sc.pos = p
			return out, true
		}
		if !ok {
			m, ok = sc.takeCustom(p)
		}
		if ok {
			out = append(out, m)
			sc.lastEnd, sc.pos = m.end, m.end
		} else {
			sc.pos = p + 1
		}
	}
	return out, false
}

// decide runs the detectors at the trigger p: on the source bytes, then on a
// folded copy when a detector read a non-ASCII byte (or the trigger is one),
// then, at the end of the text, the partial-entity rule. blocked says the
// decision needs bytes that have not arrived yet. An AWS access key id also
// queues the secret access key that follows it (sc.queued).
func (sc *scanner) decide(text string, base, p, n int, final bool) (match, bool, bool) {
	W := sc.r.window
	hi, lo := min(n, p+W), max(0, p-lookBehind)
	v := view{s: text[lo-base : hi-base], k: p - lo, floor: sc.lastEnd - lo, fin: final || hi == p+W, base: lo}
	bits := sc.cls[text[p-base]]
	m, ok := sc.dispatch(&v, bits)
	return sc.settle(&v, m, ok, text, base, p, n, final, bits)
}

// settle completes a decision after dispatch on the source bytes (view v,
// whose first byte is at absolute offset v.base): the folded retry, the
// partial-entity rule, the queued AWS secret, known-secret relabelling.
func (sc *scanner) settle(v *view, m match, ok bool, text string, base, p, n int, final bool, bits uint16) (match, bool, bool) {
	lo, hi := v.base, v.base+len(v.s)
	var q match
	if ok {
		m.start, m.end = m.start+lo, m.end+lo
		if m.kind == kAWSKey && sc.on[kAWSSecret] {
			if s, e, qok := awsSecretAfter(v, m.end-lo); qok {
				q = match{s + lo, e + lo, kAWSSecret}
			}
		}
	}
	if v.hitEnd && !v.fin {
		return match{}, false, true
	}
	if v.seen || bits&tFold != 0 {
		fm, fq, fok, fblocked := sc.foldDecide(text, base, p, n, final, bits)
		if fblocked {
			return match{}, false, true
		}
		if fok && ok && fm.start < m.end && m.start < fm.end { // both: the union, which hides both
			if fm.end-fm.start < m.end-m.start {
				fm.kind = m.kind
			}
			fm.start, fm.end = min(fm.start, m.start), max(fm.end, m.end)
		}
		if fok && (!ok || fm.start <= m.start && fm.end >= m.end) {
			m, ok = fm, true
			if fq.end > 0 || m.kind != kAWSKey {
				q = fq
			}
		}
	}
	if !ok && final && v.hitEnd && hi == n {
		if s, e, kd, pok := partialAt(v, v.k, sc.on); pok {
			return match{s + lo, e + lo, kd}, true, false
		}
	}
	if ok {
		if len(sc.r.exact) > 0 {
			m = sc.relabel(text, base, m)
		}
		if q.end > 0 && q.start >= m.end {
			sc.queued = q
		}
	}
	return m, ok, false
}

// foldSpan is how far past the trigger a folded copy reaches at first; a
// detector that reads past it gets a copy up to the window's end.
const foldSpan = 320

// foldDecide is decide on a folded copy of the text around p (see fold.go).
// The copy spans [p-lookBehind, p+foldSpan), or the window when a detector
// needs more, so the decision depends on the same bytes in a stream and in
// a whole text. It returns the match and the AWS secret it queues, in
// source offsets.
func (sc *scanner) foldDecide(text string, base, p, n int, final bool, bits uint16) (m, q match, ok, blocked bool) {
	if sc.fb == nil {
		sc.fb = &foldBuf{}
	}
	fb, W := sc.fb, sc.r.window
	lo := max(0, p-lookBehind)
	for span := min(foldSpan, W); ; span = W {
		hi := min(n, p+span)
		fin := final || p+span <= n
		kf := fb.fold(text[lo-base:hi-base], p-lo, final && hi == n)
		if kf < 0 {
			return m, q, false, !fin
		}
		v := view{s: fb.str(), k: kf, floor: fb.index(sc.lastEnd - lo), fin: fin, base: -1}
		m, ok = sc.dispatchFolded(&v, bits)
		var qs, qe int
		qok := false
		if ok && m.kind == kAWSKey && sc.on[kAWSSecret] {
			qs, qe, qok = awsSecretAfter(&v, m.end)
		}
		if v.hitEnd && !v.fin {
			return match{}, match{}, false, true
		}
		if v.hitEnd && hi == p+span && span < W {
			continue // the copy was cut short: fold up to the window's end
		}
		if !ok && final && v.hitEnd && hi == n {
			var s, e int
			s, e, m.kind, ok = partialAt(&v, kf, sc.on)
			m.start, m.end = s, e
		}
		if !ok {
			return match{}, match{}, false, false
		}
		if qok {
			q = match{lo + int(fb.from[qs]), lo + int(fb.to[qe-1]), kAWSSecret}
		}
		m, ok = fb.mapBack(m, lo, p, text, base)
		return m, q, ok, false
	}
}

// relabel reports a secret that is one of the known secrets as such, even
// when another detector found it first (a bare key after "key").
func (sc *scanner) relabel(text string, base int, m match) match {
	if m.kind < kAPIKey || m.kind > kSecret || !sc.on[kKnownSecret] {
		return m
	}
	s := text[m.start-base : m.end-base]
	for _, x := range sc.r.exact {
		if x.kind == kKnownSecret && strings.Contains(foldString(s), x.s) {
			m.kind = kKnownSecret
		}
	}
	return m
}

// dispatchFolded runs the detectors on a folded view. A non-ASCII trigger
// that folded to a letter starts a token prefix (its ASCII twin is found
// from the prefix's '-' or '_', or from its own letter trigger).
func (sc *scanner) dispatchFolded(v *view, rawBits uint16) (match, bool) {
	c := v.s[v.k]
	if rawBits&tFold != 0 && isAlpha(c) {
		return sc.foldLetter(v, v.k)
	}
	return sc.dispatch(v, sc.cls[c])
}

// foldLetter handles a folded letter at a word start: provider prefixes,
// eyJ (JWT) and Bearer.
func (sc *scanner) foldLetter(v *view, k int) (match, bool) {
	on := sc.on
	if isWord(v.at(k - 1)) {
		return match{}, false
	}
	if e, kd, ok := detectPrefixed(v, k); ok && on[kd] {
		return match{k, e, kd}, true
	}
	if on[kJWT] && v.hasPrefixAt(k, "eyJ") {
		if e, ok := detectJWT(v, k); ok {
			return match{k, e, kJWT}, true
		}
	}
	if c := v.s[k]; c == 'B' || c == 'b' {
		if s, e, kd, ok := detectBearer(v, k, sc.r.entropy); ok && on[kd] {
			return match{s, e, kd}, true
		}
	}
	return match{}, false
}

// mapBack turns a match in folded offsets into source offsets. The start is
// kept within maxBack bytes of the trigger p and after any ASCII space before
// it, which is what a Stream still holds (see Stream.safePoint).
func (fb *foldBuf) mapBack(m match, lo, p int, text string, base int) (match, bool) {
	if m.end <= m.start {
		return match{}, false
	}
	s, e := lo+int(fb.from[m.start]), lo+int(fb.to[m.end-1])
	if e <= p {
		return match{}, false
	}
	if s < p-maxBack {
		s = p - maxBack
		for s < p && text[s-base]&0xC0 == 0x80 {
			s++
		}
	}
	for i := p - 1; i >= s; i-- {
		if isSpace(text[i-base]) {
			s = i + 1
			break
		}
	}
	return match{s, e, m.kind}, true
}

// customAt reports whether a queued custom match starts at p.
func (sc *scanner) customAt(p int) bool { return len(sc.cq) > 0 && sc.cq[0].start == p }

// takeCustom pops queued custom matches that can no longer start and returns
// the one starting at p, if any.
func (sc *scanner) takeCustom(p int) (match, bool) {
	for len(sc.cq) > 0 && sc.cq[0].start < p {
		sc.cq = sc.cq[1:]
	}
	if len(sc.cq) > 0 && sc.cq[0].start == p {
		m := sc.cq[0]
		sc.cq = sc.cq[1:]
		return m, true
	}
	return match{}, false
}

// customLine runs the custom patterns over the line starting at sc.pos; it
// returns false when the line is not complete yet.
func (sc *scanner) customLine(text string, base int, final bool) bool {
	p, n := sc.pos, base+len(text)
	hi := min(n, p+sc.r.window)
	seg := text[p-base : hi-base]
	end := hi
	if i := strings.IndexByte(seg, '\n'); i >= 0 {
		end = p + i + 1
	} else if !final && hi < p+sc.r.window {
		return false
	}
	line := text[p-base : end-base]
	sc.cq = sc.cq[:0]
	for i, re := range sc.r.custom {
		for _, loc := range re.FindAllStringIndex(line, -1) {
			if loc[1] > loc[0] {
				sc.cq = append(sc.cq, match{p + loc[0], p + loc[1], numBuiltin + kind(i)})
			}
		}
	}
	sort.SliceStable(sc.cq, func(a, b int) bool {
		x, y := sc.cq[a], sc.cq[b]
		return x.start < y.start || x.start == y.start && x.end > y.end
	})
	kept, last := sc.cq[:0], p
	for _, m := range sc.cq {
		if m.start >= last {
			kept, last = append(kept, m), m.end
		}
	}
	sc.cq, sc.cqEnd = kept, max(end, p+1)
	return true
}

// dispatch runs the detectors that the trigger byte at v.k can start; the
// first that matches wins. Offsets in the result are relative to v.s.
func (sc *scanner) dispatch(v *view, bits uint16) (match, bool) {
	k, on, r := v.k, sc.on, sc.r
	if bits&tCanary != 0 {
		if s, e, kd, ok := detectExact(v, k, r.exact); ok && on[kd] {
			return match{s, e, kd}, true
		}
	}
	switch c := v.s[k]; {
	case isDigit(c):
		return sc.digit(v, k)
	case isAlpha(c):
		return sc.letter(v, k)
	case c == '@' && on[kEmail]:
		if s, e, ok := detectEmail(v); ok {
			return match{s, e, kEmail}, true
		}
	case c == '+' || c == '(':
		if on[kPhone] && !isWord(v.at(k-1)) && v.at(k-1) != '+' {
			if e, ok := detectPhone(v, k); ok {
				return match{k, e, kPhone}, true
			}
		}
	case c == ':' || c == '=':
		return sc.colon(v, k)
	case c == '<' && on[kHTML]:
		if e, ok := detectTag(v, k, r); ok {
			return match{k, e, kHTML}, true
		}
	case (c == '[' || c == '!') && on[kMarkdown]:
		e, _, ok, us, ue := detectMarkdownURL(v, k, r)
		if ok {
			return match{k, e, kMarkdown}, true
		}
		if ue > 0 && v.base >= 0 {
			// the bare-URL rule, which is laxer, need not look at it again
			sc.judged = [2]int{v.base + us, v.base + ue}
		}
		if c == '[' {
			if e, ok := detectRefDefinition(v, k, r); ok {
				return match{k, e, kMarkdown}, true
			}
		}
	case c == '-' || c == '_':
		if c == '-' && on[kPEM] {
			if e, ok := detectPEM(v, k); ok {
				return match{k, e, kPEM}, true
			}
		}
		if st, e, kd, ok := detectPrefixedAt(v, k); ok && on[kd] {
			return match{st, e, kd}, true
		}
		if k > 0 && v.s[k-1] >= 0x80 && v.base >= 0 && !dashPrefixFolded(v.s, k) {
			v.seen = false // "что-то": no prefix letter before the dash, no need to fold
		}
	}
	return match{}, false
}

// digit handles a digit trigger: IBAN check digits after two letters, or a
// number start (IP, SSN, card, phone, in that order).
func (sc *scanner) digit(v *view, k int) (match, bool) {
	on := sc.on
	prev := v.at(k - 1)
	if isAlpha(prev) {
		if on[kIBAN] {
			if s, e, ok := detectIBAN(v, k); ok {
				return match{s, e, kIBAN}, true
			}
		}
		if on[kIP] && isHex(prev) {
			if s, e, ok := ipv6AfterHex(v, k); ok {
				return match{s, e, kIP}, true
			}
		}
		if on[kAPIKey] {
			if s, e, ok := detectBareKey(v, k, sc.r.entropy); ok {
				return match{s, e, kAPIKey}, true
			}
		}
		return match{}, false
	}
	if !numberStart(v, k) {
		return match{}, false
	}
	if on[kIP] {
		if e, ok := detectIPv4(v, k); ok {
			if nonIdentifyingIP(v.s[k:e]) {
				return match{}, false
			}
			return match{k, e, kIP}, true
		}
		if e, ok := detectIPv6(v, k); ok {
			if nonIdentifyingIP(v.s[k:e]) {
				return match{}, false
			}
			return match{k, e, kIP}, true
		}
	}
	if on[kSSN] {
		if e, ok := detectSSN(v, k); ok {
			return match{k, e, kSSN}, true
		}
	}
	if on[kCard] {
		if e, ok := detectCard(v, k); ok {
			return match{k, e, kCard}, true
		}
	}
	if on[kPhone] {
		if e, ok := detectPhone(v, k); ok {
			return match{k, e, kPhone}, true
		}
	}
	if on[kAPIKey] {
		if s, e, ok := detectBareKey(v, k, sc.r.entropy); ok {
			return match{s, e, kAPIKey}, true
		}
	}
	return match{}, false
}

// letter handles the letter triggers: AKIA/ASIA keys and Bearer tokens (any case) at
// a word start, and JWTs, whose trigger is the 'J' of "eyJ".
func (sc *scanner) letter(v *view, k int) (match, bool) {
	on, c := sc.on, v.s[k]
	if c == 'J' {
		st := k - 2
		if on[kJWT] && st >= v.floor && v.at(k-2) == 'e' && v.at(k-1) == 'y' && !isWord(v.at(k-3)) {
			if e, ok := detectJWT(v, st); ok {
				return match{st, e, kJWT}, true
			}
		}
		return match{}, false
	}
	if isWord(v.at(k - 1)) {
		return match{}, false
	}
	if c == 'A' {
		if e, kd, ok := detectPrefixed(v, k); ok && on[kd] {
			return match{k, e, kd}, true
		}
	}
	if c == 'B' || c == 'b' {
		if s, e, kd, ok := detectBearer(v, k, sc.r.entropy); ok && on[kd] {
			return match{s, e, kd}, true
		}
	}
	return match{}, false
}

// colon handles ':' and '=': "::"-led IPv6, key=value secrets, script URL
// schemes and bare http(s) URLs.
func (sc *scanner) colon(v *view, k int) (match, bool) {
	on := sc.on
	if v.s[k] == ':' && v.at(k+1) == '/' { // a URL: no IPv6 address nor key=value
		if c := lower(v.at(k - 1)); on[kURL] && (c == 't' || c == 'a') { // javascript, vbscript, data
			if s, e, ok := detectScheme(v, k); ok {
				return match{s, e, kURL}, true
			}
		}
		if on[kMarkdown] && !(v.base >= 0 && v.base+k >= sc.judged[0] && v.base+k < sc.judged[1]) {
			if s, e, ok := detectBareURL(v, k, sc.r); ok {
				return match{s, e, kMarkdown}, true
			}
		}
		return match{}, false
	}
	if v.s[k] == ':' && on[kIP] {
		if st, e, ok := ipv6AtColon(v, k); ok && !nonIdentifyingIP(v.s[st:e]) {
			return match{st, e, kIP}, true
		}
	}
	if s, e, kd, ok := detectKeyword(v, k, sc.r.entropy); ok && on[kd] {
		return match{s, e, kd}, true
	}
	if v.s[k] == ':' && on[kURL] {
		if s, e, ok := detectScheme(v, k); ok {
			return match{s, e, kURL}, true
		}
	}
	return match{}, false
}

// nextTrigger returns the first index in [i, lim) holding a trigger that
// its class's skip rule cannot reject, or lim. It is the hot loop: quiet
// bytes are skipped 8 per step (the first trigger byte of a block is found
// by counting trailing zeros, not by a byte loop), the commonest rejections
// (a digit after a digit, a letter trigger inside a word) are decided
// inline, a run of digits at once, and only the digit, colon and letter
// rules cost a call (calls and loop back-edges are expensive in Go compiled
// to wasm). It stops exactly where stepping one position at a time would
// (TestNextTriggerJumps).
func nextTrigger(text string, i, lim int, q *[256]uint8, cls *[256]uint16) int {
	if lim > len(text) {
		lim = len(text)
	}
	for {
		found := false
		for i+8 <= lim {
			b := text[i : i+8]
			m := uint64(q[b[0]]) | uint64(q[b[1]])<<8 | uint64(q[b[2]])<<16 | uint64(q[b[3]])<<24 |
				uint64(q[b[4]])<<32 | uint64(q[b[5]])<<40 | uint64(q[b[6]])<<48 | uint64(q[b[7]])<<56
			if m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				found = true
				break
			}
			i += 8
		}
		if !found {
			for ; i < lim && q[text[i]] == 0; i++ {
			}
			if i >= lim {
				return lim
			}
		}
		c := cls[text[i]]
		if i > 0 {
			pc := text[i-1]
			prev := byteBits[pc]
			switch {
			case c == tDigit && prev&bDigit != 0:
				i = digitRunEnd(text, i+1, lim, cls)
				continue
			case c == tDigit && prev&(bUpper|bLower) == 0 && pc < 0x80:
				if e := digitRunEnd(text, i+1, lim, cls); shortNumber(text, i, e) {
					i = e
					continue
				}
			case c == tLetter && prev&(bUpper|bLower|bDigit) != 0 && text[i] != 'J':
				i++
				continue
			}
		}
		var skip bool
		switch c {
		case tDigit:
			skip = skipDigit(text, i)
		case tColon:
			skip = skipColon(text, i)
		case tLetter:
			skip = skipLetter(text, i)
		case tPlus:
			skip = skipPlus(text, i)
		case tDash:
			skip = skipDash(text, i)
		case tMarkdown:
			skip = skipMarkdown(text, i)
		case tLt:
			skip = skipLt(text, i)
		default:
			skip = c == tFold && skipFold(text, i)
		}
		if !skip {
			return i
		}
		if c == tDigit {
			i = digitRunEnd(text, i+1, lim, cls) // each is a digit after a digit
			continue
		}
		i++
	}
}

// shortNumber is skipDigit's commonest case, decided inline: the digits
// text[i:e] (after a byte that is neither a letter nor a digit) are fewer
// than 7 and end at a byte that ends every number shape — not a digit,
// separator, ':' or hex letter, or a '.' or '(' not followed by a digit —
// as in "14%", "30s", "5)", "1. ". skipDigit says the same
// (TestShortNumberImpliesSkip).
func shortNumber(text string, i, e int) bool {
	if e-i >= 7 || e >= len(text) {
		return false
	}
	switch numEnd[text[e]] {
	case 1:
		return true
	case 2:
		return e+1 < len(text) && !isDigit(text[e+1]) && text[e+1] < 0x80
	}
	return false
}

// numEnd classifies the byte after a digit for shortNumber: 1 ends every
// number shape, 2 ('.', '(') does when no digit follows, 0 may continue one.
var numEnd = func() (t [256]uint8) {
	for c := range t {
		t[c] = 1
		if byteBits[c]&(bDigit|bHexLetter) != 0 || strings.IndexByte(" -:", byte(c)) >= 0 || c >= 0x80 {
			t[c] = 0
		}
	}
	t['.'], t['('] = 2, 2
	return t
}()

// digitRunEnd returns the first index from i (at most lim) that is not a
// byte of class exactly tDigit.
func digitRunEnd(text string, i, lim int, cls *[256]uint16) int {
	for i < lim && cls[text[i]] == tDigit {
		i++
	}
	return i
}

// The skip rules below reject, from the bytes at hand and without calling
// a detector, triggers of one class that cannot start anything: digits
// inside or just before a short number, ':' not after a keyword/scheme/hex
// letter, and so on. They never read past text, so they answer the same in
// streamed and whole-text scans. TestQuickSkipSound checks them against the
// detectors. nextTrigger picks the rule by class: one function per class
// rather than one large function with a switch, so the simple rules inline
// and Go's wasm code does not dispatch through one big br_table per trigger.

// skipDigit: a digit inside or just before a number too short for any
// number entity, or after letters where it cannot be IBAN check digits nor
// the first digit of a long key-like token.
func skipDigit(text string, rel int) bool {
	if rel == 0 {
		return false
	}
	p := text[rel-1]
	if p >= '0' && p <= '9' {
		return true
	}
	if byteBits[p]&(bUpper|bLower) != 0 {
		if byteBits[p]&bHexLetter != 0 && colonWithin(text, rel, 5) {
			return false // maybe an IPv6 address that starts with hex letters (fe80::1)
		}
		if rel+1 < len(text) {
			if n := text[rel+1]; n < 0x80 && !isAlnum(n) && (rel < bareKeyMin-1 || !isAlnum(text[rel+1-bareKeyMin])) {
				return true // "v2.": no second check digit, and a token too short for a key
			}
		}
		return !ibanCheckDigit(text, rel) && !bareKeyCandidate(text, rel)
	}
	if p >= 0x80 {
		if f, n := lastFolded(text, rel); n == 0 || isAlpha(f) {
			return false // maybe check digits or a key after folded letters
		}
		// else the source bytes see a number start: the number rules decide
	}
	if rel+4 < len(text) && isDigit(text[rel+3]) && isoDate(text, rel) { // (cheap test first: most numbers are short)
		return true
	}
	// a number needs 7+ digits, three '.' (IPv4) or a ':' (IPv6)
	digits, dots := 0, 0
	for j := rel; j < len(text) && j < rel+24; j++ {
		c := text[j]
		if c >= '0' && c <= '9' {
			digits++
			if digits >= 7 {
				return false
			}
			continue
		}
		if c == ':' {
			return !ipv6Plausible(text, j)
		}
		if c == ')' || c == '/' {
			return true // ends every number shape, with fewer than 7 digits
		}
		if c == '.' && j+1 < len(text) && isDigit(text[j+1]) {
			if dots++; dots == 3 {
				return false // maybe a dotted quad
			}
			continue // "2.3", "1.4.2": a version, unless it has 7 digits
		}
		if c == '.' || c == '(' {
			// a number, or a "(area)" group, needs a digit next (or a non-ASCII byte, which may fold to one)
			return j+1 < len(text) && !isDigit(text[j+1]) && text[j+1] < 0x80
		}
		if byteBits[c]&bHexLetter != 0 {
			for h := j; h < len(text) && h < j+5; h++ {
				if text[h] == ':' {
					return false // maybe IPv6
				}
			}
			return j+5 <= len(text)
		}
		if c != ' ' && c != '-' {
			return c < 0x80 || !foldRelevantAt(text, j) // a folded digit or separator may continue the number
		}
	}
	return false
}

// colonWithin reports whether a ':' is among the n bytes from i, or the
// bytes at hand end first.
func colonWithin(text string, i, n int) bool {
	for j := i; j < i+n; j++ {
		if j >= len(text) || text[j] == ':' {
			return true
		}
	}
	return false
}

// ibanCheckDigit reports whether the digit at rel, after a letter, may be
// an IBAN's first check digit: another letter before that one and a digit
// after it (zero-width characters passed over), as far as the bytes at hand
// show.
func ibanCheckDigit(text string, rel int) bool {
	if rel+1 < len(text) {
		if n := text[rel+1]; n < 0x80 {
			if !isDigit(n) {
				return false
			}
		} else if n, ok := nextFolded(text, rel+1); ok && !isDigit(n) {
			return false
		}
	}
	if rel < 2 {
		return true
	}
	if a := text[rel-2]; a < 0x80 && text[rel-1] < 0x80 {
		return isAlpha(a)
	}
	a, _, ok := lastTwoFolded(text, rel)
	return !ok || isAlpha(a)
}

// bareKeyCandidate reports whether the digit at rel, after a letter, is the
// first letter-to-digit step of an alphanumeric token that starts at most
// maxBack bytes back after a byte a bare key may follow and that is at least
// bareKeyMin bytes long (or runs past the bytes at hand).
func bareKeyCandidate(text string, rel int) bool {
	if rel+1 < len(text) && !isAlnum(text[rel+1]) && text[rel+1] < 0x80 && (rel < bareKeyMin-1 || !isAlnum(text[rel+1-bareKeyMin])) {
		return false // the token ends after this digit and is shorter than a key
	}
	s := rel - 1
	for s > 0 && isAlnum(text[s-1]) {
		if rel-s >= maxBack || isDigit(text[s]) && isAlpha(text[s-1]) {
			return false // too far back, or not the token's first letter-to-digit step
		}
		s--
	}
	if s == 0 || text[s-1] >= 0x80 {
		return true // the token may start before the bytes at hand, or continue through folded runes
	}
	if !bareKeyBefore(text[s-1]) {
		return false
	}
	e := rel
	for e < len(text) && e-s < bareKeyMin && isAlnum(text[e]) {
		e++
	}
	return e-s >= bareKeyMin || e == len(text) || text[e] >= 0x80
}

// skipColon: ':' or '=' not after a secret keyword, a script/data/http scheme or a hex digit (IPv6).
func skipColon(text string, rel int) bool {
	if rel == 0 || rel+1 >= len(text) {
		return false
	}
	p := text[rel-1]
	if text[rel] == ':' && (text[rel+1] == ':' || byteBits[p]&(bDigit|bHexLetter) != 0 && ipv6Plausible(text, rel)) {
		return false // IPv6
	}
	if byteBits[p]&(bUpper|bLower) != 0 || p >= 0x80 {
		if rel < 2 {
			return false
		}
		if a := text[rel-2]; p < 0x80 && a < 0x80 {
			return !keywordPair(a, p)
		}
		a, b, ok := lastTwoFolded(text, rel)
		return ok && b != ' ' && b != '"' && b != '\'' && !keywordPair(a, b)
	}
	switch p {
	case '"', '\'', ' ':
		return false // quoted keys, "key : value"
	}
	return true
}

// keywordPair reports whether a, b are the last two letters (any case) of a
// secret keyword (password, passwd, pwd, secret, token, ...key, credentials,
// credential, auth) or of a scheme (javascript, vbscript, data, http, https).
func keywordPair(a, b byte) bool {
	const x = 8 // two lower-case letters as one uint16
	switch uint16(a|0x20)<<x | uint16(b|0x20) {
	case 'r'<<x | 'd', 'w'<<x | 'd', 'e'<<x | 't', 'e'<<x | 'n', 'e'<<x | 'y', 'l'<<x | 's', 'a'<<x | 'l',
		't'<<x | 'h', 'p'<<x | 't', 't'<<x | 'a', 't'<<x | 'p', 'p'<<x | 's':
		return true
	}
	return false
}

// lastTwoFolded returns the folds of the two runes before text[rel]; ok is
// false when they are not both at hand (the caller must not skip).
func lastTwoFolded(text string, rel int) (byte, byte, bool) {
	b, n := lastFolded(text, rel)
	if n == 0 {
		return 0, 0, false
	}
	a, m := lastFolded(text, rel-n)
	if m == 0 {
		return 0, 0, false
	}
	return a, b, true
}

// lastFolded folds the rune ending just before text[i], passing over up to
// four runes that fold away (zero-width characters), and returns the fold
// with the number of bytes read (0 when the bytes at hand end first).
func lastFolded(text string, i int) (byte, int) {
	for j, n := i, 0; n < 5; n++ {
		if j <= 0 {
			return 0, 0
		}
		if c := text[j-1]; c < 0x80 {
			return c, i - j + 1
		}
		r, size := utf8.DecodeLastRuneInString(text[max(0, j-4):j])
		if r == utf8.RuneError && size <= 1 {
			return 0, 0
		}
		if b := foldRune(r); b != foldDrop {
			return b, i - j + size
		}
		j -= size
	}
	return foldOther, 1
}

// nextFolded folds the rune starting at text[i], passing over up to four
// runes that fold away (ok false when the bytes at hand end first).
func nextFolded(text string, i int) (byte, bool) {
	for n := 0; n < 5; n++ {
		if i >= len(text) {
			return 0, false
		}
		if c := text[i]; c < 0x80 {
			return c, true
		}
		r, size, ok := decodeAt(text, i)
		if !ok {
			return 0, false
		}
		if b := foldRune(r); b != foldDrop {
			return b, true
		}
		i += size
	}
	return foldOther, true
}

// skipLetter: 'A', 'B', 'b' or 'J' that cannot start AKIA/ASIA/AIza, Bearer
// or eyJ. Next to a non-ASCII byte (which may fold to a letter of the
// prefix, or away) it does not skip.
func skipLetter(text string, rel int) bool {
	c := text[rel]
	if c == 'J' {
		return rel > 1 && text[rel-1] < 0x80 && text[rel-2] < 0x80 && (text[rel-1] != 'y' || text[rel-2] != 'e')
	}
	if rel > 0 && byteBits[text[rel-1]]&(bUpper|bLower|bDigit) != 0 {
		return true
	}
	if rel+1 >= len(text) {
		return false
	}
	n := text[rel+1]
	if c == 'A' {
		if n == 'I' { // AIza
			return rel+2 < len(text) && text[rel+2] != 'z' && text[rel+2] < 0x80
		}
		return n != 'K' && n != 'S' && n < 0x80 // AKIA, ASIA
	}
	if n|0x20 != 'e' {
		return n < 0x80
	}
	return rel+2 < len(text) && text[rel+2]|0x20 != 'a' && text[rel+2] < 0x80 // Bearer
}

// skipPlus: '+' or '(' not before a digit (nor before a non-ASCII byte,
// which may fold to one).
func skipPlus(text string, rel int) bool {
	return rel+1 < len(text) && (text[rel+1] < '0' || text[rel+1] > '9') && text[rel+1] < 0x80
}

// skipDash: '-' or '_' not after a token prefix letter and not starting a PEM dash run.
func skipDash(text string, rel int) bool {
	if rel == 0 || rel+1 >= len(text) {
		return false
	}
	if text[rel] == '-' && maybeDashes(text, rel+1, rel+5) {
		return false // -----BEGIN
	}
	return dashSkip[text[rel-1]]
}

// dashSkip marks the bytes after which a '-' or '_' is skipped: all but the
// last letters of token prefixes (sk-, sk_live_, rk_live_, glpat-, xox?-,
// gh?_, github_) and non-ASCII bytes (which may fold to one).
var dashSkip = func() (t [256]bool) {
	for c := 0; c < 0x80; c++ {
		t[c] = strings.IndexByte("ktabprsouh", byte(c)) < 0
	}
	return t
}()

// skipMarkdown: '!' not before '['.
func skipMarkdown(text string, rel int) bool {
	return text[rel] == '!' && rel+1 < len(text) && text[rel+1] != '['
}

// skipLt: '<' not before '/' or a letter.
func skipLt(text string, rel int) bool {
	return rel+1 < len(text) && text[rel+1] != '/' && byteBits[text[rel+1]]&(bUpper|bLower) == 0
}

// isoDate reports whether a date-shaped number starts at rel — four digits,
// then one or two digits twice, joined by the same '-' or '.' — that the
// bytes at hand show ends there: what follows is neither a digit nor a
// separator before a digit. Such a number has 8 digits or fewer, the phone
// detector rejects its shape (looksLikeDate), and it cannot be a card, SSN
// (3-2-4), IPv4 (first group > 255) or IPv6 (no ':'). Dates are frequent
// in model output, and each one would otherwise run every number detector.
func isoDate(text string, rel int) bool {
	if p := text[rel-1]; p == '+' || p == '-' || p == '.' || p == ':' || p == '/' {
		return false
	}
	j := rel + 4
	if j >= len(text) || !isDigit(text[rel+1]) || !isDigit(text[rel+2]) || !isDigit(text[rel+3]) {
		return false
	}
	sep := text[j]
	if sep != '-' && sep != '.' {
		return false
	}
	for g := 0; g < 2; g++ {
		if j+1 >= len(text) || !isDigit(text[j+1]) {
			return false
		}
		j += 2
		if j < len(text) && isDigit(text[j]) {
			j++
		}
		if g == 0 && (j >= len(text) || text[j] != sep) {
			return false
		}
	}
	if j >= len(text) || isDigit(text[j]) || text[j] >= 0x80 {
		return false // more digits, or a folded digit or separator may follow
	}
	switch text[j] {
	case '-', '.', ' ', '/', ':', '(', ')':
		return j+1 < len(text) && !isDigit(text[j+1]) && text[j+1] != '(' && text[j+1] != '+'
	}
	return true
}

// maybeDashes reports whether text[i:j] may be all '-': every byte at hand is.
func maybeDashes(text string, i, j int) bool {
	for ; i < j && i < len(text); i++ {
		if text[i] != '-' {
			return false
		}
	}
	return true
}

// ipv6Plausible reports whether the ':' at j can belong to an IPv6 address:
// the hex-and-colon run after it contains another ':' (full or "::" forms),
// or the run reaches the end of the text at hand.
func ipv6Plausible(text string, j int) bool {
	for h := j + 1; h < j+6; h++ {
		if h >= len(text) || text[h] == ':' {
			return true
		}
		if byteBits[text[h]]&(bDigit|bHexLetter) == 0 {
			return text[h] >= 0x80 // which may fold away or to a hex digit
		}
	}
	return false
}

// dashPrefixFolded reports whether the rune before s[k] folds to the last
// letter of a token prefix (or cannot be told yet).
func dashPrefixFolded(s string, k int) bool {
	p, n := lastFolded(s, k)
	return n == 0 || p < 0x80 && !dashSkip[p]
}

// ipv6AfterHex finds an IPv6 address whose first group starts with hex
// letters before the digit at k ("fe80::1"), as ipv6AtColon does from its
// ':' (a folded copy may decide at the digit).
func ipv6AfterHex(v *view, k int) (int, int, bool) {
	st := k
	for st > k-4 && st > v.floor && isHex(v.at(st-1)) {
		st--
	}
	if p := v.at(st - 1); isWord(p) || p == ':' || p == '.' {
		return 0, 0, false
	}
	e, ok := detectIPv6(v, st)
	if !ok || nonIdentifyingIP(v.s[st:e]) {
		return 0, 0, false
	}
	return st, e, true
}

// nonIdentifyingIP reports addresses that cannot identify a host or a
// subscriber on the internet and fill technical answers: unspecified,
// loopback, private (RFC 1918, unique-local), shared (100.64.0.0/10),
// link-local, documentation (RFC 5737, 2001:db8::/32), multicast, netmasks
// and broadcast. Public addresses are personal data; these are not.
func nonIdentifyingIP(s string) bool {
	if strings.IndexByte(s, ':') >= 0 {
		return nonIdentifyingIPv6(s)
	}
	var o [4]int
	n := 0
	for i := 0; i < len(s) && n < 4; i++ {
		if s[i] == '.' {
			n++
			continue
		}
		o[n] = o[n]*10 + int(s[i]-'0')
	}
	switch {
	case o[0] == 0, o[0] == 10, o[0] == 127, o[0] >= 224:
		return true
	case o[0] == 100 && o[1]&0xC0 == 64, o[0] == 169 && o[1] == 254, o[0] == 172 && o[1]&0xF0 == 16,
		o[0] == 192 && o[1] == 168:
		return true
	case o[0] == 192 && o[1] == 0 && o[2] == 2, o[0] == 198 && o[1] == 51 && o[2] == 100, o[0] == 203 && o[1] == 0 && o[2] == 113:
		return true
	}
	return false
}

// nonIdentifyingIPv6: ::, ::1, link-local fe80::/10, unique-local fc00::/7,
// multicast ff00::/8, documentation 2001:db8::/32, and IPv4-mapped forms of
// the IPv4 ranges above.
func nonIdentifyingIPv6(s string) bool {
	if s == "::" || s == "::1" {
		return true
	}
	if i := strings.LastIndexByte(s, ':'); strings.IndexByte(s[i:], '.') >= 0 {
		return nonIdentifyingIP(s[i+1:])
	}
	g := 0
	for i := 0; i < len(s) && s[i] != ':' && i < 4; i++ {
		g = g<<4 | int(hexVal(s[i]))
	}
	if strings.HasPrefix(s, "::") {
		return false
	}
	switch {
	case g&0xFFC0 == 0xFE80, g&0xFE00 == 0xFC00, g&0xFF00 == 0xFF00:
		return true
	case g == 0x2001:
		rest := strings.ToLower(s[5:])
		return strings.HasPrefix(rest, "db8:") || strings.HasPrefix(rest, "0db8:")
	}
	return false
}

// ipv6AtColon finds an IPv6 address around the ':' at k: one that starts
// with "::" here, or with the 1-4 hex digits before it.
func ipv6AtColon(v *view, k int) (int, int, bool) {
	st := k
	for st > k-4 && st > v.floor && isHex(v.at(st-1)) {
		st--
	}
	if p := v.at(st - 1); isWord(p) || p == ':' || p == '.' {
		return 0, 0, false
	}
	if st == k && v.at(k+1) != ':' {
		return 0, 0, false
	}
	if st < k && isDigit(v.s[st]) {
		return 0, 0, false // a number start: already tried by the digit trigger
	}
	e, ok := detectIPv6(v, st)
	return st, e, ok
}
