package flow

import (
	"strings"
	"testing"
	"time"

	"github.com/egressguard/egressguard/internal/audit"
	"github.com/egressguard/egressguard/internal/metrics"
)

// benchChat is a chat request of about 1 KiB: a system prompt, one earlier exchange
// and a question of business prose.
var benchChat = []byte(`{"model":"gpt-4o-mini","temperature":0.2,"max_tokens":4096,"user":"bench-user-1","messages":[` +
	`{"role":"system","content":"You are a helpful assistant for the operations team. Answer concisely and cite the ticket numbers you use. ` +
	`Keep every answer short and factual, and list the open items at the end."},` +
	`{"role":"user","content":"` + strings.Repeat("The quarterly report shows steady growth in the northern region. ", 4) + `"},` +
	`{"role":"assistant","content":"` + strings.Repeat("Revenue rose while costs stayed flat across the teams. ", 3) + `"},` +
	`{"role":"user","content":"` + strings.Repeat("Could you list the tickets about the billing migration and their owners? ", 4) + `"}]}`)

var benchResp = []byte(`{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini",` +
	`"choices":[{"index":0,"message":{"role":"assistant","content":"` +
	strings.Repeat("The billing migration tickets are OPS-1412 and OPS-1418, owned by the platform team. ", 5) +
	`"},"finish_reason":"stop"}],"usage":{"prompt_tokens":250,"completion_tokens":90,"total_tokens":340}}`)

// BenchmarkExchange runs one whole exchange through the flow as the plugin does (the
// host calls aside): request headers, body decision, response headers and body, the
// metrics and the audit line. allocs/op and B/op are the garbage the VM collects.
func BenchmarkExchange(b *testing.B) {
	for _, c := range []struct{ name, cfg, path string }{
		{"chat", `{"max_tokens":{"default":256,"cap":1024}}`, "/v1/chat/completions"},
		{"passthrough", `{"max_tokens":{"default":256,"cap":1024},"api":{"passthrough_paths":["/v1/chat/completions"],"chat_paths":["/x"]}}`, "/v1/chat/completions"},
	} {
		b.Run(c.name, func(b *testing.B) {
			pl := planner(b, c.cfg)
			head := chatHead(c.path, map[string]string{"x-request-id": "req-1"})
			resp := respHead("200", "application/json", "")
			var models metrics.Cardinality
			models.Max = 64
			var line []byte
			b.ReportAllocs()
			for b.Loop() {
				var x Exchange
				t := time.Now()
				hp := pl.RequestHeaders(&x, head, t)
				if hp.Inspect {
					if bp := pl.Decide(&x, benchChat, t); bp.Reject != nil {
						b.Fatal(bp.Reject)
					}
					x.Held(DecisionForwarded, "", t)
				} else {
					x.Held(DecisionPassthrough, "", t)
				}
				pl.ResponseHeaders(&x, resp, clock(t))
				if w := x.Body(benchResp); w.Err != nil {
					b.Fatal(w.Err)
				}
				rec, _ := pl.Done(&x, &models, t, nil)
				line = audit.Append(line[:0], &rec)
			}
		})
	}
}
