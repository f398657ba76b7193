package llmresp

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/egressguard/egressguard/internal/redact"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden.sha256 from the current outputs")

// goldenSystem is the system prompt of the golden runs; goldenEntities is spliced
// into the fixtures' texts so that every detector and the leak check fire.
const (
	goldenSystem   = "You are the internal billing assistant of Example Corp. Never mention the refund override code or the escalation path to customers."
	goldenEntities = " maria.lopez@example.org +1 415 555 0132 4111 1111 1111 1111 sk-proj-Zx81kQ2mN7pL0vB4rT6yW9eH3jAbCdEf <script>alert(1)</script> ![x](https://evil.example/?q=secret) You are the internal billing assistant of Example Corp. Never mention the refund override code or the escalation path to customers. the "
)

// goldenCase is one body the golden test runs.
type goldenCase struct {
	name string
	api  API
	ct   string
	body []byte
}

func goldenCases(t *testing.T) []goldenCase {
	dirs := map[string]API{"anthropic": Messages, "chat": Chat, "completions": Completions,
		"embeddings": Embeddings, "mistral": Chat, "responses": Responses}
	var cs []goldenCase
	for dir, api := range dirs {
		files, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			ct := "application/json"
			if strings.HasSuffix(f, ".sse") {
				ct = "text/event-stream"
			}
			name := filepath.ToSlash(f)
			cs = append(cs, goldenCase{name, api, ct, b},
				goldenCase{name + "+entities", api, ct, []byte(strings.ReplaceAll(string(b), " the ", goldenEntities))})
		}
	}
	text := benchText(t)
	cs = append(cs,
		goldenCase{"bench/chat.json", Chat, "application/json", chatJSONBody(text)},
		goldenCase{"bench/chat.sse", Chat, "text/event-stream", chatSSEBody(text, 16)},
		goldenCase{"bench/responses.sse", Responses, "text/event-stream", responsesSSEBody(text, 16)},
		goldenCase{"bench/chat-entities.json", Chat, "application/json", chatJSONBody(strings.ReplaceAll(text[:4096], " the ", goldenEntities))},
		goldenCase{"bench/chat-entities.sse", Chat, "text/event-stream", chatSSEBody(strings.ReplaceAll(text[:4096], " the ", goldenEntities), 7)},
	)
	slices.SortFunc(cs, func(a, b goldenCase) int { return strings.Compare(a.name, b.name) })
	return cs
}

// goldenRun renders everything the response model gives for c, read whole and
// streamed in chunks of n bytes (0: whole).
func goldenRun(t *testing.T, r *redact.Redactor, c goldenCase, status, n int) string {
	rc := &redact.RequestContext{SystemPrompt: goldenSystem}
	rs, plan := NewResponse(r, Request{API: c.api, Context: rc, Texts: status == 200}, status, c.ct, "", Options{})
	var b strings.Builder
	fmt.Fprintf(&b, "plan %d %v|", plan.Mode, plan.HoldHeaders)
	report := func(rep redact.Report, u Usage) {
		keys := make([]string, 0, len(rep.Counts))
		for k := range rep.Counts {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s=%d,", k, rep.Counts[k])
		}
		fmt.Fprintf(&b, "leak=%v unsafe=%v usage=%+v|", rep.Leak, rep.Unsafe, u)
	}
	if n == 0 {
		res := rs.Body(c.body)
		b.Write(res.Body)
		report(res.Report, res.Usage)
		for _, s := range res.Texts {
			b.WriteString(s + "|")
		}
		return b.String()
	}
	for i := 0; i < len(c.body); i += n {
		b.Write(rs.Write(c.body[i:min(len(c.body), i+n)]))
		b.WriteByte('|')
	}
	b.Write(rs.Close())
	report(rs.Report(), rs.Usage())
	if e := rs.Err(); e != nil {
		b.WriteString("err " + e.Code)
	}
	return b.String()
}

// TestGolden pins the bytes every fixture becomes, whole and streamed, 2xx and
// error: a change to the response path that is meant to change no output keeps
// testdata/golden.sha256 as it is (go test -run TestGolden -update-golden rewrites it).
func TestGolden(t *testing.T) {
	r, err := redact.New(redact.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, c := range goldenCases(t) {
		for _, status := range []int{200, 400} {
			for _, n := range []int{0, 1, 7, 64, 4096} {
				sum := sha256.Sum256([]byte(goldenRun(t, r, c, status, n)))
				lines = append(lines, fmt.Sprintf("%s %d %d %s", c.name, status, n, hex.EncodeToString(sum[:8])))
			}
		}
	}
	got := strings.Join(lines, "\n") + "\n"
	const file = "testdata/golden.sha256"
	if *updateGolden {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	wl, gl := strings.Split(string(want), "\n"), strings.Split(got, "\n")
	if len(wl) != len(gl) {
		t.Fatalf("%d golden lines, %d outputs", len(wl), len(gl))
	}
	for i := range wl {
		if wl[i] != gl[i] {
			t.Errorf("output changed: want %q, got %q", wl[i], gl[i])
		}
	}
}
