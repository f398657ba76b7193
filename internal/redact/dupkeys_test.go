package redact

import (
	"strings"
	"testing"
)

// Duplicate keys: JSON parsers in clients (JavaScript, Python) keep the
// last value of a repeated key, gjson.Get finds the first. A response that
// repeats a key on a redacted path must not let the unredacted copy through.
var dupKeyCases = []struct{ name, payload string }{
	{"content twice", `{"choices":[{"index":0,"message":{"role":"assistant","content":"hello","content":"card 4111 1111 1111 1111"}}]}`},
	{"message twice", `{"choices":[{"index":0,"message":{"content":"hello"},"message":{"content":"card 4111 1111 1111 1111"}}]}`},
	{"choices twice", `{"choices":[{"message":{"content":"hello"}}],"choices":[{"message":{"content":"card 4111 1111 1111 1111"}}]}`},
	{"arguments twice", `{"choices":[{"message":{"tool_calls":[{"function":{"name":"f","arguments":"{}","arguments":"card 4111 1111 1111 1111"}}]}}]}`},
	{"function twice", `{"choices":[{"message":{"tool_calls":[{"function":{"arguments":"{}"},"function":{"arguments":"card 4111 1111 1111 1111"}}]}}]}`},
	{"text twice", `{"choices":[{"text":"hello","text":"card 4111 1111 1111 1111"}]}`},
	{"part text twice", `{"choices":[{"message":{"content":[{"type":"text","text":"hi","text":"card 4111 1111 1111 1111"}]}}]}`},
}

func TestRedactChatJSONDuplicateKeys(t *testing.T) {
	r := mustNew(t, DefaultConfig())
	for _, c := range dupKeyCases {
		t.Run(c.name, func(t *testing.T) {
			out, _, err := r.RedactChatJSON([]byte(c.payload), nil)
			if err == nil && strings.Contains(string(out), "4111") {
				t.Fatalf("card passed through: %s", out)
			}
			if err != nil && !strings.Contains(err.Error(), "duplicate") {
				t.Fatalf("err = %v, want a duplicate-key error", err)
			}
		})
	}
}

var sseDupKeyCases = []struct{ name, payload string }{
	{"delta content twice", `{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"hello","content":"card 4111 1111 1111 1111"},"finish_reason":null}]}`},
	{"delta twice", `{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"hello"},"delta":{"content":"card 4111 1111 1111 1111"},"finish_reason":null}]}`},
	{"choices twice", `{"id":"c","choices":[{"index":0,"delta":{"content":"hello"}}],"choices":[{"index":0,"delta":{"content":"card 4111 1111 1111 1111"}}]}`},
	{"tool arguments twice", `{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{","arguments":"card 4111 1111 1111 1111"}}]}}]}`},
	{"tool_calls twice", `{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{"}}],"tool_calls":[{"index":0,"function":{"arguments":"card 4111 1111 1111 1111"}}]}}]}`},
}

func TestSSEDuplicateKeys(t *testing.T) {
	r := mustNew(t, DefaultConfig())
	for _, c := range sseDupKeyCases {
		for _, n := range []int{1, 3} { // a lone event, and repeated (the fast path's template)
			t.Run(c.name, func(t *testing.T) {
				tr := NewSSE(r, nil)
				var out strings.Builder
				for i := 0; i < n; i++ {
					out.Write(tr.Write([]byte("data: " + c.payload + "\n\n")))
				}
				out.Write(tr.Write([]byte("data: [DONE]\n\n")))
				out.Write(tr.Close())
				if strings.Contains(out.String(), "4111") {
					t.Fatalf("card passed through:\n%s", out.String())
				}
			})
		}
	}
}
