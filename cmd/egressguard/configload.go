package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/egressguard/egressguard/internal/config"
	"sigs.k8s.io/yaml"
)

// loadedConfig is a plugin configuration and where it came from.
type loadedConfig struct {
	JSON   []byte // the plugin configuration document, as the plugin receives it
	Source string // e.g. "cfg.json" or "deploy/istio/wasmplugin.yaml: WasmPlugin istio-system/egressguard"
}

var docSeparator = regexp.MustCompile(`(?m)^---\s*$`)

// loadConfig reads a plugin configuration: a JSON document, or a YAML/JSON document
// holding one (the first WasmPlugin, EnvoyFilter wasm filter or, in an Envoy bootstrap
// such as envoy.yaml, wasm filter in the file).
func loadConfig(path string) (*loadedConfig, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 {
		return &loadedConfig{JSON: []byte("{}"), Source: path + " (empty: all defaults)"}, nil
	}
	if trimmed[0] == '{' && json.Valid(trimmed) {
		var probe struct {
			Kind string `json:"kind"`
		}
		_ = json.Unmarshal(trimmed, &probe)
		if probe.Kind == "" {
			return &loadedConfig{JSON: trimmed, Source: path}, nil
		}
	}
	for _, doc := range docSeparator.Split(string(raw), -1) {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		j, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		var m map[string]any
		if err := json.Unmarshal(j, &m); err != nil || m == nil {
			continue
		}
		kind, _ := m["kind"].(string)
		meta, _ := m["metadata"].(map[string]any)
		id := fmt.Sprintf("%s %v/%v", kind, meta["namespace"], meta["name"])
		switch kind {
		case "":
			if _, ok := m["static_resources"]; ok {
				if v, ok := findWasmConfiguration(m); ok {
					return &loadedConfig{JSON: []byte(v), Source: path + ": Envoy bootstrap"}, nil
				}
				return nil, fmt.Errorf("%s: an Envoy bootstrap without a wasm filter", path)
			}
			return &loadedConfig{JSON: j, Source: path + " (YAML)"}, nil
		case "WasmPlugin":
			spec, _ := m["spec"].(map[string]any)
			pc, ok := spec["pluginConfig"]
			if !ok {
				return &loadedConfig{JSON: []byte("{}"), Source: path + ": " + id + " (no pluginConfig: all defaults)"}, nil
			}
			b, err := json.Marshal(pc)
			if err != nil {
				return nil, err
			}
			return &loadedConfig{JSON: b, Source: path + ": " + id}, nil
		case "EnvoyFilter":
			if v, ok := findWasmConfiguration(m); ok {
				return &loadedConfig{JSON: []byte(v), Source: path + ": " + id}, nil
			}
		}
	}
	return nil, fmt.Errorf("%s: no plugin configuration found (expected a JSON configuration, a WasmPlugin, an EnvoyFilter with a wasm filter or an Envoy bootstrap with one)", path)
}

// findWasmConfiguration finds a wasm PluginConfig (an object with vm_config) and
// returns its configuration StringValue.
func findWasmConfiguration(v any) (string, bool) {
	switch t := v.(type) {
	case map[string]any:
		if _, ok := t["vm_config"]; ok {
			if c, ok := t["configuration"].(map[string]any); ok {
				if s, ok := c["value"].(string); ok {
					return s, true
				}
			}
			if _, ok := t["configuration"]; !ok {
				return "{}", true
			}
		}
		for _, k := range sortedKeys(t) {
			if s, ok := findWasmConfiguration(t[k]); ok {
				return s, true
			}
		}
	case []any:
		for _, e := range t {
			if s, ok := findWasmConfiguration(e); ok {
				return s, true
			}
		}
	}
	return "", false
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

// parseConfig loads and parses a configuration with the plugin's own strict parser.
func parseConfig(path string) (*loadedConfig, *config.Config, error) {
	lc, err := loadConfig(path)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := config.Parse(lc.JSON)
	if err != nil {
		return lc, nil, fmt.Errorf("%s: invalid configuration: %v", lc.Source, err)
	}
	return lc, cfg, nil
}

func parseConfigJSON(b []byte) (*config.Config, error) { return config.Parse(b) }
