package flow

import (
	"strings"
	"testing"

	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/moderation"
)

// exchange runs a request through the request phases of pl and returns it with the
// response headers planned.
func exchange(t *testing.T, pl *Planner, path, body, status, ctype string) (*Exchange, RespPlan) {
	t.Helper()
	x := &Exchange{}
	h := chatHead(path, map[string]string{"x-request-id": "rid-7"})
	h.Cluster = clusterIs("llm_cluster")
	if p := pl.RequestHeaders(x, h, now); p.Reject != nil {
		t.Fatalf("%s: %+v", path, p.Reject)
	}
	if p := pl.Decide(x, []byte(body), now); p.Reject != nil {
		t.Fatalf("%s: %+v", path, p.Reject)
	}
	return x, pl.ResponseHeaders(x, respHead(status, ctype, ""), clock(now))
}

// feed streams body through Chunk in pieces of n bytes and returns what the client gets.
func feed(t *testing.T, x *Exchange, body string, n int) string {
	t.Helper()
	var got []byte
	for i := 0; i < len(body); i += n {
		out, e, _ := x.Chunk([]byte(body[i:min(len(body), i+n)]), i+n >= len(body))
		if e != nil {
			t.Fatal(e)
		}
		got = append(got, out...)
	}
	return string(got)
}

func chunk(content string) string {
	return `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"` +
		content + `"},"finish_reason":null}],"usage":null}` + "\n\n"
}

const usageChunk = `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],` +
	`"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}` + "\n\n"

// When the guard asked for the usage chunk itself (token limits), the client does not
// get it, nor the "usage":null members; a client that asked gets both. Usage is read
// either way.
func TestStreamUsageOnlyForTheClientThatAsked(t *testing.T) {
	pl := planner(t, `{"rate_limits":{"default":{"tokens_per_minute":100000}}}`)
	stream := chunk("Hel") + chunk("lo") + usageChunk + "data: [DONE]\n\n"
	for _, c := range []struct {
		body  string
		asked bool
	}{
		{`{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`, false},
		{`{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`, true},
	} {
		x, p := exchange(t, pl, "/v1/chat/completions", c.body, "200", "text/event-stream")
		if x.Resp != RespStream || p.Reject != nil {
			t.Fatalf("mode %v %+v", x.Resp, p.Reject)
		}
		got := feed(t, x, stream, 37)
		if strings.Contains(got, `"choices":[]`) != c.asked || strings.Contains(got, `"usage":null`) != c.asked {
			t.Errorf("asked=%v: client got %s", c.asked, got)
		}
		if !strings.Contains(got, "Hel") || !strings.HasSuffix(got, "data: [DONE]\n\n") {
			t.Errorf("asked=%v: stream changed: %s", c.asked, got)
		}
		if !x.Out.UsageSeen || x.Out.PromptTok != 9 || x.Out.ComplTok != 4 {
			t.Errorf("asked=%v: usage %+v", c.asked, x.Out)
		}
		if v, _ := has(p.Set, "x-request-id"); v != "rid-7" {
			t.Errorf("no request id: %v", p.Set)
		}
	}
}

// The injected key and PII split across events and network chunks never reach the
// client, on every API's stream; the request id is on every response.
func TestStreamsRedactedPerAPI(t *testing.T) {
	pl := planner(t, keyed+`}`)
	key1, key2 := "sk-inj", "ected-1"
	for _, c := range []struct{ path, body, stream string }{
		{"/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`,
			chunk("mail jane.do") + chunk("e@example.com key "+key1) + chunk(key2+" ok") + "data: [DONE]\n\n"},
		{"/v1/responses", `{"model":"m","stream":true,"input":"hi"}`,
			"event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"i\",\"output_index\":0,\"content_index\":0,\"delta\":\"mail jane.do\"}\n\n" +
				"event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"i\",\"output_index\":0,\"content_index\":0,\"delta\":\"e@example.com key " + key1 + "\"}\n\n" +
				"event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"i\",\"output_index\":0,\"content_index\":0,\"delta\":\"" + key2 + " ok\"}\n\n" +
				"event: response.output_text.done\ndata: {\"type\":\"response.output_text.done\",\"item_id\":\"i\",\"output_index\":0,\"content_index\":0,\"text\":\"mail jane.doe@example.com key sk-injected-1 ok\"}\n\n"},
		{"/v1/messages", `{"model":"m","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"hi"}]}`,
			"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"mail jane.do\"}}\n\n" +
				"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"e@example.com key " + key1 + "\"}}\n\n" +
				"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + key2 + " ok\"}}\n\n" +
				"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"},
	} {
		x, p := exchange(t, pl, c.path, c.body, "200", "text/event-stream")
		got := feed(t, x, c.stream, 29)
		if strings.Contains(got, "example.com") || strings.Contains(got, key2) || !strings.Contains(got, "ok") {
			t.Errorf("%s: client got %s", c.path, got)
		}
		if v, _ := has(p.Set, "x-request-id"); v != "rid-7" {
			t.Errorf("%s: no request id: %v", c.path, p.Set)
		}
	}
}

// A stream that ends in trailers gets its held-back bytes from StreamEnd, once.
func TestStreamEndAtTrailers(t *testing.T) {
	pl := planner(t, `{}`)
	x, _ := exchange(t, pl, "/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`,
		"200", "application/octet-stream")
	out, e, _ := x.Chunk([]byte("plain text to jane.doe@exam"), false)
	if e != nil {
		t.Fatal(e)
	}
	head := string(out) // out is reused by the next call
	tail, n := x.StreamEnd()
	if got := head + string(tail); got != "plain text to [EMAIL_ADDRESS]" || len(n.Info) != 1 {
		t.Errorf("client got %q, notes %+v", got, n)
	}
	if again, _ := x.StreamEnd(); again != nil {
		t.Errorf("a second end: %q", again)
	}
}

// With other_bodies refuse, a 2xx body that is neither JSON nor SSE is answered with
// a 502 before anything of it is sent; the headers are held only in HoldHeaders mode.
func TestRefusedTextBody(t *testing.T) {
	for _, hold := range []bool{false, true} {
		doc := `{"redaction":{"other_bodies":"refuse"},"envoy":{"allow_on_headers_stop_iteration":` + map[bool]string{false: "false", true: "true"}[hold] + `}}`
		pl := planner(t, doc)
		x, p := exchange(t, pl, "/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, "200", "text/plain")
		if x.Resp != RespStream || p.Hold != hold {
			t.Fatalf("hold=%v: mode %v, held %v", hold, x.Resp, p.Hold)
		}
		out, e, _ := x.Chunk([]byte("Sure! jane@example.com"), false)
		if len(out) != 0 || e == nil || e.Status != 502 {
			t.Errorf("hold=%v: out %q, error %+v", hold, out, e)
		}
	}
}

// gateHost is a moderation service answered by the test.
type gateHost struct {
	pending []func(moderation.Decision)
	resumed [][]byte
}

func (g *gateHost) Moderate(_ *moderation.Call, done func(moderation.Decision)) error {
	g.pending = append(g.pending, done)
	return nil
}
func (g *gateHost) Record(moderation.Decision) {}
func (g *gateHost) Resume(b []byte)            { g.resumed = append(g.resumed, b) }

// The output gate holds a stream until its window is moderated, then resumes it; at
// trailers, bytes go only into a buffered body, else they are dropped.
func TestOutputGate(t *testing.T) {
	doc := `{"moderation":{"provider":"openai","cluster":"mod","output":{"mode":"enforce"},"holdback_chars":5}}`
	cfg := mustConfig(t, doc)
	mod, _, err := NewModeration(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := New(cfg, nil, nil, mod)
	if err != nil {
		t.Fatal(err)
	}
	for _, buffering := range []bool{true, false} {
		x, _ := exchange(t, pl, "/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`, "200", "text/event-stream")
		host := &gateHost{}
		g := mod.OutputGate(x, host)
		if g == nil {
			t.Fatal("no gate")
		}
		out, _, _ := x.Chunk([]byte(chunk("hello there")), false)
		if s := g.Feed(out, false, false, false); !s.Pause || !s.Set || len(s.Body) != 0 || len(host.pending) != 1 {
			t.Fatalf("first window: %+v, calls %d", s, len(host.pending))
		}
		host.pending[0](mod.M.Decide(moderation.Output, moderation.Verdict{}, nil))
		if len(host.resumed) != 1 || !strings.Contains(string(host.resumed[0]), "hello") {
			t.Fatalf("not resumed with the cleared event: %q", host.resumed)
		}
		tail, _ := x.StreamEnd()
		s := g.Feed(append(tail, chunk("more words here")...), true, true, buffering)
		if buffering && (!s.Pause || s.Set) || !buffering && (s.Pause || s.Set || s.Dropped == 0) {
			t.Errorf("buffering=%v: at trailers %+v", buffering, s)
		}
	}
}

func mustConfig(t *testing.T, doc string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
