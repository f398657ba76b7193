package redact

import (
	"math/rand"
	"strings"
	"testing"
)

// detectMarkdownRef and exfilURLRef are detectMarkdownURL and exfilURL as they
// were before their IndexByte fast paths (byte loops through view.at,
// strings.EqualFold and IndexAny); TestMarkdownFastPaths compares them.
func detectMarkdownRef(v *view, k int, r *Redactor) (int, bool, bool) {
	i := k
	image := v.at(i) == '!'
	if image {
		i++
	}
	if v.at(i) != '[' {
		return 0, false, false
	}
	i++
	for n := 0; v.at(i) != ']'; n, i = n+1, i+1 {
		if c := v.at(i); c == 0 || c == '[' || c == '\n' && v.at(i+1) == '\n' || n > 512 {
			return 0, false, false
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
	us, depth := i, 0
	for n := 0; ; n, i = n+1, i+1 {
		c := v.at(i)
		if c == 0 || c == '\n' || n > 4096 {
			return 0, false, false
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
	url := v.s[us:i]
	for n := 0; v.at(i) != ')'; n, i = n+1, i+1 {
		if c := v.at(i); c == 0 || c == '\n' || n > 256 {
			return 0, false, false
		}
	}
	uv := view{s: url, fin: true}
	if !scriptSchemeAt(&uv, 0) && !exfilURLRef(r, url, image) {
		return 0, false, false
	}
	return i + 1, image, true
}

// exfilURLRef splits the URL with the slow functions and judges the parts
// like exfilParts.
func exfilURLRef(r *Redactor, u string, image bool) bool {
	rest := ""
	switch {
	case hasPrefixFoldRef(u, "https://"):
		rest = u[8:]
	case hasPrefixFoldRef(u, "http://"):
		rest = u[7:]
	case strings.HasPrefix(u, "//"):
		rest = u[2:]
	default:
		return false
	}
	he := strings.IndexAny(rest, "/?#")
	if he < 0 {
		he = len(rest)
	}
	host := rest[:he]
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		host = host[at+1:]
	}
	if c := strings.LastIndexByte(host, ':'); c >= 0 && !strings.Contains(host[c:], "]") {
		host = host[:c]
	}
	return r.exfilParts(host, rest[he:], image)
}

func hasPrefixFoldRef(s, p string) bool {
	return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p)
}

// TestMarkdownFastPaths checks the link check against the byte-by-byte
// reference on random link-shaped text cut at every length, as a stream's
// window is: the same result and the same hitEnd (which decides whether a
// stream waits for more text).
func TestMarkdownFastPaths(t *testing.T) {
	cfg := DefaultConfig()
	cfg.AllowedLinkHosts = []string{"ok.example", "[::1]"}
	r := mustNew(t, cfg)
	parts := []string{"[", "]", "(", ")", "!", " ", "\n", "\n\n", "<", ">", "\x00", "x", "link text", "HTTPS://", "http://",
		"hTtP://", "//", "https:/", "evil.example", "ok.example", "user@", ":8080", "[::1]", "/", "?", "#", "?q=1", "#frag",
		"/short", "/a-very-long-path-segment", "/p/q/r/s/t/u/v/w/x/y/z/0/1/2/3/4/5/6/7/8", "javascript:", "JaVaScRiPt:",
		"vbscript:", "data:text/html,", "DATA:image/png;", "data:", strings.Repeat("y", 300), strings.Repeat("z", 600)}
	schemes := []string{"https://", "HTTPS://", "http://", "Http://", "//", "ftp://", "javascript:", "Vbscript:",
		"data:text/html,", "data:x", "Dx", ""}
	hosts := []string{"evil.example", "ok.example", "sub.ok.example", "notok.example", "u:p@evil.example",
		"evil.example:8080", "[::1]", "[::1]:8080", ""}
	paths := []string{"", "/", "/short", "/a-very-long-path-segment", "/p/q/r/s/t/u/v/w/x/y/z/0/1/2/3/4/5/6/7/8",
		"?", "?q=1", "#", "#frag", "/x?", "/(a)", "/a b"}
	pick := func(rng *rand.Rand, xs []string) string { return xs[rng.Intn(len(xs))] }
	var texts []string
	for n := 505; n <= 520; n++ { // link text around the 513-byte bound
		texts = append(texts, "["+strings.Repeat("y", n)+"](http://evil.example/?q=1)")
	}
	rng := rand.New(rand.NewSource(5))
	for iter := 0; iter < 4000; iter++ {
		var b strings.Builder
		if iter%2 == 0 { // a link with a random URL, maybe followed by noise
			b.WriteString(pick(rng, []string{"[", "!["}) + pick(rng, []string{"t", "", "a b", "x\ny", "x\n\ny", "a[b", "a\x00b"}) +
				"](" + pick(rng, []string{"", " ", "<"}))
			b.WriteString(pick(rng, schemes) + pick(rng, hosts) + pick(rng, paths) + pick(rng, []string{")", ">)", " \"t\")", ""}))
		} else {
			b.WriteString(pick(rng, []string{"[", "![", "[t](", "![a](", "[x]("}))
		}
		for n := rng.Intn(4 + 5*(iter%2)); n > 0; n-- {
			b.WriteString(pick(rng, parts))
		}
		texts = append(texts, b.String())
	}
	for _, text := range texts {
		for cut := 1; cut <= len(text); cut++ {
			for _, fin := range []bool{false, true} {
				v1 := view{s: text[:cut], fin: fin}
				v2 := v1
				e1, img1, ok1, _, _ := detectMarkdownURL(&v1, 0, r)
				e2, img2, ok2 := detectMarkdownRef(&v2, 0, r)
				if e1 != e2 || img1 != img2 || ok1 != ok2 || v1.hitEnd != v2.hitEnd {
					t.Fatalf("%q: fast (%d %v %v hitEnd %v), reference (%d %v %v hitEnd %v)",
						text[:cut], e1, img1, ok1, v1.hitEnd, e2, img2, ok2, v2.hitEnd)
				}
			}
		}
	}
}
