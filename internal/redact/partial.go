package redact

// Partial entities at the end of a text. A response cut short (an upstream
// that dies mid-body, a completion stopped by max_tokens, a stream that ends)
// can end inside an entity: "jane.roe@exam", 15 digits of a card number. The
// full-entity detectors reject those, so they would be released verbatim.
// partialAt redacts them instead. It runs only when the decision at a
// trigger read past the end of the text and the text is final, so a Stream
// (at Flush) and Redact of the same text agree.
//
// What counts, the candidate reaching the very end of the text:
//   - EMAIL_ADDRESS: a local part, '@' and nothing but domain bytes
//     (letters, digits, '.', '-'), possibly none: "jane.roe@", "jane.roe@exam".
//   - CREDIT_CARD: 12 or more digits starting with 2-6 (the issuer ranges),
//     grouped like a card (one consistent separator, groups of 3-6 digits but
//     the last), possibly ending with the separator.
//   - IBAN_CODE: a known country code, check digits and at least 8 more
//     characters of the IBAN, fewer than its full length.
//   - EMAIL_ADDRESS is not claimed when the domain part is digits and dots
//     (an IP address follows the '@').
//   - a provider token (sk-, AKIA, ghp_, …) or a Bearer token: the prefix
//     and at least partialBody body bytes, with a letter and a digit; a JWT:
//     "eyJ" and at least partialBody base64url bytes.
//
// A PEM private-key block without its END line is already redacted to the
// end by detectPEM.

// partialBody is the shortest token body redacted at a cut.
const partialBody = 8

// partialAt checks the trigger k of a final view for a partial entity that
// runs to the end of v.s; offsets are relative to v.s.
func partialAt(v *view, k int, on *[numBuiltin]bool) (int, int, kind, bool) {
	end := len(v.s)
	switch c := v.s[k]; {
	case c == '@':
		if s, ok := partialEmail(v, k); ok && on[kEmail] {
			return s, end, kEmail, true
		}
	case isDigit(c):
		if isAlpha(v.at(k - 1)) {
			if s, ok := partialIBAN(v, k); ok && on[kIBAN] {
				return s, end, kIBAN, true
			}
			return 0, 0, 0, false
		}
		if partialCard(v, k) && on[kCard] {
			return k, end, kCard, true
		}
	case c == '-' || c == '_' || isAlpha(c):
		if s, kd, ok := partialToken(v, k); ok && on[kd] {
			return s, end, kd, true
		}
	}
	return 0, 0, 0, false
}

// partialEmail: a local part before the '@' at k and only domain bytes after it.
func partialEmail(v *view, k int) (int, bool) {
	start := k
	for start > v.floor && k-start < 64 && (isAlnum(v.at(start-1)) || byteBits[v.at(start-1)]&bLocal != 0) {
		start--
	}
	for start < k && byteBits[v.s[start]]&bLocal != 0 {
		start++
	}
	if start == k || isWord(v.at(start-1)) {
		return 0, false
	}
	letter, dot := false, false
	for i := k + 1; i < len(v.s); i++ {
		c := v.s[i]
		if !isAlnum(c) && c != '.' && c != '-' {
			return 0, false
		}
		letter, dot = letter || isAlpha(c), dot || c == '.'
	}
	if dot && !letter {
		return 0, false // "x@1.2.3.4": an IP address, not a domain
	}
	return start, true
}

// partialCard: 12+ digits from k to the end, starting with 2-6, grouped like a card.
func partialCard(v *view, k int) bool {
	if !numberStart(v, k) || v.s[k] < '2' || v.s[k] > '6' {
		return false
	}
	n, sep, group := 0, byte(0), 0
	for i := k; i < len(v.s); i++ {
		c := v.s[i]
		if isDigit(c) {
			n, group = n+1, group+1
			continue
		}
		if (c == ' ' || c == '-' || c == '.') && (sep == 0 || sep == c) && group >= 3 && group <= 6 {
			sep, group = c, 0
			continue
		}
		return false
	}
	return n >= 12 && n <= 19
}

// partialIBAN: a country code before the check digit at k, then IBAN
// characters to the end: at least 12 of them, fewer than the full length.
func partialIBAN(v *view, k int) (int, bool) {
	st := k - 2
	if st < v.floor || st < 0 || !isAlpha(v.s[st]) || !isAlpha(v.s[st+1]) || isWord(v.at(st-1)) {
		return 0, false
	}
	want := ibanLength(lower(v.s[st]), lower(v.s[st+1]))
	n := 2
	for i := k; i < len(v.s); i++ {
		c := v.s[i]
		if c == ' ' && n%4 == 0 {
			continue
		}
		if !isAlnum(c) || i < k+2 && !isDigit(c) {
			return 0, false
		}
		n++
	}
	return st, want > 0 && n >= 12 && n < want
}

// partialToken: a token prefix ending or starting at k followed by at
// least partialBody body bytes up to the end.
func partialToken(v *view, k int) (int, kind, bool) {
	c := v.s[k]
	for i := range prefixRules {
		rl := &prefixRules[i]
		st := -1
		if c == rl.prefix[0] && !isWord(v.at(k-1)) {
			st = k
		} else if c == '-' || c == '_' {
			for j := 1; j < len(rl.prefix); j++ {
				if rl.prefix[j] == c {
					st = k - j
					break
				}
			}
		}
		if st < v.floor || st < 0 || isWord(v.at(st-1)) || !v.hasPrefixAt(st, rl.prefix) {
			continue
		}
		b := st + len(rl.prefix)
		if bodyRunsToEnd(v, b, true, func(c byte) bool { return bodyByte(rl.bodyCls, c) }) {
			return st, rl.kind, true
		}
	}
	switch {
	case c == 'J' && k >= 2 && v.s[k-2] == 'e' && v.s[k-1] == 'y' && k-2 >= v.floor && !isWord(v.at(k-3)):
		if bodyRunsToEnd(v, k+1, false, func(c byte) bool { return isWord(c) || c == '-' || c == '.' }) {
			return k - 2, kJWT, true
		}
	case c == 'e' && v.hasPrefixAt(k, "eyJ") && !isWord(v.at(k-1)):
		if bodyRunsToEnd(v, k+3, false, func(c byte) bool { return isWord(c) || c == '-' || c == '.' }) {
			return k, kJWT, true
		}
	case (c == 'B' || c == 'b') && !isWord(v.at(k-1)) && v.hasPrefixFoldAt(k, "bearer "):
		if bodyRunsToEnd(v, k+7, true, func(c byte) bool { return isWord(c) || byteBits[c]&(bB64|bB64URL) != 0 || c == '.' || c == '~' }) {
			return k + 7, kAPIKey, true
		}
	}
	return 0, 0, false
}

// bodyRunsToEnd reports whether v.s[b:] is at least partialBody bytes, all
// body bytes, with a digit and a letter when mixed is set (a word such as
// "sk-learn-library" is not a key; "eyJ" is distinctive enough alone).
func bodyRunsToEnd(v *view, b int, mixed bool, body func(byte) bool) bool {
	if len(v.s)-b < partialBody {
		return false
	}
	digit, letter := false, false
	for i := b; i < len(v.s); i++ {
		c := v.s[i]
		if !body(c) {
			return false
		}
		digit, letter = digit || isDigit(c), letter || isAlpha(c)
	}
	return !mixed || digit && letter
}
