package fakellm

import (
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// sseEvents returns the event names of an SSE body, in order.
func sseEvents(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^event: (\S+)$`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestOtherAPIs(t *testing.T) {
	s := newTest(Options{})
	cases := []struct {
		path, body string
		reply      func(m map[string]any) string // JSON reply text
		events     []string                      // SSE event names, in order (deltas collapsed)
	}{
		{"/v1/responses", `{"model":"gpt-4.1","input":[{"role":"user","content":"hi [[reply:one two]]"}]%s}`,
			func(m map[string]any) string {
				return m["output"].([]any)[0].(map[string]any)["content"].([]any)[0].(map[string]any)["text"].(string)
			},
			[]string{"response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
				"response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"}},
		{"/v1/messages", `{"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"hi [[reply:one two]]"}]%s}`,
			func(m map[string]any) string { return m["content"].([]any)[0].(map[string]any)["text"].(string) },
			[]string{"message_start", "content_block_start", "ping", "content_block_delta", "content_block_stop", "message_delta", "message_stop"}},
		{"/v1/conversations/conv_1/restart", `{"inputs":"hi [[reply:one two]]","from_entry_id":"e"%s}`,
			func(m map[string]any) string { return m["outputs"].([]any)[0].(map[string]any)["content"].(string) },
			[]string{"conversation.response.started", "message.output.delta", "conversation.response.done"}},
		{"/v1/completions", `{"model":"gpt-3.5-turbo-instruct","prompt":"hi [[reply:one two]]"%s}`,
			func(m map[string]any) string { return m["choices"].([]any)[0].(map[string]any)["text"].(string) }, nil},
	}
	for _, c := range cases {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("POST", c.path, strings.NewReader(strings.Replace(c.body, "%s", "", 1))))
		var m map[string]any
		if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &m) != nil || c.reply(m) != "one two" {
			t.Errorf("%s: %d %s", c.path, w.Code, w.Body)
		}
		w = httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("POST", c.path, strings.NewReader(strings.Replace(c.body, "%s", `,"stream":true`, 1))))
		body := w.Body.String()
		if w.Code != 200 || !strings.HasPrefix(w.Header().Get("content-type"), "text/event-stream") {
			t.Errorf("%s stream: %d %s", c.path, w.Code, body)
		}
		var got []string
		for _, e := range sseEvents(body) {
			if len(got) == 0 || got[len(got)-1] != e {
				got = append(got, e)
			}
		}
		if strings.Join(got, ",") != strings.Join(c.events, ",") {
			t.Errorf("%s stream events %v, want %v", c.path, got, c.events)
		}
		if !strings.Contains(body, `"one"`) || !strings.Contains(body, `" two"`) {
			t.Errorf("%s stream has no deltas: %s", c.path, body)
		}
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("POST", "/v1/embeddings", strings.NewReader(`{"model":"e","input":["a","b"],"encoding_format":"base64"}`)))
	var m map[string]any
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &m) != nil || len(m["data"].([]any)) != 2 {
		t.Errorf("embeddings: %d %s", w.Code, w.Body)
	}
}
