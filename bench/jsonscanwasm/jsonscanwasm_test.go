// Package jsonscanwasm measures the JSON scanner compiled to wasm (GOOS=wasip1)
// and run under wazero, the same code path the proxy-wasm plugin uses.
package jsonscanwasm

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/egressguard/egressguard/internal/wasmbench"
	"github.com/tetratelabs/wazero"
)

// chatBody is a chat request of about size bytes (system prompt, prose turns with
// escapes, a tool definition, tool calls and results).
func chatBody(size int) string {
	var b strings.Builder
	b.WriteString(`{"model":"gpt-4o-mini","max_tokens":256,"tools":[{"type":"function","function":{"name":"lookup","description":"Look a customer up by id.","parameters":{"type":"object","properties":{"id":{"type":"string"}}}}}],"messages":[{"role":"system","content":"You are a helpful assistant.\nAnswer briefly."}`)
	turn := `,{"role":"user","content":"Could you check invoice 4711 for \"ACME Corp\"? The total looks off by 12.50 EUR compared with last month\u2019s statement."},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"id\":\"c-4711\"}"}}]},{"role":"tool","tool_call_id":"call_1","content":"Customer ACME Corp, plan Business, balance 112.50 EUR, last payment 2024-05-02."}`
	for b.Len() < size {
		b.WriteString(turn)
	}
	b.WriteString(`]}`)
	return b.String()
}

type guestResult struct {
	Bytes, Iterations, Nodes, Allocs int
	NS                               int64
}

var guest = wasmbench.NewGuest("./guest")

func runtimeAndModule(t testing.TB) (wazero.Runtime, wazero.CompiledModule) { return guest.Runtime(t) }

func runGuest(t testing.TB, rt wazero.Runtime, mod wazero.CompiledModule, body string, n int, args ...string) (res guestResult) {
	wasmbench.Run(t, rt, mod, body, n, &res, args...)
	return res
}

// TestWasmScansWithoutAllocating checks that the wasm build scans a body into the
// same number of nodes as the native one and allocates nothing once its tape has grown.
func TestWasmScansWithoutAllocating(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a wasm guest")
	}
	rt, mod := runtimeAndModule(t)
	defer rt.Close(context.Background())
	res := runGuest(t, rt, mod, chatBody(16<<10), 5)
	if res.Allocs != 0 || res.Nodes < 100 {
		t.Fatalf("wasm scan: %+v", res)
	}
}

// BenchmarkScanWasm reports the guest-measured scan throughput ("wasm-MB/s") of
// chat bodies of 1, 16 and 256 KiB, and gjson.Valid's on the 16 KiB body for scale.
func BenchmarkScanWasm(b *testing.B) {
	rt, mod := runtimeAndModule(b)
	defer rt.Close(context.Background())
	for _, c := range []struct {
		size int
		mode string
	}{{1 << 10, "scan"}, {16 << 10, "scan"}, {256 << 10, "scan"}, {16 << 10, "gjson"}} {
		size, body := c.size, chatBody(c.size)
		b.Run(fmt.Sprintf("%s-%dKiB", c.mode, size>>10), func(b *testing.B) {
			n := max(1, (4<<20)/len(body)) // about 4 MiB per guest run
			var total, ns int64
			for b.Loop() {
				res := runGuest(b, rt, mod, body, n, "-mode", c.mode)
				total += int64(res.Bytes * res.Iterations)
				ns += res.NS
			}
			b.ReportMetric(float64(total)/(float64(ns)/1e9)/1e6, "wasm-MB/s")
		})
	}
}
