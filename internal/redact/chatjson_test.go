package redact

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRedactChatJSON checks that only the content fields change and every
// other byte (including odd spacing and escapes) is identical.
func TestRedactChatJSON(t *testing.T) {
	r := mustNew(t, DefaultConfig())
	cases := []struct{ name, in, want string }{
		{"openai string",
			`{"id":"c1", "choices":[{"index":0,"message":{"role":"assistant","content":"mail a@example.com\n"} ,"finish_reason":"stop"}],"usage":{"total_tokens":5}}`,
			`{"id":"c1", "choices":[{"index":0,"message":{"role":"assistant","content":"mail [EMAIL_ADDRESS]\n"} ,"finish_reason":"stop"}],"usage":{"total_tokens":5}}`},
		{"mistral parts and tools",
			`{"choices":[{"message":{"content":[{"type":"text","text":"ssn 460-89-9847"},{"type":"image_url","image_url":"https://x/y?z=1"}],"tool_calls":[{"id":"t1","function":{"name":"f","arguments":"{\"card\":\"4111111111111111\"}"}}]}}]}`,
			`{"choices":[{"message":{"content":[{"type":"text","text":"ssn [US_SSN]"},{"type":"image_url","image_url":"https://x/y?z=1"}],"tool_calls":[{"id":"t1","function":{"name":"f","arguments":"{\"card\":\"[CREDIT_CARD]\"}"}}]}}]}`},
		{"fim text", `{"choices":[{"text":"key sk-proj-abc123DEF456ghi789JKL012","index":0}]}`, `{"choices":[{"text":"key [API_KEY]","index":0}]}`},
		{"untouched escapes", `{"choices":[{"message":{"content":"caf\u00e9 \"ok\""}}],"x":"a@example.com"}`, `{"choices":[{"message":{"content":"caf\u00e9 \"ok\""}}],"x":"a@example.com"}`},
		{"no choices", `{"error":{"message":"a@example.com"}}`, `{"error":{"message":"a@example.com"}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _, err := r.RedactChatJSON([]byte(c.in), nil)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if !json.Valid(got) {
				t.Errorf("output is not valid JSON: %s", got)
			}
		})
	}
	if _, _, err := r.RedactChatJSON([]byte(`{"choices":[`), nil); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("truncated body: err = %v, want a not-valid-JSON error", err)
	}
}

// TestRedactRequestJSON checks request-side masking of messages and FIM fields.
func TestRedactRequestJSON(t *testing.T) {
	r := mustNew(t, DefaultConfig())
	in := `{"model":"m","messages":[{"role":"system","content":"be nice <b>"},{"role":"user","content":[{"type":"text","text":"my card 4111 1111 1111 1111"}]}],"prompt":"ip 81.2.69.1"}`
	want := `{"model":"m","messages":[{"role":"system","content":"be nice <b>"},{"role":"user","content":[{"type":"text","text":"my card [CREDIT_CARD]"}]}],"prompt":"ip [IP_ADDRESS]"}`
	got, rep, err := r.RedactRequestJSON([]byte(in))
	if err != nil || string(got) != want || rep.Total() != 2 {
		t.Errorf("got %s (%v, %v)\nwant %s", got, rep.Counts, err, want)
	}
}
