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
// data scheme (after decoding character references and dropping the
// control characters browsers ignore in a URL), or is an exfiltrating URL.
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
	if scriptSchemeAt(v, i) {
		return true
	}
	e := i
	for c := v.at(e); c != 0 && c != '"' && c != '\'' && c != '>' && !isSpace(c) && e-i < 2048; c = v.at(e) {
		e++
	}
	return r.exfilURL(v.sub(i, e))
}

// scriptSchemeAt reports whether a URL starting at i has a javascript,
// vbscript or data:<mime> scheme as a browser or markdown renderer reads it:
// leading spaces and control characters skipped, ASCII tab, newline and
// other control characters inside the scheme dropped, HTML character
// references ("&#x61;", "&#97", "&colon;", "&Tab;") decoded. It reads at
// most 96 bytes.
func scriptSchemeAt(v *view, i int) bool {
	var name [10]byte
	n, lim := 0, i+96
	for c := v.at(i); c != 0 && c <= ' ' && i < lim; c = v.at(i) {
		i++
	}
	for i < lim {
		c, w := entityByteAt(v, i)
		if w == 0 {
			return false
		}
		i += w
		switch {
		case c == ':':
			s := string(name[:n])
			if s == "javascript" || s == "vbscript" {
				return true
			}
			if s != "data" {
				return false
			}
			j := i
			for isAlpha(v.at(j)) && j-i < 30 {
				j++
			}
			return j > i && v.at(j) == '/'
		case c < ' ' || c == 0x7f:
			continue // dropped inside a URL scheme
		case isAlpha(c) && n < len(name):
			name[n] = c | 0x20
			n++
		default:
			return false
		}
	}
	return false
}

// entityByteAt returns the byte at i, decoding an HTML character reference
// that starts there (numeric, with or without ';', or one of the named
// references that spell URL syntax), and the number of bytes read (0 at the
// end of the window).
func entityByteAt(v *view, i int) (byte, int) {
	c := v.at(i)
	if c == 0 {
		return 0, 0
	}
	if c != '&' {
		return c, 1
	}
	if v.at(i+1) == '#' {
		j, x, base := i+2, 0, 10
		if lower(v.at(j)) == 'x' {
			j, base = j+1, 16
		}
		d := j
		for ; j-d < 8; j++ {
			b := v.at(j)
			if isDigit(b) {
				x = x*base + int(b-'0')
			} else if base == 16 && isHex(b) {
				x = x*base + int(lower(b)-'a'+10)
			} else {
				break
			}
		}
		if j == d || x == 0 || x > 0x7f {
			return '&', 1
		}
		if v.at(j) == ';' {
			j++
		}
		return byte(x), j - i
	}
	for _, e := range namedRefs {
		if v.hasPrefixAt(i+1, e.name) {
			return e.c, 1 + len(e.name)
		}
	}
	return '&', 1
}

// namedRefs are the named character references that can spell a URL scheme.
var namedRefs = []struct {
	name string
	c    byte
}{{"colon;", ':'}, {"Tab;", '\t'}, {"NewLine;", '\n'}, {"sol;", '/'}, {"period;", '.'}, {"lpar;", '('}, {"rpar;", ')'}}

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
	if c := v.at(k + 1); c == ' ' || c == '\n' || c == '\t' || c == '\r' {
		return 0, 0, false // "JavaScript: the language" is a label, not a URL a client would link
	}
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

// detectMarkdownURL is triggered at '!' or '[': it matches ![alt](url) and
// [text](url) whose URL uses a script/data scheme or points to a host outside
// the allowlist while carrying data (query, fragment or a long path). It returns
// the end, whether it is an image, whether it matched, and the destination span
// [us, ue) when it parsed one and judged it safe (ue 0 otherwise).
func detectMarkdownURL(v *view, k int, r *Redactor) (int, bool, bool, int, int) {
	i := k
	image := v.at(i) == '!'
	if image {
		i++
	}
	if v.at(i) != '[' {
		return 0, false, false, 0, 0
	}
	i++
	switch e, ok := linkTextEnd(v.s, i); {
	case e < 0:
		return 0, false, false, 0, 0
	case ok:
		i = e
	default: // no ']' within the window: read byte by byte (reaching its end)
		for n := 0; v.at(i) != ']'; n, i = n+1, i+1 {
			if c := v.at(i); c == 0 || c == '[' || c == '\n' && v.at(i+1) == '\n' || n > 512 {
				return 0, false, false, 0, 0
			}
		}
	}
	i++
	if v.at(i) != '(' {
		return 0, false, false, 0, 0
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
		return 0, false, false, 0, 0
	}
	url, urlEnd := v.s[us:i], i
	for n := 0; v.at(i) != ')'; n, i = n+1, i+1 {
		if c := v.at(i); c == 0 || c == '\n' || n > 256 {
			return 0, false, false, 0, 0
		}
	}
	if !r.unsafeLinkURL(url, image) {
		return 0, false, false, us, urlEnd // judged safe
	}
	return i + 1, image, true, 0, 0
}

// unsafeLinkURL judges a markdown link or image destination: a script or
// data scheme (character references decoded), or an exfiltrating URL.
func (r *Redactor) unsafeLinkURL(url string, image bool) bool {
	if maybeScriptScheme(url) {
		uv := view{s: url, fin: true}
		if scriptSchemeAt(&uv, 0) {
			return true
		}
	}
	host, tail, ok := splitURL(url)
	return ok && r.exfilParts(host, tail, image)
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

// exfilParts judges a URL to host with tail (path, query, fragment). Off
// the allowlist, an image (which loads without a click) may carry no data
// at all (tailCarriesData); a link — which needs a click, like the bare URLs
// clients auto-link — may carry no path segment, query value or fragment
// that looks like content (dataLike); neither may have a long subdomain
// (subdomainData).
func (r *Redactor) exfilParts(host, tail string, image bool) bool {
	if len(r.allowedHosts) > 0 && r.hostAllowed(host) {
		return false
	}
	if len(host) >= 20 && subdomainData(host) {
		return true
	}
	if image {
		return tailCarriesData(tail)
	}
	return len(tail) >= 7 && r.tailDataLike(tail)
}

// exfilURL reports whether an absolute URL that loads without a click (an
// image, an HTML attribute, a reference definition) points to a
// non-allowlisted host and carries data (see exfilParts).
func (r *Redactor) exfilURL(u string) bool {
	host, tail, ok := splitURL(u)
	return ok && r.exfilParts(host, tail, true)
}

// bareExfil judges a bare URL in text (auto-linked by most clients, fetched
// by link previews) as a link: identifiers in queries ("?v=dQw4w9WgXcQ")
// pass, data that looks like content does not.
func (r *Redactor) bareExfil(u string) bool {
	host, tail, ok := splitURL(u)
	return ok && r.exfilParts(host, tail, false)
}

// splitURL returns the host and what follows it (path, query, fragment) of
// an http(s) or scheme-relative URL. The host is folded: browsers drop
// soft hyphens and zero-width characters in host names and map fullwidth
// forms (the components of the rest fold when they are scanned). A scheme
// with invisible characters inside is folded too.
func splitURL(u string) (string, string, bool) {
	rest, ok := afterHTTPScheme(u)
	if !ok && !isASCII(u[:min(len(u), 24)]) {
		rest, ok = afterHTTPScheme(foldString(u)) // "h\u200bttps://": judged as https, to be safe
	}
	if !ok {
		return "", "", false
	}
	he := firstOf(rest, "/?#")
	host := rest[:he]
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		host = host[at+1:]
	}
	if c := strings.LastIndexByte(host, ':'); c >= 0 && strings.IndexByte(host[c:], ']') < 0 {
		host = host[:c]
	}
	if !isASCII(host) {
		host = foldString(host)
	}
	return host, rest[he:], true
}

// tailCarriesData: a query or fragment, a path over 33 bytes or a path
// segment of 16+ bytes.
func tailCarriesData(tail string) bool {
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

// subdomainData reports whether the labels before a host's last two carry
// data: one of them has 16+ bytes, or they have 32+ bytes in all
// ("c2VjcmV0IGRhdGEgaGVyZQ.evil.example").
func subdomainData(host string) bool {
	if len(host) < 16+4 || host[0] == '[' {
		return false // too short to hold a 16-byte label and two more
	}
	end := len(host)
	if host[end-1] == '.' {
		end--
	}
	dots := 0
	for end > 0 && dots < 2 {
		end--
		if host[end] == '.' {
			dots++
		}
	}
	if dots < 2 {
		return false
	}
	if end >= 32 {
		return true
	}
	label := 0
	for i := 0; i < end; i++ {
		if host[i] == '.' {
			label = 0
			continue
		}
		if label++; label >= 16 {
			return true
		}
	}
	return false
}

// tailDataLike reports whether a path segment, query value or the fragment
// of a URL looks like content (see dataLike). Components that are short
// words (under 16 bytes without a digit, '@' or '%') are passed over
// without a call.
func (r *Redactor) tailDataLike(tail string) bool {
	if len(tail) < 7 {
		return false // "/" and fewer than six bytes
	}
	start, marked := 0, false
	for i := 0; i <= len(tail); i++ {
		cl := uint8(1)
		if i < len(tail) {
			cl = urlClass[tail[i]]
		}
		switch cl {
		case 1:
			if n := i - start; n >= 6 && (n >= 16 || marked) && r.dataLike(tail[start:i]) {
				return true
			}
			start, marked = i+1, false
		case 2:
			marked = true
		}
	}
	return false
}

// urlClass: 1 for URL component delimiters, 2 for bytes that make a short
// component worth a closer look (digits, '@', '%').
var urlClass = func() (t [256]uint8) {
	for _, c := range "/?#&=;" {
		t[c] = 1
	}
	for _, c := range "0123456789@%" {
		t[c] = 2
	}
	return t
}()

// dataLike reports whether one URL component carries content rather than
// an identifier: after percent-decoding it holds a PII or secret entity, or
// it is 16+ bytes of base64 or hex that decode to text. Hashes and IDs
// (commit SHAs, document IDs) decode to binary and pass.
func (r *Redactor) dataLike(c string) bool {
	if len(c) < 6 || len(c) < 16 && !strings.ContainsAny(c, "0123456789@%") {
		return false // a short word: no entity, too short to decode
	}
	d := percentDecode(c)
	if len(d) >= 16 && decodesToText(d) {
		return true
	}
	sc := r.newScanner(nil, true)
	ms, _ := sc.run(d, 0, true, nil)
	return len(ms) > 0
}

// percentDecode decodes %XX escapes and '+' (bounded to 4 KiB).
func percentDecode(s string) string {
	if len(s) > 4096 {
		s = s[:4096]
	}
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, hexVal(s[i+1])<<4|hexVal(s[i+2]))
			i += 2
			continue
		}
		if c == '+' {
			c = ' '
		}
		b = append(b, c)
	}
	return string(b)
}

func hexVal(c byte) byte {
	if isDigit(c) {
		return c - '0'
	}
	return lower(c) - 'a' + 10
}

// decodesToText reports whether s is base64 (standard or URL alphabet) or
// hex whose decoding is at least 12 bytes of mostly printable text.
func decodesToText(s string) bool {
	var buf [1024]byte
	n, hex := 0, len(s)%2 == 0
	for i := 0; i < len(s); i++ {
		hex = hex && isHex(s[i])
	}
	if hex {
		for i := 0; i+1 < len(s) && n < len(buf); i += 2 {
			buf[n] = hexVal(s[i])<<4 | hexVal(s[i+1])
			n++
		}
	} else {
		acc, bits := 0, 0
		for i := 0; i < len(s) && n < len(buf); i++ {
			if s[i] == '=' && i >= len(s)-2 {
				break
			}
			x := b64val(s[i])
			if x < 0 {
				return false
			}
			acc, bits = acc<<6|x, bits+6
			if bits >= 8 {
				bits -= 8
				buf[n] = byte(acc >> bits)
				acc &= 1<<bits - 1
				n++
			}
		}
	}
	return n >= 12 && printableText(buf[:n])
}

// printableText: at least 90 % of the bytes are printable ASCII, tab,
// newline or UTF-8 sequence bytes, and there is a letter.
func printableText(b []byte) bool {
	ok, letters := 0, 0
	for _, c := range b {
		if c >= ' ' && c < 0x7f || c == '\n' || c == '\t' || c == '\r' || c >= 0x80 {
			ok++
		}
		if isAlpha(c) {
			letters++
		}
	}
	return ok*10 >= len(b)*9 && letters*4 >= len(b)
}

// detectBareURL is triggered at the ':' of a bare "http://" or "https://"
// URL in text (auto-linked by most clients, fetched by link previews): it
// matches the URL when it points outside AllowedLinkHosts and carries data
// that looks like content (bareExfil).
func detectBareURL(v *view, k int, r *Redactor) (int, int, bool) {
	if v.at(k+1) != '/' || v.at(k+2) != '/' {
		return 0, 0, false
	}
	st := k - 4
	if lower(v.at(k-1)) == 's' {
		st--
	}
	if st < v.floor || st < 0 || !v.hasPrefixFoldAt(st, "http") || isWord(v.at(st-1)) {
		for j := k - 1; j >= 0 && j >= k-24; j-- {
			if v.s[j] >= 0x80 {
				v.seen = true // "ht\u200btps": decide on the folded copy
				break
			}
		}
		return 0, 0, false
	}
	e, depth := k+3, 0
	for n := 0; n < 2048; n, e = n+1, e+1 {
		c := v.at(e)
		if c >= 0x80 {
			if _, size, f := foldedAt(v, e); size > 0 && f != ' ' && f != '\n' && f != foldOther {
				e += size - 1 // a folded URL byte (linkifiers keep non-ASCII in URLs)
				continue
			}
			break
		}
		if c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '"' || c == '`' || c == '\'' || c == ']' {
			break
		}
		if c == '(' {
			depth++
		} else if c == ')' {
			if depth == 0 {
				break
			}
			depth--
		}
	}
	for e > k+3 && strings.IndexByte(".,;:!?*_~", v.s[e-1]) >= 0 {
		e-- // sentence punctuation after the URL
	}
	if !r.bareExfil(v.s[st:e]) {
		return 0, 0, false
	}
	return st, e, true
}

// detectRefDefinition is triggered at a '[' that starts a line: a markdown
// link reference definition "[label]: url" whose URL has a script or data
// scheme or is an exfiltrating URL (judged as for images: the definition
// may serve "![alt][label]").
func detectRefDefinition(v *view, k int, r *Redactor) (int, bool) {
	for j := k - 1; ; j-- {
		c := v.at(j)
		if c == '\n' || j < 0 {
			break
		}
		if c != ' ' || k-j > 3 {
			return 0, false
		}
	}
	i := k + 1
	for n := 0; v.at(i) != ']'; n, i = n+1, i+1 {
		if c := v.at(i); c == 0 || c == '[' || c == '\n' || n > 512 {
			return 0, false
		}
	}
	if i == k+1 || v.at(i+1) != ':' {
		return 0, false
	}
	i += 2
	for nl := false; ; i++ {
		c := v.at(i)
		if c == '\n' && !nl {
			nl = true
			continue
		}
		if c != ' ' && c != '\t' {
			break
		}
	}
	if v.at(i) == '<' {
		i++
	}
	us := i
	for c := v.at(i); c > ' ' && c != '>' && i-us < 4096; c = v.at(i) {
		i++
	}
	if i == us {
		return 0, false
	}
	url := v.s[us:i]
	uv := view{s: url, fin: true}
	if !scriptSchemeAt(&uv, 0) && !r.exfilURL(url) {
		return 0, false
	}
	if v.at(i) == '>' {
		i++
	}
	return i, true
}

// maybeScriptScheme reports whether u can start with javascript:, vbscript:
// or data: (a one-byte test before scriptSchemeAt): a j, v or d, a
// character reference, or a space or control character a browser skips.
func maybeScriptScheme(u string) bool {
	if len(u) == 0 {
		return false
	}
	c := u[0] | 0x20
	return c == 'j' || c == 'v' || c == 'd' || u[0] == '&' || u[0] <= ' '
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
