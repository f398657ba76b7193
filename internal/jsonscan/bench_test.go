package jsonscan

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// chatBody builds a chat request of about size bytes: a system prompt, turns of
// prose with some escapes, a tool definition and a tool call.
func chatBody(size int) string {
	var b strings.Builder
	b.WriteString(`{"model":"gpt-4o-mini","max_tokens":256,"stream":true,"tools":[{"type":"function","function":{"name":"lookup","description":"Look a customer up by id.","parameters":{"type":"object","properties":{"id":{"type":"string","description":"The customer id"}},"required":["id"]}}}],"messages":[{"role":"system","content":"You are a helpful assistant for the billing team.\nAnswer briefly."}`)
	turn := `,{"role":"user","content":"Could you check invoice 4711 for \"ACME Corp\"? The total looks off by 12.50 EUR compared with last month\u2019s statement."},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"id\":\"c-4711\"}"}}]},{"role":"tool","tool_call_id":"call_1","content":"Customer ACME Corp, plan Business, balance 112.50 EUR, last payment 2024-05-02."}`
	for b.Len() < size {
		b.WriteString(turn)
	}
	b.WriteString(`]}`)
	return b.String()
}

var benchSizes = []int{1 << 10, 16 << 10, 256 << 10}

func BenchmarkScan(b *testing.B) {
	for _, size := range benchSizes {
		body := []byte(chatBody(size))
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			tp := Get()
			defer tp.Release()
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := tp.Scan(body, 64); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The validators the scanner replaces, for scale.
func BenchmarkGjsonValid(b *testing.B) {
	body := []byte(chatBody(16 << 10))
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if !gjson.ValidBytes(body) {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkStdlibValid(b *testing.B) {
	body := []byte(chatBody(16 << 10))
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if !json.Valid(body) {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkUnquoteEscaped(b *testing.B) {
	lit := `"` + strings.Repeat(`Could you check invoice 4711 for \"ACME Corp\"?\n\u2019 `, 100) + `"`
	buf := make([]byte, 0, len(lit))
	b.SetBytes(int64(len(lit)))
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendUnquote(buf[:0], lit)
	}
}

func BenchmarkFoldKeys(b *testing.B) {
	keys := []string{"model", "messages", "max_tokens", "temperature", "stream", "tool_choice", "Messages", "meſſages"}
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		for _, k := range keys {
			buf = AppendFold(buf[:0], k)
		}
	}
}
