package policy

import (
	"strings"
	"testing"

	"github.com/egressguard/egressguard/internal/llmreq"
	"github.com/tidwall/gjson"
)

// agentBody builds a chat request of about size bytes shaped like agent traffic (system
// prompt, content parts, a tool call and its result, a long user turn with escapes, the
// parameters after the messages), with extra appended before the closing brace.
func agentBody(size int, extra string) []byte {
	head := `{"model":"mistral-large-latest","messages":[` +
		`{"role":"system","content":"You are a careful assistant.\nAnswer in English."},` +
		`{"role":"user","content":[{"type":"text","text":"What is in this picture? Describe it \"briefly\"."},` +
		`{"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"low"}}]},` +
		`{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",` +
		`"function":{"name":"get_weather","arguments":"{\"city\":\"Paris\",\"unit\":\"celsius\"}"}}]},` +
		`{"role":"tool","tool_call_id":"call_1","name":"get_weather","content":"{\"temp\":21,\"sky\":\"clear\"}"},` +
		`{"role":"user","content":"`
	tail := `"}],"temperature":0.2,"top_p":0.9,"tools":[{"type":"function","function":` +
		`{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]` + extra + `}`
	line := `The quarterly report shows revenue up 4 % and costs \"flat\"; see section 2.\n`
	var b strings.Builder
	b.WriteString(head)
	for b.Len()+len(tail) < size {
		b.WriteString(line)
	}
	b.WriteString(tail)
	return []byte(b.String())
}

// BenchmarkCheckBodyAgent runs CheckBody with the default configuration (injection
// inspection on, no redaction) on agent-shaped bodies: "clamp" rewrites max_tokens in
// place, "default" adds max_tokens, "mistral" also adds safe_prompt.
func BenchmarkCheckBodyAgent(b *testing.B) {
	p := mustPolicy(b, `{"injection":{"opaque_inputs":["image"]},"upstreams":[{"name":"m","provider":"mistral","hosts":["api.mistral.ai"],"enforce_safe_prompt":true}]}`)
	mistral := p.Upstream("api.mistral.ai")
	for _, size := range []int{1 << 10, 16 << 10} {
		for _, c := range []struct {
			name  string
			extra string
			up    bool
		}{{"clamp", `,"max_tokens":100000`, false}, {"default", ``, false}, {"mistral", ``, true}} {
			body := agentBody(size, c.extra)
			var up = mistral
			if !c.up {
				up = nil
			}
			if d := p.CheckBody(rChat, up, body); d.Reject != nil || d.Body == nil {
				b.Fatalf("%s: %v %v", c.name, d.Reject, d.Actions)
			}
			b.Run(sizeName(size)+"/"+c.name, func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					if d := p.CheckBody(rChat, up, body); d.Reject != nil {
						b.Fatal(d.Reject)
					}
				}
			})
		}
	}
}

// TestCheckBodyTokensAfterRewrite covers the token rewrites together with a text
// rewrite (here wrap_user_content): every edit is a splice at offsets of the one
// parse, and the result must be a valid request carrying all of them.
func TestCheckBodyTokensAfterRewrite(t *testing.T) {
	p := mustPolicy(t, `{"injection":{"wrap_user_content":true,"opaque_inputs":["image"]},"max_tokens":{"default":100,"cap":1000},
	  "upstreams":[{"name":"m","provider":"mistral","hosts":["*"],"enforce_safe_prompt":true}]}`)
	up := p.Upstream("api.mistral.ai")
	for _, extra := range []string{``, `,"max_tokens":5000`, `,"max_tokens":5000,"safe_prompt":false`} {
		in := agentBody(2<<10, extra)
		d := p.CheckBody(rChat, up, in)
		if d.Reject != nil || d.Body == nil {
			t.Fatalf("%q: %v %v", extra, d.Reject, d.Actions)
		}
		r, err := llmreq.Parse(llmreq.Chat, d.Body, llmreq.Options{SkipMediaCheck: true})
		if err != nil {
			t.Fatalf("%q: rewritten body does not parse: %v\n%s", extra, err, d.Body)
		}
		r.Release()
		mt, sp := gjson.GetBytes(d.Body, "max_tokens"), gjson.GetBytes(d.Body, "safe_prompt")
		if want := map[string]int64{``: 100}[extra]; (want == 0 && mt.Int() != 1000) || (want != 0 && mt.Int() != want) || sp.Type != gjson.True {
			t.Errorf("%q: max_tokens %s safe_prompt %s", extra, mt.Raw, sp.Raw)
		}
		for _, path := range []string{"messages.1.content.0.text", "messages.4.content"} {
			if got := gjson.GetBytes(d.Body, path).String(); !strings.HasPrefix(got, "<user_query>") {
				t.Errorf("%q: %s not wrapped: %.40q, actions %v", extra, path, got, d.Actions)
			}
		}
	}
}
