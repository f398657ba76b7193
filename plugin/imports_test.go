package main

import (
	"encoding/binary"
	"errors"
	"os"
	"sort"
	"testing"

	"github.com/egressguard/egressguard/internal/envoytest"
)

// wasiEverywhere are the WASI functions every supported Envoy provides: the set
// proxy-wasm-cpp-host registered before it added the rest of WASI preview 1 (Envoy
// 1.39); Envoy 1.36-1.38 refuse a module that imports anything else ("Failed to load
// Wasm module due to a missing import"). path_open is provided but the guard reads no
// file, so it is left out: a new file access would show up here.
var wasiEverywhere = map[string]bool{
	"fd_write": true, "fd_read": true, "fd_seek": true, "fd_close": true, "fd_fdstat_get": true,
	"fd_fdstat_set_flags": true, "environ_get": true, "environ_sizes_get": true, "args_get": true,
	"args_sizes_get": true, "clock_time_get": true, "random_get": true, "sched_yield": true,
	"poll_oneoff": true, "proc_exit": true, "fd_prestat_get": true, "fd_prestat_dir_name": true,
}

// proxyWasmABI are the host functions of the Proxy-Wasm ABI 0.2.1 that every supported
// Envoy implements.
var proxyWasmABI = map[string]bool{
	"proxy_log": true, "proxy_get_log_level": true, "proxy_set_tick_period_milliseconds": true,
	"proxy_get_current_time_nanoseconds": true, "proxy_get_property": true, "proxy_set_property": true,
	"proxy_continue_stream": true, "proxy_close_stream": true, "proxy_send_local_response": true,
	"proxy_get_header_map_value": true, "proxy_get_header_map_pairs": true, "proxy_get_header_map_size": true,
	"proxy_add_header_map_value": true, "proxy_replace_header_map_value": true,
	"proxy_remove_header_map_value": true, "proxy_set_header_map_pairs": true,
	"proxy_get_buffer_bytes": true, "proxy_set_buffer_bytes": true, "proxy_get_buffer_status": true,
	"proxy_http_call": true, "proxy_grpc_call": true, "proxy_grpc_stream": true, "proxy_grpc_send": true,
	"proxy_grpc_cancel": true, "proxy_grpc_close": true, "proxy_get_shared_data": true,
	"proxy_set_shared_data": true, "proxy_register_shared_queue": true, "proxy_resolve_shared_queue": true,
	"proxy_enqueue_shared_queue": true, "proxy_dequeue_shared_queue": true, "proxy_define_metric": true,
	"proxy_increment_metric": true, "proxy_record_metric": true, "proxy_get_metric": true,
	"proxy_set_effective_context": true, "proxy_done": true, "proxy_call_foreign_function": true,
}

// TestModuleImportsLoadEverywhere lists the compiled modules' imported functions and
// fails on any outside the sets above.
func TestModuleImportsLoadEverywhere(t *testing.T) {
	for _, path := range []string{envoytest.DefaultWasm(), envoytest.TestHooksWasm()} {
		b, err := os.ReadFile(path)
		if err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("compiled plugin unavailable under CI: %v", err)
			}
			t.Skipf("compiled plugin not built (%v); run `make build`", err)
		}
		imports, err := functionImports(b)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var bad []string
		for _, imp := range imports {
			switch {
			case imp[0] == "wasi_snapshot_preview1" && wasiEverywhere[imp[1]]:
			case imp[0] == "env" && proxyWasmABI[imp[1]]:
			default:
				bad = append(bad, imp[0]+"."+imp[1])
			}
		}
		sort.Strings(bad)
		if len(bad) > 0 {
			t.Errorf("%s imports functions some supported Envoy lacks: %v", path, bad)
		}
		if len(imports) < 10 {
			t.Errorf("%s: only %d imports listed; the listing is broken", path, len(imports))
		}
	}
}

// functionImports reads the (module, name) of every imported function from a wasm
// binary's import section.
func functionImports(b []byte) ([][2]string, error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, errors.New("not a wasm module")
	}
	r := &wasmReader{b: b[8:]}
	for len(r.b) > 0 {
		id, size := r.byte(), int(r.uleb())
		if r.err != nil || size > len(r.b) {
			return nil, errors.New("truncated section")
		}
		sec := &wasmReader{b: r.b[:size]}
		r.b = r.b[size:]
		if id != 2 {
			continue
		}
		var out [][2]string
		for n := sec.uleb(); n > 0 && sec.err == nil; n-- {
			mod, name := sec.name(), sec.name()
			switch kind := sec.byte(); kind {
			case 0: // function: type index
				sec.uleb()
				out = append(out, [2]string{mod, name})
			case 1: // table: reftype, limits
				sec.byte()
				sec.limits()
			case 2: // memory: limits
				sec.limits()
			case 3: // global: valtype, mutability
				sec.byte()
				sec.byte()
			default:
				return nil, errors.New("unknown import kind")
			}
		}
		return out, sec.err
	}
	return nil, errors.New("no import section")
}

type wasmReader struct {
	b   []byte
	err error
}

func (r *wasmReader) byte() byte {
	if len(r.b) == 0 {
		r.err = errors.New("truncated")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *wasmReader) uleb() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errors.New("bad LEB128")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *wasmReader) name() string {
	n := int(r.uleb())
	if n > len(r.b) {
		r.err = errors.New("truncated name")
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *wasmReader) limits() {
	if r.byte()&1 == 1 {
		r.uleb()
	}
	r.uleb()
}
