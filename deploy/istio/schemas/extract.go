//go:build ignore

// extract vendors the OpenAPI v3 schemas of the Istio CRDs used under deploy/istio from
// istio.io/api's kubernetes/customresourcedefinitions.gen.yaml (fetched through the Go
// module proxy; no network at test time):
//
//	go run ./deploy/istio/schemas/extract.go -version v1.31.1
//
// It writes one <kind>.json per CRD: {"group", "kind", "istioApi", "versions": {"v1": schema, …}}
// (only v1 when the CRD serves it; the older networking versions share its schema).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"sigs.k8s.io/yaml"
)

var kinds = []string{"WasmPlugin", "EnvoyFilter", "ServiceEntry", "Gateway", "VirtualService", "DestinationRule", "Sidecar"}

func main() {
	version := flag.String("version", "v1.31.1", "istio.io/api module version")
	out := flag.String("o", "deploy/istio/schemas", "output directory")
	flag.Parse()
	dl, err := exec.Command("go", "mod", "download", "-json", "istio.io/api@"+*version).Output()
	check(err)
	var mod struct{ Dir, Version, Sum string }
	check(json.Unmarshal(dl, &mod))
	raw, err := os.ReadFile(filepath.Join(mod.Dir, "kubernetes", "customresourcedefinitions.gen.yaml"))
	check(err)
	found := map[string]bool{}
	for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(raw), -1) {
		var crd struct {
			Spec struct {
				Group string `json:"group"`
				Names struct {
					Kind string `json:"kind"`
				} `json:"names"`
				Versions []struct {
					Name   string `json:"name"`
					Served bool   `json:"served"`
					Schema struct {
						OpenAPIV3Schema json.RawMessage `json:"openAPIV3Schema"`
					} `json:"schema"`
				} `json:"versions"`
			} `json:"spec"`
		}
		if strings.TrimSpace(doc) == "" {
			continue
		}
		check(yaml.Unmarshal([]byte(doc), &crd))
		kind := crd.Spec.Names.Kind
		if !contains(kinds, kind) {
			continue
		}
		// Keep v1 when the CRD serves it (the other versions carry the same schema),
		// else every served version.
		versions := map[string]json.RawMessage{}
		for _, v := range crd.Spec.Versions {
			if v.Served {
				versions[v.Name] = v.Schema.OpenAPIV3Schema
			}
		}
		if v1, ok := versions["v1"]; ok {
			versions = map[string]json.RawMessage{"v1": v1}
		}
		b, err := json.MarshalIndent(map[string]any{
			"group":    crd.Spec.Group,
			"kind":     kind,
			"istioApi": "istio.io/api@" + mod.Version + " (" + mod.Sum + ") kubernetes/customresourcedefinitions.gen.yaml",
			"versions": versions,
		}, "", " ")
		check(err)
		check(os.WriteFile(filepath.Join(*out, strings.ToLower(kind)+".json"), append(b, '\n'), 0o644))
		found[kind] = true
	}
	for _, k := range kinds {
		if !found[k] {
			check(fmt.Errorf("CRD %s not found in istio.io/api@%s", k, *version))
		}
	}
}

func contains(l []string, s string) bool {
	for _, e := range l {
		if e == s {
			return true
		}
	}
	return false
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "extract:", err)
		os.Exit(1)
	}
}
