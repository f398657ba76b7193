package moderation

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// genEvent is one generated SSE event and the text it carries per choice.
type genEvent struct {
	b     string
	texts map[int]string
}

var alphabet = []string{"a", "b", "c", " ", "é", "日", "🙂", "\n", "\"", "\\", "x"}

func randText(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

func jsonStr(s string) string { return string(appendJSONString(nil, s)) }

// genStream builds a chat completion stream: role chunk, content deltas (and tool
// arguments) over 1-2 choices, comments, finish chunk, usage chunk, [DONE].
func genStream(r *rand.Rand) []genEvent {
	eol := "\n"
	if r.IntN(4) == 0 {
		eol = "\r\n"
	}
	ev := func(payload string, texts map[int]string) genEvent {
		return genEvent{b: "data: " + payload + eol + eol, texts: texts}
	}
	env := `"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"m"`
	nch := 1 + r.IntN(2)
	var out []genEvent
	out = append(out, ev(`{`+env+`,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`, nil))
	for range r.IntN(40) {
		switch r.IntN(10) {
		case 0:
			out = append(out, genEvent{b: ": keep-alive" + eol + eol})
		case 1:
			a := randText(r, r.IntN(8))
			out = append(out, ev(`{`+env+`,"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":`+jsonStr(a)+`}}]}}]}`, map[int]string{0: a}))
		default:
			c := r.IntN(nch)
			s := randText(r, r.IntN(12))
			out = append(out, ev(fmt.Sprintf(`{%s,"choices":[{"index":%d,"delta":{"content":%s},"finish_reason":null}]}`, env, c, jsonStr(s)), map[int]string{c: s}))
		}
	}
	out = append(out, ev(`{`+env+`,"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`, nil))
	out = append(out, ev(`{`+env+`,"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`, nil))
	out = append(out, ev(`[DONE]`, nil))
	return out
}

// textsOf concatenates, per choice, the texts of the first k events.
func textsOf(evs []genEvent, k int) map[int]string {
	out := map[int]string{}
	for _, e := range evs[:k] {
		for c, s := range e.texts {
			out[c] += s
		}
	}
	return out
}

func TestStreamGateProperties(t *testing.T) {
	for seed := range uint64(400) {
		r := rand.New(rand.NewPCG(seed, 7))
		holdback := 1 + r.IntN(40)
		overlap := []int{-1, 3, 10}[r.IntN(3)]
		monitor := r.IntN(8) == 0
		cfg := Config{Provider: "openai", Cluster: "mod", HoldbackChars: holdback, ChunkOverlapChars: overlap, MaxChunkChars: 100000}
		if monitor {
			cfg.Output.Mode = ModeMonitor
		}
		m := mustNew(t, cfg)
		evs := genStream(r)
		var full []byte
		bounds := []int{0} // byte offset after each event
		for _, e := range evs {
			full = append(full, e.b...)
			bounds = append(bounds, len(full))
		}
		flagAt := -1 // window number that gets flagged
		if r.IntN(2) == 0 {
			flagAt = r.IntN(4)
		}
		failOpen := r.IntN(5) == 0

		g := m.NewStreamGate(nil)
		var released []byte
		cleared := map[int]string{} // text cleared so far, per choice
		var call *Call
		var callWin *gateWindow
		windows := 0
		check := func(where string) {
			t.Helper()
			if g.Refused() {
				return
			}
			if !bytes.HasPrefix(full, released) {
				t.Fatalf("seed %d %s: released bytes are not a prefix of the stream", seed, where)
			}
			k := -1
			for i, b := range bounds {
				if b == len(released) {
					k = i
				}
			}
			if k < 0 {
				t.Fatalf("seed %d %s: released %d bytes, not at an event boundary", seed, where, len(released))
			}
			if !monitor {
				for c, s := range textsOf(evs, k) {
					if !strings.HasPrefix(cleared[c], s) {
						t.Fatalf("seed %d %s: choice %d released %q but only %q is moderated", seed, where, c, s, cleared[c])
					}
				}
			}
			if !g.InFlight() && !g.Ended() && g.openChars >= holdback {
				t.Fatalf("seed %d %s: %d chars pending without a call (holdback %d)", seed, where, g.openChars, holdback)
			}
		}
		resolve := func() {
			t.Helper()
			var d Decision
			switch {
			case windows == flagAt:
				d = m.Decide(Output, Verdict{Flagged: true, Categories: []string{"hate"}}, nil)
			case failOpen:
				d = m.Decide(Output, Verdict{}, Unavailable(ReasonTimeout))
			default:
				d = m.Decide(Output, Verdict{}, nil)
			}
			// The call carries the overlap of the previous window in front of the new text.
			inputs := gjsonArray(call.Body, "input")
			for i, ct := range callWin.texts {
				want := tailRunes(cleared[ct.index], max(overlap, 0)) + string(ct.text)
				if inputs[i] != want {
					t.Fatalf("seed %d: window input %q, want %q", seed, inputs[i], want)
				}
			}
			windows++
			if d.Action == ActionAllow || d.Action == ActionFailOpen {
				for _, ct := range callWin.texts {
					cleared[ct.index] += string(ct.text)
				}
			}
			g.Resolve(d)
			call, callWin = nil, nil
		}
		step := func(where string) {
			t.Helper()
			if c := g.Call(); c != nil {
				if call != nil {
					t.Fatalf("seed %d: second call while one is in flight", seed)
				}
				call, callWin = c, g.inflight
			}
			if !g.Paused() {
				released = append(released, g.Release()...)
			}
			check(where)
		}
		for pos := 0; pos < len(full); {
			n := 1 + r.IntN(60)
			chunk := full[pos:min(pos+n, len(full))]
			pos += len(chunk)
			g.Write(chunk)
			step("write")
			if call != nil && r.IntN(3) == 0 {
				resolve()
				step("callback")
			}
		}
		g.Close()
		step("close")
		for guard := 0; !g.Done(); guard++ {
			if call == nil || guard > 1000 {
				t.Fatalf("seed %d: not done and nothing in flight (pending %d, queue %d)", seed, g.Pending(), len(g.queue))
			}
			resolve()
			step("drain")
		}
		released = append(released, g.Release()...)
		if g.Refused() {
			if monitor {
				t.Fatalf("seed %d: monitor mode refused", seed)
			}
			refusal := g.obs.Refusal(m.Refusal())
			if !bytes.HasSuffix(released, refusal) {
				t.Fatalf("seed %d: refused stream does not end with the refusal:\n%s", seed, released)
			}
			prefix := released[:len(released)-len(refusal)]
			if !bytes.HasPrefix(full, prefix) {
				t.Fatalf("seed %d: refused stream's prefix is not the stream", seed)
			}
			k := -1
			for i, b := range bounds {
				if b == len(prefix) {
					k = i
				}
			}
			if k < 0 {
				t.Fatalf("seed %d: refusal not at an event boundary", seed)
			}
			for c, s := range textsOf(evs, k) {
				if !strings.HasPrefix(cleared[c], s) {
					t.Fatalf("seed %d: flagged text released on choice %d", seed, c)
				}
			}
			if !bytes.HasSuffix(released, []byte("data: [DONE]\n\n")) {
				t.Fatalf("seed %d: no [DONE]", seed)
			}
			if g.Write([]byte("data: {\"choices\":[{\"delta\":{\"content\":\"late\"}}]}\n\n")); len(g.Release()) != 0 {
				t.Fatalf("seed %d: bytes after the refusal", seed)
			}
		} else if !bytes.Equal(released, full) {
			t.Fatalf("seed %d: released stream differs:\n%q\nwant\n%q", seed, released, full)
		}
	}
}

func TestStreamGateBasics(t *testing.T) {
	m := mustNew(t, Config{Provider: "openai", Cluster: "mod", HoldbackChars: 10, ChunkOverlapChars: 3})
	g := m.NewStreamGate(nil)
	role := "data: {\"id\":\"c1\",\"created\":5,\"model\":\"gpt\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"
	d := func(s string) string {
		return "data: {\"id\":\"c1\",\"created\":5,\"model\":\"gpt\",\"choices\":[{\"index\":0,\"delta\":{\"content\":" + jsonStr(s) + "}}]}\n\n"
	}
	g.Write([]byte(role + d("Hello")))
	if g.Call() != nil || g.Paused() {
		t.Fatal("call before the hold-back is reached")
	}
	if got := string(g.Release()); got != role {
		t.Fatalf("released %q, want the role chunk only", got)
	}
	g.Write([]byte(d(" world")[:20])) // partial event: no text yet
	if g.Call() != nil {
		t.Fatal("partial event counted")
	}
	g.Write([]byte(d(" world")[20:]))
	c := g.Call()
	if c == nil || !g.Paused() || g.Pending() != 11 {
		t.Fatalf("no call at 11 chars (pending %d)", g.Pending())
	}
	if got := gjsonArray(c.Body, "input"); len(got) != 1 || got[0] != "Hello world" {
		t.Fatalf("window %q", got)
	}
	g.Write([]byte(d("!!")))
	if g.Call() != nil {
		t.Fatal("second call while in flight")
	}
	g.Resolve(m.Decide(Output, Verdict{}, nil))
	if got := string(g.Release()); got != d("Hello")+d(" world") {
		t.Fatalf("released %q", got)
	}
	g.Write([]byte("data: [DONE]\n\n"))
	c = g.Call()
	if c == nil || !g.Ended() {
		t.Fatal("no final window at [DONE]")
	}
	if got := gjsonArray(c.Body, "input"); got[0] != "rld!!" { // 3 chars of overlap
		t.Fatalf("final window %q", got)
	}
	g.Resolve(m.Decide(Output, Verdict{Flagged: true, Categories: []string{"hate"}}, nil))
	out := string(g.Release())
	if !g.Done() || !g.Refused() || strings.Contains(out, "!!") || !strings.HasSuffix(out, "data: [DONE]\n\n") {
		t.Fatalf("refusal %q", out)
	}
	ev := gjson.Parse(strings.TrimPrefix(strings.Split(out, "\n\n")[0], "data: "))
	if ev.Get("id").String() != "c1" || ev.Get("model").String() != "gpt" || ev.Get("choices.0.delta.content").String() != DefaultRefusal {
		t.Fatalf("refusal event %s", ev.Raw)
	}
	if !utf8.ValidString(out) {
		t.Fatal("invalid UTF-8")
	}
	if m2 := mustNew(t, Config{Provider: "openai", Cluster: "mod", Output: Stage{Mode: ModeOff}}); m2.NewStreamGate(nil) != nil {
		t.Fatal("gate with output off")
	}
}
