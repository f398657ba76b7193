package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/egressguard/egressguard/internal/envoytest"
	"github.com/egressguard/egressguard/internal/fakellm"
	"github.com/tidwall/gjson"
)

func clientsDir() string { return filepath.Join(envoytest.RepoRoot(), "e2e", "clients") }

// sdkResult is the one JSON line e2e/clients/run.mjs prints.
type sdkResult struct {
	OK           bool            `json:"ok"`
	Status       *int            `json:"status"`
	Content      string          `json:"content"`
	Chunks       int             `json:"chunks"`
	FinishReason *string         `json:"finishReason"`
	Usage        json.RawMessage `json:"usage"`
	Events       json.RawMessage `json:"events"`    // stream event types, for SDKs that name them
	RequestID    string          `json:"requestId"` // the response's x-request-id
	Error        *struct {
		Name    string          `json:"name"`
		Message string          `json:"message"`
		Status  *int            `json:"status"`
		Body    json.RawMessage `json:"body"`
	} `json:"error"`
}

// runSDK calls the official SDK driver with spec and returns its result.
func runSDK(t *testing.T, spec map[string]any) sdkResult {
	t.Helper()
	var r sdkResult
	runDriver(t, spec, &r, "node", "run.mjs")
	return r
}

// runDriver runs a client driver of e2e/clients (argv) with spec as JSON on its stdin
// and decodes the one JSON line it prints into result.
func runDriver(t *testing.T, spec map[string]any, result any, argv ...string) {
	t.Helper()
	in, _ := json.Marshal(spec)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = clientsDir()
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\nstderr: %s\nstdout: %s", strings.Join(argv, " "), err, stderr.String(), out)
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), result); err != nil {
		t.Fatalf("%s output is not one JSON line: %v\n%s", strings.Join(argv, " "), err, out)
	}
}

// sdkSpec builds a driver spec against a listener.
func sdkSpec(sdk, op, listener string, stream bool, request map[string]any) map[string]any {
	return map[string]any{
		"sdk": sdk, "op": op, "baseURL": envoy.URL(listener) + "/v1",
		"apiKey": "sk-client-test", "stream": stream, "request": request, "timeoutMs": 30000,
	}
}

// post sends a raw request through a listener.
func post(t *testing.T, listener, path, contentType string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", envoy.URL(listener)+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("content-type", contentType)
	}
	return do(t, req)
}

// do sends a request and reads the whole response.
func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// lastUpstream returns the last request fakellm recorded whose body contains marker.
func lastUpstream(t *testing.T, marker string) fakellm.Recorded {
	t.Helper()
	reqs := upstream.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if bytes.Contains(reqs[i].Body, []byte(marker)) {
			return reqs[i]
		}
	}
	t.Fatalf("upstream never received a request containing %q", marker)
	return fakellm.Recorded{}
}

// upstreamSaw reports whether any recorded upstream request contains marker.
func upstreamSaw(marker string) bool {
	for _, r := range upstream.Requests() {
		if bytes.Contains(r.Body, []byte(marker)) {
			return true
		}
	}
	return false
}

// assertAPIError checks an OpenAI-style JSON error with the given status and code.
func assertAPIError(t *testing.T, resp *http.Response, body []byte, status int, code string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("content-type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("content-type = %q, want application/json", ct)
	}
	if !gjson.ValidBytes(body) {
		t.Fatalf("error body is not JSON: %s", body)
	}
	e := gjson.GetBytes(body, "error")
	if got := e.Get("code").String(); got != code {
		t.Errorf("error.code = %q, want %q (body %s)", got, code, body)
	}
	for _, f := range []string{"message", "type"} {
		if e.Get(f).String() == "" {
			t.Errorf("error.%s is empty: %s", f, body)
		}
	}
	if resp.Header.Get("x-request-id") == "" {
		t.Errorf("rejection has no x-request-id header")
	}
}

// uniq returns a marker unique to this test, to find its request at the upstream.
func uniq(t *testing.T) string {
	return "m-" + strings.NewReplacer("/", "-", " ", "_").Replace(t.Name()) + "-" + time.Now().Format("150405.000000")
}

func ioPipe() (*io.PipeReader, *io.PipeWriter) { return io.Pipe() }

// postReader posts a JSON body of unknown length (chunked transfer encoding).
func postReader(t *testing.T, listener, path string, r io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", envoy.URL(listener)+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("content-type", "application/json")
	return do(t, req)
}

func get(t *testing.T, listener, path string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(envoy.URL(listener) + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}
