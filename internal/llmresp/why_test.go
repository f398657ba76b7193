package llmresp

import (
	"encoding/json"
	"math/rand"
	"strings"
	"testing"

	"github.com/egressguard/egressguard/internal/redact"
)

// whyRow is a field, content type or status through which a response could reach
// a client unredacted: a response as a provider
// could send it, and what the client must not read.
type whyRow struct {
	name   string
	api    API
	status int
	ctype  string
	body   string
	leak   []string // must not reach the client
	keep   []string // must reach the client unchanged
}

const (
	email = "jane.doe@example.com"
	card  = "4111 1111 1111 1111"
	ssn   = "460-89-9847"
	key   = "sk-proj-abc123DEF456ghi789JKL012mno"
)

func chunk(delta string) string {
	return `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1727346168,"model":"gpt-4o","choices":[{"index":0,"delta":` + delta + `,"logprobs":null,"finish_reason":null}]}` + "\n\n"
}

var whyRows = []whyRow{
	// fields
	{name: "reasoning_content JSON", api: Chat, body: `{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"ok","reasoning_content":"the user is ` + email + `"},"finish_reason":"stop"}]}`, leak: []string{email}, keep: []string{`"content":"ok"`}},
	{name: "reasoning_content SSE split", api: Chat, ctype: "text/event-stream", body: chunk(`{"reasoning_content":"mail jane.doe@exa"}`) + chunk(`{"reasoning_content":"mple.com now"}`) + "data: [DONE]\n\n", leak: []string{"jane.doe@exa", "jane.doe"}},
	{name: "refusal JSON", api: Chat, body: `{"choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I will not share ` + card + `"},"finish_reason":"stop"}]}`, leak: []string{card}},
	{name: "refusal SSE split", api: Chat, ctype: "text/event-stream", body: chunk(`{"refusal":"card 4111 1111 "}`) + chunk(`{"refusal":"1111 1111 ok"}`) + "data: [DONE]\n\n", leak: []string{"4111 1111 ", "1111 1111"}},
	{name: "Mistral thinking and text parts JSON", api: Chat, body: `{"choices":[{"index":0,"message":{"role":"assistant","content":[{"type":"thinking","thinking":[{"type":"text","text":"SSN ` + ssn + `"}]},{"type":"text","text":"mail ` + email + `"}]},"finish_reason":"stop"}]}`, leak: []string{ssn, email}},
	{name: "Mistral text parts split across parts", api: Chat, body: `{"choices":[{"index":0,"message":{"role":"assistant","content":[{"type":"text","text":"write to jane.doe@"},{"type":"text","text":"example.com today"}]},"finish_reason":"stop"}]}`, leak: []string{"jane.doe@", "example.com today"}, keep: []string{"write to ", " today"}},
	{name: "delta.content as an array, split", api: Chat, ctype: "text/event-stream", body: chunk(`{"content":[{"type":"text","text":"ssn 460-89-"}]}`) + chunk(`{"content":[{"type":"text","text":"9847 end"}]}`) + "data: [DONE]\n\n", leak: []string{"460-89-"}},
	{name: "delta thinking parts, split", api: Chat, ctype: "text/event-stream", body: chunk(`{"content":[{"type":"thinking","thinking":[{"type":"text","text":"key sk-proj-abc123"}]}]}`) + chunk(`{"content":[{"type":"thinking","thinking":[{"type":"text","text":"DEF456ghi789JKL012mno ok"}]}]}`) + "data: [DONE]\n\n", leak: []string{"sk-proj-abc123"}},
	{name: "logprobs tokens JSON", api: Chat, body: `{"choices":[{"index":0,"message":{"role":"assistant","content":"mail jane.doe@example.com"},"logprobs":{"content":[{"token":"mail","logprob":-0.1,"bytes":[109,97,105,108],"top_logprobs":[]},{"token":" jane","logprob":-0.2,"bytes":[32,106,97,110,101],"top_logprobs":[]},{"token":".doe","logprob":-0.3,"bytes":null,"top_logprobs":[]},{"token":"@example","logprob":-0.4,"bytes":null,"top_logprobs":[{"token":"@example.com","logprob":-2,"bytes":null}]},{"token":".com","logprob":-0.5,"bytes":null,"top_logprobs":[]}],"refusal":null},"finish_reason":"stop"}]}`, leak: []string{"jane", ".doe", "106,97,110,101"}},
	{name: "logprobs tokens SSE", api: Chat, ctype: "text/event-stream", body: `data: {"id":"c","choices":[{"index":0,"delta":{"content":"mail jane."},"logprobs":{"content":[{"token":"mail","logprob":-0.1,"bytes":[109,97,105,108],"top_logprobs":[]},{"token":" jane.","logprob":-0.1,"bytes":[32,106,97,110,101,46],"top_logprobs":[]}]},"finish_reason":null}]}` + "\n\n" +
		`data: {"id":"c","choices":[{"index":0,"delta":{"content":"doe@example.com"},"logprobs":{"content":[{"token":"doe@example.com","logprob":-0.1,"bytes":[100],"top_logprobs":[]}]},"finish_reason":null}]}` + "\n\n" +
		`data: {"id":"c","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n\n", leak: []string{"jane.", "doe@"}},
	{name: "legacy function_call.arguments", api: Chat, body: `{"choices":[{"index":0,"message":{"role":"assistant","content":null,"function_call":{"name":"send","arguments":"{\"to\":\"` + email + `\"}"}},"finish_reason":"function_call"}]}`, leak: []string{email}, keep: []string{`"name":"send"`}},
	{name: "audio.transcript", api: Chat, body: `{"choices":[{"index":0,"message":{"role":"assistant","content":null,"audio":{"id":"audio_1","data":"UklGRiQAAABXQVZF","expires_at":1729234747,"transcript":"your SSN is ` + ssn + `"}},"finish_reason":"stop"}]}`, leak: []string{ssn}, keep: []string{`"data":"UklGRiQAAABXQVZF"`}},
	{name: "2xx JSON without choices", api: Chat, body: `{"object":"chat.completion","result":{"text":"call ` + email + `"},"messages":["` + card + `"]}`, leak: []string{email, card}},
	{name: "mid-stream error event", api: Chat, ctype: "text/event-stream", body: chunk(`{"content":"hi "}`) + `data: {"error":{"message":"content rejected: ` + email + `","type":"server_error","code":null}}` + "\n\n", leak: []string{email}, keep: []string{`"type":"server_error"`}},
	{name: "SSE comment lines", api: Chat, ctype: "text/event-stream", body: ": upstream debug " + email + "\n\n" + chunk(`{"content":"hi"}`) + ": " + key + "\n" + "data: [DONE]\n\n", leak: []string{email, key}, keep: []string{": upstream debug [EMAIL_ADDRESS]"}},
	{name: "extra fields on usage chunk", api: Chat, ctype: "text/event-stream", body: chunk(`{"content":"hi"}`) + `data: {"id":"c","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,"billing":{"account":"` + email + `"}}}` + "\n\ndata: [DONE]\n\n", leak: []string{email}, keep: []string{`"prompt_tokens":1`}},
	{name: "unknown SSE field lines", api: Chat, ctype: "text/event-stream", body: "x-debug: " + email + "\n" + chunk(`{"content":"hi"}`) + "data: [DONE]\n\n", leak: []string{email}},
	{name: "non-JSON data events", api: Chat, ctype: "text/event-stream", body: "data: plain jane.doe@exam\n\ndata: ple.com text\n\ndata: [DONE]\n\n", leak: []string{"jane.doe@exam", "jane.doe@"}},
	// content types and statuses
	{name: "text/plain labelled SSE", api: Chat, ctype: "text/plain", body: chunk(`{"content":"mail jane.doe@exa"}`) + chunk(`{"content":"mple.com"}`) + "data: [DONE]\n\n", leak: []string{"jane.doe@exa"}},
	{name: "text/plain labelled JSON", api: Chat, ctype: "text/plain; charset=utf-8", body: `{"choices":[{"index":0,"message":{"content":"` + email + `"}}]}`, leak: []string{email}},
	{name: "text/plain text", api: Chat, ctype: "text/plain", body: "Dear customer, your card " + card + " is blocked.", leak: []string{card}},
	{name: "application/octet-stream JSON", api: Chat, ctype: "application/octet-stream", body: `{"choices":[{"index":0,"message":{"content":"` + ssn + `"}}]}`, leak: []string{ssn}},
	{name: "application/problem+json", api: Chat, ctype: "application/problem+json", body: `{"type":"about:blank","title":"Bad request","detail":"user ` + email + ` not allowed"}`, leak: []string{email}},
	{name: "application/x-ndjson chunks", api: Chat, ctype: "application/x-ndjson", body: `{"choices":[{"index":0,"delta":{"content":"mail jane.doe@exa"}}]}` + "\n" + `{"choices":[{"index":0,"delta":{"content":"mple.com bye"}}]}` + "\n", leak: []string{"jane.doe@exa"}},
	{name: "no content type, SSE", api: Chat, ctype: "", body: "\uFEFF" + chunk(`{"content":"`+key+`"}`) + "data: [DONE]\n\n", leak: []string{key}},
	{name: "no content type, JSON", api: Responses, ctype: "", body: `{"id":"resp_1","object":"response","output":[{"type":"message","id":"m","status":"completed","role":"assistant","content":[{"type":"output_text","text":"` + email + `","annotations":[]}]}]}`, leak: []string{email}},
	{name: "JSON labelled body that is SSE", api: Chat, ctype: "application/json", body: chunk(`{"content":"mail jane.doe@exa"}`) + chunk(`{"content":"mple.com"}`) + "data: [DONE]\n\n", leak: []string{"jane.doe@exa"}},
	{name: "400 echoing the prompt", api: Chat, status: 400, body: `{"error":{"message":"Invalid 'messages[0].content': my card is ` + card + `, call +1 415 555 0132","type":"invalid_request_error","param":"messages[0].content","code":null}}`, leak: []string{card, "+1 415 555 0132"}, keep: []string{`"type":"invalid_request_error"`}},
	{name: "500 text", api: Messages, status: 500, ctype: "text/html", body: "<html>upstream error for " + email + "</html>", leak: []string{email}},
	{name: "429 Anthropic error", api: Messages, status: 429, body: `{"type":"error","error":{"type":"rate_limit_error","message":"limit for key ` + key + `"}}`, leak: []string{key}},
	{name: "deeply nested JSON", api: Chat, body: strings.Repeat("[", 20000) + `"` + email + `"` + strings.Repeat("]", 20000), leak: []string{email}},
	{name: "escaped entity in nested JSON", api: Chat, body: strings.Repeat(`{"a":`, 600) + `"jane.doe\u0040example.com"` + strings.Repeat("}", 600), leak: []string{`jane.doe\u0040example.com`, email}},
	{name: "invalid JSON labelled JSON", api: Chat, body: `{"choices":[{"message":{"content":"` + email + `"}}]`, leak: []string{email}},
}

// TestWhyRows: every field, content type and status a client can read reaches the
// client redacted.
func TestWhyRows(t *testing.T) {
	r := testRedactor(t)
	for _, row := range whyRows {
		t.Run(row.name, func(t *testing.T) {
			status := row.status
			if status == 0 {
				status = 200
			}
			ctype := row.ctype
			if ctype == "" && row.name[:2] != "no" {
				ctype = "application/json"
			}
			out := respond(t, r, row.api, status, ctype, row.body)
			for _, l := range row.leak {
				if strings.Contains(out, l) {
					t.Errorf("%q reached the client:\n%s", l, out)
				}
			}
			for _, k := range row.keep {
				if !strings.Contains(out, k) {
					t.Errorf("%q lost:\n%s", k, out)
				}
			}
		})
	}
}

// respond runs a body through the plan for its headers, chunked like a network.
func respond(t *testing.T, r *redact.Redactor, api API, status int, ctype, body string) string {
	t.Helper()
	rs, plan := NewResponse(r, Request{API: api}, status, ctype, "", Options{})
	switch plan.Mode {
	case Pass:
		return body
	case Buffer:
		return string(rs.Body([]byte(body)).Body)
	case Stream:
		var out []byte
		for i := 0; i < len(body); i += 5 {
			out = rs.AppendWrite(out, []byte(body[i:min(len(body), i+5)]))
		}
		return string(rs.AppendClose(out))
	}
	t.Fatalf("plan %+v", plan)
	return ""
}

// TestPlans pins the decision at the response headers.
func TestPlans(t *testing.T) {
	r := testRedactor(t)
	for _, tc := range []struct {
		api    API
		status int
		ctype  string
		enc    string
		o      Options
		want   Mode
		hold   bool
	}{
		{Chat, 200, "application/json", "", Options{}, Buffer, false},
		{Chat, 200, "application/json; charset=utf-8", "identity", Options{}, Buffer, false},
		{Chat, 200, "Text/Event-Stream; charset=utf-8", "", Options{}, Stream, false},
		{Chat, 200, "text/plain", "", Options{}, Stream, false},
		{Chat, 200, "text/plain", "", Options{RefuseText: true}, Stream, true},
		{Chat, 200, "", "", Options{}, Stream, false},
		{Chat, 200, "application/problem+json", "", Options{}, Buffer, false},
		{Chat, 400, "application/json", "", Options{}, Buffer, false},
		{Chat, 400, "application/json", "", Options{PassErrorBodies: true}, Pass, false},
		{Chat, 503, "text/html", "", Options{RefuseText: true}, Stream, false},
		{Chat, 200, "application/json", "gzip", Options{}, Reject, false},
		{Chat, 500, "application/json", "br", Options{}, Reject, false},
		{Chat, 204, "", "", Options{}, Pass, false},
		{None, 200, "application/json", "gzip", Options{}, Pass, false},
		{Embeddings, 200, "application/json", "", Options{}, Buffer, false},
	} {
		_, plan := NewResponse(r, Request{API: tc.api}, tc.status, tc.ctype, tc.enc, tc.o)
		if plan.Mode != tc.want || plan.HoldHeaders != tc.hold || (plan.Mode == Reject) != (plan.Error != nil) {
			t.Errorf("%v %d %q %q %+v: plan %+v", tc.api, tc.status, tc.ctype, tc.enc, tc.o, plan)
		}
		if plan.Mode == Reject && plan.Error.Status != 502 {
			t.Errorf("reject with %d", plan.Error.Status)
		}
	}
}

// TestRefuseText: with RefuseText a 2xx body that is neither JSON nor SSE is refused
// once its first bytes are known, whatever its label; JSON and SSE still go through.
func TestRefuseText(t *testing.T) {
	r := testRedactor(t)
	for _, tc := range []struct {
		body    string
		refused bool
	}{{"plain " + email, true}, {`{"choices":[]}`, false}, {"data: {}\n\n", false}, {"\uFEFF: hi\n\n", false}, {"da", false}} {
		rs, plan := NewResponse(r, Request{API: Chat}, 200, "text/plain", "", Options{RefuseText: true})
		if !plan.HoldHeaders {
			t.Fatal("headers not held")
		}
		out := rs.Write([]byte(tc.body))
		decided, err := rs.Decided()
		if tc.body == "da" {
			if decided || out != nil {
				t.Fatalf("decided on %q", tc.body)
			}
			rs.Write([]byte("ta: x\n\n"))
			decided, err = rs.Decided()
		}
		if !decided || (err != nil) != tc.refused {
			t.Fatalf("%q: decided %v, err %v", tc.body, decided, err)
		}
		if tc.refused && (len(out) != 0 || len(rs.Close()) != 0 || err.Status != 502) {
			t.Fatalf("%q: refused body sent", tc.body)
		}
	}
}

// TestSniff pins what the first bytes of a body are taken for.
func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		in    string
		whole bool
		want  bodyKind
	}{
		{"", false, kindUnknown}, {"", true, kindText}, {"\uFEFF", false, kindUnknown}, {"\xEF\xBB", false, kindUnknown},
		{"\xEFx", false, kindText}, {"  \n{", false, kindJSON}, {"[1]", true, kindJSON}, {"\uFEFF{", false, kindJSON},
		{"data: x", false, kindSSE}, {"da", false, kindUnknown}, {"da", true, kindText}, {"data", false, kindUnknown},
		{"data\n", false, kindSSE}, {"\n\nevent: e\n", false, kindSSE}, {": ping", false, kindSSE}, {"id:1", false, kindSSE},
		{"retry", false, kindUnknown}, {"retry: 10\n", false, kindSSE}, {" data: x", false, kindText},
		{"Hello", false, kindText}, {"<html>", false, kindText}, {"database", false, kindText}, {"\r\n\r\n", false, kindUnknown},
	} {
		if got := sniff([]byte(tc.in), tc.whole); got != tc.want {
			t.Errorf("sniff(%q, %v) = %v, want %v", tc.in, tc.whole, got, tc.want)
		}
	}
}

// TestStripUsage: when the guard asked for include_usage, the client gets the stream
// it asked for (no usage-only chunk, no "usage":null members) and the usage is read;
// without the flag every chunk passes as the provider sent it.
func TestStripUsage(t *testing.T) {
	r := testRedactor(t)
	raw := `data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hello there "},"finish_reason":null}],"usage":null}` + "\n\n" +
		`data: {"id":"c","object":"chat.completion.chunk","usage":null,"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\n" +
		`data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}` + "\n\n" +
		"data: [DONE]\n\n"
	rs, _ := NewResponse(r, Request{API: Chat, StripUsage: true}, 200, "text/event-stream", "", Options{})
	out := string(rs.Write([]byte(raw))) + string(rs.Close())
	if strings.Contains(out, `"choices":[]`) || strings.Contains(out, "usage") {
		t.Fatalf("usage reached a client that did not ask:\n%s", out)
	}
	events(t, out, func(_, data string) {
		if data != "[DONE]" && !json.Valid([]byte(data)) {
			t.Fatalf("invalid event %s", data)
		}
	})
	if u := rs.Usage(); u != (Usage{Input: 9, Output: 3, Seen: true}) {
		t.Fatalf("usage %+v", u)
	}
	if got := transform(r, nil, Chat, raw, nil, false); got != raw {
		t.Fatalf("without the flag the stream changed:\n%s", got)
	}
}

// TestOverflow: an event over the limit ends the stream with an error event in the
// API's shape; nothing of the event or after it is sent, and Err says why.
func TestOverflow(t *testing.T) {
	r := testRedactor(t)
	for _, api := range []API{Chat, Responses, Messages, Conversations} {
		big := strings.Repeat("x", 300) + email
		raw := "event: e\ndata: {\"type\":\"x\",\"delta\":\"hello \"}\n\n" + "data: " + big + "\n\ndata: {\"after\":\"" + email + "\"}\n\n"
		rs, _ := NewResponse(r, Request{API: api}, 200, "text/event-stream", "", Options{MaxEvent: 200})
		var out []byte
		for i := 0; i < len(raw); i += 17 {
			out = rs.AppendWrite(out, []byte(raw[i:min(len(raw), i+17)]))
		}
		out = rs.AppendClose(out)
		s := string(out)
		if strings.Contains(s, "xxxxxxxx") || strings.Contains(s, email) || strings.Contains(s, "after") || rs.Err() == nil {
			t.Fatalf("%v: %s", api, s)
		}
		var last string
		events(t, s, func(name, data string) { last = name + " " + data })
		if !strings.Contains(last, "error") || !json.Valid([]byte(last[strings.IndexByte(last, ' ')+1:])) {
			t.Fatalf("%v: last event %q", api, last)
		}
	}
}

// TestTruncatedStream: a stream cut off without [DONE] or a final blank line gives
// the client its texts redacted, the last event included (ported from redact's
// SSE tests).
func TestTruncatedStream(t *testing.T) {
	r := testRedactor(t)
	args := `{"email":"john.doe@example.com","card":"4111 1111 1111 1111"}`
	var raw strings.Builder
	for i := 0; i < len(args); i += 7 {
		raw.WriteString(`data: {"id":"x","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":` + js(args[i:min(len(args), i+7)]) + `}}]},"finish_reason":null}]}` + "\n\n")
	}
	raw.WriteString(`data: {"id":"x","choices":[{"index":0,"delta":{"content":"mail me at a.b@example.org"},"finish_reason":null}]}`)
	rs, _ := NewResponse(r, Request{API: Chat}, 200, "text/event-stream", "", Options{})
	out := string(rs.Write([]byte(raw.String()))) + string(rs.Close())
	acc := chatRead(t, out)
	if want := `{"email":"[EMAIL_ADDRESS]","card":"[CREDIT_CARD]"}`; acc["tool/0/0"] != want {
		t.Errorf("arguments = %q, want %q", acc["tool/0/0"], want)
	}
	if want := "mail me at [EMAIL_ADDRESS]"; acc["content/0"] != want {
		t.Errorf("content = %q, want %q", acc["content/0"], want)
	}
	if rep := rs.Report(); rep.Counts[redact.EmailAddress] != 2 || rep.Counts[redact.CreditCard] != 1 {
		t.Errorf("report counts = %v, want 2 e-mails and 1 card", rep.Counts)
	}
}

// TestLineEnds: CR, LF and CRLF line ends, cut anywhere, frame the same events (ported
// from redact's SSE tests): the texts read the same.
func TestLineEnds(t *testing.T) {
	r := testRedactor(t)
	lf := chunk(`{"content":"Mail john.doe@example.com or call +1-984-182-0190 today."}`) + ": c\n\n" + chunk(`{"content":" card 4111 1111 1111 1111 ok"}`) + "data: [DONE]\n\n"
	want := chatRead(t, transform(r, nil, Chat, lf, nil, false))
	if strings.Contains(want["content/0"], "john.doe") {
		t.Fatal(want)
	}
	for _, eol := range []string{"\r", "\r\n"} {
		raw := strings.ReplaceAll(lf, "\n", eol)
		for c := 0; c < len(raw); c++ {
			got := chatRead(t, transform(r, nil, Chat, raw, []int{c}, false))
			if got["content/0"] != want["content/0"] {
				t.Fatalf("%q split at %d: %q, want %q", eol, c, got["content/0"], want["content/0"])
			}
		}
	}
}

// TestChatJSONExact pins whole outputs (ported from redact's chat JSON tests): only
// the strings change, every other byte (spacing, escapes) stays.
func TestChatJSONExact(t *testing.T) {
	r := testRedactor(t)
	for _, c := range []struct{ name, in, want string }{
		{"openai string",
			`{"id":"c1", "choices":[{"index":0,"message":{"role":"assistant","content":"mail a@example.com\n"} ,"finish_reason":"stop"}],"usage":{"total_tokens":5}}`,
			`{"id":"c1", "choices":[{"index":0,"message":{"role":"assistant","content":"mail [EMAIL_ADDRESS]\n"} ,"finish_reason":"stop"}],"usage":{"total_tokens":5}}`},
		{"mistral parts and tools",
			`{"choices":[{"message":{"content":[{"type":"text","text":"ssn 460-89-9847"},{"type":"image_url","image_url":"https://x/y?z=1"}],"tool_calls":[{"id":"t1","function":{"name":"f","arguments":"{\"card\":\"4111111111111111\"}"}}]}}]}`,
			`{"choices":[{"message":{"content":[{"type":"text","text":"ssn [US_SSN]"},{"type":"image_url","image_url":"https://x/y?z=1"}],"tool_calls":[{"id":"t1","function":{"name":"f","arguments":"{\"card\":\"[CREDIT_CARD]\"}"}}]}}]}`},
		{"fim text", `{"choices":[{"text":"key sk-proj-abc123DEF456ghi789JKL012","index":0}]}`, `{"choices":[{"text":"key [API_KEY]","index":0}]}`},
		{"untouched escapes", `{"choices":[{"message":{"content":"caf\u00e9 \"ok\""}}],"x":"y"}`, `{"choices":[{"message":{"content":"caf\u00e9 \"ok\""}}],"x":"y"}`},
		{"no choices", `{"error":{"message":"a@example.com"}}`, `{"error":{"message":"[EMAIL_ADDRESS]"}}`},
		{"unusual key", `{"choices":[],"meta":{"a@example.com":1}}`, `{"choices":[],"meta":{"[EMAIL_ADDRESS]":1}}`},
		// a repeated key: both values are pieces of the choice's content, read as one text
		{"duplicate keys", `{"choices":[{"message":{"content":"ok","content":"a@example.com"}}]}`, `{"choices":[{"message":{"content":"","content":"[EMAIL_ADDRESS]"}}]}`},
	} {
		rs, _ := NewResponse(r, Request{API: Chat}, 200, "application/json", "", Options{})
		if got := string(rs.Body([]byte(c.in)).Body); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

// TestAppendWriteReuse: AppendWrite into one reused buffer gives Write's bytes.
func TestAppendWriteReuse(t *testing.T) {
	r := testRedactor(t)
	raw := chatGen.build(newRng(3), channels(newRng(4), chatGen, 4))
	want := transform(r, nil, Chat, raw, nil, false)
	rs, _ := NewResponse(r, Request{API: Chat}, 200, "text/event-stream", "", Options{})
	var got, buf []byte
	for i := 0; i < len(raw); i += 100 {
		buf = rs.AppendWrite(buf[:0], []byte(raw[i:min(len(raw), i+100)]))
		got = append(got, buf...)
	}
	got = append(got, rs.AppendClose(buf[:0])...)
	if string(got) != want {
		t.Fatal("AppendWrite output differs")
	}
}

func newRng(seed int64) *rand.Rand { return rand.New(rand.NewSource(seed)) }

// TestEchoIsNoLeak: a response echoing the request's system prompt (a Responses
// object's instructions, an error quoting the prompt) is not a leak, and its
// personal data is still redacted; the same prompt in the model's output is a leak.
func TestEchoIsNoLeak(t *testing.T) {
	r := testRedactor(t)
	rc := &redact.RequestContext{SystemPrompt: systemPrompt}
	cases := []struct {
		api    API
		status int
		body   string
		leak   bool
	}{
		{Responses, 200, `{"id":"resp_1","object":"response","instructions":"` + systemPrompt + ` Mail ` + email + `","output":[]}`, false},
		{Chat, 400, `{"error":{"message":"invalid: ` + systemPrompt + ` ` + email + `","type":"invalid_request_error"}}`, false},
		{Chat, 200, `{"choices":[{"index":0,"message":{"content":"Sure: ` + systemPrompt + `"}}]}`, true},
	}
	for _, c := range cases {
		rs, _ := NewResponse(r, Request{API: c.api, Context: rc}, c.status, "application/json", "", Options{})
		res := rs.Body([]byte(c.body))
		if res.Report.Leak != c.leak || (strings.Contains(c.body, email) && strings.Contains(string(res.Body), email)) {
			t.Errorf("%v %d: leak %v, body %s", c.api, c.status, res.Report.Leak, res.Body)
		}
	}
}
