package main

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/egressguard/egressguard/internal/envoytest"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/tidwall/gjson"
)

// Every plugin test runs twice: natively (fast, debuggable) and against the compiled
// build/egressguard.wasm under wazero, which proves the same behaviour in the artifact
// Envoy loads. `make test` builds the wasm first; under CI a missing wasm fails.

// One compiled VM per module serves every wasm subtest: wazero compiles the module in
// seconds, and each test still gets a fresh host emulator and plugin context.
var (
	wasmMu  sync.Mutex
	wasmVMs = map[string]proxytest.WasmVMContext{}
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, vm := range wasmVMs {
		_ = vm.Close() // the process exits next
	}
	os.Exit(code)
}

// vmTest runs f against the native plugin and the compiled wasm.
func vmTest(t *testing.T, f func(t *testing.T, vm types.VMContext)) {
	vmTestWith(t, envoytest.DefaultWasm(), f)
}

// vmTestWith runs f natively and against the module at path.
func vmTestWith(t *testing.T, path string, f func(t *testing.T, vm types.VMContext)) {
	t.Run("go", func(t *testing.T) { f(t, &vmContext{}) })
	t.Run("wasm", func(t *testing.T) {
		wasmMu.Lock()
		vm, ok := wasmVMs[path]
		var err error
		if !ok {
			var b []byte
			if b, err = os.ReadFile(path); err == nil {
				vm, err = proxytest.NewWasmVMContext(b)
			}
			if err == nil {
				wasmVMs[path] = vm
			}
		}
		wasmMu.Unlock()
		if err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("compiled plugin unavailable under CI: %v", err)
			}
			t.Skipf("compiled plugin not built (%v); run `make build`", err)
		}
		f(t, vm)
	})
}

// harness starts a plugin with config and returns the host.
func harness(t *testing.T, vm types.VMContext, config string) proxytest.HostEmulator {
	t.Helper()
	opt := proxytest.NewEmulatorOption().WithVMContext(vm).WithPluginConfiguration([]byte(config))
	host, reset := proxytest.NewHostEmulator(opt)
	t.Cleanup(reset)
	if st := host.StartPlugin(); st != types.OnPluginStartStatusOK {
		t.Fatalf("plugin failed to start: %v", host.GetCriticalLogs())
	}
	return host
}

func headers(path, ctype string, length int) [][2]string {
	h := [][2]string{{":method", "POST"}, {":path", path}, {":authority", "api.example.com"}, {"x-request-id", "req-1"}}
	if ctype != "" {
		h = append(h, [2]string{"content-type", ctype})
	}
	if length >= 0 {
		h = append(h, [2]string{"content-length", itoa(length)})
	}
	return h
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func header(hs [][2]string, name string) string {
	for _, h := range hs {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

func TestClampRewritesBodyAndContentLength(t *testing.T) {
	for _, mode := range []struct {
		name, config string
		hold         bool
	}{
		{"stream", `{"max_tokens":{"default":100,"cap":1000}}`, false},
		{"hold_headers", `{"max_tokens":{"default":100,"cap":1000},"envoy":{"allow_on_headers_stop_iteration":true}}`, true},
	} {
		t.Run(mode.name, func(t *testing.T) {
			vmTest(t, func(t *testing.T, vm types.VMContext) {
				host := harness(t, vm, mode.config)
				body := []byte(`{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":100000}`)
				id := host.InitializeHttpContext()
				a := host.CallOnRequestHeaders(id, headers("/v1/chat/completions", "application/json", len(body)), false)
				if want := map[bool]types.Action{false: types.ActionContinue, true: types.ActionPause}[mode.hold]; a != want {
					t.Fatalf("headers action = %v, want %v", a, want)
				}
				sent := host.GetCurrentRequestHeaders(id)
				if a := host.CallOnRequestBody(id, body, true); a != types.ActionContinue {
					t.Fatalf("body action = %v, local response %+v", a, host.GetSentLocalResponse(id))
				}
				got := host.GetCurrentRequestBody(id)
				if gjson.GetBytes(got, "max_tokens").Int() != 1000 {
					t.Errorf("max_tokens not clamped: %s", got)
				}
				cl := header(host.GetCurrentRequestHeaders(id), "content-length")
				if mode.hold && cl != itoa(len(got)) {
					t.Errorf("content-length = %s, body is %d bytes", cl, len(got))
				}
				if !mode.hold {
					// The headers left before the body was decided: the body phase must not
					// touch them, and content-length must be gone (the body may change).
					if cl != "" {
						t.Errorf("content-length %s forwarded although the body may change", cl)
					}
					if after := host.GetCurrentRequestHeaders(id); len(after) != len(sent) {
						t.Errorf("request headers changed after they left: %v -> %v", sent, after)
					}
				}
			})
		})
	}
}

func TestBodyBufferedAcrossChunks(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := harness(t, vm, `{}`)
		body := `{"model":"m","messages":[{"role":"user","content":"hello there"}]}`
		id := host.InitializeHttpContext()
		host.CallOnRequestHeaders(id, headers("/v1/chat/completions", "application/json", -1), false)
		if a := host.CallOnRequestBody(id, []byte(body[:20]), false); a != types.ActionPause {
			t.Fatalf("partial body must be buffered, got %v", a)
		}
		if a := host.CallOnRequestBody(id, []byte(body[20:]), true); a != types.ActionContinue {
			t.Fatalf("complete body action = %v", a)
		}
		if got := host.GetCurrentRequestBody(id); gjson.GetBytes(got, "max_tokens").Int() != 1024 {
			t.Errorf("default max_tokens not set on reassembled body: %s", got)
		}
	})
}

func TestRejections(t *testing.T) {
	cases := []struct {
		name, path, ctype string
		length            int // content-length header (-1: none)
		body              string
		status            int
		code              string
		atHeaders         bool
	}{
		{"malformed JSON", "/v1/chat/completions", "application/json", -1, `{"model":`, 400, "invalid_json", false},
		{"messages not array", "/v1/chat/completions", "application/json", -1, `{"messages": 3}`, 400, "invalid_type", false},
		{"declared too large", "/v1/chat/completions", "application/json", 5 << 20, ``, 413, "body_too_large", true},
		{"streamed too large", "/v1/chat/completions", "application/json", -1, `{"model":"m","messages":[{"role":"user","content":"` + strings.Repeat("a", 3000) + `"}]}`, 413, "body_too_large", false},
		{"wrong content type", "/v1/chat/completions", "text/plain", 10, ``, 415, "unsupported_media_type", true},
		{"fim missing prompt", "/v1/fim/completions", "application/json", -1, `{"model":"c"}`, 400, "missing_field", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vmTest(t, func(t *testing.T, vm types.VMContext) {
				host := harness(t, vm, `{"limits":{"max_body_bytes":2048}}`)
				id := host.InitializeHttpContext()
				a := host.CallOnRequestHeaders(id, headers(c.path, c.ctype, c.length), false)
				if !c.atHeaders {
					if a != types.ActionContinue {
						t.Fatalf("headers action = %v", a)
					}
					a = host.CallOnRequestBody(id, []byte(c.body), true)
				}
				if a != types.ActionPause {
					t.Errorf("a rejected request must stay paused, got %v", a)
				}
				resp := host.GetSentLocalResponse(id)
				if resp == nil {
					t.Fatal("no local response sent")
				}
				if int(resp.StatusCode) != c.status || gjson.GetBytes(resp.Data, "error.code").String() != c.code {
					t.Errorf("got %d %s, want %d %s", resp.StatusCode, resp.Data, c.status, c.code)
				}
				if header(resp.Headers, "content-type") != "application/json" || header(resp.Headers, "x-request-id") != "req-1" {
					t.Errorf("response headers %v", resp.Headers)
				}
				logs := strings.Join(host.GetWarnLogs(), "\n")
				if !strings.Contains(logs, "request_id=req-1") || !strings.Contains(logs, "code="+c.code) {
					t.Errorf("no correlated log line: %q", logs)
				}
			})
		})
	}
}

// A body to a path no adapter reads is refused unless the path is a passthrough
// path; bodiless reads pass.
func TestOtherPaths(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := harness(t, vm, `{"api":{"passthrough_paths":["/v1/files*"]}}`)
		id := host.InitializeHttpContext()
		h := [][2]string{{":method", "POST"}, {":path", "/v1/files/abc/content"}, {"content-type", "application/json"}}
		if a := host.CallOnRequestHeaders(id, h, false); a != types.ActionContinue {
			t.Fatalf("passthrough headers action = %v", a)
		}
		body := []byte(`not json at all`)
		if a := host.CallOnRequestBody(id, body, true); a != types.ActionContinue {
			t.Fatalf("body action = %v", a)
		}
		if got := host.GetCurrentRequestBody(id); string(got) != string(body) {
			t.Errorf("passthrough body changed: %s", got)
		}
		if host.GetSentLocalResponse(id) != nil {
			t.Error("passthrough got a local response")
		}

		id = host.InitializeHttpContext()
		h = [][2]string{{":method", "POST"}, {":path", "/v1/images/generations"}, {"content-type", "application/json"}}
		host.CallOnRequestHeaders(id, h, false)
		if lr := host.GetSentLocalResponse(id); lr == nil || lr.StatusCode != 404 || !strings.Contains(string(lr.Data), "/v1/images/generations") {
			t.Fatalf("a body to an unknown path must get a 404 naming it, got %+v", lr)
		}

		id = host.InitializeHttpContext()
		h = [][2]string{{":method", "GET"}, {":path", "/v1/models"}}
		if a := host.CallOnRequestHeaders(id, h, true); a != types.ActionContinue || host.GetSentLocalResponse(id) != nil {
			t.Fatalf("a bodiless read must pass: %v", a)
		}
	})
}

func TestInvalidConfigStopsPlugin(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		opt := proxytest.NewEmulatorOption().WithVMContext(vm).
			WithPluginConfiguration([]byte(`{"limits":{"max_body_bytess":1}}`))
		host, reset := proxytest.NewHostEmulator(opt)
		defer reset()
		if st := host.StartPlugin(); st != types.OnPluginStartStatusFailed {
			t.Fatalf("plugin started with an unknown field")
		}
		logs := strings.Join(host.GetCriticalLogs(), "\n")
		if !strings.Contains(logs, "limits.max_body_bytess: unknown field") {
			t.Errorf("critical log does not name the field: %q", logs)
		}
	})
}

func startChat(t *testing.T, host proxytest.HostEmulator, body string) uint32 {
	t.Helper()
	id := host.InitializeHttpContext()
	host.CallOnRequestHeaders(id, headers("/v1/chat/completions", "application/json", len(body)), false)
	if a := host.CallOnRequestBody(id, []byte(body), true); a != types.ActionContinue {
		t.Fatalf("request not forwarded: %+v", host.GetSentLocalResponse(id))
	}
	return id
}

func TestResponseJSONRedacted(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := harness(t, vm, `{}`)
		id := startChat(t, host, `{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
		if enc := header(host.GetCurrentRequestHeaders(id), "accept-encoding"); enc != "identity" {
			t.Errorf("accept-encoding = %q, want identity so responses can be redacted", enc)
		}
		resp := `{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"Mail bob@example.com, card 4111 1111 1111 1111."}}],"usage":{"total_tokens":9}}`
		host.CallOnResponseHeaders(id, [][2]string{{":status", "200"}, {"content-type", "application/json"}, {"content-length", itoa(len(resp))}}, false)
		if header(host.GetCurrentResponseHeaders(id), "content-length") != "" {
			t.Error("content-length must be removed: redaction changes the length")
		}
		if a := host.CallOnResponseBody(id, []byte(resp[:30]), false); a != types.ActionPause {
			t.Fatalf("partial JSON must be held, got %v", a)
		}
		host.CallOnResponseBody(id, []byte(resp[30:]), true)
		got := host.GetCurrentResponseBody(id)
		content := gjson.GetBytes(got, "choices.0.message.content").String()
		if strings.Contains(content, "bob@example.com") || strings.Contains(content, "4111") ||
			!strings.Contains(content, "[EMAIL_ADDRESS]") || !strings.Contains(content, "[CREDIT_CARD]") {
			t.Errorf("content not redacted: %q", content)
		}
		if gjson.GetBytes(got, "usage.total_tokens").Int() != 9 {
			t.Errorf("other fields changed: %s", got)
		}
	})
}

// TestResponseJSONDuplicateKey: a response that repeats "content" (a client
// parser keeps the last copy) is redacted as text, so neither copy leaks.
func TestResponseJSONDuplicateKey(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := harness(t, vm, `{}`)
		id := startChat(t, host, `{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
		resp := `{"choices":[{"index":0,"message":{"role":"assistant","content":"hello","content":"card 4111 1111 1111 1111"}}]}`
		host.CallOnResponseHeaders(id, [][2]string{{":status", "200"}, {"content-type", "application/json"}}, false)
		host.CallOnResponseBody(id, []byte(resp), true)
		got := string(host.GetCurrentResponseBody(id))
		if strings.Contains(got, "4111") || !strings.Contains(got, "[CREDIT_CARD]") {
			t.Errorf("duplicate content key not redacted: %s", got)
		}
	})
}

// Provider error bodies are redacted as data by default (they echo the request) and
// pass unchanged with redaction.error_bodies off.
func TestResponseErrorBodies(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		errBody := `{"error":{"message":"quota for bob@example.com","type":"rate_limit"}}`
		for doc, want := range map[string]string{
			`{}`:                                   `{"error":{"message":"quota for [EMAIL_ADDRESS]","type":"rate_limit"}}`,
			`{"redaction":{"error_bodies":false}}`: errBody,
		} {
			t.Run(doc, func(t *testing.T) { // one host emulator at a time
				host := harness(t, vm, doc)
				id := startChat(t, host, `{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
				host.CallOnResponseHeaders(id, [][2]string{{":status", "429"}, {"content-type", "application/json"}}, false)
				if a := host.CallOnResponseBody(id, []byte(errBody), true); a != types.ActionContinue {
					t.Fatalf("action %v", a)
				}
				if got := string(host.GetCurrentResponseBody(id)); got != want {
					t.Errorf("error body %s", got)
				}
			})
		}
	})
}

func TestResponseSSESplitCard(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := harness(t, vm, `{}`)
		id := startChat(t, host, `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`)
		host.CallOnResponseHeaders(id, [][2]string{{":status", "200"}, {"content-type", "text/event-stream"}}, false)
		ev := func(s string) string {
			return `data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"` + s + `"}}]}` + "\n\n"
		}
		stream := ev("Your card is 4111 11") + ev("11 1111 1111, thanks.") + "data: [DONE]\n\n"
		var out strings.Builder
		for i := 0; i < len(stream); i += 7 { // network chunks cut anywhere
			end := min(i+7, len(stream))
			host.CallOnResponseBody(id, []byte(stream[i:end]), end == len(stream))
			out.Write(host.GetCurrentResponseBody(id))
		}
		got := out.String()
		if strings.Contains(got, "4111") || strings.Contains(got, "11 1111") {
			t.Fatalf("card digits leaked:\n%s", got)
		}
		if !strings.Contains(got, "[CREDIT_CARD]") || !strings.HasSuffix(got, "data: [DONE]\n\n") {
			t.Errorf("stream not redacted or not terminated:\n%s", got)
		}
	})
}
