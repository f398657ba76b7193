package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// Proxy-wasm ABI 0.2.x constants (as Envoy and the Go SDK use them).
const (
	statusOK          = 0
	statusNotFound    = 1
	statusBadArgument = 2
	statusCasMismatch = 8
	statusUnimpl      = 12

	mapRequestHeaders  = 0
	mapResponseHeaders = 2

	bufRequestBody   = 0
	bufResponseBody  = 1
	bufVMConfig      = 6
	bufPluginConfig  = 7
	bufHTTPCallBody  = 4
	actionContinue   = 0
	actionPause      = 1
	logLevelCritical = 5
)

// importStat counts one host import's calls and the bytes it moved across the VM boundary.
type importStat struct {
	Calls int `json:"calls"`
	// In: bytes the host read from guest memory (keys, values, bodies, log lines).
	In int `json:"bytes_guest_to_host"`
	// Out: bytes the host copied into guest memory (values, bodies, headers).
	Out int `json:"bytes_host_to_guest"`
}

// host is a minimal proxy-wasm host in the shape of Envoy's: one HTTP stream at a time,
// header maps, body buffers with Envoy's buffering semantics, shared data, metrics,
// properties. Every env import call is counted per phase.
type host struct {
	mod   api.Module
	alloc api.Function

	phase  string
	counts map[string]map[string]*importStat // phase → import → stat

	vmConfig, pluginConfig []byte
	properties             map[string][]byte

	// The current stream.
	reqHeaders, respHeaders [][2]string
	reqBody, respBody       []byte
	local                   *localReply
	logs                    []string

	shared     map[string]sharedEntry
	metricName []string
	metricVal  []uint64
	tickMS     uint32
	unknown    map[string]int
}

type sharedEntry struct {
	v   []byte
	cas uint32
}

type localReply struct {
	status  uint32
	body    string
	headers [][2]string
}

func newHost() *host {
	return &host{counts: map[string]map[string]*importStat{}, properties: map[string][]byte{},
		shared: map[string]sharedEntry{}, unknown: map[string]int{}}
}

func (h *host) stat(name string) *importStat {
	m := h.counts[h.phase]
	if m == nil {
		m = map[string]*importStat{}
		h.counts[h.phase] = m
	}
	s := m[name]
	if s == nil {
		s = &importStat{}
		m[name] = s
	}
	return s
}

// read copies guest memory (counted as guest → host bytes of the current import).
func (h *host) read(s *importStat, ptr, size uint32) []byte {
	if size == 0 {
		return nil
	}
	b, ok := h.mod.Memory().Read(ptr, size)
	if !ok {
		panic(fmt.Sprintf("guest memory read out of range: %d+%d", ptr, size))
	}
	s.In += int(size)
	return append([]byte(nil), b...)
}

// give allocates guest memory with proxy_on_memory_allocate, copies b there and writes
// its address and size to the guest's return pointers, as Envoy does.
func (h *host) give(ctx context.Context, s *importStat, b []byte, retPtr, retSize uint32) {
	var p uint32
	if len(b) > 0 {
		res, err := h.alloc.Call(ctx, uint64(len(b)))
		if err != nil {
			panic(err)
		}
		p = uint32(res[0])
		if !h.mod.Memory().Write(p, b) {
			panic("guest memory write out of range")
		}
		s.Out += len(b)
	}
	h.mod.Memory().WriteUint32Le(retPtr, p)
	h.mod.Memory().WriteUint32Le(retSize, uint32(len(b)))
}

func (h *host) headerMap(t uint32) *[][2]string {
	switch t {
	case mapRequestHeaders:
		return &h.reqHeaders
	case mapResponseHeaders:
		return &h.respHeaders
	}
	return nil
}

func (h *host) buffer(t uint32) *[]byte {
	switch t {
	case bufRequestBody:
		return &h.reqBody
	case bufResponseBody:
		return &h.respBody
	case bufVMConfig:
		return &h.vmConfig
	case bufPluginConfig:
		return &h.pluginConfig
	}
	return nil
}

// serializeMap is the proxy-wasm header map encoding: count, (key len, value len)…,
// then each key and value NUL-terminated.
func serializeMap(m [][2]string) []byte {
	size := 4
	for _, kv := range m {
		size += len(kv[0]) + len(kv[1]) + 10
	}
	b := make([]byte, 4, size)
	binary.LittleEndian.PutUint32(b, uint32(len(m)))
	for _, kv := range m {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(kv[0])))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(kv[1])))
	}
	for _, kv := range m {
		b = append(append(append(append(b, kv[0]...), 0), kv[1]...), 0)
	}
	return b
}

func deserializeMap(b []byte) [][2]string {
	if len(b) < 4 {
		return nil
	}
	n := int(binary.LittleEndian.Uint32(b))
	sizes, data := 4, 4+8*n
	out := make([][2]string, 0, n)
	for range n {
		kl := int(binary.LittleEndian.Uint32(b[sizes:]))
		vl := int(binary.LittleEndian.Uint32(b[sizes+4:]))
		sizes += 8
		k := string(b[data : data+kl])
		data += kl + 1
		v := string(b[data : data+vl])
		data += vl + 1
		out = append(out, [2]string{k, v})
	}
	return out
}

func get(m [][2]string, k string) (string, bool) {
	for _, kv := range m {
		if strings.EqualFold(kv[0], k) {
			return kv[1], true
		}
	}
	return "", false
}

func set(m *[][2]string, k, v string) {
	del(m, k)
	*m = append(*m, [2]string{strings.ToLower(k), v})
}

func del(m *[][2]string, k string) {
	out := (*m)[:0]
	for _, kv := range *m {
		if !strings.EqualFold(kv[0], k) {
			out = append(out, kv)
		}
	}
	*m = out
}

// setBuffer applies proxy_set_buffer_bytes with Envoy's semantics: start 0 and a length
// covering the buffer replaces it, length 0 at 0 prepends, a start past the end appends.
func setBuffer(buf *[]byte, start, length uint32, data []byte) {
	b := *buf
	switch {
	case start == 0 && int(length) >= len(b):
		*buf = append([]byte(nil), data...)
	case int(start) >= len(b):
		*buf = append(b, data...)
	default:
		end := min(len(b), int(start)+int(length))
		nb := append([]byte(nil), b[:start]...)
		nb = append(nb, data...)
		*buf = append(nb, b[end:]...)
	}
}

// hostFunc implements one env import; stack holds the parameters and receives the result.
type hostFunc func(ctx context.Context, h *host, s *importStat, p []uint64) uint32

var hostFuncs = map[string]hostFunc{
	"proxy_log": func(_ context.Context, h *host, s *importStat, p []uint64) uint32 {
		msg := h.read(s, uint32(p[1]), uint32(p[2]))
		if len(h.logs) < 64 {
			h.logs = append(h.logs, fmt.Sprintf("[%d] %s", p[0], msg))
		}
		return statusOK
	},
	"proxy_get_log_level": func(_ context.Context, h *host, s *importStat, p []uint64) uint32 {
		h.mod.Memory().WriteUint32Le(uint32(p[0]), 2) // info
		return statusOK
	},
	"proxy_get_property": func(ctx context.Context, h *host, s *importStat, p []uint64) uint32 {
		path := h.read(s, uint32(p[0]), uint32(p[1]))
		v, ok := h.properties[string(path)]
		if !ok {
			return statusNotFound
		}
		h.give(ctx, s, v, uint32(p[2]), uint32(p[3]))
		return statusOK
	},
	"proxy_set_property": func(_ context.Context, h *host, s *importStat, p []uint64) uint32 {
		path := h.read(s, uint32(p[0]), uint32(p[1]))
		h.properties[string(path)] = h.read(s, uint32(p[2]), uint32(p[3]))
		return statusOK
	},
	"proxy_get_buffer_bytes": func(ctx context.Context, h *host, s *importStat, p []uint64) uint32 {
		buf := h.buffer(uint32(p[0]))
		if buf == nil {
			return statusNotFound
		}
		start, n := int(uint32(p[1])), int(uint32(p[2]))
		if start > len(*buf) {
			return statusBadArgument
		}
		end := min(len(*buf), start+n)
		h.give(ctx, s, (*buf)[start:end], uint32(p[3]), uint32(p[4]))
		return statusOK
	},
	"proxy_set_buffer_bytes": func(_ context.Context, h *host, s *importStat, p []uint64) uint32 {
		buf := h.buffer(uint32(p[0]))
		if buf == nil {
			return statusNotFound
		}
		setBuffer(buf, uint32(p[1]), uint32(p[2]), h.read(s, uint32(p[3]), uint32(p[4])))
		return statusOK
	},
	"proxy_get_header_map_pairs": func(ctx context.Context, h *host, s *importStat, p []uint64) uint32 {
		m := h.headerMap(uint32(p[0]))
		if m == nil {
			return statusNotFound
		}
		h.give(ctx, s, serializeMap(*m), uint32(p[1]), uint32(p[2]))
		return statusOK
	},
	"proxy_set_header_map_pairs": func(_ context.Context, h *host, s *importStat, p []uint64) uint32 {
		m := h.headerMap(uint32(p[0]))
		if m == nil {
			return statusNotFound
		}
		*m = deserializeMap(h.read(s, uint32(p[1]), uint32(p[2])))
		return statusOK
	},
	"proxy_get_header_map_value": func(ctx context.Context, h *host, s *importStat, p []uint64) uint32 {
		m := h.headerMap(uint32(p[0]))
		if m == nil {
			return statusNotFound
		}
		v, ok := get(*m, string(h.read(s, uint32(p[1]), uint32(p[2]))))
		if !ok {
			return statusNotFound
		}
		h.give(ctx, s, []byte(v), uint32(p[3]), uint32(p[4]))
		return statusOK
	},
	"proxy_replace_header_map_value": func(_ context.Context, h *host, s *importStat, p []uint64) uint32 {
		m := h.headerMap(uint32(p[0]))
		if m == nil {
			return statusNotFound
		}
		set(m, string(h.read(s, uint32(p[1]), uint32(p[2]))), string(h.read(s, uint32(p[3]), uint32(p[4]))))
		return statusOK
	},
	"proxy_add_header_map_value": func(_ context.Context, h *host, s *importStat, p []uint64) uint32 {
		m := h.headerMap(uint32(p[0]))
		if m == nil {
			return statusNotFound
		}
		*m = append(*m, [2]string{strings.ToLower(string(h.read(s, uint32(p[1]), uint32(p[2])))), string(h.read(s, uint32(p[3]), uint32(p[4])))})
		return statusOK
	},
	"proxy_remove_header_map_value": func(_ context.Context, h *host, s *importStat, p []uint64) uint32 {
		m := h.headerMap(uint32(p[0]))
		if m == nil {
			return statusNotFound
		}
		del(m, string(h.read(s, uint32(p[1]), uint32(p[2]))))
		return statusOK
	},
	"proxy_send_local_response": func(_ context.Context, h *host, s *importStat, p []uint64) uint32 {
		h.read(s, uint32(p[1]), uint32(p[2]))
		body := h.read(s, uint32(p[3]), uint32(p[4]))
		hdrs := deserializeMap(h.read(s, uint32(p[5]), uint32(p[6])))
		h.local = &localReply{status: uint32(p[0]), body: string(body), headers: hdrs}
		return statusOK
	},
	"proxy_get_shared_data": func(ctx context.Context, h *host, s *importStat, p []uint64) uint32 {
		e, ok := h.shared[string(h.read(s, uint32(p[0]), uint32(p[1])))]
		if !ok {
			return statusNotFound
		}
		h.give(ctx, s, e.v, uint32(p[2]), uint32(p[3]))
		h.mod.Memory().WriteUint32Le(uint32(p[4]), e.cas)
		return statusOK
	},
	"proxy_set_shared_data": func(_ context.Context, h *host, s *importStat, p []uint64) uint32 {
		k := string(h.read(s, uint32(p[0]), uint32(p[1])))
		v := h.read(s, uint32(p[2]), uint32(p[3]))
		e, ok := h.shared[k]
		if cas := uint32(p[4]); cas != 0 && ok && cas != e.cas {
			return statusCasMismatch
		}
		h.shared[k] = sharedEntry{v: v, cas: e.cas + 1}
		return statusOK
	},
	"proxy_define_metric": func(_ context.Context, h *host, s *importStat, p []uint64) uint32 {
		name := string(h.read(s, uint32(p[1]), uint32(p[2])))
		h.metricName = append(h.metricName, name)
		h.metricVal = append(h.metricVal, 0)
		h.mod.Memory().WriteUint32Le(uint32(p[3]), uint32(len(h.metricName)-1))
		return statusOK
	},
	"proxy_increment_metric": func(_ context.Context, h *host, s *importStat, p []uint64) uint32 {
		id := uint32(p[0]) // i32 parameters: only the low 32 bits are defined
		if int(id) >= len(h.metricVal) {
			return statusNotFound
		}
		h.metricVal[id] += p[1]
		return statusOK
	},
	"proxy_record_metric": func(_ context.Context, h *host, s *importStat, p []uint64) uint32 {
		id := uint32(p[0])
		if int(id) >= len(h.metricVal) {
			return statusNotFound
		}
		h.metricVal[id] = p[1]
		return statusOK
	},
	"proxy_get_metric": func(_ context.Context, h *host, s *importStat, p []uint64) uint32 {
		id := uint32(p[0])
		if int(id) >= len(h.metricVal) {
			return statusNotFound
		}
		h.mod.Memory().WriteUint64Le(uint32(p[1]), h.metricVal[id])
		return statusOK
	},
	"proxy_set_tick_period_milliseconds": func(_ context.Context, h *host, s *importStat, p []uint64) uint32 {
		h.tickMS = uint32(p[0])
		return statusOK
	},
	"proxy_set_effective_context": func(context.Context, *host, *importStat, []uint64) uint32 { return statusOK },
	"proxy_continue_stream":       func(context.Context, *host, *importStat, []uint64) uint32 { return statusOK },
	"proxy_close_stream":          func(context.Context, *host, *importStat, []uint64) uint32 { return statusOK },
	"proxy_done":                  func(context.Context, *host, *importStat, []uint64) uint32 { return statusOK },
}

// instantiateEnv builds the "env" host module from the imports the compiled guest
// declares: every env import is counted; one this host does not implement answers
// Unimplemented and is listed in the report.
func (h *host) instantiateEnv(ctx context.Context, r wazero.Runtime, guest wazero.CompiledModule) error {
	b := r.NewHostModuleBuilder("env")
	var names []string
	for _, imp := range guest.ImportedFunctions() {
		mod, name, _ := imp.Import()
		if mod != "env" {
			continue
		}
		names = append(names, name)
		fn := hostFuncs[name]
		b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, _ api.Module, stack []uint64) {
			s := h.stat(name)
			s.Calls++
			if fn == nil {
				h.unknown[name]++
				stack[0] = statusUnimpl
				return
			}
			stack[0] = uint64(fn(ctx, h, s, stack))
		}), imp.ParamTypes(), imp.ResultTypes()).Export(name)
	}
	sort.Strings(names)
	_, err := b.Instantiate(ctx)
	return err
}

// bind attaches the instantiated guest.
func (h *host) bind(mod api.Module) error {
	h.mod = mod
	h.alloc = mod.ExportedFunction("proxy_on_memory_allocate")
	if h.alloc == nil {
		return fmt.Errorf("module exports no proxy_on_memory_allocate: not a proxy-wasm module")
	}
	return nil
}
