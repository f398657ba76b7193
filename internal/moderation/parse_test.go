package moderation

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestJudgeFixtures(t *testing.T) {
	oai, mis := fixture(t, "openai_omni.json"), fixture(t, "mistral.json")
	cases := []struct {
		name string
		cfg  Config
		body []byte
		want []Verdict
	}{
		{"openai flags", Config{Provider: "openai"}, oai, []Verdict{
			{true, []string{"harassment/threatening", "illicit/violent", "violence"}}, {}}},
		{"openai threshold overrides flag and tightens", Config{Provider: "openai",
			Thresholds: map[string]float64{"violence": 0.95, "self-harm/intent": 0.3}}, oai, []Verdict{
			{true, []string{"harassment/threatening", "illicit/violent"}}, {true, []string{"self-harm/intent"}}}},
		{"openai only some categories", Config{Provider: "openai", Categories: []string{"self-harm", "violence"}}, oai, []Verdict{
			{true, []string{"violence"}}, {}}},
		{"openai scores only", Config{Provider: "openai", UseFlags: boolp(false), DefaultThreshold: 0.4}, oai, []Verdict{
			{true, []string{"harassment/threatening", "illicit/violent", "violence"}}, {true, []string{"self-harm"}}}},
		{"openai flags plus default threshold", Config{Provider: "openai", DefaultThreshold: 0.4}, oai, []Verdict{
			{true, []string{"harassment/threatening", "illicit/violent", "violence"}}, {true, []string{"self-harm"}}}},
		{"mistral default categories skip health/financial/pii", Config{Provider: "mistral"}, mis, []Verdict{
			{true, []string{"dangerous_and_criminal_content"}}, {}}},
		{"mistral all categories", Config{Provider: "mistral", Categories: []string{"*"}}, mis, []Verdict{
			{true, []string{"dangerous_and_criminal_content", "health"}}, {true, []string{"financial", "pii"}}}},
		{"mistral threshold adds pii", Config{Provider: "mistral", Thresholds: map[string]float64{"pii": 0.95, "dangerous_and_criminal_content": 0.95}}, mis, []Verdict{
			{}, {true, []string{"pii"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Cluster = "mod"
			m := mustNew(t, tc.cfg)
			rs, f := ParseResults(tc.body, len(tc.want))
			if f != nil {
				t.Fatal(f)
			}
			for i, r := range rs {
				if got := m.judge(r); !reflect.DeepEqual(got, tc.want[i]) {
					t.Errorf("result %d: got %+v, want %+v", i, got, tc.want[i])
				}
			}
		})
	}
}

func TestFinishFailures(t *testing.T) {
	m := mustNew(t, Config{Provider: "openai", Cluster: "mod"})
	c := m.PlanOutput([]string{"a", "b"}, nil)
	ok := fixture(t, "openai_omni.json")
	cases := []struct {
		name   string
		status int
		body   string
		want   Reason
		code   int
	}{
		{"ok", 200, string(ok), ReasonNone, 0},
		{"no response", 0, "", ReasonConnection, 0},
		{"429", 429, `{"error":{}}`, ReasonRateLimited, 429},
		{"500", 500, `{"error":{}}`, ReasonServerError, 500},
		{"503", 503, ``, ReasonServerError, 503},
		{"401", 401, `{}`, ReasonStatus, 401},
		{"400", 400, `{}`, ReasonStatus, 400},
		{"garbage", 200, "<html><body>this is not json {{{</body></html>\n", ReasonUnparseable, 0},
		{"empty", 200, "", ReasonUnparseable, 0},
		{"no results", 200, `{"id":"x"}`, ReasonUnparseable, 0},
		{"results not array", 200, `{"results":{}}`, ReasonUnparseable, 0},
		{"result not object", 200, `{"results":[1,2]}`, ReasonUnparseable, 0},
		{"no categories", 200, `{"results":[{},{}]}`, ReasonUnparseable, 0},
		{"bad score", 200, `{"results":[{"category_scores":{"hate":"high"}},{"category_scores":{}}]}`, ReasonUnparseable, 0},
		{"bad flag", 200, `{"results":[{"categories":{"hate":1}},{"categories":{}}]}`, ReasonUnparseable, 0},
		{"too few", 200, `{"results":[{"categories":{}}]}`, ReasonResultCount, 0},
		{"too many", 200, `{"results":[{"categories":{}},{"categories":{}},{"categories":{}}]}`, ReasonResultCount, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, f := m.Finish(c, tc.status, []byte(tc.body), nil, time.Now())
			if tc.want == ReasonNone {
				if f != nil || !v.Flagged {
					t.Fatalf("got %+v, %v", v, f)
				}
				return
			}
			if f == nil || f.Reason != tc.want || f.Status != tc.code {
				t.Fatalf("got failure %+v, want %v/%d", f, tc.want, tc.code)
			}
			if strings.Contains(f.Error(), "json") {
				t.Errorf("error mentions content: %s", f.Error())
			}
		})
	}
	if f := m.NoResponse(2 * time.Second); f.Reason != ReasonTimeout {
		t.Errorf("NoResponse(timeout) = %v", f.Reason)
	}
	if f := m.NoResponse(3 * time.Millisecond); f.Reason != ReasonConnection {
		t.Errorf("NoResponse(fast) = %v", f.Reason)
	}
}

func TestBuildRequest(t *testing.T) {
	long := strings.Repeat("é", 250) + strings.Repeat("🙂", 100) // 350 runes
	t.Run("plain", func(t *testing.T) {
		m := mustNew(t, Config{Provider: "mistral", Cluster: "mod", MaxChunkChars: 200, ChunkOverlapChars: 20})
		c := m.PlanOutput([]string{"short \"quoted\"\n\x01", long}, []Message{{"user", "ignored: plain endpoint"}})
		if !gjson.ValidBytes(c.Body) {
			t.Fatalf("invalid body %s", c.Body)
		}
		b := gjson.ParseBytes(c.Body)
		if b.Get("model").String() != "mistral-moderation-2411" || c.Path != "/v1/moderations" {
			t.Errorf("body %s path %s", c.Body, c.Path)
		}
		in := b.Get("input").Array()
		if len(in) != 3 || c.Inputs != 3 || in[0].String() != "short \"quoted\"\n\x01" {
			t.Fatalf("inputs %s", b.Get("input").Raw)
		}
		if utf8.RuneCountInString(in[1].String()) != 200 || utf8.RuneCountInString(in[2].String()) != 170 {
			t.Errorf("chunks %d %d", utf8.RuneCountInString(in[1].String()), utf8.RuneCountInString(in[2].String()))
		}
		if !reflect.DeepEqual(c.owner, []int{0, 1, 1}) {
			t.Errorf("owner %v", c.owner)
		}
		h := m.Headers(c)
		if h[1] != [2]string{":path", "/v1/moderations"} || h[2] != [2]string{":authority", "api.mistral.ai"} {
			t.Errorf("headers %v", h)
		}
	})
	t.Run("chat", func(t *testing.T) {
		m := mustNew(t, Config{Provider: "mistral", Cluster: "mod", Path: "/v1/chat/moderations"})
		c := m.PlanOutput([]string{"answer"}, []Message{{"user", "question"}})
		want := `{"model":"mistral-moderation-2411","input":[[{"role":"user","content":"question"},{"role":"assistant","content":"answer"}]]}`
		if string(c.Body) != want {
			t.Errorf("body\n%s\nwant\n%s", c.Body, want)
		}
	})
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", "\"\\/\b\f\n\r\t\x00\x1f\x7f", "é🙂\u2028\u2029", "bad\xff\xfe utf8 \xe2\x82"} {
		b := appendJSONString(nil, s)
		if !gjson.ValidBytes(b) {
			t.Errorf("%q -> invalid %s", s, b)
			continue
		}
		got := gjson.ParseBytes(b).String()
		if utf8.ValidString(s) && got != s {
			t.Errorf("%q round-trips to %q", s, got)
		}
	}
}

func TestChunkText(t *testing.T) {
	cases := []struct {
		s          string
		max, over  int
		wantChunks []string
	}{
		{"abc", 5, 1, []string{"abc"}},
		{"abcdefghij", 4, 1, []string{"abcd", "defg", "ghij"}},
		{"abcdefghij", 4, 0, []string{"abcd", "efgh", "ij"}},
		{"ééééé", 2, 0, []string{"éé", "éé", "é"}},
		{"a🙂b🙂c", 3, 1, []string{"a🙂b", "b🙂c"}},
	}
	for _, tc := range cases {
		if got := ChunkText(tc.s, tc.max, tc.over); !reflect.DeepEqual(got, tc.wantChunks) {
			t.Errorf("ChunkText(%q,%d,%d) = %q, want %q", tc.s, tc.max, tc.over, got, tc.wantChunks)
		}
	}
}

func FuzzChunkText(f *testing.F) {
	f.Add("hello world", 3, 1)
	f.Add("ééé🙂🙂日本語テキスト", 2, 1)
	f.Add("a\xffb\xe2\x82c", 2, 0)
	f.Fuzz(func(t *testing.T, s string, maxChars, overlap int) {
		maxChars = 1 + abs(maxChars)%50
		overlap = abs(overlap) % maxChars
		chunks := ChunkText(s, maxChars, overlap)
		if len(chunks) == 0 {
			t.Fatal("no chunks")
		}
		var b strings.Builder
		for i, c := range chunks {
			if utf8.ValidString(s) && !utf8.ValidString(c) {
				t.Fatalf("chunk %d of valid text is invalid: %q", i, c)
			}
			if len(chunks) > 1 && chars(c) > maxChars {
				t.Fatalf("chunk %d has %d chars > %d", i, chars(c), maxChars)
			}
			if i > 0 {
				if len(chunks) > 1 && chars(c) <= overlap {
					t.Fatalf("chunk %d is only overlap", i)
				}
				c = dropChars(c, overlap)
			}
			b.WriteString(c)
		}
		if b.String() != s {
			t.Fatalf("chunks minus overlaps do not rebuild the text: %q vs %q", b.String(), s)
		}
		// Every cut is at a character boundary: a chunk never starts with a
		// continuation byte of a valid sequence.
		if utf8.ValidString(s) {
			for i, c := range chunks {
				if c != "" && !utf8.RuneStart(c[0]) {
					t.Fatalf("chunk %d starts inside a UTF-8 sequence", i)
				}
			}
		}
	})
}

// chars counts characters like ChunkText: an invalid byte is one character.
func chars(s string) int {
	n := 0
	for i := 0; i < len(s); n++ {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return n
}

func dropChars(s string, n int) string {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return s[i:]
}

func abs(n int) int {
	if n < 0 {
		if n == -n { // MinInt
			return 0
		}
		return -n
	}
	return n
}
