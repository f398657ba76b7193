package llmresp

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

const refusalText = `I "cannot" help with that.` + "\n"

// TestRefusalBody: a refused whole response of every API is the provider's JSON
// shape holding only the refusal, with its ids and usage kept.
func TestRefusalBody(t *testing.T) {
	for _, f := range fixtures(t, "json") {
		api := fixtureAPI(f)
		if api == Embeddings || statusOf(f) != 200 {
			continue
		}
		body, _ := os.ReadFile(f)
		out := RefusalBody(api, body, refusalText)
		var in, got map[string]any
		if err := json.Unmarshal(body, &in); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%s: invalid JSON %s", f, out)
		}
		for _, k := range []string{"id", "model", "usage", "created", "object"} {
			if a, b := jsonOf(in[k]), jsonOf(got[k]); a != b {
				t.Errorf("%s: %s changed %s -> %s", f, k, a, b)
			}
		}
		texts := Texts(api, out)
		if len(texts) == 0 {
			t.Fatalf("%s: no text in %s", f, out)
		}
		for _, tx := range texts {
			if tx != refusalText {
				t.Errorf("%s: text %q", f, tx)
			}
		}
		switch api {
		case Responses:
			if got["status"] != "incomplete" || jsonOf(got["incomplete_details"]) != `{"reason":"content_filter"}` {
				t.Errorf("%s: %s", f, out)
			}
		case Messages:
			if got["stop_reason"] != "refusal" {
				t.Errorf("%s: %s", f, out)
			}
		case Chat, Completions:
			for _, ch := range got["choices"].([]any) {
				if ch.(map[string]any)["finish_reason"] != FinishContentFilter {
					t.Errorf("%s: %s", f, out)
				}
			}
		}
	}
	for _, api := range []API{Chat, Responses, Messages, Conversations} {
		if out := RefusalBody(api, []byte("<html>oops"), refusalText); !json.Valid(out) || len(Texts(api, out)) != 1 {
			t.Errorf("%v: refusal of garbage %s", api, out)
		}
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestObserverRefusal: a stream of every API cut after any event and ended with the
// observer's refusal reads, in the SDKs' way, as a complete stream whose last text
// is the refusal.
func TestObserverRefusal(t *testing.T) {
	for _, f := range fixtures(t, "sse") {
		api := fixtureAPI(f)
		raw, _ := os.ReadFile(f)
		evs := splitEvents(string(raw))
		for cut := 0; cut <= len(evs); cut++ {
			o := NewObserver(api)
			var prefix strings.Builder
			for _, ev := range evs[:cut] {
				prefix.WriteString(ev)
				events(t, ev, func(name, data string) { o.Event([]byte(name), []byte(data), func(int, string) {}) })
			}
			if o.Ended() {
				break
			}
			stream := prefix.String() + string(o.Refusal(refusalText))
			checkRefused(t, api, f, stream)
		}
	}
}

// checkRefused reads a refused stream as the API's SDK does.
func checkRefused(t *testing.T, api API, f, stream string) {
	t.Helper()
	var lastName, lastData string
	outputs := map[int]bool{}
	text := ""
	events(t, stream, func(name, data string) {
		lastName, lastData = name, data
		if data == "[DONE]" {
			return
		}
		var ev map[string]any
		mustJSON(t, data, &ev)
		switch api {
		case Responses:
			oi := int(num(ev["output_index"]))
			switch ev["type"] {
			case "response.output_item.added":
				outputs[oi] = true
			case "response.output_text.delta":
				if !outputs[oi] {
					t.Fatalf("%s: delta for output %d before it was added:\n%s", f, oi, stream)
				}
				text = ev["delta"].(string)
			}
		case Messages:
			if ev["type"] == "content_block_delta" {
				if d := ev["delta"].(map[string]any); d["type"] == "text_delta" {
					text = d["text"].(string)
				}
			}
		case Conversations:
			if ev["type"] == "message.output.delta" {
				text, _ = ev["content"].(string)
			}
		default:
			for _, ch := range ev["choices"].([]any) {
				c := ch.(map[string]any)
				if c["finish_reason"] == FinishContentFilter {
					if d, ok := c["delta"].(map[string]any); ok {
						text = d["content"].(string)
					} else {
						text = c["text"].(string) // legacy completions
					}
				}
			}
		}
	})
	if text != refusalText {
		t.Fatalf("%s: refusal text %q in\n%s", f, text, stream)
	}
	end := map[API]string{Chat: "[DONE]", Completions: "[DONE]", Responses: "response.incomplete", Messages: "message_stop", Conversations: "conversation.response.done"}[api]
	if lastData != end && lastName != end {
		t.Fatalf("%s: stream ends with %s %s", f, lastName, lastData)
	}
}

// TestObserverTexts: the texts the observer reads from a stream, per choice, are what
// a client accumulates.
func TestObserverTexts(t *testing.T) {
	raw, _ := os.ReadFile("testdata/chat/stream_n3.sse")
	o := NewObserver(Chat)
	got := map[int]string{}
	events(t, string(raw), func(name, data string) {
		o.Event([]byte(name), []byte(data), func(u int, s string) { got[u] += s })
	})
	acc := chatRead(t, string(raw))
	for u := 0; u < 3; u++ {
		if w := acc["content/"+string(rune('0'+u))]; got[u] != w || w == "" {
			t.Errorf("choice %d: %q, want %q", u, got[u], w)
		}
	}
	if !o.Ended() {
		t.Error("[DONE] not seen")
	}
}
