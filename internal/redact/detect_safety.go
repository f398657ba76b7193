package redact

import "strings"

// Tags that are neutralised whatever their attributes.
var dangerousTags = []string{"script", "iframe", "frame", "frameset", "object", "embed", "applet", "meta",
	"base", "link", "style", "svg", "math", "form"}

// detectTag is triggered at '<'. It matches a dangerous tag, any tag with an
// on*= event handler or a javascript:/vbscript:/data: URL attribute, and a
// whole <script>…</script> or <iframe>…</iframe> block when the closing tag is
// within the window.
func detectTag(v *view, k int, r *Redactor) (int, bool) {
	i := k + 1
	closing := v.at(i) == '/'
	if closing {
		i++
	}
	ns := i
	for isAlnum(v.at(i)) && i-ns <= 12 {
		i++
	}
	if i == ns || !isAlpha(v.s[ns]) {
		return 0, false
	}
	name := v.s[ns:i]
	if c := v.at(i); c != '>' && c != '/' && !isSpace(c) {
		return 0, false
	}
	end, bad, ok := scanTagAttrs(v, i, r)
	if !ok {
		return 0, false
	}
	danger := bad
	for _, t := range dangerousTags {
		danger = danger || strings.EqualFold(name, t)
	}
	if !danger {
		return 0, false
	}
	if !closing && (strings.EqualFold(name, "script") || strings.EqualFold(name, "iframe")) {
		if e, ok := closingTag(v, end, name); ok {
			return e, true
		}
	}
	return end, true
}

// scanTagAttrs reads attributes up to the closing '>' (at most 1 KiB) and
// reports whether any is an event handler or carries an unsafe URL.
func scanTagAttrs(v *view, i int, r *Redactor) (int, bool, bool) {
	bad := false
	var quote byte
	for n := 0; n < 1024; n, i = n+1, i+1 {
		c := v.at(i)
		switch {
		case c == 0:
			return 0, false, false
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i + 1, bad, true
		case c == '<':
			return 0, false, false
		case (c == 'o' || c == 'O') && (isSpace(v.at(i-1)) || v.at(i-1) == '/' || v.at(i-1) == '"'):
			bad = bad || eventAttr(v, i)
		case c == '=':
			bad = bad || unsafeAttrValue(v, i+1, r)
		}
	}
	return 0, false, false
}

// eventAttr reports whether an on<letters>= attribute starts at i.
func eventAttr(v *view, i int) bool {
	if lower(v.at(i+1)) != 'n' {
		return false
	}
	j := i + 2
	for isAlpha(v.at(j)) && j-i < 40 {
		j++
	}
	for isSpace(v.at(j)) && j-i < 44 {
		j++
	}
	return j > i+2 && v.at(j) == '='
}

// unsafeAttrValue reports whether the attribute value at i uses a script or
// data scheme, or is an exfiltrating URL.
func unsafeAttrValue(v *view, i int, r *Redactor) bool {
	for isSpace(v.at(i)) {
		i++
	}
	if c := v.at(i); c == '"' || c == '\'' {
		i++
	}
	for isSpace(v.at(i)) {
		i++
	}
	if unsafeScheme(v, i) {
		return true
	}
	e := i
	for c := v.at(e); c != 0 && c != '"' && c != '\'' && c != '>' && !isSpace(c) && e-i < 2048; c = v.at(e) {
		e++
	}
	return r.exfilURL(v.sub(i, e))
}

// unsafeScheme reports whether javascript:, vbscript: or data:<mime> starts at i.
func unsafeScheme(v *view, i int) bool {
	if v.hasPrefixFoldAt(i, "javascript:") || v.hasPrefixFoldAt(i, "vbscript:") {
		return true
	}
	if !v.hasPrefixFoldAt(i, "data:") {
		return false
	}
	j := i + 5
	for isAlpha(v.at(j)) && j-i < 30 {
		j++
	}
	return j > i+5 && v.at(j) == '/'
}

// closingTag finds </name ...> after i within the window.
func closingTag(v *view, i int, name string) (int, bool) {
	rest := v.sub(i, len(v.s))
	for off := 0; ; {
		j := strings.IndexByte(rest[off:], '<')
		if j < 0 {
			v.at(len(v.s)) // the closing tag may still arrive
			return 0, false
		}
		p := i + off + j
		if v.at(p+1) == '/' && v.hasPrefixFoldAt(p+2, name) {
			e := p + 2 + len(name)
			for n := 0; n < 64 && v.at(e) != '>' && v.at(e) != 0; n++ {
				e++
			}
			if v.at(e) == '>' {
				return e + 1, true
			}
		}
		off += j + 1
	}
}

// detectScheme is triggered at ':' and matches a preceding javascript/vbscript
// (or data:<mime>) scheme name; only the scheme and colon are replaced.
func detectScheme(v *view, k int) (int, int, bool) {
	for _, s := range [...]string{"javascript", "vbscript", "data"} {
		st := k - len(s)
		if st < v.floor || st < 0 || isWord(v.at(st-1)) || !v.hasPrefixFoldAt(st, s) {
			continue
		}
		if s == "data" && !unsafeScheme(v, st) {
			continue
		}
		return st, k + 1, true
	}
	return 0, 0, false
}

// detectMarkdown is triggered at '!' or '[': it matches ![alt](url) and
// [text](url) whose URL uses a script/data scheme or points to a host outside
// the allowlist while carrying data (query, fragment or a long path).
func detectMarkdown(v *view, k int, r *Redactor) (int, bool, bool) {
	i := k
	image := v.at(i) == '!'
	if image {
		i++
	}
	if v.at(i) != '[' {
		return 0, false, false
	}
	i++
	switch e, ok := linkTextEnd(v.s, i); {
	case e < 0:
		return 0, false, false
	case ok:
		i = e
	default: // no ']' within the window: read byte by byte (reaching its end)
		for n := 0; v.at(i) != ']'; n, i = n+1, i+1 {
			if c := v.at(i); c == 0 || c == '[' || c == '\n' && v.at(i+1) == '\n' || n > 512 {
				return 0, false, false
			}
		}
	}
	i++
	if v.at(i) != '(' {
		return 0, false, false
	}
	i++
	for v.at(i) == ' ' {
		i++
	}
	if v.at(i) == '<' {
		i++
	}
	us := i
	if e, ok := plainURLEnd(v.s, i); ok {
		i = e
	} else if i = urlEnd(v, i); i < 0 {
		return 0, false, false
	}
	url := v.s[us:i]
	for n := 0; v.at(i) != ')'; n, i = n+1, i+1 {
		if c := v.at(i); c == 0 || c == '\n' || n > 256 {
			return 0, false, false
		}
	}
	uv := view{s: url}
	if !(maybeScriptScheme(url) && unsafeScheme(&uv, 0)) && !r.exfilURL(url) {
		return 0, false, false
	}
	return i + 1, image, true
}

// linkTextEnd finds the ']' that closes markdown link text starting at i
// with IndexByte (assembly in wasm) instead of a byte loop. It returns
// (index, true) for an acceptable text, (-1, false) for one that is not (a
// '[', a 0 byte or a blank line before the ']'), and (0, false) when no
// ']' is within s and 514 bytes: the caller then reads byte by byte, which
// is exact at the window's end.
func linkTextEnd(s string, i int) (int, bool) {
	seg := s[i:]
	if len(seg) > 514 {
		seg = seg[:514]
	}
	e := strings.IndexByte(seg, ']')
	if e < 0 {
		return 0, false
	}
	body := seg[:e]
	if strings.IndexByte(body, '[') >= 0 || strings.IndexByte(body, 0) >= 0 || strings.Contains(body, "\n\n") {
		return -1, false
	}
	return i + e, true
}

// plainURLEnd finds the ')' ending a link URL that starts at i when the URL
// holds none of '(' ' ' '>' '\n' or a 0 byte and the ')' is within s and
// 4097 bytes: the common case, without a byte loop.
func plainURLEnd(s string, i int) (int, bool) {
	seg := s[i:]
	if len(seg) > 4097 {
		seg = seg[:4097]
	}
	e := strings.IndexByte(seg, ')')
	if e < 0 {
		return 0, false
	}
	u := seg[:e]
	for _, c := range [...]byte{'(', ' ', '>', '\n', 0} {
		if strings.IndexByte(u, c) >= 0 {
			return 0, false
		}
	}
	return i + e, true
}

// urlEnd reads a link URL starting at i byte by byte: balanced
// parentheses, up to ' ', '>' or the closing ')'. It returns -1 for none.
func urlEnd(v *view, i int) int {
	depth := 0
	for n := 0; ; n, i = n+1, i+1 {
		c := v.at(i)
		if c == 0 || c == '\n' || n > 4096 {
			return -1
		}
		if c == '(' {
			depth++
		} else if c == ')' {
			if depth == 0 {
				break
			}
			depth--
		} else if c == ' ' || c == '>' {
			break
		}
	}
	return i
}

// exfilURL reports whether an absolute URL points to a non-allowlisted host
// and carries data: a query, a fragment, or a path longer than 32 bytes or
// with a segment of 16+ bytes.
func (r *Redactor) exfilURL(u string) bool {
	rest, ok := afterHTTPScheme(u)
	if !ok {
		return false
	}
	he := firstOf(rest, "/?#")
	host := rest[:he]
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		host = host[at+1:]
	}
	if c := strings.LastIndexByte(host, ':'); c >= 0 && strings.IndexByte(host[c:], ']') < 0 {
		host = host[:c]
	}
	if r.hostAllowed(host) {
		return false
	}
	tail := rest[he:]
	if q := firstOf(tail, "?#"); q < len(tail) {
		if q+1 < len(tail) {
			return true
		}
		tail = tail[:q]
	}
	if len(tail) > 33 {
		return true
	}
	for seg := 0; tail != ""; tail = tail[seg:] { // a path segment of 16+ bytes (no allocation)
		if seg = strings.IndexByte(tail, '/'); seg < 0 {
			return len(tail) >= 16
		}
		if seg >= 16 {
			return true
		}
		seg++
	}
	return false
}

// maybeScriptScheme reports whether u can start with javascript:, vbscript:
// or data: (a one-byte test before unsafeScheme's three).
func maybeScriptScheme(u string) bool {
	if len(u) == 0 {
		return false
	}
	c := u[0] | 0x20
	return c == 'j' || c == 'v' || c == 'd'
}

// afterHTTPScheme returns what follows "http://", "https://" (any case) or
// "//" at the start of u.
func afterHTTPScheme(u string) (string, bool) {
	// x|0x20 is the lower-case letter exactly when x is that letter in either case
	if len(u) >= 7 && u[0]|0x20 == 'h' && u[1]|0x20 == 't' && u[2]|0x20 == 't' && u[3]|0x20 == 'p' {
		if u[4:7] == "://" {
			return u[7:], true
		}
		if len(u) >= 8 && u[4]|0x20 == 's' && u[5:8] == "://" {
			return u[8:], true
		}
	}
	if strings.HasPrefix(u, "//") {
		return u[2:], true
	}
	return "", false
}

// firstOf is the index of the first byte of set in s, or len(s): one
// IndexByte (assembly in wasm) per byte of set instead of strings.IndexAny's
// byte loop.
func firstOf(s, set string) int {
	n := len(s)
	for i := 0; i < len(set); i++ {
		if j := strings.IndexByte(s[:n], set[i]); j >= 0 {
			n = j
		}
	}
	return n
}

// hostAllowed reports whether host equals an allowed host or is a subdomain of one.
func (r *Redactor) hostAllowed(host string) bool {
	for _, a := range r.allowedHosts {
		if strings.EqualFold(host, a) || len(host) > len(a) && host[len(host)-len(a)-1] == '.' && strings.EqualFold(host[len(host)-len(a):], a) {
			return true
		}
	}
	return false
}

// detectCanary matches any configured canary string at k.
func detectCanary(v *view, k int, canaries []string) (int, bool) {
	for _, c := range canaries {
		if v.hasPrefixAt(k, c) {
			return k + len(c), true
		}
	}
	return 0, false
}
