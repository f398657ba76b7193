package redact

import "math"

// prefixRule describes a credential with a fixed, provider-specific prefix.
type prefixRule struct {
	prefix   string
	kind     kind
	minBody  int    // minimum number of body bytes after the prefix
	maxBody  int    // maximum number of body bytes
	bodyCls  string // "alnum", "alnum_", "alnum-_", "upper"
	needsMix bool   // body must contain a letter and a digit
}

var prefixRules = []prefixRule{
	{"sk-", kAPIKey, 20, 300, "alnum-_", true},     // OpenAI (sk-proj-, sk-svcacct-, sk-admin-), Anthropic (sk-ant-)
	{"sk_live_", kAPIKey, 20, 255, "alnum", false}, // Stripe secret and restricted keys
	{"sk_test_", kAPIKey, 20, 255, "alnum", false},
	{"rk_live_", kAPIKey, 20, 255, "alnum", false},
	{"rk_test_", kAPIKey, 20, 255, "alnum", false},
	{"AIza", kAPIKey, 35, 35, "alnum-_", false}, // Google API keys
	{"AKIA", kAWSKey, 16, 16, "upper", false},
	{"ASIA", kAWSKey, 16, 16, "upper", false},
	{"ghp_", kGitHub, 30, 255, "alnum", false},
	{"gho_", kGitHub, 30, 255, "alnum", false},
	{"ghu_", kGitHub, 30, 255, "alnum", false},
	{"ghs_", kGitHub, 30, 255, "alnum", false},
	{"ghr_", kGitHub, 30, 255, "alnum", false},
	{"github_pat_", kGitHub, 22, 255, "alnum_", false},
	{"glpat-", kGitLab, 20, 255, "alnum-_", false},
	{"xoxa-", kSlack, 10, 255, "alnum-_", false},
	{"xoxb-", kSlack, 10, 255, "alnum-_", false},
	{"xoxp-", kSlack, 10, 255, "alnum-_", false},
	{"xoxr-", kSlack, 10, 255, "alnum-_", false},
	{"xoxs-", kSlack, 10, 255, "alnum-_", false},
}

func bodyByte(cls string, c byte) bool {
	switch cls {
	case "upper":
		return byteBits[c]&(bUpper|bDigit) != 0
	case "alnum":
		return isAlnum(c)
	case "alnum_":
		return isWord(c)
	}
	return isWord(c) || c == '-'
}

// detectPrefixed matches the provider token rules at k (a word start).
func detectPrefixed(v *view, k int) (int, kind, bool) {
	for i := range prefixRules {
		rl := &prefixRules[i]
		if rl.prefix[0] != v.at(k) || !v.hasPrefixAt(k, rl.prefix) {
			continue
		}
		b := k + len(rl.prefix)
		e := b
		letter, digit := false, false
		for bodyByte(rl.bodyCls, v.at(e)) && e-b <= rl.maxBody {
			letter = letter || isAlpha(v.s[e])
			digit = digit || isDigit(v.s[e])
			e++
		}
		n := e - b
		if n < rl.minBody || n > rl.maxBody || rl.needsMix && !(letter && digit) {
			continue
		}
		if c := v.at(e); isWord(c) || c == '-' {
			continue
		}
		return e, rl.kind, true
	}
	return 0, 0, false
}

// detectPrefixedAt is triggered at the '-' or '_' inside a token prefix
// (sk-, glpat-, xoxb-, ghp_, github_pat_) and finds the prefix start behind it.
func detectPrefixedAt(v *view, k int) (int, int, kind, bool) {
	for _, at := range prefixesAt[v.s[k]] {
		p := prefixRules[at.rule].prefix
		st := k - int(at.j)
		if st < v.floor || st < 0 || isWord(v.at(st-1)) || v.s[st] != p[0] {
			continue
		}
		if e, kd, ok := detectPrefixed(v, st); ok {
			return st, e, kd, true
		}
	}
	return 0, 0, 0, false
}

// prefixAt is a rule whose prefix holds a byte after its first: j is the first such
// position.
type prefixAt struct{ rule, j uint8 }

// prefixesAt lists, for each byte, the rules whose prefix holds it after the first
// byte, in rule order, with its first position there: detectPrefixedAt checks each
// once instead of walking every prefix at every trigger ('-' and '_' are common in
// code and identifiers).
var prefixesAt = func() (t [256][]prefixAt) {
	for i := range prefixRules {
		p := prefixRules[i].prefix
		var seen [256]bool
		for j := 1; j < len(p); j++ {
			if !seen[p[j]] {
				seen[p[j]] = true
				t[p[j]] = append(t[p[j]], prefixAt{uint8(i), uint8(j)})
			}
		}
	}
	return t
}()

// detectJWT matches header.payload.signature in base64url where the header
// decodes to a JSON object with an "alg" member.
func detectJWT(v *view, k int) (int, bool) {
	if !v.hasPrefixAt(k, "eyJ") {
		return 0, false
	}
	i := k
	var segs [3]int
	for s := 0; s < 3; s++ {
		j := i
		for (isWord(v.at(j)) || v.at(j) == '-') && j-i <= 8192 {
			j++
		}
		segs[s] = j - i
		if s < 2 {
			if v.at(j) != '.' || j-i < 10 {
				return 0, false
			}
			j++
		}
		i = j
	}
	if c := v.at(i); c == '.' && isWord(v.at(i+1)) || c == '=' {
		return 0, false
	}
	if !jwtHeaderOK(v.s[k : k+segs[0]]) {
		return 0, false
	}
	return i, true
}

// jwtHeaderOK base64url-decodes (a bounded prefix of) the header and looks for "alg".
func jwtHeaderOK(h string) bool {
	var out [512]byte
	n, acc, bits := 0, 0, 0
	for i := 0; i < len(h) && n < len(out); i++ {
		x := b64val(h[i])
		if x < 0 {
			return false
		}
		acc, bits = acc<<6|x, bits+6
		if bits >= 8 {
			bits -= 8
			out[n] = byte(acc >> bits)
			acc &= 1<<bits - 1
			n++
		}
	}
	s := string(out[:n])
	return n > 0 && out[0] == '{' && indexFold(s, `"alg"`) >= 0
}

func b64val(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '-' || c == '+':
		return 62
	case c == '_' || c == '/':
		return 63
	}
	return -1
}

// detectPEM matches a "-----BEGIN ... PRIVATE KEY-----" block through its END
// line. A block whose END is not within the window is redacted to the window
// end (a truncated key is still a secret).
func detectPEM(v *view, k int) (int, bool) {
	if !v.hasPrefixAt(k, "-----BEGIN ") {
		return 0, false
	}
	i := k + 11
	for j := 0; j < 48; j++ {
		if v.hasPrefixAt(i+j, "-----") {
			if indexFold(v.sub(i, i+j), "private key") < 0 {
				return 0, false
			}
			end := indexFold(v.sub(i+j+5, len(v.s)), "-----end ")
			if end < 0 {
				v.at(len(v.s)) // the END line may still arrive
				return len(v.s), true
			}
			e := i + j + 5 + end + 9
			for n := 0; n < 48 && v.at(e) != '-' && v.at(e) != '\n' && v.at(e) != 0; n++ {
				e++
			}
			for n := 0; n < 5 && v.at(e) == '-'; n++ {
				e++
			}
			return e, true
		}
		if c := v.at(i + j); c == '\n' || c == 0 {
			return 0, false
		}
	}
	return 0, false
}

// Keyword suffixes (lower case) that announce a secret value after ':' or '='.
var secretKeywords = []string{"password", "passwd", "pwd", "secret", "token", "api_key", "apikey", "api-key",
	"access_key", "secret_key", "private_key", "client_secret", "credentials", "credential", "auth", "key"}

// detectKeyword is triggered at ':' or '=': it checks that an identifier
// ending in a secret keyword precedes, then validates the value after it by
// character-class mix and Shannon entropy. Values carrying a provider prefix
// get that provider's type.
func detectKeyword(v *view, k int, minEntropy float64) (int, int, kind, bool) {
	kw, id, ok := keywordBefore(v, k)
	if !ok {
		return 0, 0, 0, false
	}
	i := k + 1
	for n := 0; n < 3 && (v.at(i) == ' ' || v.at(i) == '\t'); n++ {
		i++
	}
	if c := v.at(i); c == '"' || c == '\'' || c == '`' {
		i++
	}
	if e, kd, ok := detectPrefixed(v, i); ok {
		return i, e, kd, true
	}
	e := i
	for secretValueByte(v.at(e)) && e-i <= 256 {
		e++
	}
	for e > i && (v.s[e-1] == '.' || v.s[e-1] == '!' || v.s[e-1] == '?') {
		e--
	}
	kd, ok := classifySecretValue(v.s[i:e], kw, minEntropy)
	if !ok || e-i > 256 {
		return 0, 0, 0, false
	}
	if e-i == 40 && indexFold(id, "secret") >= 0 && indexFold(id, "access") >= 0 && allAWS(v.s[i:e]) {
		kd = kAWSSecret // aws_secret_access_key, SecretAccessKey
	}
	return i, e, kd, true
}

func allAWS(s string) bool {
	for i := 0; i < len(s); i++ {
		if !awsByte(s[i]) {
			return false
		}
	}
	return true
}

// keywordBefore walks back from the ':'/'=' at k over an optional quote and
// an identifier, and returns the matching keyword suffix and the identifier.
func keywordBefore(v *view, k int) (string, string, bool) {
	e := k
	for n := 0; n < 2 && v.at(e-1) == ' '; n++ {
		e--
	}
	if c := v.at(e - 1); c == '"' || c == '\'' {
		e--
	}
	s := e
	for s > 0 && e-s < 40 && (isWord(v.at(s-1)) || v.at(s-1) == '-' || v.at(s-1) == '.') {
		s--
	}
	id := v.s[s:e]
	for _, w := range secretKeywords {
		if len(id) < len(w) || indexFold(id[len(id)-len(w):], w) != 0 {
			continue
		}
		b := len(id) - len(w)
		if b == 0 || !isAlpha(id[b-1]) || id[b] >= 'A' && id[b] <= 'Z' && id[b-1] >= 'a' && id[b-1] <= 'z' {
			return w, id, true
		}
	}
	return "", "", false
}

func secretValueByte(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	switch c {
	case '"', '\'', '`', ',', ';', '<', '>', '(', ')', '[', ']', '{', '}', '\\':
		return false
	}
	return true
}

// classifySecretValue decides whether val (after keyword kw) is a secret.
func classifySecretValue(val, kw string, minEntropy float64) (kind, bool) {
	minLen := 12
	if kw == "password" || kw == "passwd" || kw == "pwd" {
		minLen, minEntropy = 6, minEntropy-1
	}
	if len(val) < minLen || classMix(val) < 2 || shannon(val) < minEntropy {
		return 0, false
	}
	if minLen > 6 && placeholderWords(val) {
		return 0, false // "your-api-key-here": keys and tokens mix digits or case
	}
	if len(val) == 32 && isAlnumString(val) && (kw == "api_key" || kw == "apikey" || kw == "api-key" || kw == "key") {
		return kAPIKey, true // Mistral-style 32-character key
	}
	return kSecret, true
}

// placeholderWords reports a value made of lower-case words joined by
// '-', '_' or '.' ("your-api-key-here", "replace_with_token").
func placeholderWords(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; byteBits[c]&bLower == 0 && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func isAlnumString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return false
		}
	}
	return true
}

// classMix counts the character classes (lower, upper, digit, symbol) in s.
func classMix(s string) int {
	var m uint8
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case byteBits[c]&bLower != 0:
			m |= 1
		case byteBits[c]&bUpper != 0:
			m |= 2
		case isDigit(c):
			m |= 4
		default:
			m |= 8
		}
	}
	return int(m&1 + m>>1&1 + m>>2&1 + m>>3&1)
}

// shannon returns the Shannon entropy of s in bits per byte.
func shannon(s string) float64 {
	var counts [256]uint16
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	h, n := 0.0, float64(len(s))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// detectBearer matches "Bearer <token>" (the scheme name in any case, as
// HTTP auth schemes are case-insensitive) and returns the token span.
func detectBearer(v *view, k int, minEntropy float64) (int, int, kind, bool) {
	if !v.hasPrefixFoldAt(k, "bearer ") {
		return 0, 0, 0, false
	}
	i := k + 7
	if e, kd, ok := detectPrefixed(v, i); ok {
		return i, e, kd, true
	}
	e := i
	for (isWord(v.at(e)) || byteBits[v.at(e)]&(bB64|bB64URL) != 0 || v.at(e) == '.' || v.at(e) == '~') && e-i <= 4096 {
		e++
	}
	if e-i < 16 || e-i > 4096 || classMix(v.s[i:e]) < 2 || shannon(v.s[i:e]) < minEntropy {
		return 0, 0, 0, false
	}
	return i, e, kAPIKey, true
}

// Bare keys: a long alphanumeric token with no name=value syntax, shortly
// after a word that announces a key ("your API key is …", "token …").
const (
	bareKeyMin     = 20 // shortest bare key
	bareKeyMax     = 128
	bareKeyContext = 32 // bytes before the token searched for a keyword
)

// bareKeyWords announce a bare key (whole words, any case; a trailing "s" is allowed).
var bareKeyWords = []string{"key", "token", "secret", "apikey", "password", "passwd", "credential"}

// bareKeyBefore reports whether a bare key may start after byte c: not
// inside a word, a path, a URL, base64 or a name=value pair.
func bareKeyBefore(c byte) bool {
	if isAlnum(c) || c >= 0x80 {
		return false
	}
	switch c {
	case '-', '_', '.', '/', '+', '=', '@', '&', '%', '?', '#', ':', ';', '\\', '$', '~':
		return false
	}
	return true
}

// detectBareKey is triggered at the first digit after a letter in a token
// (see bareKeyCandidate): the token of bareKeyMin..bareKeyMax letters and
// digits around it is an API key when a key word precedes it and it mixes
// letters and digits with at least minEntropy bits per byte.
func detectBareKey(v *view, k int, minEntropy float64) (int, int, bool) {
	s := k - 1
	if s < v.floor || !isAlpha(v.at(s)) {
		return 0, 0, false
	}
	for s > v.floor && isAlnum(v.at(s-1)) {
		if k-s >= maxBack || isDigit(v.s[s]) && isAlpha(v.s[s-1]) {
			return 0, 0, false // too far back, or not the token's first letter-to-digit step
		}
		s--
	}
	if !bareKeyBefore(v.at(s - 1)) {
		return 0, 0, false
	}
	e := k
	for isAlnum(v.at(e)) && e-s <= bareKeyMax {
		e++
	}
	if n := e - s; n < bareKeyMin || n > bareKeyMax {
		return 0, 0, false
	}
	if c := v.at(e); c == '-' || c == '_' || c == '/' || c == '+' || c == '=' || c == '@' || c >= 0x80 {
		return 0, 0, false
	}
	tok := v.s[s:e]
	if classMix(tok) < 2 || shannon(tok) < minEntropy || !keyWordBefore(v, s) {
		return 0, 0, false
	}
	return s, e, true
}

// keyWordBefore reports whether one of bareKeyWords ends within
// bareKeyContext bytes before s as a whole word (the byte before the
// context is read too, so that a word cut by its start is not taken whole).
func keyWordBefore(v *view, s int) bool {
	from := s - bareKeyContext - 1
	ctx := foldString(v.sub(from, s))
	first := 0
	if from >= 0 {
		first = 1 // ctx[0] is the byte before the context
	}
	for _, w := range bareKeyWords {
		for off := first; off < len(ctx); {
			i := indexFold(ctx[off:], w)
			if i < 0 {
				break
			}
			i += off
			e := i + len(w)
			if e < len(ctx) && (ctx[e]|0x20) == 's' {
				e++
			}
			if (i == 0 || !isAlpha(ctx[i-1])) && (e == len(ctx) || !isAlpha(ctx[e])) {
				return true
			}
			off = i + 1
		}
	}
	return false
}

// awsSecretAfter finds the 40-character secret access key that follows an
// access key id ending at e: the first token of exactly 40 base64 bytes
// within 128 bytes, mixing at least three character classes.
func awsSecretAfter(v *view, e int) (int, int, bool) {
	for i := e; i < e+128; {
		c := v.at(i)
		if c == 0 {
			return 0, 0, false
		}
		if !awsByte(c) {
			i++
			continue
		}
		j := i
		for awsByte(v.at(j)) && j-i <= 40 {
			j++
		}
		if j-i == 40 && !isWord(v.at(i-1)) && classMix(v.s[i:j]) >= 3 && shannon(v.s[i:j]) >= 4 {
			return i, j, true
		}
		i = j
	}
	return 0, 0, false
}

func awsByte(c byte) bool { return isAlnum(c) || c == '/' || c == '+' }

// exactString is a canary or a known secret, found from its anchor: the
// byte at off, chosen rare in ordinary text so that few positions trigger.
type exactString struct {
	s    string
	off  int
	kind kind
}

// byteCommonness orders ASCII bytes from most to least common in English
// and markdown model output; an anchor is the least common byte available.
const byteCommonness = " \netaoinsrhldcumfpgwybvk,.-:0123456789TSAIMCBPHWEDRLNFGOUVKYJ'\"()*#/x=_j[]qz<>`|QXZ{}+!?;&%$@^~\\\t"

// newExact places the anchor of s: the least common byte among its first
// maxBack bytes (before any whitespace), preferring bytes that trigger
// nothing else (cls), which keeps the trigger loop's fast paths.
func newExact(s string, k kind, cls *[256]uint16) exactString {
	best, bestScore := 0, -1
	for i := 0; i < len(s) && i < maxBack; i++ {
		c := s[i]
		if isSpace(c) {
			break
		}
		score := len(byteCommonness) + 1
		if j := stringsIndexByte(byteCommonness, c); j >= 0 {
			score = j
		}
		if c >= 0x80 {
			score = -1 // the anchor must be an ASCII byte
		} else if cls[c] == 0 {
			score += 1000
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	return exactString{s: s, off: best, kind: k}
}

func stringsIndexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// detectExact matches a canary or known secret whose anchor is at k. When
// the bytes there do not match but hold a non-ASCII byte, it marks the view
// so that the decision is retried on a folded copy (a zero-width character
// inside the string).
func detectExact(v *view, k int, list []exactString) (int, int, kind, bool) {
	c := v.s[k]
	for _, x := range list {
		if x.s[x.off] != c {
			continue
		}
		st := k - x.off
		if st < v.floor || st < 0 {
			continue
		}
		if v.hasPrefixAt(st, x.s) {
			return st, st + len(x.s), x.kind, true
		}
		for i := st; i < st+len(x.s)+16 && i < len(v.s) && !v.seen; i++ {
			v.seen = v.s[i] >= 0x80
		}
	}
	return 0, 0, 0, false
}
