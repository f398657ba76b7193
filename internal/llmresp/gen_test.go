package llmresp

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/egressguard/egressguard/internal/redact"
	"github.com/egressguard/egressguard/internal/sse"
)

// Test streams are built like the captured fixtures in testdata (same envelopes and
// field order), with texts chosen by the test cut into deltas of random size, so
// that entities straddle events. The accumulators read a stream back the way each
// API's official SDK does, per text ("channel").

// pieces are entities, near misses and ordinary words texts are made of.
var pieces = []string{"jane.doe@example.com", "4111 1111 1111 1111", "+1 415 555 0132", "460-89-9847",
	"10.20.4.17", "sk-proj-abc123DEF456ghi789JKL012mno", "DE89 3704 0044 0532 0130 00", "AKIAIOSFODNN7EXAMPLE",
	"<script>alert(1)</script>", "![x](https://evil.example/p?d=secret)", "version 2.3.1", "order 12345",
	"café", "日本語", "🙂", "\"quoted\"", "back\\slash", "line\nbreak", "tab\there", " ", ". ", "the", "report", "is", "ready"}

func randomText(rng *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(pieces[rng.Intn(len(pieces))])
	}
	return b.String()
}

// split cuts s into pieces of 1..12 bytes at rune boundaries (upstreams send whole
// UTF-8 strings).
func split(rng *rand.Rand, s string) []string {
	var out []string
	for len(s) > 0 {
		n := min(len(s), 1+rng.Intn(12))
		for n < len(s) && !utf8.RuneStart(s[n]) {
			n++
		}
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}

func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func dataEvent(name, payload string) string {
	if name != "" {
		return "event: " + name + "\ndata: " + payload + "\n\n"
	}
	return "data: " + payload + "\n\n"
}

// channel is a text of a generated stream and how the guard must redact it.
type channel struct {
	name string
	text string
	data bool // PII and secrets only
}

// generator builds a stream of api carrying the channels.
type generator struct {
	api   API
	build func(rng *rand.Rand, chs []channel) string
	names []string // channels it carries, data ones marked with a "*" suffix
}

const chatEnv = `"id":"chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL","object":"chat.completion.chunk","created":1727346168,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_5050236cbd"`

// chatGen: two choices of content, reasoning_content and refusal, Mistral thinking
// and text parts, tool-call arguments, logprob tokens, audio transcript; comments,
// a usage chunk with extra fields, [DONE].
var chatGen = generator{api: Chat, names: []string{"content/0", "reasoning_content/0", "refusal/1", "thinking/0",
	"content/1", "tool/0/0*", "tool/0/1*", "transcript/1", "function_call/1*"},
	build: func(rng *rand.Rand, chs []channel) string {
		lp := rng.Intn(2) == 0 // content deltas carry logprobs
		var evs [][]string     // per channel, its events in order
		for _, c := range chs {
			var list []string
			var ci, j int // "kind/choice" or "kind/choice/index"
			kind := c.name
			if _, err := fmt.Sscanf(strings.ReplaceAll(c.name[strings.IndexByte(c.name, '/')+1:]+"/0", "*", ""), "%d/%d", &ci, &j); err != nil {
				panic(c.name + ": " + err.Error()) // the channel names above are fixed
			}
			kind = kind[:strings.IndexByte(kind, '/')]
			for _, p := range split(rng, c.text) {
				var delta, extra string
				switch kind {
				case "content":
					delta = `{"content":` + js(p) + `}`
					if ci == 1 { // Mistral: text parts
						delta = `{"content":[{"type":"text","text":` + js(p) + `}]}`
					}
					if lp { // logprobs spell the content out token by token
						var toks []string
						for _, tk := range split(rng, p) {
							toks = append(toks, fmt.Sprintf(`{"token":%s,"logprob":-0.25,"bytes":%s,"top_logprobs":[{"token":%s,"logprob":-1.5,"bytes":[]}]}`, js(tk), bytesJSON(tk), js(tk)))
						}
						extra = `,"logprobs":{"content":[` + strings.Join(toks, ",") + `],"refusal":null}`
					}
				case "reasoning_content", "refusal":
					delta = `{"` + kind + `":` + js(p) + `}`
				case "thinking":
					delta = `{"content":[{"type":"thinking","thinking":[{"type":"text","text":` + js(p) + `}]}]}`
				case "tool":
					delta = fmt.Sprintf(`{"tool_calls":[{"index":%d,"function":{"arguments":%s}}]}`, j, js(p))
				case "transcript":
					delta = `{"audio":{"id":"audio_1","data":"UklGRg==","transcript":` + js(p) + `}}`
				case "function_call":
					delta = `{"function_call":{"arguments":` + js(p) + `}}`
				}
				if extra == "" {
					extra = `,"logprobs":null`
				}
				list = append(list, fmt.Sprintf(`{%s,"choices":[{"index":%d,"delta":%s%s,"finish_reason":null}]}`, chatEnv, ci, delta, extra))
			}
			evs = append(evs, list)
		}
		var b strings.Builder
		b.WriteString(dataEvent("", `{`+chatEnv+`,"choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}`))
		b.WriteString(": keep-alive\n\n")
		for {
			left := 0
			for _, l := range evs {
				left += len(l)
			}
			if left == 0 {
				break
			}
			k := rng.Intn(len(evs))
			if len(evs[k]) == 0 {
				continue
			}
			b.WriteString(dataEvent("", evs[k][0]))
			evs[k] = evs[k][1:]
		}
		for ci := 0; ci < 2; ci++ {
			b.WriteString(dataEvent("", fmt.Sprintf(`{%s,"choices":[{"index":%d,"delta":{},"logprobs":null,"finish_reason":"stop"}]}`, chatEnv, ci)))
		}
		b.WriteString(dataEvent("", `{`+chatEnv+`,"choices":[],"usage":{"prompt_tokens":14,"completion_tokens":30,"total_tokens":44,"completion_tokens_details":{"reasoning_tokens":0},"note":"billed to jane.doe@example.com"}}`))
		b.WriteString("data: [DONE]\n\n")
		return b.String()
	}}

func bytesJSON(s string) string {
	parts := make([]string, len(s))
	for i := 0; i < len(s); i++ {
		parts[i] = fmt.Sprint(s[i])
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// chatRead accumulates a chat stream as the SDKs do.
func chatRead(t testing.TB, out string) map[string]string {
	acc := map[string]string{}
	events(t, out, func(name, data string) {
		if data == "[DONE]" {
			return
		}
		var ev struct {
			Choices []struct {
				Index int `json:"index"`
				Delta struct {
					Content          json.RawMessage `json:"content"`
					ReasoningContent string          `json:"reasoning_content"`
					Refusal          string          `json:"refusal"`
					ToolCalls        []struct {
						Index    int `json:"index"`
						Function struct {
							Arguments string `json:"arguments"`
						} `json:"function"`
					} `json:"tool_calls"`
					Audio struct {
						Transcript string `json:"transcript"`
					} `json:"audio"`
					FunctionCall struct {
						Arguments string `json:"arguments"`
					} `json:"function_call"`
				} `json:"delta"`
				Logprobs *struct {
					Content []struct {
						Token string `json:"token"`
						Bytes []byte `json:"bytes"`
					} `json:"content"`
				} `json:"logprobs"`
			} `json:"choices"`
		}
		mustJSON(t, data, &ev)
		for _, c := range ev.Choices {
			i := c.Index
			d := c.Delta
			if len(d.Content) > 0 && d.Content[0] == '"' {
				var s string
				if err := json.Unmarshal(d.Content, &s); err != nil {
					t.Fatal(err)
				}
				acc[fmt.Sprintf("content/%d", i)] += s
			} else if len(d.Content) > 0 && d.Content[0] == '[' {
				var parts []struct {
					Type     string `json:"type"`
					Text     string `json:"text"`
					Thinking []struct {
						Text string `json:"text"`
					} `json:"thinking"`
				}
				mustJSON(t, string(d.Content), &parts)
				for _, p := range parts {
					switch p.Type {
					case "text":
						acc[fmt.Sprintf("content/%d", i)] += p.Text
					case "thinking":
						for _, th := range p.Thinking {
							acc[fmt.Sprintf("thinking/%d", i)] += th.Text
						}
					}
				}
			}
			acc[fmt.Sprintf("reasoning_content/%d", i)] += d.ReasoningContent
			acc[fmt.Sprintf("refusal/%d", i)] += d.Refusal
			acc[fmt.Sprintf("transcript/%d", i)] += d.Audio.Transcript
			acc[fmt.Sprintf("function_call/%d", i)] += d.FunctionCall.Arguments
			for _, tc := range d.ToolCalls {
				acc[fmt.Sprintf("tool/%d/%d", i, tc.Index)] += tc.Function.Arguments
			}
			if c.Logprobs != nil {
				for _, tk := range c.Logprobs.Content {
					acc[fmt.Sprintf("logprobs/%d", i)] += tk.Token
					if tk.Bytes != nil && string(tk.Bytes) != tk.Token {
						t.Fatalf("logprob bytes %q do not spell token %q", tk.Bytes, tk.Token)
					}
				}
			}
		}
	})
	return acc
}

// responsesGen: a reasoning summary, a message with output_text, a function call,
// each with its added/done events, then response.completed carrying them all.
var responsesGen = generator{api: Responses, names: []string{"summary/0", "text/1/0", "args/2*"},
	build: func(rng *rand.Rand, chs []channel) string {
		txt := map[string]string{}
		for _, c := range chs {
			txt[c.name] = c.text
		}
		var b strings.Builder
		seq := 0
		ev := func(typ, rest string) {
			b.WriteString(dataEvent(typ, fmt.Sprintf(`{"type":%q,"sequence_number":%d%s}`, typ, seq, rest)))
			seq++
		}
		resp := func(status, output string) string {
			return `{"id":"resp_68d7eff93a0c8196b1a9aa1ac5da6a0d07152cb8c6ac9072","object":"response","created_at":1758982137,"status":"` + status +
				`","background":false,"error":null,"incomplete_details":null,"instructions":"You are a helpful assistant that reports weather updates.","max_output_tokens":null,"model":"gpt-5-2025-08-07","output":[` + output +
				`],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":"medium","summary":"auto"},"store":true,"temperature":1.0,"text":{"format":{"type":"text"},"verbosity":"medium"},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":` +
				map[bool]string{true: `{"input_tokens":12,"input_tokens_details":{"cached_tokens":0},"output_tokens":34,"output_tokens_details":{"reasoning_tokens":20},"total_tokens":46}`, false: "null"}[status == "completed"] + `,"user":null,"metadata":{}}`
		}
		rsID, msgID, fcID := "rs_68d7eff985648196883d78673232885e07152cb8c6ac9072", "msg_68d7eff9c3b8819683eb04cbeb3775d507152cb8c6ac9072", "fc_68d9303fe7fc819ea999bda43617404203aa6e5a972b3b23"
		ev("response.created", `,"response":`+resp("in_progress", ""))
		ev("response.in_progress", `,"response":`+resp("in_progress", ""))
		// reasoning summary
		ev("response.output_item.added", `,"output_index":0,"item":{"id":"`+rsID+`","type":"reasoning","encrypted_content":"gAAAAABo2TA-uKo-Hbpl44DC2KmrqAUd7t6v0ZU30eFE9oHi5mLqqgfcv0L4Y6iDmb3WTr3F_DZPTRDGqnnhreDrnyZwFRYvMBSvHUJ5LSR8aGwQwxRMLiJA5Dq2gINeXgt9ftscLoSgMOmmru2PVTRgCBu5CoYfotDMtHeb8cz9bGoCVjS311VYvJxLHePGtA52CwtJRKs5_BXLIOiudrqwmyJ57pw0IIftP2c3yqtCKk3PIfsHjGEef","summary":[]}`)
		ev("response.reasoning_summary_part.added", `,"item_id":"`+rsID+`","output_index":0,"summary_index":0,"part":{"type":"summary_text","text":""}`)
		for _, p := range split(rng, txt["summary/0"]) {
			ev("response.reasoning_summary_text.delta", `,"item_id":"`+rsID+`","output_index":0,"summary_index":0,"delta":`+js(p)+`,"obfuscation":"pvmKQ7xIR"`)
		}
		sum := js(txt["summary/0"])
		ev("response.reasoning_summary_text.done", `,"item_id":"`+rsID+`","output_index":0,"summary_index":0,"text":`+sum)
		ev("response.reasoning_summary_part.done", `,"item_id":"`+rsID+`","output_index":0,"summary_index":0,"part":{"type":"summary_text","text":`+sum+`}`)
		rsItem := `{"id":"` + rsID + `","type":"reasoning","encrypted_content":"gAAAAABo2TA_9aBcwzsKm0jKc1AOjWhLaOBwJbo7JTTTcQtPJiM2LT1n7o9DY7uzvoHpacD","summary":[{"type":"summary_text","text":` + sum + `}]}`
		ev("response.output_item.done", `,"output_index":0,"item":`+rsItem)
		// message
		ev("response.output_item.added", `,"output_index":1,"item":{"id":"`+msgID+`","type":"message","status":"in_progress","content":[],"role":"assistant"}`)
		ev("response.content_part.added", `,"item_id":"`+msgID+`","output_index":1,"content_index":0,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":""}`)
		for _, p := range split(rng, txt["text/1/0"]) {
			ev("response.output_text.delta", `,"item_id":"`+msgID+`","output_index":1,"content_index":0,"delta":`+js(p)+`,"logprobs":[],"obfuscation":"jWSe9qxZ10e"`)
		}
		text := js(txt["text/1/0"])
		ev("response.output_text.done", `,"item_id":"`+msgID+`","output_index":1,"content_index":0,"text":`+text+`,"logprobs":[]`)
		part := `{"type":"output_text","annotations":[],"logprobs":[],"text":` + text + `}`
		ev("response.content_part.done", `,"item_id":"`+msgID+`","output_index":1,"content_index":0,"part":`+part)
		msgItem := `{"id":"` + msgID + `","type":"message","status":"completed","content":[` + part + `],"role":"assistant"}`
		ev("response.output_item.done", `,"output_index":1,"item":`+msgItem)
		// function call
		ev("response.output_item.added", `,"output_index":2,"item":{"id":"`+fcID+`","type":"function_call","status":"in_progress","arguments":"","call_id":"call_5dp5Uj0Loqn1YcyIpqSq6sLX","name":"get_weather"}`)
		for _, p := range split(rng, txt["args/2"]) {
			ev("response.function_call_arguments.delta", `,"item_id":"`+fcID+`","output_index":2,"delta":`+js(p)+`,"obfuscation":"4FZhoGBnjNsYATZ"`)
		}
		args := js(txt["args/2"])
		ev("response.function_call_arguments.done", `,"item_id":"`+fcID+`","output_index":2,"arguments":`+args)
		fcItem := `{"id":"` + fcID + `","type":"function_call","status":"completed","arguments":` + args + `,"call_id":"call_5dp5Uj0Loqn1YcyIpqSq6sLX","name":"get_weather"}`
		ev("response.output_item.done", `,"output_index":2,"item":`+fcItem)
		ev("response.completed", `,"response":`+resp("completed", rsItem+","+msgItem+","+fcItem))
		return b.String()
	}}

// responsesRead accumulates the deltas as openai-node's ResponseStream does, and
// checks that every later copy of a text (.done events, items, parts, the completed
// response) says the same.
func responsesRead(t testing.TB, out string) map[string]string {
	acc := map[string]string{}
	copies := map[string][]string{}
	events(t, out, func(name, data string) {
		var ev map[string]any
		mustJSON(t, data, &ev)
		typ, _ := ev["type"].(string)
		if name != typ {
			t.Fatalf("event name %q carries type %q", name, typ)
		}
		oi := int(num(ev["output_index"]))
		switch typ {
		case "response.reasoning_summary_text.delta":
			acc[fmt.Sprintf("summary/%d", oi)] += ev["delta"].(string)
		case "response.output_text.delta":
			acc[fmt.Sprintf("text/%d/%d", oi, int(num(ev["content_index"])))] += ev["delta"].(string)
		case "response.function_call_arguments.delta":
			acc[fmt.Sprintf("args/%d", oi)] += ev["delta"].(string)
		case "response.reasoning_summary_text.done":
			copies[fmt.Sprintf("summary/%d", oi)] = append(copies[fmt.Sprintf("summary/%d", oi)], ev["text"].(string))
		case "response.output_text.done":
			copies[fmt.Sprintf("text/%d/0", oi)] = append(copies[fmt.Sprintf("text/%d/0", oi)], ev["text"].(string))
		case "response.function_call_arguments.done":
			copies[fmt.Sprintf("args/%d", oi)] = append(copies[fmt.Sprintf("args/%d", oi)], ev["arguments"].(string))
		case "response.completed":
			for k, item := range ev["response"].(map[string]any)["output"].([]any) {
				it := item.(map[string]any)
				switch it["type"] {
				case "message":
					s := it["content"].([]any)[0].(map[string]any)["text"].(string)
					copies[fmt.Sprintf("text/%d/0", k)] = append(copies[fmt.Sprintf("text/%d/0", k)], s)
				case "function_call":
					copies[fmt.Sprintf("args/%d", k)] = append(copies[fmt.Sprintf("args/%d", k)], it["arguments"].(string))
				case "reasoning":
					s := it["summary"].([]any)[0].(map[string]any)["text"].(string)
					copies[fmt.Sprintf("summary/%d", k)] = append(copies[fmt.Sprintf("summary/%d", k)], s)
				}
			}
			if ins := ev["response"].(map[string]any)["instructions"]; ins != "You are a helpful assistant that reports weather updates." {
				t.Fatalf("echoed instructions changed: %q", ins)
			}
		}
	})
	for k, cs := range copies {
		for _, c := range cs {
			if c != acc[k] {
				t.Fatalf("%s: a later copy says %q, the deltas %q", k, c, acc[k])
			}
		}
	}
	return acc
}

// messagesGen: thinking (with its signature), text and a tool_use block's input,
// pings between, message_delta with usage, message_stop.
var messagesGen = generator{api: Messages, names: []string{"thinking/0", "text/1", "json/2*"},
	build: func(rng *rand.Rand, chs []channel) string {
		txt := map[string]string{}
		for _, c := range chs {
			txt[c.name] = c.text
		}
		var b strings.Builder
		ev := func(name, payload string) { b.WriteString(dataEvent(name, payload)) }
		ev("message_start", `{"type":"message_start","message":{"id":"msg_019Q1hrJbZG26Fb9BQhrkHEr","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":377,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1,"service_tier":"standard"}}}`)
		ev("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}`)
		ev("ping", `{"type": "ping"}`)
		for _, p := range split(rng, txt["thinking/0"]) {
			ev("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":`+js(p)+`}}`)
		}
		ev("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"}}`)
		ev("content_block_stop", `{"type":"content_block_stop","index":0}`)
		ev("content_block_start", `{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}`)
		for _, p := range split(rng, txt["text/1"]) {
			ev("content_block_delta", `{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":`+js(p)+`}}`)
		}
		ev("content_block_stop", `{"type":"content_block_stop","index":1}`)
		ev("content_block_start", `{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_01NRLabsLyVHZPKxbKvkfSMn","name":"get_weather","caller":{"type":"direct"},"input":{}}}`)
		ev("content_block_delta", `{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}`)
		for _, p := range split(rng, txt["json/2"]) {
			ev("content_block_delta", `{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":`+js(p)+`}}`)
		}
		ev("content_block_stop", `{"type":"content_block_stop","index":2}`)
		ev("message_delta", `{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}`)
		ev("message_stop", `{"type":"message_stop"}`)
		return b.String()
	}}

// messagesRead accumulates content blocks as the Anthropic SDKs do.
func messagesRead(t testing.TB, out string) map[string]string {
	acc := map[string]string{}
	events(t, out, func(name, data string) {
		var ev struct {
			Type  string `json:"type"`
			Index int    `json:"index"`
			Delta struct {
				Type        string `json:"type"`
				Text        string `json:"text"`
				Thinking    string `json:"thinking"`
				PartialJSON string `json:"partial_json"`
				Signature   string `json:"signature"`
			} `json:"delta"`
		}
		mustJSON(t, data, &ev)
		if name != ev.Type {
			t.Fatalf("event name %q carries type %q", name, ev.Type)
		}
		if ev.Type != "content_block_delta" {
			return
		}
		switch ev.Delta.Type {
		case "text_delta":
			acc[fmt.Sprintf("text/%d", ev.Index)] += ev.Delta.Text
		case "thinking_delta":
			acc[fmt.Sprintf("thinking/%d", ev.Index)] += ev.Delta.Thinking
		case "input_json_delta":
			acc[fmt.Sprintf("json/%d", ev.Index)] += ev.Delta.PartialJSON
		case "signature_delta":
			acc[fmt.Sprintf("signature/%d", ev.Index)] += ev.Delta.Signature
		}
	})
	return acc
}

// conversationsGen: a message output (text, then thinking chunks at another content
// index), a function call's arguments, conversation.response.done with usage.
var conversationsGen = generator{api: Conversations, names: []string{"text/0/0", "thinking/0/1", "args/1*"},
	build: func(rng *rand.Rand, chs []channel) string {
		txt := map[string]string{}
		for _, c := range chs {
			txt[c.name] = c.text
		}
		var b strings.Builder
		ev := func(name, payload string) { b.WriteString(dataEvent(name, payload)) }
		ev("conversation.response.started", `{"type":"conversation.response.started","conversation_id":"conv_067f2a98c1a773678000ce73a36b785a"}`)
		head := `"type":"message.output.delta","created_at":"2025-05-27T13:26:53.713530Z","output_index":0,"id":"msg_067f2a9925d674ea8000e63c68ae0474"`
		for _, p := range split(rng, txt["text/0/0"]) {
			ev("message.output.delta", `{`+head+`,"content_index":0,"model":"mistral-medium-2505","agent_id":null,"role":"assistant","content":`+js(p)+`}`)
		}
		for _, p := range split(rng, txt["thinking/0/1"]) {
			ev("message.output.delta", `{`+head+`,"content_index":1,"model":"mistral-medium-2505","agent_id":null,"role":"assistant","content":{"type":"thinking","thinking":[{"type":"text","text":`+js(p)+`}]}}`)
		}
		for _, p := range split(rng, txt["args/1"]) {
			ev("function.call.delta", `{"type":"function.call.delta","created_at":"2025-05-27T13:26:54.113530Z","output_index":1,"id":"fc_067f2a9925d674ea8000e63c68ae0475","model":"mistral-medium-2505","agent_id":null,"name":"get_weather","tool_call_id":"Vy5dTz1cE","arguments":`+js(p)+`}`)
		}
		ev("conversation.response.done", `{"type":"conversation.response.done","created_at":"2025-05-27T13:26:55.211213Z","usage":{"prompt_tokens":18709,"total_tokens":18892,"completion_tokens":183}}`)
		return b.String()
	}}

func conversationsRead(t testing.TB, out string) map[string]string {
	acc := map[string]string{}
	events(t, out, func(name, data string) {
		var ev struct {
			Type         string          `json:"type"`
			OutputIndex  int             `json:"output_index"`
			ContentIndex int             `json:"content_index"`
			Content      json.RawMessage `json:"content"`
			Arguments    string          `json:"arguments"`
		}
		mustJSON(t, data, &ev)
		if name != ev.Type {
			t.Fatalf("event name %q carries type %q", name, ev.Type)
		}
		switch ev.Type {
		case "message.output.delta":
			k := fmt.Sprintf("/%d/%d", ev.OutputIndex, ev.ContentIndex)
			if ev.Content[0] == '"' {
				var s string
				if err := json.Unmarshal(ev.Content, &s); err != nil {
					t.Fatal(err)
				}
				acc["text"+k] += s
			} else {
				var ch struct {
					Type     string `json:"type"`
					Text     string `json:"text"`
					Thinking []struct {
						Text string `json:"text"`
					} `json:"thinking"`
				}
				mustJSON(t, string(ev.Content), &ch)
				acc["text"+k] += ch.Text
				for _, th := range ch.Thinking {
					acc["thinking"+k] += th.Text
				}
			}
		case "function.call.delta":
			acc[fmt.Sprintf("args/%d", ev.OutputIndex)] += ev.Arguments
		}
	})
	return acc
}

var generators = []struct {
	gen  generator
	read func(testing.TB, string) map[string]string
}{{chatGen, chatRead}, {responsesGen, responsesRead}, {messagesGen, messagesRead}, {conversationsGen, conversationsRead}}

// events calls f for each event with data in an SSE stream.
func events(t testing.TB, s string, f func(name, data string)) {
	t.Helper()
	var r sse.Reader
	emit := func(e *sse.Event) {
		if e.HasData {
			f(string(e.Name), string(e.Data))
		}
	}
	if err := r.Feed([]byte(s), emit); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(emit); err != nil {
		t.Fatal(err)
	}
}

func mustJSON(t testing.TB, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("invalid JSON (%v): %s", err, s)
	}
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// channels picks texts for every channel of g.
func channels(rng *rand.Rand, g generator, n int) []channel {
	var chs []channel
	for _, name := range g.names {
		data := strings.HasSuffix(name, "*")
		name = strings.TrimSuffix(name, "*")
		chs = append(chs, channel{name: name, text: randomText(rng, 1+rng.Intn(n)), data: data})
	}
	return chs
}

// want is what a client must read for each channel: the redaction of the whole text.
func want(r *redact.Redactor, rc *redact.RequestContext, chs []channel) map[string]string {
	out := map[string]string{}
	for _, c := range chs {
		if c.data {
			out[c.name], _ = r.RedactData(c.text)
		} else {
			out[c.name], _ = r.Redact(c.text, rc)
		}
		if strings.HasPrefix(c.name, "content/") {
			out["logprobs"+c.name[len("content"):]] = out[c.name]
		}
	}
	return out
}

// transform runs raw through a new transformer for api, cut at cuts.
func transform(r *redact.Redactor, rc *redact.RequestContext, api API, raw string, cuts []int, strip bool) string {
	return transformFast(r, rc, api, raw, cuts, strip, true)
}

// transformFast is transform with the fast path on or off.
func transformFast(r *redact.Redactor, rc *redact.RequestContext, api API, raw string, cuts []int, strip, fast bool) string {
	rs, _ := NewResponse(r, Request{API: api, Context: rc, StripUsage: strip}, 200, "text/event-stream", "", Options{})
	rs.x.fastOff = !fast
	var out []byte
	last := 0
	for _, c := range append(cuts, len(raw)) {
		out = rs.AppendWrite(out, []byte(raw[last:c]))
		last = c
	}
	return string(rs.AppendClose(out))
}

func randomCuts(rng *rand.Rand, n int) []int {
	var cuts []int
	for c := rng.Intn(40); c < n; c += 1 + rng.Intn(60) {
		cuts = append(cuts, c)
	}
	return cuts
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
