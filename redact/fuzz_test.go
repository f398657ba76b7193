package redact

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRedact checks invariants on arbitrary text: no panic, Find is sorted
// and non-overlapping, Redact of text without entities is the identity, and
// a stream split at the fuzzed point yields exactly Redact's output.
func FuzzRedact(f *testing.F) {
	for _, p := range propertyPieces {
		f.Add(p+" x "+p, 3)
	}
	f.Add(propertyPrompt, 10)
	r := propertyRedactors(f)[0]
	f.Fuzz(func(t *testing.T, text string, cut int) {
		rc := &RequestContext{SystemPrompt: propertyPrompt}
		want, rep := r.Redact(text, rc)
		last := 0
		for _, e := range r.Find(text) {
			if e.Start < last || e.End <= e.Start || e.End > len(text) {
				t.Fatalf("bad entity %+v after %d in %q", e, last, text)
			}
			last = e.End
		}
		if rep.Total() == 0 && want != text {
			t.Fatalf("no entities but output changed: %q -> %q", text, want)
		}
		if utf8.ValidString(text) && !utf8.ValidString(want) {
			t.Fatalf("valid UTF-8 in, invalid out: %q", want)
		}
		if len(text) > 0 {
			cut = (cut%len(text) + len(text)) % len(text)
			if got := streamPieces(r, text, []int{cut}); got != want {
				t.Fatalf("split at %d: got %q want %q", cut, got, want)
			}
		}
	})
}

// FuzzSSE feeds arbitrary bytes to the SSE transformer: no panic, and every
// data line it emits for a JSON event is valid JSON.
func FuzzSSE(f *testing.F) {
	f.Add([]byte("data: "+sseChunk("c", 0, "mail a@example.com", "")+"\n\ndata: [DONE]\n\n"), 7)
	f.Add([]byte("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"4111 1111\"}}]}\r\n\r\n: c\r\ndata: x\n"), 3)
	r := propertyRedactors(f)[0]
	f.Fuzz(func(t *testing.T, raw []byte, cut int) {
		tr := NewSSE(r, nil)
		if len(raw) > 0 {
			cut = (cut%len(raw) + len(raw)) % len(raw)
		} else {
			cut = 0
		}
		out := string(tr.Write(raw[:cut])) + string(tr.Write(raw[cut:])) + string(tr.Close())
		for _, line := range strings.Split(out, "\n") {
			p, ok := strings.CutPrefix(line, "data: ")
			if !ok || !strings.HasPrefix(p, "{") || !json.Valid([]byte(p)) {
				continue
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(p), &v); err != nil {
				t.Fatalf("emitted invalid JSON event %q: %v", p, err)
			}
		}
	})
}
