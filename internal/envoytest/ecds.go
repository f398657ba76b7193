package envoytest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// File-based ECDS (extension config discovery), the way Istio delivers a WasmPlugin:
// the listener's wasm filter names an extension config that Envoy reads from a watched
// file, and every rewrite of the file is a configuration update. A change of only the
// plugin configuration keeps the VM (same vm_id and code) and restarts the plugin.

// ecdsName is the extension config name of a listener's wasm filter.
func ecdsName(l Listener) string { return "egressguard-" + l.Name }

// ecdsPath is the file the listener's extension config is read from.
func ecdsPath(dir string, l Listener) string {
	return filepath.Join(dir, "ecds-"+l.Name, "config.json")
}

// ecdsFilter is the HTTP filter that takes its configuration from the ECDS file.
func ecdsFilter(l Listener, dir string) obj {
	p := ecdsPath(dir, l)
	return obj{
		"name": ecdsName(l),
		"config_discovery": obj{
			"config_source": obj{
				"resource_api_version": "V3",
				"path_config_source": obj{
					"path":              p,
					"watched_directory": obj{"path": filepath.Dir(p)},
				},
			},
			"type_urls": []any{"type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm"},
		},
	}
}

// writeECDS writes the discovery response carrying the listener's wasm filter with
// pluginConfig, atomically (a rename in the watched directory), as version.
func writeECDS(dir string, l Listener, o Options, pluginConfig string, version int) error {
	l.PluginConfig = pluginConfig
	resp := obj{
		"version_info": strconv.Itoa(version),
		"resources": []any{obj{
			"@type":        "type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig",
			"name":         ecdsName(l),
			"typed_config": wasmFilter(l, o)["typed_config"],
		}},
	}
	b, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	p := ecdsPath(dir, l)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// UpdatePluginConfig pushes a new plugin configuration to an ECDS listener (see
// Listener.ECDS) and returns the update's version; Envoy applies it asynchronously
// (wait with ECDSReloads).
func (e *Envoy) UpdatePluginConfig(listener, pluginConfig string) (int, error) {
	l, ok := e.ecds[listener]
	if !ok {
		return 0, fmt.Errorf("envoytest: listener %q does not use ECDS", listener)
	}
	e.ecdsVersion++
	return e.ecdsVersion, writeECDS(e.Dir, l, e.opts, pluginConfig, e.ecdsVersion)
}

// ECDSReloads returns how many extension configs Envoy has accepted from ECDS (the sum
// of the extension_config_discovery.*.config_reload counters).
func (e *Envoy) ECDSReloads() (int, error) {
	b, err := e.AdminGet("/stats?filter=^extension_config_discovery\\..*\\.config_reload$")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if _, v, ok := strings.Cut(line, ": "); ok {
			c, err := strconv.Atoi(strings.TrimSpace(v))
			if err == nil {
				n += c
			}
		}
	}
	return n, nil
}

// RSS returns Envoy's resident set size in bytes (VmRSS from /proc).
func (e *Envoy) RSS() (int64, error) {
	if e.cmd == nil || e.cmd.Process == nil {
		return 0, fmt.Errorf("envoytest: Envoy not running")
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", e.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("envoytest: no VmRSS in /proc/%d/status", e.cmd.Process.Pid)
}
