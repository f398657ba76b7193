// Package istio_test validates the manifests under deploy/istio offline: every object
// against the OpenAPI schema of its Istio CRD (vendored in schemas/, from istio.io/api),
// with unknown fields rejected as `kubectl apply --validate=strict` does; every plugin
// configuration with the plugin's own parser and JSON Schema; and the references
// between the objects.
package istio_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/schema"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"
)

// object is one Kubernetes manifest.
type object struct {
	File       string
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   map[string]any `json:"metadata"`
	Spec       map[string]any `json:"spec"`
	raw        map[string]any
}

func (o object) id() string {
	return filepath.Base(o.File) + ": " + o.Kind + " " + str(o.Metadata["namespace"]) + "/" + str(o.Metadata["name"])
}

func str(v any) string { s, _ := v.(string); return s }

var docSep = regexp.MustCompile(`(?m)^---\s*$`)

func loadObjects(t *testing.T) []object {
	t.Helper()
	files, _ := filepath.Glob("*.yaml")
	more, _ := filepath.Glob("sidecar/*.yaml")
	files = append(files, more...)
	if len(files) < 6 {
		t.Fatalf("found only %v", files)
	}
	var objs []object
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range docSep.Split(string(b), -1) {
			if strings.TrimSpace(stripComments(doc)) == "" {
				continue
			}
			j, err := yaml.YAMLToJSON([]byte(doc))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			var o object
			if err := json.Unmarshal(j, &o); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if err := json.Unmarshal(j, &o.raw); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			o.File = f
			objs = append(objs, o)
		}
	}
	return objs
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// crdSchemas maps "group/version Kind" to the compiled schema of spec.
func crdSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	files, _ := filepath.Glob("schemas/*.json")
	out := map[string]*jsonschema.Schema{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var crd struct {
			Group    string                    `json:"group"`
			Kind     string                    `json:"kind"`
			Versions map[string]map[string]any `json:"versions"`
		}
		if err := json.Unmarshal(b, &crd); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for v, s := range crd.Versions {
			spec, _ := s["properties"].(map[string]any)["spec"].(map[string]any)
			if spec == nil {
				t.Fatalf("%s %s: no spec schema", f, v)
			}
			strict(spec)
			c := jsonschema.NewCompiler()
			url := "file:///" + crd.Kind + "/" + v + ".json"
			if err := c.AddResource(url, spec); err != nil {
				t.Fatal(err)
			}
			sch, err := c.Compile(url)
			if err != nil {
				t.Fatalf("%s %s: %v", f, v, err)
			}
			out[crd.Group+"/"+v+" "+crd.Kind] = sch
		}
	}
	if len(out) < 7 {
		t.Fatalf("only %d CRD schemas in schemas/", len(out))
	}
	return out
}

// strict turns a structural Kubernetes schema into a JSON Schema that, like the API
// server's strict field validation, rejects unknown fields, and that understands
// nullable.
func strict(v any) {
	switch s := v.(type) {
	case map[string]any:
		if _, ok := s["properties"]; ok {
			_, keep := s["x-kubernetes-preserve-unknown-fields"]
			_, has := s["additionalProperties"]
			if !keep && !has {
				s["additionalProperties"] = false
			}
		}
		if s["nullable"] == true {
			if ty, ok := s["type"].(string); ok {
				s["type"] = []any{ty, "null"}
			}
		}
		for k, e := range s {
			if k == "enum" || k == "x-kubernetes-validations" {
				continue
			}
			strict(e)
		}
	case []any:
		for _, e := range s {
			strict(e)
		}
	}
}

func TestManifestsMatchCRDSchemas(t *testing.T) {
	schemas := crdSchemas(t)
	for _, o := range loadObjects(t) {
		sch, ok := schemas[o.APIVersion+" "+o.Kind]
		if !ok {
			t.Errorf("%s: no vendored CRD schema for %s %s (add the kind to schemas/extract.go)", o.id(), o.APIVersion, o.Kind)
			continue
		}
		if str(o.Metadata["name"]) == "" || str(o.Metadata["namespace"]) == "" {
			t.Errorf("%s: metadata.name and metadata.namespace are required here", o.id())
		}
		for k := range o.raw {
			if k != "apiVersion" && k != "kind" && k != "metadata" && k != "spec" {
				t.Errorf("%s: unexpected top-level field %q", o.id(), k)
			}
		}
		spec, _ := json.Marshal(o.Spec)
		inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(spec))
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s: %v", o.id(), err)
		}
	}
}

// The schema conversion really rejects mistakes (guards against a vacuous test).
func TestCRDSchemasRejectMistakes(t *testing.T) {
	schemas := crdSchemas(t)
	for _, c := range [][2]string{
		{"extensions.istio.io/v1alpha1 WasmPlugin", `{"url":"oci://x/y:1","failStrategy":"FAIL_CLOSED"}`},
		{"extensions.istio.io/v1alpha1 WasmPlugin", `{"url":"oci://x/y:1","vmConfig":{"env":[{"name":"K","valueFrom":"SECRET"}]}}`},
		{"extensions.istio.io/v1alpha1 WasmPlugin", `{"url":"oci://x/y:1","pluginconfig":{}}`},
		{"extensions.istio.io/v1alpha1 WasmPlugin", `{"url":"oci://x/y:1","sha256":"sha256:abc"}`},
		{"extensions.istio.io/v1alpha1 WasmPlugin", `{"sha256":""}`},
		{"networking.istio.io/v1alpha3 EnvoyFilter", `{"configPatches":[{"applyTo":"HTTP_FILTERS"}]}`},
		{"networking.istio.io/v1 DestinationRule", `{"host":"a","trafficPolicy":{"tls":{"mode":"SIMPLE","snii":"a"}}}`},
		{"networking.istio.io/v1 Sidecar", `{"outboundTrafficPolicy":{"mode":"REGISTRY_ONLYY"}}`},
	} {
		key, spec := c[0], c[1]
		sch := schemas[key]
		inst, _ := jsonschema.UnmarshalJSON(strings.NewReader(spec))
		if err := sch.Validate(inst); err == nil {
			t.Errorf("%s accepted %s", key, spec)
		}
	}
}

// pluginConfigs returns each manifest's plugin configuration JSON by object.
func pluginConfigs(t *testing.T, objs []object) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, o := range objs {
		switch o.Kind {
		case "WasmPlugin":
			b, _ := json.Marshal(o.Spec["pluginConfig"])
			out[o.id()] = b
		case "EnvoyFilter":
			w := wasmFilterConfig(o)
			if w == nil {
				t.Errorf("%s: no wasm filter configuration", o.id())
				continue
			}
			out[o.id()] = []byte(str(w["configuration"].(map[string]any)["value"]))
		}
	}
	return out
}

// wasmFilterConfig is the envoy.extensions.wasm.v3.PluginConfig in an EnvoyFilter.
func wasmFilterConfig(o object) map[string]any {
	for _, p := range o.Spec["configPatches"].([]any) {
		v, _ := p.(map[string]any)["patch"].(map[string]any)["value"].(map[string]any)
		tc, _ := v["typed_config"].(map[string]any)
		if tc["@type"] == "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm" {
			c, _ := tc["config"].(map[string]any)
			return c
		}
	}
	return nil
}

func TestPluginConfigsParse(t *testing.T) {
	objs := loadObjects(t)
	cfgs := pluginConfigs(t, objs)
	if len(cfgs) < 4 {
		t.Fatalf("found %d plugin configurations", len(cfgs))
	}
	for id, b := range cfgs {
		if _, err := config.Parse(b); err != nil {
			t.Errorf("%s: config.Parse: %v", id, err)
		}
		if err := schema.Validate(b); err != nil {
			t.Errorf("%s: configuration schema: %v", id, err)
		}
	}
	// Each directory's WasmPlugin and EnvoyFilter carry the same configuration, except
	// that the EnvoyFilter (which sets allow_on_headers_stop_iteration) tells the guard
	// so, and the WasmPlugin (which cannot) does not.
	byDir := map[string][]any{}
	for _, o := range objs {
		if b, ok := cfgs[o.id()]; ok {
			var v map[string]any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatal(err)
			}
			envoy, _ := v["envoy"].(map[string]any)
			if hold := envoy["allow_on_headers_stop_iteration"] == true; hold != (o.Kind == "EnvoyFilter") {
				t.Errorf("%s: envoy.allow_on_headers_stop_iteration is %v; want it exactly on the EnvoyFilter variants", o.id(), hold)
			}
			delete(v, "envoy")
			byDir[filepath.Dir(o.File)] = append(byDir[filepath.Dir(o.File)], v)
		}
	}
	for dir, vs := range byDir {
		for _, v := range vs[1:] {
			if !reflect.DeepEqual(v, vs[0]) {
				t.Errorf("%s: the WasmPlugin and EnvoyFilter plugin configurations differ", dir)
			}
		}
	}
}

var sha256Hex = regexp.MustCompile(`^[a-f0-9]{64}$`)

func TestWasmSettings(t *testing.T) {
	for _, o := range loadObjects(t) {
		switch o.Kind {
		case "WasmPlugin":
			s := o.Spec
			if !strings.HasPrefix(str(s["url"]), "oci://") || !sha256Hex.MatchString(str(s["sha256"])) {
				t.Errorf("%s: want an oci:// url pinned by sha256", o.id())
			}
			if s["failStrategy"] != "FAIL_CLOSE" {
				t.Errorf("%s: failStrategy must be FAIL_CLOSE", o.id())
			}
			if _, sel := s["selector"]; sel && (s["targetRef"] != nil || s["targetRefs"] != nil) {
				t.Errorf("%s: only one of selector and targetRef(s)", o.id()) // a CEL rule in the CRD
			}
			for _, e := range s["vmConfig"].(map[string]any)["env"].([]any) {
				e := e.(map[string]any)
				if e["valueFrom"] != "HOST" || e["value"] != nil {
					t.Errorf("%s: env %v: keys come from the host environment, never inline", o.id(), e["name"])
				}
			}
		case "EnvoyFilter":
			c := wasmFilterConfig(o)
			if c["allow_on_headers_stop_iteration"] != true {
				t.Errorf("%s: allow_on_headers_stop_iteration must be true", o.id())
			}
			if c["fail_open"] == true {
				t.Errorf("%s: fail_open must be false", o.id())
			}
			vm := c["vm_config"].(map[string]any)
			remote := vm["code"].(map[string]any)["remote"].(map[string]any)
			if !strings.HasPrefix(str(remote["http_uri"].(map[string]any)["uri"]), "oci://") || !sha256Hex.MatchString(str(remote["sha256"])) {
				t.Errorf("%s: want an oci:// uri pinned by sha256", o.id())
			}
			if vm["runtime"] != "envoy.wasm.runtime.v8" || vm["vm_id"] != "egressguard" {
				t.Errorf("%s: runtime %v vm_id %v", o.id(), vm["runtime"], vm["vm_id"])
			}
			ev := vm["environment_variables"].(map[string]any)
			if _, inline := ev["key_values"]; inline {
				t.Errorf("%s: key_values would put keys in config dumps; use host_env_keys", o.id())
			}
			// The HTTP filter references the extension config by name.
			var names []string
			for _, p := range o.Spec["configPatches"].([]any) {
				v, _ := p.(map[string]any)["patch"].(map[string]any)["value"].(map[string]any)
				names = append(names, str(v["name"]))
			}
			if len(names) < 2 || names[0] == "" || names[0] != names[1] {
				t.Errorf("%s: extension config and HTTP filter names %v must match", o.id(), names)
			}
		}
	}
}

// VirtualService routes point at gateways and subsets that exist, and the WasmPlugin /
// EnvoyFilter select the gateway pods the Gateway runs on.
func TestReferences(t *testing.T) {
	objs := loadObjects(t)
	gateways := map[string]map[string]any{}
	subsets := map[string]bool{}
	for _, o := range objs {
		switch o.Kind {
		case "Gateway":
			gateways[str(o.Metadata["namespace"])+"/"+str(o.Metadata["name"])] = o.Spec["selector"].(map[string]any)
		case "DestinationRule":
			for _, s := range asList(o.Spec["subsets"]) {
				subsets[str(o.Spec["host"])+"#"+str(s.(map[string]any)["name"])] = true
			}
		}
	}
	for _, o := range objs {
		switch o.Kind {
		case "VirtualService":
			for _, g := range asList(o.Spec["gateways"]) {
				if g != "mesh" && gateways[str(g)] == nil {
					t.Errorf("%s: gateway %v does not exist", o.id(), g)
				}
			}
			for _, h := range asList(o.Spec["http"]) {
				for _, r := range asList(h.(map[string]any)["route"]) {
					d := r.(map[string]any)["destination"].(map[string]any)
					if s := str(d["subset"]); s != "" && !subsets[str(d["host"])+"#"+s] {
						t.Errorf("%s: subset %s of %s is not defined by a DestinationRule", o.id(), s, d["host"])
					}
				}
			}
		case "WasmPlugin", "EnvoyFilter":
			if filepath.Dir(o.File) != "." {
				continue
			}
			var labels any
			if o.Kind == "WasmPlugin" {
				labels = o.Spec["selector"].(map[string]any)["matchLabels"]
			} else {
				labels = o.Spec["workloadSelector"].(map[string]any)["labels"]
			}
			for id, sel := range gateways {
				if !reflect.DeepEqual(labels, sel) {
					t.Errorf("%s selects %v, gateway %s runs on %v", o.id(), labels, id, sel)
				}
			}
		}
	}
}

func asList(v any) []any { l, _ := v.([]any); return l }

// Envoy itself accepts the wasm filter of envoyfilter.yaml (with the code pointed at
// the local build, as istio-agent does after pulling the image): the field names,
// allow_on_headers_stop_iteration included, exist in this Envoy's API.
func TestEnvoyAcceptsWasmFilterConfig(t *testing.T) {
	envoy := os.Getenv("ENVOY_BIN")
	if envoy == "" {
		envoy = filepath.Join("..", "..", ".venv", "bin", "envoy")
	}
	if _, err := os.Stat(envoy); err != nil {
		if os.Getenv("E2E_REQUIRED") != "" {
			t.Fatalf("envoy binary unavailable: %v", err)
		}
		t.Skipf("no envoy binary (%v); run `make envoy`", err)
	}
	wasm, _ := filepath.Abs(filepath.Join("..", "..", "build", "egressguard.wasm"))
	if p := os.Getenv("GUARD_WASM"); p != "" {
		wasm = p
	}
	var filter map[string]any
	for _, o := range loadObjects(t) {
		if o.Kind == "EnvoyFilter" && filepath.Dir(o.File) == "." {
			filter = wasmFilterConfig(o)
		}
	}
	vm := filter["vm_config"].(map[string]any)
	vm["code"] = map[string]any{"local": map[string]any{"filename": wasm}}
	bootstrap := map[string]any{
		"static_resources": map[string]any{
			"listeners": []any{map[string]any{
				"name":                              "egress",
				"per_connection_buffer_limit_bytes": 4194304,
				"address":                           map[string]any{"socket_address": map[string]any{"address": "127.0.0.1", "port_value": 0}},
				"filter_chains": []any{map[string]any{"filters": []any{map[string]any{
					"name": "envoy.filters.network.http_connection_manager",
					"typed_config": map[string]any{
						"@type":        "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
						"stat_prefix":  "egress",
						"route_config": map[string]any{"virtual_hosts": []any{map[string]any{"name": "all", "domains": []any{"*"}, "routes": []any{map[string]any{"match": map[string]any{"prefix": "/"}, "route": map[string]any{"cluster": "upstream"}}}}}},
						"http_filters": []any{
							map[string]any{"name": "istio-system.egressguard", "typed_config": map[string]any{"@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm", "config": filter}},
							map[string]any{"name": "envoy.filters.http.router", "typed_config": map[string]any{"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}},
						},
					},
				}}}},
			}},
			"clusters": []any{map[string]any{"name": "upstream", "type": "STATIC", "load_assignment": map[string]any{"cluster_name": "upstream",
				"endpoints": []any{map[string]any{"lb_endpoints": []any{map[string]any{"endpoint": map[string]any{"address": map[string]any{"socket_address": map[string]any{"address": "127.0.0.1", "port_value": 9}}}}}}}}}},
		},
	}
	b, _ := json.Marshal(bootstrap)
	cfg := filepath.Join(t.TempDir(), "bootstrap.json")
	if err := os.WriteFile(cfg, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(envoy, "--mode", "validate", "-c", cfg, "--log-level", "error")
	// The keys the manifests read from the istio-proxy environment (host_env_keys).
	cmd.Env = append(os.Environ(), "MISTRAL_API_KEY=validate-dummy", "OPENAI_API_KEY=validate-dummy")
	out, err := cmd.CombinedOutput()
	if err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		sort.Strings(lines)
		t.Fatalf("envoy --mode validate: %v\n%s", err, out)
	}
}
