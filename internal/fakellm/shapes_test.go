package fakellm

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// Each shape carries the reply where the package doc says, in valid JSON (or SSE of
// JSON events).
func TestShapes(t *testing.T) {
	srv := httptest.NewServer(New(Options{}))
	defer srv.Close()
	const reply = "mail jane@example.com now"
	for _, c := range []struct {
		shape  string
		stream bool
		path   string // where the reply is (JSON), or a substring of the stream
		ctype  string
	}{
		{"reasoning", false, "choices.0.message.reasoning_content", "application/json"},
		{"refusal", false, "choices.0.message.refusal", "application/json"},
		{"thinking", false, "choices.0.message.content.0.thinking.0.text", "application/json"},
		{"content-array", false, "choices.0.message.content.0.text", "application/json"},
		{"audio", false, "choices.0.message.audio.transcript", "application/json"},
		{"no-choices", false, "output.text", "application/json"},
		{"reasoning", true, `"reasoning_content":"mail"`, "text/event-stream"},
		{"logprobs", true, `"token":" jane@example.com"`, "text/event-stream"},
		{"function-call", true, `"function_call":{"arguments":`, "text/event-stream"},
		{"sse-error", true, `data: {"error":{"code":null,"message":"mail jane@example.com now"`, "text/event-stream"},
		{"comment", true, ": mail jane@example.com now\n\n", "text/event-stream"},
		{"usage-extra", true, `"x_debug":"mail jane@example.com now"`, "text/event-stream"},
		{"ndjson", true, "\n{\"choices\":", "application/x-ndjson"},
	} {
		body := `{"model":"gpt-4o","stream":` + map[bool]string{true: "true", false: "false"}[c.stream] +
			`,"messages":[{"role":"user","content":"[[shape:` + c.shape + `]] [[reply:` + reply + `]]"}]}`
		resp, err := http.Post(srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b := readAll(t, resp)
		if !strings.HasPrefix(resp.Header.Get("content-type"), c.ctype) {
			t.Errorf("%s: content-type %q", c.shape, resp.Header.Get("content-type"))
		}
		if !c.stream {
			if got := gjson.GetBytes(b, c.path).String(); got != reply || !gjson.ValidBytes(b) {
				t.Errorf("%s: %s = %q in %s", c.shape, c.path, got, b)
			}
			continue
		}
		if !strings.Contains(string(b), c.path) {
			t.Errorf("%s stream lacks %q:\n%s", c.shape, c.path, b)
		}
	}
}

// ctype relabels or drops the content type; error-echo quotes the reply; echo-key
// returns the request's key; resp-trailers ends a chat stream with a trailer.
func TestMarkersForRedaction(t *testing.T) {
	srv := httptest.NewServer(New(Options{}))
	defer srv.Close()
	post := func(content string, stream bool, key string) (*http.Response, []byte) {
		body := `{"model":"gpt-4o","stream":` + map[bool]string{true: "true", false: "false"}[stream] +
			`,"messages":[{"role":"user","content":"` + content + `"}]}`
		req, _ := http.NewRequest("POST", srv.URL+"/v1/chat/completions", strings.NewReader(body))
		req.Header.Set("content-type", "application/json")
		if key != "" {
			req.Header.Set("authorization", "Bearer "+key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp, readAll(t, resp)
	}
	if resp, _ := post("[[ctype:none]]", false, ""); len(resp.Header.Values("content-type")) != 0 {
		t.Errorf("ctype none: %q", resp.Header.Values("content-type"))
	}
	if resp, b := post("[[ctype:text/plain]]", true, ""); resp.Header.Get("content-type") != "text/plain" || !strings.Contains(string(b), "data: [DONE]") {
		t.Errorf("ctype text/plain: %q %s", resp.Header.Get("content-type"), b)
	}
	if resp, b := post("[[status:400]] [[error-echo]] [[reply:ssn 078-05-1120]]", false, ""); resp.StatusCode != 400 ||
		!strings.Contains(gjson.GetBytes(b, "error.message").String(), "ssn 078-05-1120") {
		t.Errorf("error-echo: %d %s", resp.StatusCode, b)
	}
	if _, b := post("[[echo-key]] [[reply:key={KEY}.]]", false, "sk-abc-123"); gjson.GetBytes(b, "choices.0.message.content").String() != "key=sk-abc-123." {
		t.Errorf("echo-key: %s", b)
	}
	if resp, _ := post("[[resp-trailers]]", true, ""); resp.Trailer.Get("X-Fakellm-Trailer") != "done" {
		t.Errorf("stream trailers: %v", resp.Trailer)
	}
}

func readAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return []byte(b.String())
}

// TestWire: json-escape changes how strings are spelled, never what they decode to,
// and sse-eol changes only the line endings outside strings.
func TestWire(t *testing.T) {
	d := parseDirectives("[[json-escape]] [[sse-eol:cr]]")
	in := `data: {"a":"x@y.z w \"q@\" \\","n":1.5}` + "\n\n"
	want := `data: {"a":"x\u0040y\u002ez\u0020w\u0020\"q\u0040\"\u0020\\","n":1.5}` + "\r\r"
	if got := string(d.wire([]byte(in))); got != want {
		t.Fatalf("wire:\n got %s\nwant %s", got, want)
	}
	var a, b any
	if json.Unmarshal([]byte(in[6:len(in)-2]), &a) != nil || json.Unmarshal([]byte(want[6:len(want)-2]), &b) != nil ||
		!reflect.DeepEqual(a, b) {
		t.Fatalf("decoded %v, want %v", b, a)
	}
	if got := string(parseDirectives("[[sse-eol:crlf]]").wire([]byte("data: x\n\n"))); got != "data: x\r\n\r\n" {
		t.Fatalf("crlf: %q", got)
	}
	if got := string((*directives)(nil).wire([]byte("a\n"))); got != "a\n" {
		t.Fatalf("no markers: %q", got)
	}
}

// TestDeepShape: the deep shape nests the reply 20,000 arrays deep, in a body and in
// the finish chunk of a stream, and the rest of the body stays valid JSON.
func TestDeepShape(t *testing.T) {
	srv := httptest.NewServer(New(Options{}))
	defer srv.Close()
	for _, stream := range []bool{false, true} {
		body := `{"model":"gpt-4o-mini","stream":` + map[bool]string{false: "false", true: "true"}[stream] +
			`,"messages":[{"role":"user","content":"[[shape:deep]] [[reply:mail a@b.example]]"}]}`
		resp, err := http.Post(srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		deep := strings.Repeat("[", deepNesting) + `"mail a@b.example"` + strings.Repeat("]", deepNesting)
		if !strings.Contains(string(b), `"x_debug":`+deep) || strings.Contains(string(b), "fakellm-deep") {
			t.Fatalf("stream=%v: no deep member in %.300s", stream, b)
		}
		if !stream && !gjson.Valid(string(b)) {
			t.Fatalf("invalid JSON %.300s", b)
		}
	}
}
