package fakellm

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var fixedNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newTest(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixedNow }
	}
	return New(opts)
}

func do(t *testing.T, s *Server, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("content-type", "application/json")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	return w
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v\n%s", err, b)
	}
	return m
}

// path walks a decoded JSON value: path(m, "choices", 0, "message").
func path(v any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func has(v any, keys ...any) bool {
	last := keys[len(keys)-1].(string)
	m, ok := path(v, keys[:len(keys)-1]...).(map[string]any)
	if !ok {
		return false
	}
	_, ok = m[last]
	return ok
}

func chatBody(model, content string, extra string) string {
	c, _ := json.Marshal(content)
	return `{"model":"` + model + `","messages":[{"role":"system","content":"be nice"},` +
		`{"role":"user","content":` + string(c) + `}]` + extra + `}`
}

func TestChatNonStreaming(t *testing.T) {
	tests := []struct {
		name, model, content string
		opts                 Options
		wantMistral          bool
		wantReply            string
	}{
		{"openai default reply", "gpt-4o-mini", "hello world", Options{}, false,
			"Hello from fakellm (model gpt-4o-mini). You said 11 characters."},
		{"mistral by model", "mistral-small-latest", "hello", Options{}, true,
			"Hello from fakellm (model mistral-small-latest). You said 5 characters."},
		{"forced mistral flavor", "gpt-4o-mini", "hi", Options{Flavor: "mistral"}, true,
			"Hello from fakellm (model gpt-4o-mini). You said 2 characters."},
		{"name option", "gpt-4o-mini", "hi", Options{Name: "up1"}, false,
			"Hello from up1 (model gpt-4o-mini). You said 2 characters."},
		{"reply marker utf8", "codestral-latest", "x [[reply:ünï ✓ 😀]]", Options{}, true, "ünï ✓ 😀"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTest(tc.opts)
			w := do(t, s, "POST", "/v1/chat/completions", chatBody(tc.model, tc.content, ""))
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if ct := w.Header().Get("content-type"); ct != "application/json" {
				t.Errorf("content-type %q", ct)
			}
			if w.Header().Get("x-request-id") == "" {
				t.Error("no x-request-id")
			}
			if tc.opts.Name != "" && w.Header().Get("x-fakellm-name") != tc.opts.Name {
				t.Errorf("x-fakellm-name %q", w.Header().Get("x-fakellm-name"))
			}
			m := decode(t, w.Body.Bytes())
			if m["object"] != "chat.completion" || m["model"] != tc.model ||
				m["created"] != float64(fixedNow.Unix()) || m["id"] == "" {
				t.Errorf("envelope: %v", m)
			}
			if got := path(m, "choices", 0, "message", "content"); got != tc.wantReply {
				t.Errorf("content %q, want %q", got, tc.wantReply)
			}
			if path(m, "choices", 0, "message", "role") != "assistant" ||
				path(m, "choices", 0, "finish_reason") != "stop" || path(m, "choices", 0, "index") != 0.0 {
				t.Errorf("choice: %v", path(m, "choices", 0))
			}
			prompt := utf8.RuneCountInString("be nice" + tc.content)
			wantP, wantC := float64((prompt+3)/4), float64((utf8.RuneCountInString(tc.wantReply)+3)/4)
			if path(m, "usage", "prompt_tokens") != wantP || path(m, "usage", "completion_tokens") != wantC ||
				path(m, "usage", "total_tokens") != wantP+wantC {
				t.Errorf("usage %v, want %v/%v", m["usage"], wantP, wantC)
			}
			isOAI := has(m, "system_fingerprint") && has(m, "choices", 0, "logprobs") &&
				has(m, "choices", 0, "message", "refusal") && has(m, "usage", "prompt_tokens_details")
			isMistral := !has(m, "system_fingerprint") && !has(m, "choices", 0, "logprobs") &&
				has(m, "choices", 0, "message", "tool_calls")
			if tc.wantMistral && !isMistral || !tc.wantMistral && !isOAI {
				t.Errorf("wrong dialect (mistral=%v): %s", tc.wantMistral, w.Body)
			}
			wantID := strings.HasPrefix(m["id"].(string), "chatcmpl-")
			if wantID == tc.wantMistral {
				t.Errorf("id %q for mistral=%v", m["id"], tc.wantMistral)
			}
			if strings.Contains(w.Body.String(), `\u00`) {
				t.Errorf("HTML-escaped output: %s", w.Body)
			}
		})
	}
}

// sseEvent is one parsed server-sent event.
type sseEvent struct{ data string }

// parseSSE is a minimal, strict SSE parser: events end with a blank line,
// only "data:" fields are expected, the stream must end at an event
// boundary.
func parseSSE(t *testing.T, body []byte) []sseEvent {
	t.Helper()
	var out []sseEvent
	var data []string
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if data == nil {
				t.Fatalf("empty event in stream:\n%s", body)
			}
			out = append(out, sseEvent{data: strings.Join(data, "\n")})
			data = nil
		case strings.HasPrefix(line, "data: "):
			data = append(data, strings.TrimPrefix(line, "data: "))
		default:
			t.Fatalf("unexpected SSE line %q", line)
		}
	}
	if data != nil {
		t.Fatalf("stream ends inside an event:\n%s", body)
	}
	return out
}

type streamResult struct {
	events       []sseEvent
	chunks       []map[string]any // JSON events, [DONE] excluded
	content      string
	finish       string
	finishIdx    int
	usage        map[string]any
	usageIdx     int
	endsWithDone bool
}

func analyzeStream(t *testing.T, body []byte) streamResult {
	t.Helper()
	r := streamResult{finishIdx: -1, usageIdx: -1}
	r.events = parseSSE(t, body)
	for i, ev := range r.events {
		if ev.data == "[DONE]" {
			if i != len(r.events)-1 {
				t.Fatalf("[DONE] is not last")
			}
			r.endsWithDone = true
			continue
		}
		m := decode(t, []byte(ev.data))
		if m["object"] != "chat.completion.chunk" {
			t.Errorf("chunk object %v", m["object"])
		}
		r.chunks = append(r.chunks, m)
		if u, ok := m["usage"].(map[string]any); ok {
			r.usage, r.usageIdx = u, len(r.chunks)-1
		}
		for _, c := range m["choices"].([]any) {
			if s, ok := path(c, "delta", "content").(string); ok {
				r.content += s
			}
			if f, ok := path(c, "finish_reason").(string); ok {
				r.finish, r.finishIdx = f, len(r.chunks)-1
			}
		}
	}
	return r
}

func TestChatStreaming(t *testing.T) {
	tests := []struct {
		name, model, extra, content string
		wantUsage                   string // "", "separate", "in-finish"
		wantDeltas                  int    // content deltas, -1: don't check
		wantReply                   string
	}{
		{"openai no usage", "gpt-4o-mini", "", "hi", "", -1, ""},
		{"openai include_usage", "gpt-4o-mini", `,"stream_options":{"include_usage":true}`, "hi", "separate", -1, ""},
		{"openai include_usage false", "gpt-4o-mini", `,"stream_options":{"include_usage":false}`, "hi", "", -1, ""},
		{"mistral always usage", "mistral-large-latest", "", "hi", "in-finish", -1, ""},
		{"sse-delta", "gpt-4o-mini", "", "[[reply:abcdefghij]] [[sse-delta:3]]", "", 4, "abcdefghij"},
		{"sse-delta utf8", "mistral-small-latest", "", "[[reply:ü✓😀ab]] [[sse-delta:2]]", "in-finish", 3, "ü✓😀ab"},
		{"word deltas", "gpt-4o-mini", "", "[[reply:one two  three]]", "", 3, "one two  three"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTest(Options{})
			w := do(t, s, "POST", "/v1/chat/completions",
				chatBody(tc.model, tc.content, `,"stream":true`+tc.extra))
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if ct := w.Header().Get("content-type"); !strings.HasPrefix(ct, "text/event-stream") {
				t.Errorf("content-type %q", ct)
			}
			r := analyzeStream(t, w.Body.Bytes())
			if !r.endsWithDone {
				t.Fatal("no [DONE]")
			}
			if path(r.chunks[0], "choices", 0, "delta", "role") != "assistant" {
				t.Errorf("first delta has no role: %v", r.chunks[0])
			}
			for i, c := range r.chunks[1:] {
				if has(c, "choices", 0, "delta", "role") {
					t.Errorf("chunk %d repeats role", i+1)
				}
			}
			want := tc.wantReply
			if want == "" {
				want = "Hello from fakellm (model " + tc.model + "). You said 2 characters."
			}
			if r.content != want {
				t.Errorf("content %q, want %q", r.content, want)
			}
			if r.finish != "stop" {
				t.Errorf("finish %q", r.finish)
			}
			switch tc.wantUsage {
			case "":
				if r.usage != nil {
					t.Errorf("unexpected usage %v", r.usage)
				}
				if r.finishIdx != len(r.chunks)-1 {
					t.Errorf("finish chunk is not last")
				}
			case "separate":
				if r.usageIdx != len(r.chunks)-1 || r.finishIdx != len(r.chunks)-2 {
					t.Errorf("usage chunk %d, finish chunk %d of %d", r.usageIdx, r.finishIdx, len(r.chunks))
				}
				if n := len(r.chunks[r.usageIdx]["choices"].([]any)); n != 0 {
					t.Errorf("usage chunk has %d choices", n)
				}
				for _, c := range r.chunks[:r.usageIdx] {
					if v, ok := c["usage"]; !ok || v != nil {
						t.Errorf("earlier chunk usage should be null: %v", c)
					}
				}
			case "in-finish":
				if r.usageIdx != r.finishIdx || r.finishIdx != len(r.chunks)-1 {
					t.Errorf("usage chunk %d, finish chunk %d of %d", r.usageIdx, r.finishIdx, len(r.chunks))
				}
			}
			if r.usage != nil {
				wc := float64((utf8.RuneCountInString(want) + 3) / 4)
				if r.usage["completion_tokens"] != wc {
					t.Errorf("completion_tokens %v want %v", r.usage["completion_tokens"], wc)
				}
			}
			if tc.wantDeltas >= 0 {
				// first chunk (role) and finish chunk carry empty content
				n := 0
				for _, c := range r.chunks {
					if s, _ := path(c, "choices", 0, "delta", "content").(string); s != "" {
						n++
					}
				}
				if n != tc.wantDeltas {
					t.Errorf("%d content deltas, want %d", n, tc.wantDeltas)
				}
			}
		})
	}
}

func TestStatusMarkers(t *testing.T) {
	tests := []struct {
		model   string
		status  int
		stream  bool
		wantKey string // a JSON path that must exist, dot separated
	}{
		{"gpt-4o-mini", 429, false, "error.code"},
		{"gpt-4o-mini", 429, true, "error.code"},
		{"gpt-4o-mini", 401, false, "error.type"},
		{"gpt-4o-mini", 403, false, "error.message"},
		{"gpt-4o-mini", 500, false, "error.message"},
		{"gpt-4o-mini", 503, true, "error.message"},
		{"gpt-4o-mini", 418, false, "error.message"},
		{"mistral-small-latest", 429, false, "message"},
		{"mistral-small-latest", 401, true, "message"},
		{"mistral-small-latest", 500, false, "object"},
		{"mistral-small-latest", 422, false, "message"},
	}
	for _, tc := range tests {
		s := newTest(Options{})
		extra := ""
		if tc.stream {
			extra = `,"stream":true`
		}
		w := do(t, s, "POST", "/v1/chat/completions",
			chatBody(tc.model, "hi [[status:"+itoa(tc.status)+"]]", extra))
		if w.Code != tc.status {
			t.Errorf("%s %d: got %d", tc.model, tc.status, w.Code)
			continue
		}
		if ct := w.Header().Get("content-type"); ct != "application/json" {
			t.Errorf("%s %d: content-type %q", tc.model, tc.status, ct)
		}
		m := decode(t, w.Body.Bytes())
		var keys []any
		for _, k := range strings.Split(tc.wantKey, ".") {
			keys = append(keys, k)
		}
		if !has(m, keys...) {
			t.Errorf("%s %d: body lacks %s: %s", tc.model, tc.status, tc.wantKey, w.Body)
		}
		if (tc.status == 429) != (w.Header().Get("retry-after") != "") {
			t.Errorf("%s %d: retry-after %q", tc.model, tc.status, w.Header().Get("retry-after"))
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestOtherMarkers(t *testing.T) {
	s := newTest(Options{})

	start := time.Now()
	w := do(t, s, "POST", "/v1/chat/completions", chatBody("gpt-4o-mini", "[[slow:80ms]]", ""))
	if d := time.Since(start); d < 80*time.Millisecond || w.Code != 200 {
		t.Errorf("slow: took %v, status %d", d, w.Code)
	}

	w = do(t, s, "POST", "/v1/chat/completions", chatBody("gpt-4o-mini", "[[garbage]]", ""))
	if w.Code != 200 || json.Valid(w.Body.Bytes()) {
		t.Errorf("garbage: %d %s", w.Code, w.Body)
	}
	w = do(t, s, "POST", "/v1/chat/completions", chatBody("gpt-4o-mini", "[[garbage]]", `,"stream":true`))
	evs := parseSSE(t, w.Body.Bytes())
	if len(evs) != 2 || json.Valid([]byte(evs[0].data)) || evs[1].data != "[DONE]" {
		t.Errorf("garbage stream: %q", w.Body)
	}

	w = do(t, s, "POST", "/v1/chat/completions", chatBody("gpt-4o-mini", "[[tokens:42]] [[finish:length]]", ""))
	m := decode(t, w.Body.Bytes())
	if path(m, "usage", "completion_tokens") != 42.0 || path(m, "choices", 0, "finish_reason") != "length" ||
		path(m, "usage", "total_tokens") != path(m, "usage", "prompt_tokens").(float64)+42 {
		t.Errorf("tokens/finish: %s", w.Body)
	}
	w = do(t, s, "POST", "/v1/chat/completions", chatBody("mistral-small-latest", "[[tokens:7,9]]", `,"stream":true`))
	r := analyzeStream(t, w.Body.Bytes())
	if r.usage["prompt_tokens"] != 7.0 || r.usage["completion_tokens"] != 9.0 || r.usage["total_tokens"] != 16.0 {
		t.Errorf("tokens P,C: %v", r.usage)
	}

	// Markers count only in the LAST user message.
	body := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"[[status:500]]"},` +
		`{"role":"assistant","content":"[[status:500]]"},{"role":"user","content":[{"type":"text","text":"ok"},` +
		`{"type":"text","text":"[[reply:from parts]]"}]}]}`
	w = do(t, s, "POST", "/v1/chat/completions", body)
	m = decode(t, w.Body.Bytes())
	if w.Code != 200 || path(m, "choices", 0, "message", "content") != "from parts" {
		t.Errorf("last-user/parts: %d %s", w.Code, w.Body)
	}
}

func TestParseDirectives(t *testing.T) {
	tests := []struct {
		in    string
		check func(d *directives) bool
	}{
		{"[[reply:a]b]]", func(d *directives) bool { return d.reply != nil && *d.reply == "a]b" }},
		{"[[reply:]]", func(d *directives) bool { return d.reply != nil && *d.reply == "" }},
		{"[[status:200]]", func(d *directives) bool { return d.status == 0 }},
		{"[[status: 503 ]]", func(d *directives) bool { return d.status == 503 }},
		{"[[slow:1500ms]]", func(d *directives) bool { return d.slow == 1500*time.Millisecond }},
		{"[[slow:250]]", func(d *directives) bool { return d.slow == 250*time.Millisecond }},
		{"[[slow:10m]]", func(d *directives) bool { return d.slow == maxSlow }},
		{"[[slow:bad]]", func(d *directives) bool { return d.slow == 0 }},
		{"[[sse-split:0]]", func(d *directives) bool { return d.split == 0 }},
		{"[[SSE-SPLIT:5]]", func(d *directives) bool { return d.split == 5 }},
		{"[[tokens:3]]", func(d *directives) bool { return d.completionTokens == 3 && d.promptTokens == -1 }},
		{"[[tokens:x]]", func(d *directives) bool { return d.completionTokens == -1 }},
		{"[[x [[garbage]]", func(d *directives) bool { return d.garbage }},
		{"[[unclosed", func(d *directives) bool { return !d.garbage && d.reply == nil }},
		{"[[status:401]][[status:403]]", func(d *directives) bool { return d.status == 403 }},
	}
	for _, tc := range tests {
		if d := parseDirectives(tc.in); !tc.check(d) {
			t.Errorf("parseDirectives(%q) = %+v", tc.in, d)
		}
	}
}

// TestSSESplitOverNetwork checks that sse-split really produces small
// network writes (observed as small chunked-body reads with sse-gap), that
// they cut through data lines and UTF-8 sequences, and that the reassembled
// stream still parses.
func TestSSESplitOverNetwork(t *testing.T) {
	s := newTest(Options{})
	ts := httptest.NewServer(s)
	defer ts.Close()
	const reply = "ünïcödé ✓ 😀 done"
	body := chatBody("mistral-small-latest", "[[sse-split:5]] [[sse-gap:2ms]] [[reply:"+reply+"]]", `,"stream":true`)
	resp, err := http.Post(ts.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var all []byte
	var reads, long, badUTF8 int
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			reads++
			if n > 5 {
				long++ // two pieces a slow reader got at once
			}
			if !utf8.Valid(buf[:n]) {
				badUTF8++
			}
			all = append(all, buf[:n]...)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// The server writes and flushes 5-byte pieces; a reader descheduled on a busy
	// machine may get two at once now and then, never most of them.
	if long > reads/10 || reads < len(all)/10 {
		t.Errorf("reads: %d (%d longer than 5 bytes), total %d", reads, long, len(all))
	}
	if badUTF8 == 0 {
		t.Errorf("no read split a UTF-8 sequence")
	}
	r := analyzeStream(t, all)
	if r.content != reply || !r.endsWithDone || r.usage == nil {
		t.Errorf("reassembled stream: content %q done %v usage %v", r.content, r.endsWithDone, r.usage)
	}
}

func TestAbort(t *testing.T) {
	s := newTest(Options{})
	ts := httptest.NewServer(s)
	defer ts.Close()
	// non-streaming: no response at all
	_, err := http.Post(ts.URL+"/v1/chat/completions", "application/json",
		strings.NewReader(chatBody("gpt-4o-mini", "[[abort]]", "")))
	if err == nil {
		t.Error("non-stream abort: got a response")
	}
	// streaming: headers and some chunks, then a broken body
	resp, err := http.Post(ts.URL+"/v1/chat/completions", "application/json",
		strings.NewReader(chatBody("gpt-4o-mini", "[[abort]] [[reply:a b c d e f]]", `,"stream":true`)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) && !strings.Contains(err.Error(), "EOF") {
		t.Errorf("stream abort: err %v", err)
	}
	if !bytes.Contains(b, []byte(`"content":"a"`)) || bytes.Contains(b, []byte("[DONE]")) {
		t.Errorf("stream abort body: %s", b)
	}
}

func TestFIMAgentsModels(t *testing.T) {
	s := newTest(Options{})
	w := do(t, s, "POST", "/v1/fim/completions", `{"model":"codestral-latest","prompt":"def f(","suffix":"return 1"}`)
	m := decode(t, w.Body.Bytes())
	if w.Code != 200 || m["object"] != "chat.completion" || has(m, "system_fingerprint") ||
		!strings.Contains(path(m, "choices", 0, "message", "content").(string), "codestral-latest") ||
		path(m, "usage", "prompt_tokens") != 4.0 {
		t.Errorf("fim: %d %s", w.Code, w.Body)
	}
	w = do(t, s, "POST", "/v1/fim/completions", `{"model":"codestral-latest","prompt":"x [[reply:y]]","stream":true}`)
	if r := analyzeStream(t, w.Body.Bytes()); r.content != "y" || r.usage == nil {
		t.Errorf("fim stream: %s", w.Body)
	}
	w = do(t, s, "POST", "/v1/fim/completions", `{"model":"codestral-latest"}`)
	if w.Code != 422 || !has(decode(t, w.Body.Bytes()), "message", "detail") {
		t.Errorf("fim without prompt: %d %s", w.Code, w.Body)
	}

	w = do(t, s, "POST", "/v1/agents/completions", `{"agent_id":"ag_1","messages":[{"role":"user","content":"hey"}]}`)
	m = decode(t, w.Body.Bytes())
	if w.Code != 200 || path(m, "choices", 0, "message", "content") != "Hello from fakellm (agent ag_1). You said 3 characters." {
		t.Errorf("agents: %d %s", w.Code, w.Body)
	}
	w = do(t, s, "POST", "/v1/agents/completions", `{"messages":[]}`)
	if w.Code != 422 {
		t.Errorf("agents without agent_id: %d", w.Code)
	}

	w = do(t, s, "GET", "/v1/models", "")
	m = decode(t, w.Body.Bytes())
	if w.Code != 200 || m["object"] != "list" || path(m, "data", 0, "object") != "model" ||
		path(m, "data", 0, "type") != "base" || !has(m, "data", 0, "capabilities") {
		t.Errorf("models: %s", w.Body)
	}
	w = do(t, newTest(Options{Flavor: "mistral"}), "GET", "/v1/models", "")
	for _, d := range decode(t, w.Body.Bytes())["data"].([]any) {
		if !isMistralModel(path(d, "id").(string)) {
			t.Errorf("mistral flavor lists %v", path(d, "id"))
		}
	}
}

func TestModeration(t *testing.T) {
	tests := []struct {
		name, path, body string
		opts             Options
		wantOpenAI       bool
		wantResults      int
		wantHigh         []string // per result: the high category, "" none
	}{
		{"openai omni", "/v1/moderations", `{"model":"omni-moderation-latest","input":"MODERATE:violence"}`,
			Options{}, true, 1, []string{"violence"}},
		{"openai no model, list", "/v1/moderations", `{"input":["ok","MODERATE:self-harm"]}`,
			Options{}, true, 2, []string{"", "self-harm"}},
		{"openai alias from mistral name", "/v1/moderations", `{"model":"text-moderation-latest","input":"MODERATE:hate_and_discrimination"}`,
			Options{}, true, 1, []string{"hate"}},
		{"openai multimodal parts = one input", "/v1/moderations",
			`{"model":"omni-moderation-latest","input":[{"type":"text","text":"MODERATE:sexual"},{"type":"image_url","image_url":{"url":"data:x"}}]}`,
			Options{}, true, 1, []string{"sexual"}},
		{"mistral string", "/v1/moderations", `{"model":"mistral-moderation-latest","input":"MODERATE:violence_and_threats"}`,
			Options{}, false, 1, []string{"violence_and_threats"}},
		{"mistral alias from openai name", "/v1/moderations", `{"model":"mistral-moderation-latest","input":["MODERATE:violence","x"]}`,
			Options{}, false, 2, []string{"violence_and_threats", ""}},
		{"mistral chat single conversation", "/v1/chat/moderations",
			`{"model":"mistral-moderation-latest","input":[{"role":"user","content":"hi"},{"role":"assistant","content":"MODERATE:pii"}]}`,
			Options{}, false, 1, []string{"pii"}},
		{"mistral chat batch", "/v1/chat/moderations",
			`{"model":"mistral-moderation-latest","input":[[{"role":"user","content":"MODERATE:law"}],[{"role":"user","content":"fine"}]]}`,
			Options{}, false, 2, []string{"law", ""}},
		{"forced openai format", "/v1/moderations", `{"model":"mistral-moderation-latest","input":"MODERATE:violence"}`,
			Options{ModerationFormat: "openai"}, true, 1, []string{"violence"}},
		{"forced mistral format", "/v1/moderations", `{"model":"omni-moderation-latest","input":"MODERATE:violence"}`,
			Options{ModerationFormat: "mistral"}, false, 1, []string{"violence_and_threats"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(t, newTest(tc.opts), "POST", tc.path, tc.body)
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			m := decode(t, w.Body.Bytes())
			if m["id"] == "" || m["model"] == "" {
				t.Errorf("envelope: %s", w.Body)
			}
			res := m["results"].([]any)
			if len(res) != tc.wantResults {
				t.Fatalf("%d results", len(res))
			}
			cats := MistralCategories
			if tc.wantOpenAI {
				cats = OpenAICategories
				if strings.Contains(tc.body, "text-moderation") {
					cats = cats[:4:4]
					cats = append(cats, OpenAICategories[6:]...)
				}
			}
			for i, r := range res {
				if has(r, "flagged") != tc.wantOpenAI {
					t.Errorf("result %d: flagged presence wrong: %v", i, r)
				}
				if tc.wantOpenAI && path(r, "flagged") != (tc.wantHigh[i] != "") {
					t.Errorf("result %d: flagged %v", i, path(r, "flagged"))
				}
				if n := len(path(r, "categories").(map[string]any)); n != len(cats) {
					t.Errorf("result %d: %d categories, want %d", i, n, len(cats))
				}
				for _, c := range cats {
					score, ok := path(r, "category_scores", c).(float64)
					flag, ok2 := path(r, "categories", c).(bool)
					if !ok || !ok2 {
						t.Errorf("result %d: category %q missing", i, c)
						continue
					}
					high := c == tc.wantHigh[i]
					if high && (score != 0.99 || !flag) || !high && (score >= 0.01 || flag) {
						t.Errorf("result %d: %s = %v/%v", i, c, score, flag)
					}
				}
			}
		})
	}

	// explicit score; errors follow the format's dialect
	w := do(t, newTest(Options{}), "POST", "/v1/moderations", `{"model":"mistral-moderation-latest","input":"MODERATE:health=0.3"}`)
	if v := path(decode(t, w.Body.Bytes()), "results", 0, "category_scores", "health"); v != 0.3 {
		t.Errorf("explicit score: %v", v)
	}
	w = do(t, newTest(Options{}), "POST", "/v1/moderations", `{"model":"omni-moderation-latest","input":"[[status:429]]"}`)
	if w.Code != 429 || !has(decode(t, w.Body.Bytes()), "error", "code") {
		t.Errorf("moderation status: %d %s", w.Code, w.Body)
	}
	w = do(t, newTest(Options{}), "POST", "/v1/chat/moderations", `{"input":[]}`)
	if w.Code != 422 {
		t.Errorf("mistral moderation without model: %d %s", w.Code, w.Body)
	}
}

func TestRecorder(t *testing.T) {
	s := newTest(Options{MaxRecorded: 3})
	if _, ok := s.Last(); ok {
		t.Fatal("Last on empty recorder")
	}
	req := httptest.NewRequest("POST", "/v1/chat/completions?x=1", strings.NewReader(chatBody("gpt-4o-mini", "one", "")))
	req.Header.Set("Authorization", "Bearer sk-secret")
	s.ServeHTTP(httptest.NewRecorder(), req)
	last, ok := s.Last()
	if !ok || last.Method != "POST" || last.Path != "/v1/chat/completions" || last.Query != "x=1" ||
		last.Headers.Get("authorization") != "Bearer sk-secret" || !bytes.Contains(last.Body, []byte(`"one"`)) ||
		last.Seq != 1 || !last.Time.Equal(fixedNow) {
		t.Errorf("Last: %+v", last)
	}
	// control endpoints are not recorded
	do(t, s, "GET", "/_fakellm/health", "")
	w := do(t, s, "GET", "/_fakellm/requests", "")
	var got []Recorded
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || len(got) != 1 || got[0].Path != last.Path ||
		!bytes.Equal(got[0].Body, last.Body) {
		t.Errorf("GET requests: %v %s", err, w.Body)
	}
	// binary bodies round-trip through body_base64; unknown paths are recorded too
	do(t, s, "POST", "/v1/nope", "\xff\xfe")
	do(t, s, "GET", "/v1/models", "")
	do(t, s, "GET", "/v1/models", "")
	reqs := s.Requests()
	if len(reqs) != 3 || reqs[0].Path != "/v1/nope" || reqs[2].Seq != 4 {
		t.Errorf("cap/order: %+v", reqs)
	}
	w = do(t, s, "GET", "/_fakellm/requests", "")
	if !strings.Contains(w.Body.String(), `"body_base64":"//4="`) {
		t.Errorf("no body_base64: %s", w.Body)
	}
	got = nil
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || string(got[0].Body) != "\xff\xfe" {
		t.Errorf("binary round trip: %q", got[0].Body)
	}
	if w := do(t, s, "GET", "/_fakellm/reset", ""); w.Code != 405 {
		t.Errorf("GET reset: %d", w.Code)
	}
	if w := do(t, s, "POST", "/_fakellm/reset", ""); w.Code != 204 || len(s.Requests()) != 0 {
		t.Errorf("reset: %d, %d left", w.Code, len(s.Requests()))
	}
	s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/v1/models", nil))
	s.Reset()
	if len(s.Requests()) != 0 {
		t.Error("Reset")
	}
}

func TestRoutingAndAuth(t *testing.T) {
	s := newTest(Options{APIKey: "sk-good"})
	tests := []struct {
		method, path, auth string
		want               int
	}{
		{"POST", "/v1/chat/completions", "", 401},
		{"POST", "/v1/chat/completions", "Bearer sk-bad", 401},
		{"POST", "/v1/chat/completions", "Bearer sk-good", 200},
		{"GET", "/v1/chat/completions", "Bearer sk-good", 405},
		{"POST", "/v1/images/generations", "Bearer sk-good", 404},
		{"GET", "/_fakellm/health", "", 200},
	}
	for _, tc := range tests {
		req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(chatBody("gpt-4o-mini", "x", "")))
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != tc.want {
			t.Errorf("%s %s (%q): %d, want %d: %s", tc.method, tc.path, tc.auth, w.Code, tc.want, w.Body)
		}
		if tc.want >= 400 && !has(decode(t, w.Body.Bytes()), "error", "message") {
			t.Errorf("%s %s: not an OpenAI error body: %s", tc.method, tc.path, w.Body)
		}
	}
	w := do(t, newTest(Options{}), "POST", "/v1/chat/completions", "{not json")
	if w.Code != 400 {
		t.Errorf("bad JSON: %d", w.Code)
	}
	w = do(t, newTest(Options{}), "POST", "/v1/chat/completions", `{"messages":[]}`)
	if w.Code != 400 {
		t.Errorf("missing model: %d", w.Code)
	}
}
