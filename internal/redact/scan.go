package redact

import (
	"math/bits"
	"sort"
	"strings"
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
	tSpace
)

const (
	lookBehind = 96 // the furthest any detector reads before its trigger
	maxBack    = 64 // the furthest an entity starts before its trigger (e-mail local part)
)

// match is an entity in absolute byte offsets.
type match struct {
	start, end int
	kind       kind
}

// scanner is the incremental left-to-right detection state machine. Its
// state is only (pos, lastEnd, custom-pattern queue), and every decision at
// pos reads text[pos-lookBehind : pos+Window] at most, so feeding the text in
// pieces yields the same matches as feeding it whole.
type scanner struct {
	r       *Redactor
	on      *[numBuiltin]bool
	cls     *[256]uint16
	quiet   *[256]uint8
	leak    *leakIndex
	pos     int
	lastEnd int
	cq      []match // custom-pattern matches of the current line
	cqEnd   int     // end of the line cq was computed for
}

func (r *Redactor) newScanner(rc *RequestContext, requestSide bool) scanner {
	sc := scanner{r: r, on: &r.on, cls: &r.cls, quiet: &r.quiet[0]}
	if requestSide {
		sc.on, sc.cls, sc.quiet = &r.onReq, &r.clsReq, &r.quiet[1]
		return sc
	}
	if li := rc.index(r); li != nil && r.on[kLeak] {
		sc.leak, sc.cls, sc.quiet = li, &r.clsLeak, &r.quiet[2]
	}
	return sc
}

// run advances the scanner over text, whose first byte is at absolute offset
// base, appending matches to out. final says no more text will follow. It
// returns blocked=true when a decision needs bytes that have not arrived yet.
func (sc *scanner) run(text string, base int, final bool, out []match) ([]match, bool) {
	n := base + len(text)
	cls, W := sc.cls, sc.r.window
	for sc.pos < n {
		p := sc.pos
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
		if p != 0 {
			rel := nextTrigger(text, p-base, limit-base, sc.quiet, cls)
			p = rel + base
			if p >= n {
				sc.pos = p
				break
			}
			if p == limit && cls[text[rel]] == 0 && !sc.customAt(p) {
				sc.pos = p
				continue
			}
		}
		hi, lo := min(n, p+W), max(0, p-lookBehind)
		v := view{s: text[lo-base : hi-base], k: p - lo, floor: sc.lastEnd - lo, fin: final || hi == p+W}
		m, ok := sc.dispatch(&v, cls[text[p-base]], p == 0)
		if !ok {
			m, ok = sc.takeCustom(p)
		} else {
			m.start, m.end = m.start+lo, m.end+lo
		}
		if v.hitEnd && !v.fin {
			sc.pos = p
			return out, true
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
func (sc *scanner) dispatch(v *view, bits uint16, atStart bool) (match, bool) {
	k, on, r := v.k, sc.on, sc.r
	if sc.leak != nil && (bits&tSpace != 0 || atStart) {
		j := k
		if bits&tSpace != 0 {
			j = k + 1
		}
		if e, ok := sc.leak.detect(v, j); ok {
			return match{j, e, kLeak}, true
		}
	}
	if bits&tCanary != 0 && on[kCanary] {
		if e, ok := detectCanary(v, k, r.canaries); ok {
			return match{k, e, kCanary}, true
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
		if e, _, ok := detectMarkdown(v, k, r); ok {
			return match{k, e, kMarkdown}, true
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
		return match{}, false
	}
	if !numberStart(v, k) {
		return match{}, false
	}
	if on[kIP] {
		if e, ok := detectIPv4(v, k); ok {
			return match{k, e, kIP}, true
		}
		if e, ok := detectIPv6(v, k); ok {
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

// colon handles ':' and '=': "::"-led IPv6, key=value secrets and script URL schemes.
func (sc *scanner) colon(v *view, k int) (match, bool) {
	on := sc.on
	if v.s[k] == ':' && on[kIP] {
		if st, e, ok := ipv6AtColon(v, k); ok {
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
		if c&tSpace != 0 {
			return i // a word start for prompt-leak detection
		}
		if i > 0 {
			prev := byteBits[text[i-1]]
			switch {
			case c == tDigit && prev&bDigit != 0:
				i = digitRunEnd(text, i+1, lim, cls)
				continue
			case c == tDigit && prev&(bUpper|bLower) == 0:
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
		return e+1 < len(text) && !isDigit(text[e+1])
	}
	return false
}

// numEnd classifies the byte after a digit for shortNumber: 1 ends every
// number shape, 2 ('.', '(') does when no digit follows, 0 may continue one.
var numEnd = func() (t [256]uint8) {
	for c := range t {
		t[c] = 1
		if byteBits[c]&(bDigit|bHexLetter) != 0 || strings.IndexByte(" -:", byte(c)) >= 0 {
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
// rather than one large function with a switch, which cost about 7 % more
// of the markdown scan in wasm (the simple rules inline).

// skipDigit: a digit inside or just before a number too short for any number entity.
func skipDigit(text string, rel int) bool {
	if rel == 0 {
		return false
	}
	p := text[rel-1]
	if p >= '0' && p <= '9' {
		return true
	}
	if byteBits[p]&(bUpper|bLower) != 0 {
		// IBAN check digits: two letters (after a non-word byte) and a second digit
		return rel+1 < len(text) && !isDigit(text[rel+1]) || rel < 2 || byteBits[text[rel-2]]&(bUpper|bLower) == 0
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
			// a number, or a "(area)" group, needs a digit next
			return j+1 < len(text) && !isDigit(text[j+1])
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
			return true
		}
	}
	return false
}

// skipColon: ':' or '=' not after a secret keyword, a script/data scheme or a hex digit (IPv6).
func skipColon(text string, rel int) bool {
	if rel == 0 || rel+1 >= len(text) {
		return false
	}
	p := text[rel-1]
	if text[rel] == ':' && (text[rel+1] == ':' || byteBits[p]&(bDigit|bHexLetter) != 0 && ipv6Plausible(text, rel)) {
		return false // IPv6
	}
	if byteBits[p]&(bUpper|bLower) != 0 {
		// the last two letters of a secret keyword (password, passwd, pwd,
		// secret, token, ...key, credentials, credential, auth) or of a
		// script/data scheme (javascript, vbscript, data)
		if rel < 2 {
			return false
		}
		const x = 8 // two lower-case letters as one uint16
		switch uint16(text[rel-2]|0x20)<<x | uint16(p|0x20) {
		case 'r'<<x | 'd', 'w'<<x | 'd', 'e'<<x | 't', 'e'<<x | 'n', 'e'<<x | 'y', 'l'<<x | 's', 'a'<<x | 'l',
			't'<<x | 'h', 'p'<<x | 't', 't'<<x | 'a':
			return false
		}
		return true
	}
	switch p {
	case '"', '\'', ' ':
		return false // quoted keys, "key : value"
	}
	return true
}

// skipLetter: 'A', 'B', 'b' or 'J' that cannot start AKIA/ASIA, Bearer or eyJ.
func skipLetter(text string, rel int) bool {
	c := text[rel]
	if c == 'J' {
		return rel > 1 && (text[rel-1] != 'y' || text[rel-2] != 'e')
	}
	if rel > 0 && byteBits[text[rel-1]]&(bUpper|bLower|bDigit) != 0 {
		return true
	}
	if rel+1 >= len(text) {
		return false
	}
	n := text[rel+1]
	if c == 'A' {
		return n != 'K' && n != 'S' // AKIA, ASIA
	}
	return n|0x20 != 'e' || rel+2 < len(text) && text[rel+2]|0x20 != 'a' // Bearer
}

// skipPlus: '+' or '(' not before a digit.
func skipPlus(text string, rel int) bool {
	return rel+1 < len(text) && (text[rel+1] < '0' || text[rel+1] > '9')
}

// skipDash: '-' or '_' not after a token prefix letter and not starting a PEM dash run.
func skipDash(text string, rel int) bool {
	if rel == 0 || rel+1 >= len(text) {
		return false
	}
	if text[rel] == '-' && maybeDashes(text, rel+1, rel+5) {
		return false // -----BEGIN
	}
	switch text[rel-1] {
	case 'k', 't', 'a', 'b', 'p', 'r', 's', 'o', 'u', 'h':
		return false // sk-, glpat-, xox?-, gh?_, github_
	}
	return true
}

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
	if j >= len(text) || isDigit(text[j]) {
		return false
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
			return false
		}
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
