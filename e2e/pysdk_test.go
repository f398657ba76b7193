package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/egressguard/egressguard/internal/envoytest"
	"github.com/tidwall/gjson"
)

// pyResult is the JSON line e2e/clients/py_stream.py prints.
type pyResult struct {
	OK          bool            `json:"ok"`
	Content     string          `json:"content"`
	Chunks      int             `json:"chunks"`
	UsageChunks int             `json:"usageChunks"`
	Usage       json.RawMessage `json:"usage"`
	Error       *struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

// pythonSDK returns the .venv interpreter that has the openai package (make
// py-clients). Without it the test fails where e2e is required and skips elsewhere.
func pythonSDK(t *testing.T) string {
	t.Helper()
	py := filepath.Join(envoytest.RepoRoot(), ".venv", "bin", "python")
	if err := exec.Command(py, "-c", "import openai").Run(); err != nil {
		if os.Getenv("E2E_REQUIRED") != "" || os.Getenv("CI") != "" {
			t.Fatalf("the Python openai SDK is missing from .venv (run `make py-clients`): %v", err)
		}
		t.Skipf("the Python openai SDK is missing from .venv (run `make py-clients`): %v", err)
	}
	return py
}

func runPy(t *testing.T, py string, spec map[string]any) pyResult {
	t.Helper()
	var r pyResult
	runDriver(t, spec, &r, py, "py_stream.py")
	return r
}

// With token limits on, the guard asks OpenAI streams for their usage. The Python
// SDK's usual loop (chunk.choices[0]) then still works: a client that did not ask gets
// no chunk with empty choices, and one that asked gets its usage chunk.
func TestPythonSDKStreamUsage(t *testing.T) {
	py := pythonSDK(t)
	for _, c := range []struct {
		name  string
		asked bool
	}{{"client did not ask", false}, {"client asked", true}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := uniq(t)
			req := map[string]any{"model": "gpt-4o-mini", "max_tokens": 50,
				"messages": []any{map[string]any{"role": "user", "content": m + " [[reply:Hello there, Python.]]"}}}
			if c.asked {
				req["stream_options"] = map[string]any{"include_usage": true}
			}
			r := runPy(t, py, map[string]any{"baseURL": envoy.URL(lnUsage) + "/v1", "request": req, "guardEmpty": c.asked})
			if !r.OK {
				t.Fatalf("the SDK loop failed: %+v", r.Error)
			}
			if r.Content != "Hello there, Python." {
				t.Errorf("content %q", r.Content)
			}
			if want := map[bool]int{false: 0, true: 1}[c.asked]; r.UsageChunks != want || (len(r.Usage) > 0 && string(r.Usage) != "null") != c.asked {
				t.Errorf("usage chunks %d, usage %s", r.UsageChunks, r.Usage)
			}
			// The guard did ask the upstream for the usage either way.
			if up := lastUpstream(t, m); !gjson.GetBytes(up.Body, "stream_options.include_usage").Bool() {
				t.Errorf("the upstream was not asked for usage: %s", up.Body)
			}
		})
	}
}
