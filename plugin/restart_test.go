package main

import (
	"runtime"
	"testing"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// restartConfig is a configuration whose engines (injection with a deny phrase,
// response redaction) are expensive to compile; defaultTokens is the field a
// configuration-only update changes.
func restartConfig(deny string, defaultTokens int) string {
	return `{"max_tokens":{"default":` + itoa(defaultTokens) + `,"cap":4096},
	  "injection":{"action":"block","deny":["` + deny + `"]},
	  "redaction":{"responses":true},
	  "rate_limits":{"default":{"requests_per_minute":1000}}}`
}

// keepVM keeps every plugin context it creates reachable, as Envoy keeps the old
// plugin instance while the new one starts.
type keepVM struct {
	vmContext
	kept []*pluginContext
}

func (k *keepVM) NewPluginContext(uint32) types.PluginContext {
	p := &pluginContext{}
	k.kept = append(k.kept, p)
	return p
}

// startAllocs starts a plugin with config on a fresh emulator and returns the bytes
// and objects the start allocated on the Go heap.
func startAllocs(t *testing.T, vm types.VMContext, config string) (bytes, objects uint64) {
	var before, after runtime.MemStats
	t.Run("start", func(t *testing.T) {
		runtime.GC()
		runtime.ReadMemStats(&before)
		harness(t, vm, config)
		runtime.ReadMemStats(&after)
	})
	return after.TotalAlloc - before.TotalAlloc, after.Mallocs - before.Mallocs
}

// A configuration-only update (Istio's pluginConfig path) restarts the plugin in the
// same VM. When the injection and redaction settings are unchanged, the restart reuses
// the compiled engines instead of allocating them again: the Go heap of a wasm VM never
// shrinks, so whatever a start allocates at its peak stays in the VM.
func TestRestartReusesCompiledEngines(t *testing.T) {
	vm := &keepVM{}
	fresh, freshObjs := startAllocs(t, vm, restartConfig("first restart phrase", 100))
	again, againObjs := startAllocs(t, vm, restartConfig("first restart phrase", 200))
	runtime.KeepAlive(vm)
	t.Logf("plugin start: %.2f MB in %d objects compiling the engines, %.3f MB in %d objects reusing them",
		float64(fresh)/1e6, freshObjs, float64(again)/1e6, againObjs)
	if again > 1<<20 {
		t.Errorf("a restart with unchanged engine settings allocated %.2f MB (a fresh start: %.2f MB); the engines were not reused",
			float64(again)/1e6, float64(fresh)/1e6)
	}
}

// A restart with changed injection settings must not reuse the old engine, and one with
// unchanged settings must behave exactly like a fresh start: natively and in the
// compiled wasm, whose VM serves every start of the test in turn.
func TestRestartAppliesNewEngineSettings(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		for _, step := range []struct {
			deny            string
			blocked, passed string
		}{
			{"alpha restart phrase", "alpha restart phrase", "beta restart phrase"},
			{"beta restart phrase", "beta restart phrase", "alpha restart phrase"},
			{"beta restart phrase", "beta restart phrase", "alpha restart phrase"}, // reused engine
		} {
			t.Run("", func(t *testing.T) {
				host := harness(t, vm, restartConfig(step.deny, 100))
				for _, c := range []struct {
					text   string
					status int
				}{{step.blocked, 403}, {step.passed, 0}} {
					body := `{"model":"m","messages":[{"role":"user","content":"please ` + c.text + ` now"}]}`
					id := host.InitializeHttpContext()
					host.CallOnRequestHeaders(id, headers("/v1/chat/completions", "application/json", len(body)), false)
					host.CallOnRequestBody(id, []byte(body), true)
					got := 0
					if r := host.GetSentLocalResponse(id); r != nil {
						got = int(r.StatusCode)
					}
					if got != c.status {
						t.Errorf("deny %q: %q answered %d locally, want %d (0: forwarded)", step.deny, c.text, got, c.status)
					}
				}
			})
		}
	})
}
