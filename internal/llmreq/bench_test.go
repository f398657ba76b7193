package llmreq

import (
	"fmt"
	"strings"
	"testing"
)

// chatBody builds a chat request of about size bytes shaped like agent traffic: a
// system prompt, a tool definition with a schema, turns of prose with escapes, tool
// calls and their results.
func chatBody(size int) []byte {
	var b strings.Builder
	b.WriteString(`{"model":"gpt-4o-mini","max_tokens":256,"stream":true,"tools":[{"type":"function","function":{"name":"lookup","description":"Look a customer up by id.","parameters":{"type":"object","properties":{"id":{"type":"string","description":"The customer id"}},"required":["id"]}}}],"messages":[{"role":"system","content":"You are a helpful assistant for the billing team.\nAnswer briefly."}`)
	turn := `,{"role":"user","content":"Could you check invoice 4711 for \"ACME Corp\"? The total looks off by 12.50 EUR compared with last month\u2019s statement."},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"id\":\"c-4711\"}"}}]},{"role":"tool","tool_call_id":"call_1","content":"Customer ACME Corp, plan Business, balance 112.50 EUR, last payment 2024-05-02."}`
	for b.Len() < size {
		b.WriteString(turn)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// BenchmarkParse is the whole read of a chat request: scan, key checks, adapter,
// texts. The tape and the per-node state come from pools.
func BenchmarkParse(b *testing.B) {
	for _, size := range []int{1 << 10, 16 << 10, 256 << 10} {
		body := chatBody(size)
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				r, err := Parse(Chat, body, Options{})
				if err != nil {
					b.Fatal(err)
				}
				r.Release()
			}
		})
	}
}
