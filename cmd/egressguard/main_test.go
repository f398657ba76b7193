package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/egressguard/egressguard/internal/envoytest"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/proxytest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

var (
	vmOnce sync.Once
	vm     proxytest.WasmVMContext
	vmErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if vm != nil {
		_ = vm.Close()
	}
	os.Exit(code)
}

// wasmVM compiles build/egressguard.wasm once; without it the test is skipped (failed
// under CI, where `make test` builds it first).
func wasmVM(t *testing.T) proxytest.WasmVMContext {
	t.Helper()
	vmOnce.Do(func() {
		var b []byte
		if b, vmErr = os.ReadFile(envoytest.DefaultWasm()); vmErr == nil {
			vm, vmErr = proxytest.NewWasmVMContext(b)
		}
	})
	if vmErr != nil {
		if os.Getenv("CI") != "" || os.Getenv("E2E_REQUIRED") != "" {
			t.Fatalf("compiled plugin unavailable: %v", vmErr)
		}
		t.Skipf("compiled plugin not built (%v); run `make build`", vmErr)
	}
	return vm
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/egressguard -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (if the change is intended: go test ./cmd/egressguard -run %s -update)\n--- got ---\n%s\n--- want ---\n%s", p, t.Name(), got, want)
	}
}

func sections(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

func runDry(t *testing.T, opt dryrunOptions) string {
	t.Helper()
	var out bytes.Buffer
	if err := dryrun(wasmVM(t), opt, &out); err != nil {
		t.Fatalf("dryrun: %v\n%s", err, out.String())
	}
	return out.String()
}

func mistralConfig(t *testing.T) *loadedConfig {
	return &loadedConfig{JSON: readTestdata(t, "mistral.json"), Source: "testdata/mistral.json"}
}

// The golden files hold the request/response sections; logs and the audit record, whose wording
// other features extend, are checked loosely.
func TestDryrunInjectionBlocked(t *testing.T) {
	opt := dryrunOptions{
		Config: mistralConfig(t), Method: "POST", Path: "/v1/chat/completions",
		Body: readTestdata(t, "injection-request.json"), Sections: sections("request"),
	}
	got := runDry(t, opt)
	golden(t, "injection-request.golden", []byte(got))
	for _, want := range []string{"decision: BLOCKED 403 policy_violation/prompt_injection", "rules: ignore_instructions"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	opt.Sections = sections("logs")
	if logs := runDry(t, opt); !strings.Contains(logs, "[warn] egressguard:") || !strings.Contains(logs, "prompt_injection") {
		t.Errorf("logs section:\n%s", logs)
	}
}

func TestDryrunSSERedacted(t *testing.T) {
	for _, tc := range []struct {
		name  string
		chunk int
	}{{"per-event", 0}, {"7-byte-chunks", 7}} {
		t.Run(tc.name, func(t *testing.T) {
			opt := dryrunOptions{
				Config: mistralConfig(t), Method: "POST", Path: "/v1/chat/completions",
				Body: readTestdata(t, "chat-request.json"), SSE: readTestdata(t, "card-stream.sse"), Status: 200,
				Chunk: tc.chunk, Sections: sections("request", "response"),
			}
			got := runDry(t, opt)
			if tc.chunk == 0 {
				golden(t, "card-stream.golden", []byte(got))
			}
			if strings.Contains(got, "4111") || !strings.Contains(got, "[CREDIT_CARD]") {
				t.Errorf("card number not redacted:\n%s", got)
			}
			if !strings.Contains(got, `"max_tokens": 4096`) {
				t.Errorf("max_tokens not clamped:\n%s", got)
			}
		})
	}
}

func TestDryrunJSONResponseAndAuditSection(t *testing.T) {
	opt := dryrunOptions{
		Config: mistralConfig(t), Method: "POST", Path: "/v1/chat/completions",
		Body:     []byte(`{"model":"m","messages":[{"role":"user","content":"mail me"}]}`),
		Response: []byte(`{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Write to jane.doe@example.com"},"finish_reason":"stop"}]}`),
		Status:   200, Sections: sections(allSections...),
	}
	got := runDry(t, opt)
	for _, want := range []string{"== plugin ==", "plugin: started", "posture: injection=block", "[EMAIL_ADDRESS]", "== logs ==", "== audit ==",
		`"decision": "forwarded"`, `"reasons": [`, `"redaction:EMAIL_ADDRESS=1"`} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "jane.doe@example.com\"") {
		t.Errorf("email not redacted:\n%s", got)
	}
}

func TestDryrunBadConfigFailsToStart(t *testing.T) {
	var out bytes.Buffer
	err := dryrun(wasmVM(t), dryrunOptions{
		Config: &loadedConfig{JSON: []byte(`{"limits":{"max_body_bytess":1}}`), Source: "inline"},
		Method: "POST", Path: "/v1/chat/completions", Body: []byte(`{}`), Sections: sections(allSections...),
	}, &out)
	if code, ok := err.(exitError); !ok || code != 1 {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(out.String(), "FAILED TO START") || !strings.Contains(out.String(), "max_body_bytess") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestPlaceholderEnvKeys(t *testing.T) {
	in := []byte(`{"upstreams":[{"name":"m","auth":{"keys":[{"name":"primary","env":"MISTRAL_API_KEY"},{"env":"K2"},{"name":"dev","value":"x"}]}}],"limits":{"max_body_bytes":1048576}}`)
	out, notes := placeholderEnvKeys(in)
	if len(notes) != 2 || !strings.Contains(notes[0], "upstreams[0].auth.keys[0]") {
		t.Errorf("notes %q", notes)
	}
	var doc struct {
		Upstreams []struct {
			Auth struct {
				Keys []map[string]string `json:"keys"`
			} `json:"auth"`
		} `json:"upstreams"`
		Limits map[string]json.Number `json:"limits"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	keys := doc.Upstreams[0].Auth.Keys
	if keys[0]["env"] != "" || keys[0]["value"] != "dryrun-placeholder-MISTRAL_API_KEY" || keys[1]["name"] != "K2" || keys[2]["value"] != "x" {
		t.Errorf("keys %v", keys)
	}
	if doc.Limits["max_body_bytes"] != "1048576" {
		t.Errorf("numbers changed: %s", out)
	}
	if same, notes := placeholderEnvKeys([]byte(`{"env":"X"}`)); string(same) != `{"env":"X"}` || notes != nil {
		t.Errorf("env outside keys rewritten: %s", same)
	}
}

func TestLoadConfigForms(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		writeFile(t, p, []byte(s))
		return p
	}
	cases := map[string]string{
		write("a.json", `{"injection":{"action":"monitor"}}`): `{"injection":{"action":"monitor"}}`,
		write("b.yaml", "injection:\n  action: monitor\n"):    `{"injection":{"action":"monitor"}}`,
		write("c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\napiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: {name: g, namespace: ns}\nspec:\n  url: oci://r/x:1\n  pluginConfig:\n    injection: {action: monitor}\n"):                                                                                                                                             `{"injection":{"action":"monitor"}}`,
		write("d.yaml", "apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: g}\nspec:\n  configPatches:\n  - applyTo: EXTENSION_CONFIG\n    patch:\n      operation: ADD\n      value:\n        name: x\n        typed_config:\n          config:\n            vm_config: {vm_id: x}\n            configuration:\n              value: '{\"injection\":{\"action\":\"monitor\"}}'\n"): `{"injection":{"action":"monitor"}}`,
		write("e.json", ""): `{}`,
	}
	for p, want := range cases {
		lc, err := loadConfig(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if string(lc.JSON) != want {
			t.Errorf("%s: got %s (source %s), want %s", filepath.Base(p), lc.JSON, lc.Source, want)
		}
	}
	if _, err := loadConfig(write("f.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n")); err == nil {
		t.Error("a Service was accepted as a plugin configuration")
	}
}

func TestPostureCommand(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.json")
	writeFile(t, cfg, []byte(`{"injection":{"action":"monitor"}}`))
	var out, errb bytes.Buffer
	if code := run([]string{"posture", "-config", cfg}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "injection") || !strings.Contains(out.String(), "monitor") {
		t.Errorf("output:\n%s", out.String())
	}
	out.Reset()
	if code := run([]string{"posture", "-config", cfg, "-require", "redact-responses,injection-block"}, &out, &errb); code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "VIOLATION injection-block:") || strings.Contains(out.String(), "VIOLATION redact-responses") {
		t.Errorf("output:\n%s", out.String())
	}
	out.Reset()
	if code := run([]string{"posture", "-line", "-config", cfg}, &out, &errb); code != 0 || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("exit %d, -line output %q", code, out.String())
	}
	writeFile(t, cfg, []byte(`{"injection":{"action":"shout"}}`))
	errb.Reset()
	if code := run([]string{"posture", "-config", cfg}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "injection.action") {
		t.Errorf("invalid config: exit %d, stderr %s", code, errb.String())
	}
}

func TestValidateAndSchemaCommands(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	bad := filepath.Join(dir, "bad.json")
	writeFile(t, good, []byte(`{"api":{"other_paths":"deny"}}`))
	writeFile(t, bad, []byte(`{"api":{"other_path":"deny"}}`))
	var out, errb bytes.Buffer
	if code := run([]string{"validate", "-config", good}, &out, &errb); code != 0 {
		t.Errorf("good: exit %d\n%s", code, out.String())
	}
	out.Reset()
	if code := run([]string{"validate", "-config", bad}, &out, &errb); code != 1 || !strings.Contains(out.String(), "other_path") {
		t.Errorf("bad: exit %d\n%s", code, out.String())
	}
	out.Reset()
	if code := run([]string{"schema"}, &out, &errb); code != 0 || !json.Valid(out.Bytes()) {
		t.Errorf("schema: exit %d", code)
	}
	if code := run([]string{"nope"}, &out, &errb); code != 2 {
		t.Errorf("unknown command: exit %d", code)
	}
}

// The shipped Envoy bootstraps carry the plugin configuration in their wasm filter;
// validate reads it from there, and a bootstrap without one is an error.
func TestValidateEnvoyBootstrap(t *testing.T) {
	for _, f := range []string{"../../envoy.yaml", "../../envoy-mistral.yaml"} {
		var out, errb bytes.Buffer
		if code := run([]string{"validate", "-config", f}, &out, &errb); code != 0 || !strings.Contains(out.String(), "plugin: ok") {
			t.Errorf("%s: exit %d\n%s%s", f, code, out.String(), errb.String())
		}
		lc, err := loadConfig(f)
		if err != nil || !strings.HasSuffix(lc.Source, ": Envoy bootstrap") || !json.Valid(lc.JSON) {
			t.Errorf("%s: %v %+v", f, err, lc)
		}
	}
	plain := filepath.Join(t.TempDir(), "plain.yaml")
	writeFile(t, plain, []byte("static_resources:\n  listeners: []\n"))
	if _, err := loadConfig(plain); err == nil || !strings.Contains(err.Error(), "without a wasm filter") {
		t.Errorf("bootstrap without the filter: %v", err)
	}
}

func TestOCICommand(t *testing.T) {
	dir := t.TempDir()
	wasm := filepath.Join(dir, "p.wasm")
	writeFile(t, wasm, append([]byte{0, 'a', 's', 'm', 1, 0, 0, 0}, "payload"...))
	var out, errb bytes.Buffer
	args := []string{"oci", "-wasm", wasm, "-layout", filepath.Join(dir, "oci"), "-tar", filepath.Join(dir, "i.tar"), "-digest-file", filepath.Join(dir, "digest")}
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	d, _ := os.ReadFile(filepath.Join(dir, "digest"))
	if len(strings.TrimSpace(string(d))) != 64 || !strings.Contains(out.String(), "sha256: "+strings.TrimSpace(string(d))) {
		t.Errorf("digest file %q, output:\n%s", d, out.String())
	}
	for _, f := range []string{"oci/index.json", "oci/oci-layout", "i.tar"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
