package chatreq

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// chatBody builds a chat request of about size bytes shaped like agent traffic: a
// system prompt, a user turn with content parts (text and an image), an assistant tool
// call, its tool result, and a long final user turn with escapes, plus the usual
// top-level parameters after the messages (so that lookups of absent keys would have
// to scan past them).
func chatBody(size int) []byte {
	head := `{"model":"mistral-large-latest","messages":[` +
		`{"role":"system","content":"You are a careful assistant.\nAnswer in English."},` +
		`{"role":"user","content":[{"type":"text","text":"What is in this picture? Describe it \"briefly\"."},` +
		`{"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"low"}}]},` +
		`{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",` +
		`"function":{"name":"get_weather","arguments":"{\"city\":\"Paris\",\"unit\":\"celsius\"}"}}]},` +
		`{"role":"tool","tool_call_id":"call_1","name":"get_weather","content":"{\"temp\":21,\"sky\":\"clear\"}"},` +
		`{"role":"user","content":"`
	tail := `"}],"temperature":0.2,"top_p":0.9,"max_tokens":100000,"tools":[{"type":"function","function":` +
		`{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]}`
	line := `The quarterly report shows revenue up 4 % and costs \"flat\"; see section 2.\n`
	var b strings.Builder
	b.WriteString(head)
	for b.Len()+len(tail) < size {
		b.WriteString(line)
	}
	b.WriteString(tail)
	return []byte(b.String())
}

func BenchmarkParse(b *testing.B) {
	for _, size := range []int{1 << 10, 16 << 10} {
		body := chatBody(size)
		if _, err := Parse(KindChat, body); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := Parse(KindChat, body); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%dKiB/gjson.ValidBytes", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if !gjson.ValidBytes(body) {
					b.Fatal("invalid")
				}
			}
		})
	}
}
